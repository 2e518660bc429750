// Models: the registry's artifacts (latest version, stage holders), one artifact's versions,
// stages and history, and a version's lineage as a graph (SVG made by the server) with the
// details of each stage, data and import; registering a version and assigning or unassigning a
// stage, each after a confirmation.
"use strict";

(() => {
  const { el } = trail;
  const q = trail.query();
  let name = q.get("name");
  let version = q.get("version");
  let node = q.get("node");
  let listBox, artifactBox, lineageBox, actionsBox, actionsFor = null;
  let lineage = null;
  let refused = null;  // a failed action's error: kept on the panel through the refresh it causes

  const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v)).toString();
  const short = (sha) => (sha ? sha.slice(0, 7) : "–");
  const date = (iso) => (iso ? trail.when(Date.parse(iso) / 1000) : "–");
  const hash = (text) => (text ? el("span", { class: "mono", title: text }, text.split(":").pop().slice(0, 12)) : "–");

  function remember() {
    const p = new URLSearchParams();
    if (name) p.set("name", name);
    if (version) p.set("version", version);
    if (node) p.set("node", node);
    trail.setQuery(p);
  }

  function stageBadges(stages) {
    return Object.entries(stages).map(([stage, held]) =>
      el("span", { class: "stage-holder", "data-stage": stage }, el("span", { class: "badge stage" }, stage), " ", held.version));
  }

  // -- the artifacts

  function drawList(answer) {
    const rows = answer.models;
    if (!rows.length) {
      trail.put(listBox, el("h2", {}, "Artifacts"), el("p", { class: "muted" },
        "No artifacts yet: declare one with `trail artifacts add NAME PATH --type model`, commit, then `trail artifacts register NAME`."));
      return;
    }
    trail.put(listBox, el("h2", {}, "Artifacts"), el("table", { class: "data", id: "models" },
      el("tr", {}, ["name", "type", "path", "latest", "stages", "versions", "description"].map((h) => el("th", {}, h))),
      rows.map((m) => el("tr", { class: `clickable${m.name === name ? " chosen" : ""}`, "data-name": m.name, onclick: () => choose(m.name) },
        el("td", {}, el("strong", {}, m.name), m.active ? null : el("span", { class: "badge failed" }, "deprecated"),
          m.registered ? null : el("span", { class: "badge" }, "unregistered")),
        el("td", {}, m.type || "–"),
        el("td", {}, m.path ? el("code", {}, m.path) : el("span", { class: "muted", title: "no pipeline file of the workspace declares it" }, "not declared")),
        el("td", { class: "latest" }, m.latest || "–"),
        el("td", { class: "stages" }, stageBadges(m.stages)),
        el("td", { class: "num" }, m.versions),
        el("td", { class: "muted" }, m.desc || "")))));
  }

  function choose(chosen) {
    name = chosen; version = null; node = null; refused = null;
    remember();
    load().catch(trail.fail);
  }

  // -- one artifact

  function versionsTable(data) {
    if (!data.versions.length) return el("p", { class: "muted" }, "No version registered yet.");
    return el("table", { class: "data", id: "versions" },
      el("tr", {}, ["version", "commit", "created", "author", "stages", "status"].map((h) => el("th", {}, h))),
      data.versions.map((v) => {
        const usable = v.registered && v.active;
        return el("tr", { class: `${usable ? "clickable" : "muted"}${v.version === version ? " chosen" : ""}`, "data-version": v.version,
          title: usable ? "show its lineage" : "deregistered: no lineage", onclick: usable ? () => showVersion(v.version) : null },
        el("td", {}, el("strong", {}, v.version)), el("td", { class: "mono", title: v.commit }, short(v.commit)),
        el("td", {}, date(v.created_at)), el("td", {}, v.author || "–"),
        el("td", { class: "holds" }, v.holds.map((s) => el("span", { class: "badge stage" }, s)),
          v.stages.filter((s) => !v.holds.includes(s)).map((s) => el("span", { class: "muted", title: "assigned to a later version since" }, ` ${s}`))),
        el("td", {}, v.active ? "registered" : el("span", { class: "badge failed" }, "deregistered")));
      }));
  }

  function stagesTable(data) {
    const held = Object.entries(data.stages);
    if (!held.length) return el("p", { class: "muted" }, "No stage is assigned.");
    return el("table", { class: "data", id: "stages" },
      el("tr", {}, ["stage", "version", "commit", "since", ""].map((h) => el("th", {}, h))),
      held.map(([stage, h]) => el("tr", { "data-stage": stage },
        el("td", {}, el("span", { class: "badge stage" }, stage)), el("td", {}, h.version),
        el("td", { class: "mono", title: h.commit }, short(h.commit)), el("td", {}, date(h.since)),
        el("td", {}, trail.readOnly ? null : el("button", { class: "unassign", onclick: () => unassign(stage, h.version) }, "Unassign")))));
  }

  function historyTable(data) {
    if (!data.history.length) return el("p", { class: "muted" }, "No registry events.");
    return el("div", { class: "history-box" }, el("table", { class: "data", id: "history" },
      el("tr", {}, ["when", "event", "version", "stage", "commit", "tag"].map((h) => el("th", {}, h))),
      data.history.map((e) => el("tr", { "data-event": e.event, title: [e.message, e.author && `by ${e.author}`].filter(Boolean).join(", ") },
        el("td", {}, date(e.timestamp)), el("td", {}, e.event), el("td", {}, e.version || "–"), el("td", {}, e.stage || "–"),
        el("td", { class: "mono", title: e.commit }, short(e.commit)), el("td", {}, el("code", {}, e.ref))))));
  }

  function drawArtifact(data) {
    const m = data.model;
    const about = [m.type, m.path ? `${m.path} (declared in ${m.file})` : "not declared in the workspace", m.desc].filter(Boolean).join(" · ");
    trail.put(artifactBox,
      el("h2", {}, `Artifact ${data.name} `, el("span", { class: "muted" }, about)),
      (m.labels || []).length ? el("p", {}, m.labels.map((l) => el("span", { class: "badge label" }, l))) : null,
      el("div", { class: "split" },
        el("div", {}, el("h3", {}, "Versions"), versionsTable(data), el("h3", {}, "Stages"), stagesTable(data),
          trail.readOnly ? null : actionsBox),
        el("div", {}, el("h3", {}, "History"), historyTable(data))));
    drawActions(data);
  }

  // -- actions

  function field(label, input) { return [el("label", {}, label), input]; }

  function drawActions(data) {
    if (trail.readOnly) { trail.put(actionsBox); return; }
    const versions = data.versions.filter((v) => v.registered && v.active).map((v) => v.version);
    if (actionsFor === data.name && actionsBox.firstChild) {  // keep what was typed; new versions offered
      const select = actionsBox.querySelector("#assign-version");
      const was = select.value;
      trail.put(select, versions.map((v) => el("option", { value: v, selected: v === was }, v)));
      return;
    }
    actionsFor = data.name;
    const rev = el("input", { type: "text", id: "register-rev", value: "HEAD", "aria-label": "commit to register" });
    const bump = el("select", { id: "register-bump", "aria-label": "bump" },
      el("option", { value: "" }, "next (patch, or v0.0.1)"), ["patch", "minor", "major"].map((b) => el("option", { value: b }, b)));
    const exact = el("input", { type: "text", id: "register-version", placeholder: "or vX.Y.Z", "aria-label": "version to register" });
    exact.addEventListener("input", () => { bump.disabled = Boolean(exact.value); });
    const chosen = el("select", { id: "assign-version", "aria-label": "version to assign" },
      versions.map((v) => el("option", { value: v, selected: v === version }, v)));
    const allowed = (listBox.dataset.allowed || "").split(",").filter(Boolean);
    const stage = allowed.length
      ? el("select", { id: "assign-stage", "aria-label": "stage" }, allowed.map((s) => el("option", { value: s }, s)))
      : el("input", { type: "text", id: "assign-stage", placeholder: "e.g. prod", "aria-label": "stage" });
    const force = el("input", { type: "checkbox", id: "assign-force" });
    trail.put(actionsBox, el("h3", {}, "Change the registry"),
      el("form", { class: "registry", id: "register-form", onsubmit: (e) => { e.preventDefault(); register(rev.value, bump.value, exact.value); } },
        field("Register", rev), field("bump", bump), exact, el("button", { class: "primary", type: "submit", id: "register" }, "Register…")),
      el("form", { class: "registry", id: "assign-form", onsubmit: (e) => { e.preventDefault(); assign(chosen.value, stage.value, force.checked); } },
        field("Assign", chosen), field("to stage", stage), el("label", {}, force, " again"),
        el("button", { class: "primary", type: "submit", id: "assign" }, "Assign…")),
      el("p", { class: "muted" }, "Each change is one Git tag, as `trail artifacts` makes it (not pushed)."));
  }

  async function run(action, body, said) {
    try {
      const done = await trail.act(action, body);
      refused = null;
      trail.note(`${said(done)}: ${done.tags.map((t) => `'${t}'`).join(", ")}.`);
      if (done.version && action !== "models/unassign") version = done.version;
      remember();
      await load();
    } catch (err) {
      refused = err;
      trail.fail(err);
    }
  }

  async function register(rev, bump, exact) {
    const how = exact ? `as ${exact}` : bump ? `(${bump} bump)` : "(the next version)";
    if (!(await trail.confirm(`Register a new version of '${name}' at ${rev || "HEAD"} ${how}? This creates a Git tag.`, "Register"))) return;
    await run("models/register", { name, rev, bump: exact ? null : bump, version: exact || null }, (d) => `Registered ${d.name} ${d.version}`);
  }

  async function assign(chosen, stage, force) {
    if (!stage) { trail.fail(new Error("name the stage to assign")); return; }
    if (!(await trail.confirm(`Assign stage '${stage}' to ${name} ${chosen}? This creates a Git tag.`, "Assign"))) return;
    await run("models/assign", { name, version: chosen, stage, force }, (d) => `Assigned '${d.stage}' to ${d.name} ${d.version}`);
  }

  async function unassign(stage, held) {
    if (!(await trail.confirm(`Take stage '${stage}' from ${name} ${held}? This creates a Git tag.`, "Unassign"))) return;
    await run("models/unassign", { name, version: held, stage }, (d) => `Unassigned '${d.stage}' from ${d.name} ${d.version}`);
  }

  // -- lineage

  function showVersion(chosen) {
    version = chosen; node = null; refused = null;
    remember();
    load().catch(trail.fail);
  }

  function pathsTable(id, rows, withKind) {
    if (!rows.length) return el("p", { class: "muted" }, "none");
    return el("table", { class: "data", id },
      el("tr", {}, el("th", {}, "path"), withKind ? el("th", {}, "kind") : null, el("th", {}, "hash")),
      rows.map((r) => el("tr", { "data-path": r.path }, el("td", {}, el("code", {}, r.path)),
        withKind ? el("td", {}, el("span", { class: `badge kind-${r.kind}` }, r.kind)) : null, el("td", {}, hash(r.hash)))));
  }

  function paramsTable(params) {
    const rows = Object.entries(params).flatMap(([file, values]) =>
      Object.entries(values).map(([k, v]) => el("tr", { "data-param": k }, el("td", {}, file), el("td", {}, el("code", {}, k)), el("td", {}, trail.fmt(v)))));
    return rows.length ? el("table", { class: "data", id: "node-params" }, rows) : el("p", { class: "muted" }, "none");
  }

  function nodeDetails(key) {
    const lin = lineage.lineage;
    const [kind, ...rest] = key.split(":");
    const what = rest.join(":");
    if (kind === "stage") {
      const s = lin.stages.find((x) => x.name === what);
      const cmd = Array.isArray(s.cmd) ? s.cmd.join("\n") : String(s.cmd || "");
      return [el("h3", {}, `Stage ${s.name} `, el("span", { class: "muted" }, `in ${s.file}`)),
        s.recorded ? null : el("p", { class: "muted" }, "Never run at this commit: its lock file records nothing."),
        el("h4", {}, "Command"), el("pre", { class: "log" }, cmd),
        el("h4", {}, "Deps"), pathsTable("node-deps", s.deps, true),
        el("h4", {}, "Params"), paramsTable(s.params),
        el("h4", {}, "Outs"), pathsTable("node-outs", s.outs, false)];
    }
    if (kind === "data" || kind === "import") {
      const e = (kind === "data" ? lin.data : lin.imports).find((x) => x.path === what);
      const source = e.repo
        ? [el("dt", {}, "from repository"), el("dd", {}, el("code", {}, e.repo.url || "–")), el("dt", {}, "source path"), el("dd", {}, el("code", {}, e.source_path || "–")),
          el("dt", {}, "rev"), el("dd", {}, e.repo.rev || "–"), el("dt", {}, "rev_lock"), el("dd", { class: "mono" }, e.repo.rev_lock || "–")]
        : e.url ? [el("dt", {}, "from URL"), el("dd", {}, el("code", {}, e.url))] : [];
      return [el("h3", {}, `${kind === "data" ? "Tracked data" : "Import"} ${e.path}`),
        el("dl", { class: "facts" }, el("dt", {}, "pointer file"), el("dd", {}, el("code", {}, e.file)),
          el("dt", {}, "hash"), el("dd", {}, hash(e.hash)), source)];
    }
    const a = lineage.artifact;
    return [el("h3", {}, `${lineage.name} ${lineage.version}`),
      el("dl", { class: "facts" }, el("dt", {}, "path"), el("dd", {}, el("code", {}, a.path)),
        el("dt", {}, "kept as"), el("dd", {}, lin.source + (lin.produced_by ? ` (made by stage ${lin.produced_by})` : "")),
        el("dt", {}, "hash"), el("dd", {}, hash(lin.hash)), el("dt", {}, "commit"), el("dd", { class: "mono" }, lineage.commit))];
  }

  function chooseNode(key) {
    node = key;
    remember();
    lineageBox.querySelectorAll("#lineage-dag .node").forEach((n) => n.classList.toggle("chosen", n.dataset.name === key));
    trail.put(lineageBox.querySelector("#lineage-node"), nodeDetails(key));
  }

  function metricsTable(metrics) {
    const rows = Object.entries(metrics).flatMap(([file, values]) =>
      Object.entries(values || {}).map(([k, v]) => el("tr", { "data-metric": k }, el("td", {}, file), el("td", {}, el("code", {}, k)), el("td", { class: "num" }, trail.fmt(v)))));
    return rows.length ? el("table", { class: "data", id: "metrics" }, rows) : el("p", { class: "muted" }, "No metrics at this commit.");
  }

  function environment(env) {
    const packages = Object.entries(env.packages || {});
    return el("div", { id: "environment" },
      el("p", {}, `Python ${env.python ? env.python.version : "?"} on ${env.platform ? env.platform.description || env.platform.system : "?"}`,
        el("span", { class: "muted" }, ` — ${env.source}`)),
      packages.length ? el("details", {}, el("summary", {}, `${packages.length} packages`),
        el("pre", { class: "log" }, packages.map(([k, v]) => `${k}==${v}`).join("\n"))) : null);
  }

  function drawLineage() {
    const lin = lineage.lineage;
    const known = new Set(["artifact", ...lin.stages.map((s) => `stage:${s.name}`), ...lin.data.map((d) => `data:${d.path}`),
      ...lin.imports.map((d) => `import:${d.path}`)]);
    if (!node || !known.has(node)) node = lin.produced_by ? `stage:${lin.produced_by}` : "artifact";
    const graph = el("div", { class: "dag-wrap", id: "lineage-dag" });
    graph.innerHTML = lineage.svg;  // made by the server from escaped names
    graph.querySelectorAll(".node").forEach((n) => {
      n.addEventListener("click", () => chooseNode(n.dataset.name));
      n.addEventListener("keydown", (e) => { if (e.key === "Enter") chooseNode(n.dataset.name); });
    });
    trail.put(lineageBox,
      el("h2", {}, `Lineage of ${lineage.name} ${lineage.version} `, el("span", { class: "muted mono" }, `commit ${short(lineage.commit)}`)),
      el("p", { class: "legend lineage-legend" }, lin.data.length ? el("span", { class: "lineage-data" }, "tracked data") : null,
        lin.imports.length ? el("span", { class: "lineage-import" }, "import") : null,
        lin.stages.length ? el("span", { class: "lineage-stage" }, "stage") : null, el("span", { class: "lineage-artifact" }, "artifact")),
      el("div", { class: "split" }, graph, el("div", { class: "panel", id: "lineage-node" })),
      el("div", { class: "split" },
        el("div", {}, el("h3", {}, "Metrics at this commit"), metricsTable(lineage.metrics)),
        el("div", {}, el("h3", {}, "Environment of the run"), environment(lineage.environment))));
    chooseNode(node);
  }

  // -- loading

  async function load() {
    const main = document.getElementById("main");
    if (!listBox) {
      listBox = el("div", { id: "models-box" });
      artifactBox = el("div", { id: "artifact" });
      lineageBox = el("div", { id: "lineage" });
      actionsBox = el("div", { class: "panel", id: "actions" });
      trail.put(main, listBox, artifactBox, lineageBox);
    }
    const errors = refused ? [refused] : [];
    const answer = await trail.get("/api/models");
    listBox.dataset.allowed = (answer.allowed_stages || []).join(",");
    if (!name && answer.models.length === 1) name = answer.models[0].name;
    drawList(answer);
    let data = null;
    if (name) {
      try {
        data = await trail.get("/api/models/artifact", qs({ name }));
        drawArtifact(data);
      } catch (err) {
        errors.push(err);
        trail.put(artifactBox, el("p", { class: "muted" }, `No artifact '${name}' to show: see the error above.`));
      }
    } else {
      trail.put(artifactBox, el("p", { class: "muted" }, "Click an artifact to see its versions, stages and history."));
    }
    if (data && !version && data.model.latest) version = data.model.latest;
    if (data && version) {
      try {
        lineage = await trail.get("/api/models/lineage", qs({ spec: `${name}@${version}` }));
        drawLineage();
      } catch (err) {
        errors.push(err);
        lineage = null;
        trail.put(lineageBox, el("p", { class: "muted" }, `No lineage of ${name} ${version}: see the error above.`));
      }
    } else {
      trail.put(lineageBox);
    }
    remember();
    trail.showErrors(errors);
  }

  trail.start({ load });
})();
