// Plots: every plot the pipeline defines, for the revisions ticked (the URL keeps them).
"use strict";

(() => {
  const { el } = trail;
  let revs = trail.query().getAll("rev");
  if (!revs.length) revs = ["HEAD", "workspace"];
  let box, choices, known;

  function pick(name, on) {
    revs = on ? [...new Set([...revs, name])] : revs.filter((r) => r !== name);
    const params = new URLSearchParams();
    revs.forEach((r) => params.append("rev", r));
    trail.setQuery(params);
    drawChoices();
    refresh();
  }

  function drawChoices() {
    const names = ["workspace", "HEAD", ...known.branches, ...known.tags];
    const extra = revs.filter((r) => !names.includes(r));
    const box = (name) => el("label", {}, el("input", { type: "checkbox", checked: revs.includes(name),
      onchange: (e) => pick(name, e.target.checked) }), ` ${name}`);
    const add = el("input", { type: "text", list: "exp-names", placeholder: "experiment or revision", "aria-label": "add revision" });
    trail.put(choices, 
      el("span", { class: "muted" }, "Revisions: "), ...[...names, ...extra].map(box),
      el("form", { style: "display:inline", onsubmit: (e) => { e.preventDefault(); if (add.value) pick(add.value.trim(), true); } },
        add, " ", el("button", { type: "submit" }, "Add")),
      el("datalist", { id: "exp-names" }, known.experiments.map((x) => el("option", { value: x.name })),
        known.commits.map((c) => el("option", { value: c.sha.slice(0, 7), label: c.subject }))));
  }

  async function refresh() {
    const params = new URLSearchParams();
    revs.forEach((r) => params.append("rev", r));
    try {
      const answer = await trail.get("/api/plots", params.toString());
      trail.showErrors([]);
      trail.plotsInto(box, answer);
    } catch (err) { trail.put(box); trail.fail(err); }
  }

  async function load() {
    const main = document.getElementById("main");
    choices = el("div", { class: "toolbar revs" });
    box = el("div", { class: "plots" });
    trail.put(main, choices, box);
    known = await trail.get("/api/revisions");
    drawChoices();
    await refresh();
  }

  trail.start({ load, refresh });
})();
