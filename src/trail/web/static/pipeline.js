// Pipeline: the graph (SVG made by the server), stages coloured by state; a click shows the
// stage's command, deps with hashes, params, outs and its last run's log.
"use strict";

(() => {
  const { el } = trail;
  const STATES = ["up to date", "changed", "frozen", "never run", "running"];
  let data = null;
  let chosen = trail.query().get("stage");
  let graph, details;

  function changesList(changes) {
    const items = [];
    for (const change of changes) {
      if (typeof change === "string") { items.push(el("li", {}, change)); continue; }
      for (const [kind, what] of Object.entries(change)) {
        for (const [path, how] of Object.entries(what)) {
          items.push(el("li", {}, `${kind}: `, el("code", {}, path), ` ${typeof how === "string" ? how : JSON.stringify(how)}`));
        }
      }
    }
    return items.length ? el("ul", { class: "changes" }, items) : null;
  }

  function items(title, rows) {
    if (!rows.length) return null;
    return [el("h3", {}, title), el("table", { class: "data" },
      el("tr", {}, el("th", {}, "path"), el("th", {}, "hash"), el("th", {}, "size"), el("th", {}, "files")),
      rows.map((r) => el("tr", {}, el("td", {}, el("code", {}, r.path)),
        el("td", { class: "mono", title: r.hash || "" }, r.hash ? r.hash.split(":").pop().slice(0, 12) : "–"),
        el("td", { class: "num" }, trail.size(r.size)), el("td", { class: "num" }, r.nfiles ?? ""))))];
  }

  function params(all) {
    const rows = Object.entries(all).flatMap(([file, values]) =>
      Object.entries(values).map(([k, v]) => el("tr", {}, el("td", {}, file), el("td", {}, el("code", {}, k)), el("td", {}, trail.fmt(v)))));
    return rows.length ? [el("h3", {}, "Params (as last run)"), el("table", { class: "data" }, rows)] : null;
  }

  async function showNode(name) {
    chosen = name;
    const p = new URLSearchParams(); if (name) p.set("stage", name); trail.setQuery(p);
    graph.querySelectorAll(".node").forEach((n) => n.classList.toggle("chosen", n.dataset.name === name));
    const node = data.nodes[name];
    if (!node) { trail.put(details, el("p", { class: "muted" }, "Click a stage to see its details.")); return; }
    const d = node.details || {};
    const log = el("div", { class: "log-box" });
    trail.put(details, 
      el("h2", {}, name, " ", el("span", { class: `legend` }, el("span", { class: `state-${node.state.replace(/ /g, "-")}` }, node.state))),
      d.desc ? el("p", {}, d.desc) : null,
      el("p", { class: "muted" }, `defined in ${d.where || node.file}`),
      changesList(node.changes),
      d.cmd ? [el("h3", {}, "Command"), el("pre", { class: "log" }, d.cmd.join("\n"))] : null,
      items("Deps", d.deps || []), params(d.params || {}), items("Outs", d.outs || []),
      node.kind === "stage" ? [el("h3", {}, "Last run"), log] : null);
    if (node.kind !== "stage") return;
    try {
      const run = await trail.get("/api/runs/stage-log", new URLSearchParams({ stage: name }).toString());
      trail.put(log, el("p", { class: "muted" }, `${trail.when(run.started)} · exit code ${run.returncode} · ${(run.ended - run.started).toFixed(1)} s`),
        el("pre", { class: "log" }, run.stdout + (run.stderr ? `\n${run.stderr}` : "")));
    } catch (err) {
      trail.put(log, el("p", { class: "muted" }, "No kept log of this stage in this workspace."));
    }
  }

  function draw() {
    if (!Object.keys(data.nodes).length) {
      trail.put(graph, el("p", { class: "muted" }, "No stages and no tracked data yet: `trail stage add` or `trail add`."));
      trail.put(details);
      return;
    }
    graph.innerHTML = data.svg;  // made by the server from escaped names
    graph.querySelectorAll(".node").forEach((n) => {
      n.addEventListener("click", () => showNode(n.dataset.name));
      n.addEventListener("keydown", (e) => { if (e.key === "Enter") showNode(n.dataset.name); });
    });
    showNode(chosen && data.nodes[chosen] ? chosen : null);
  }

  async function load() {
    const main = document.getElementById("main");
    if (!graph) {
      graph = el("div", { class: "dag-wrap", id: "dag" });
      details = el("div", { class: "panel", id: "stage" });
      trail.put(main, 
        el("p", { class: "legend" }, STATES.map((s) => el("span", { class: `state-${s.replace(/ /g, "-")}` }, s))),
        el("div", { class: "split" }, graph, details));
    }
    try {
      data = await trail.get("/api/pipeline");
    } catch (err) {
      trail.put(graph, el("p", { class: "muted" }, "The pipeline cannot be drawn: see the error above."));
      trail.put(details);
      throw err;
    }
    trail.showErrors([]);
    draw();
  }

  trail.start({ load });
})();
