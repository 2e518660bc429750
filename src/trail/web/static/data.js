// Data: tracked outputs at a revision, an output's history, browsing a tracked directory,
// previews and downloads, and what changed between two revisions.
"use strict";

(() => {
  const { el } = trail;
  const q = trail.query();
  let rev = q.get("rev") || "workspace";
  let path = q.get("path");
  let known = null;
  let outputsBox, historyBox, browseBox, previewBox, diffBox, revSelect;

  const short = (hash) => (hash ? hash.split(":").pop().slice(0, 10) : "–");
  const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)).toString();

  function remember() {
    const p = new URLSearchParams();
    if (rev !== "workspace") p.set("rev", rev);
    if (path) p.set("path", path);
    trail.setQuery(p);
  }

  function revOptions(selected) {
    const names = ["workspace", "HEAD", ...known.branches, ...known.tags];
    const options = names.map((n) => el("option", { value: n, selected: n === selected }, n));
    options.push(...known.commits.map((c) => el("option", { value: c.sha, selected: c.sha === selected },
      `${c.sha.slice(0, 7)} ${c.subject}`)));
    if (![...names, ...known.commits.map((c) => c.sha)].includes(selected)) {
      options.push(el("option", { value: selected, selected: true }, selected.slice(0, 12)));
    }
    return options;
  }

  async function showOutputs() {
    const answer = await trail.get("/api/data/outputs", qs({ rev }));
    trail.put(outputsBox, el("h2", {}, `Tracked outputs at ${rev}`), el("table", { class: "data", id: "outputs" },
      el("tr", {}, ["path", "recorded in", "size", "files", "hash"].map((h) => el("th", {}, h))),
      answer.outputs.map((o) => el("tr", { class: `clickable${path && (path === o.path || path.startsWith(o.path + "/")) ? " chosen" : ""}`,
        "data-path": o.path, onclick: () => choose(o.path) },
      el("td", {}, el("code", {}, o.path + (o.isdir ? "/" : ""))), el("td", { class: "muted" }, o.source),
      el("td", { class: "num" }, trail.size(o.size)), el("td", { class: "num" }, o.nfiles ?? ""),
      el("td", { class: "mono", title: o.hash || "" }, short(o.hash))))));
  }

  async function choose(p) {
    path = p;
    remember();
    trail.put(previewBox);
    outputsBox.querySelectorAll("tr[data-path]").forEach((tr) =>
      tr.classList.toggle("chosen", path === tr.dataset.path || path.startsWith(tr.dataset.path + "/")));
    await Promise.all([showHistory(), browse(p)]);
  }

  async function showHistory() {
    const top = outputsBox.querySelector("tr.chosen");
    if (!top) { trail.put(historyBox); return; }
    try {
      const answer = await trail.get("/api/data/history", qs({ path: top.dataset.path }));
      trail.put(historyBox, el("h2", {}, `History of ${answer.path}`), el("table", { class: "data", id: "history" },
        el("tr", {}, ["commit", "date", "message", "hash", "size", "files"].map((h) => el("th", {}, h))),
        answer.versions.map((v) => el("tr", { class: "clickable", title: "browse this version",
          onclick: () => { rev = v.commit; trail.put(revSelect, ...revOptions(rev)); remember(); refresh(); } },
        el("td", { class: "mono" }, v.commit.slice(0, 7)), el("td", {}, trail.when(v.time)), el("td", {}, v.subject),
        el("td", { class: "mono" }, short(v.hash)), el("td", { class: "num" }, trail.size(v.size)), el("td", { class: "num" }, v.nfiles ?? "")))));
    } catch (err) { trail.put(historyBox); trail.fail(err); }
  }

  function crumbs(p) {
    const parts = p.split("/");
    return el("div", { class: "crumbs" }, parts.map((part, i) => {
      const sub = parts.slice(0, i + 1).join("/");
      return [i ? "/" : "", el("a", { href: "#", onclick: (e) => { e.preventDefault(); choose(sub); } }, part)];
    }));
  }

  async function browse(p) {
    try {
      const answer = await trail.get("/api/data/list", qs({ rev, path: p }));
      const only = answer.entries.length === 1 && !answer.entries[0].isdir && answer.entries[0].path === p;
      trail.put(browseBox, el("h2", {}, `Browse at ${rev.slice(0, 12)}`), crumbs(p), only ? null : el("table", { class: "data", id: "entries" },
        el("tr", {}, ["name", "size", "files", "hash"].map((h) => el("th", {}, h))),
        answer.entries.map((e) => el("tr", { class: "clickable", "data-path": e.path,
          onclick: () => (e.isdir ? choose(e.path) : preview(e.path)) },
        el("td", {}, el("code", {}, e.path.split("/").pop() + (e.isdir ? "/" : ""))),
        el("td", { class: "num" }, e.isdir ? "" : trail.size(e.size)), el("td", { class: "num" }, e.nfiles ?? ""),
        el("td", { class: "mono" }, short(e.hash))))));
      if (only) await preview(p);
    } catch (err) { trail.put(browseBox); trail.fail(err); }
  }

  async function preview(p) {
    const link = `/api/data/file?${qs({ rev, path: p, download: 1 })}`;
    try {
      const a = await trail.get("/api/data/preview", qs({ rev, path: p }));
      let body;
      if (a.kind === "image") body = el("img", { src: `/api/data/file?${qs({ rev, path: p })}`, alt: p });
      else if (a.kind === "table") {
        body = el("table", { class: "data", id: "preview-table" }, a.header.map((h) => el("tr", {}, h.map((c) => el("th", {}, c)))),
          a.rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c)))));
      } else if (a.kind === "binary") body = el("p", { class: "muted" }, "A binary file: download it to look inside.");
      else body = el("pre", { class: "log" }, a.text);
      trail.put(previewBox, el("h2", {}, p), el("p", {}, el("a", { href: link, download: p.split("/").pop() }, "Download"),
        ` · ${trail.size(a.size)}${a.truncated ? " (showing the start)" : ""}`), el("div", { class: "preview" }, body));
    } catch (err) { trail.put(previewBox); trail.fail(err); }
  }

  async function showDiff(a, b) {
    try {
      const d = await trail.get("/api/data/diff", qs({ a, b }));
      const line = (kind, p, extra) => el("tr", {}, el("td", {}, kind), el("td", {}, el("code", {}, p)), el("td", { class: "mono" }, extra));
      const rows = [...d.added.map((x) => line("added", x.path, short(x.hash))),
        ...d.deleted.map((x) => line("deleted", x.path, short(x.hash))),
        ...d.modified.map((x) => line("modified", x.path, `${short(x.old)} → ${short(x.new)}`))];
      trail.put(diffBox.querySelector(".result"), rows.length ? el("table", { class: "data", id: "diff" }, rows)
        : el("p", { class: "muted" }, `No tracked data differs between ${a} and ${b}.`),
      d.not_in_cache.length ? el("p", { class: "muted" }, `Not in the cache (contents unknown): ${d.not_in_cache.join(", ")}`) : null);
    } catch (err) { trail.fail(err); }
  }

  function diffForm() {
    const a = el("select", { id: "diff-a", "aria-label": "from" }, revOptions("HEAD"));
    const b = el("select", { id: "diff-b", "aria-label": "to" }, revOptions("workspace"));
    if (known.commits.length > 1) a.value = known.commits[1].sha;
    trail.put(diffBox, el("h2", {}, "What changed"), el("div", { class: "toolbar" }, a, " → ", b,
      el("button", { id: "diff-go", onclick: () => showDiff(a.value, b.value) }, "Compare")), el("div", { class: "result" }));
  }

  async function refresh() {
    await showOutputs();
    trail.showErrors([]);
    if (path) await choose(path);
  }

  async function load() {
    known = await trail.get("/api/revisions");
    revSelect = el("select", { id: "rev", "aria-label": "revision", onchange: (e) => { rev = e.target.value; remember(); refresh(); } }, revOptions(rev));
    outputsBox = el("div"); historyBox = el("div"); browseBox = el("div"); previewBox = el("div"); diffBox = el("div", { class: "panel" });
    trail.put(document.getElementById("main"), el("div", { class: "toolbar" }, el("span", {}, "Revision "), revSelect),
      el("div", { class: "split" }, el("div", {}, outputsBox, historyBox), el("div", {}, browseBox, previewBox)), diffBox);
    diffForm();
    await refresh();
  }

  trail.start({ load, refresh });
})();
