// Quality: the tables among the tracked outputs, a table's profile at a revision (figures per
// column, histograms) and drift between two revisions with both histograms overlaid.
"use strict";

(() => {
  const { el, fmt } = trail;
  const q = trail.query();
  let rev = q.get("rev") || "workspace";
  let path = q.get("path");
  let drift = q.get("base") && path ? { base: q.get("base"), current: q.get("current") || "workspace" } : null;
  let known = null;
  let versions = [], versionsOf = null;
  let revSelect, noticeBox, tablesBox, profileBox, driftBox;

  const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== null && v !== undefined && v !== "")).toString();
  const shortRev = (r) => (/^[0-9a-f]{40}$/.test(r) ? r.slice(0, 7) : r);
  const percent = (x) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)} %`);
  const THRESHOLDS = ["psi", "ks", "js", "nulls"];

  function remember() {
    const p = new URLSearchParams();
    if (rev !== "workspace") p.set("rev", rev);
    if (path) p.set("path", path);
    if (drift) { p.set("base", drift.base); p.set("current", drift.current); }
    trail.setQuery(p);
  }

  function revOptions(selected, withVersions) {
    const names = ["workspace", "HEAD", ...known.branches, ...known.tags];
    const shas = new Set();
    const options = names.map((n) => el("option", { value: n, selected: n === selected }, n));
    for (const v of withVersions ? versions : []) {
      shas.add(v.commit);
      options.push(el("option", { value: v.commit, selected: v.commit === selected }, `${v.commit.slice(0, 7)} ${v.subject} (${versionsOf} changed)`));
    }
    for (const c of known.commits.filter((c) => !shas.has(c.sha))) {
      shas.add(c.sha);
      options.push(el("option", { value: c.sha, selected: c.sha === selected }, `${c.sha.slice(0, 7)} ${c.subject}`));
    }
    const exps = withVersions ? known.experiments.map((e) => e.name) : [];
    options.push(...exps.map((n) => el("option", { value: n, selected: n === selected }, `experiment ${n}`)));
    if (![...names, ...exps].includes(selected) && !shas.has(selected)) options.push(el("option", { value: selected, selected: true }, shortRev(selected)));
    return options;
  }

  // -- charts: field names are fixed ("lo", "n"…) so a column's own name never reaches a field

  function binned(edges, sides, temporal) {
    const values = [];
    for (const side of sides) {
      const total = side.counts.reduce((a, b) => a + b, 0) || 1;
      side.counts.forEach((n, i) => values.push({ side: side.name, n, share: n / total,
        lo: temporal ? edges[i] * 1000 : edges[i], hi: temporal ? edges[i + 1] * 1000 : edges[i + 1] }));
    }
    return values;
  }

  function histogramSpec(edges, sides, temporal) {
    const type = temporal ? "temporal" : "quantitative";
    const two = sides.length > 1;
    return {
      width: 260, height: 120, data: { values: binned(edges, sides, temporal) },
      mark: { type: "bar", opacity: two ? 0.55 : 0.9, binSpacing: 0 },
      encoding: {
        x: { field: "lo", type, bin: { binned: true }, title: null },
        x2: { field: "hi" },
        y: { field: two ? "share" : "n", type: "quantitative", stack: null, title: two ? "share of rows" : "rows",
          axis: two ? { format: "%" } : {} },
        ...(two ? { color: { field: "side", type: "nominal", sort: sides.map((s) => s.name), legend: { orient: "bottom", title: null } } } : {}),
        tooltip: [...(two ? [{ field: "side" }] : []), { field: "lo", type, title: "from" }, { field: "hi", type, title: "to" },
          { field: "n", title: "rows" }],
      },
    };
  }

  function categorySpec(labels, sides) {
    const two = sides.length > 1;
    const values = [];
    for (const side of sides) {
      const total = side.counts.reduce((a, b) => a + b, 0) || 1;
      side.counts.forEach((n, i) => values.push({ side: side.name, value: labels[i], n, share: n / total }));
    }
    return {
      width: 260, height: Math.min(400, 16 * labels.length + 10), data: { values },
      mark: { type: "bar", opacity: two ? 0.55 : 0.9 },
      encoding: {
        y: { field: "value", type: "nominal", sort: null, title: null },
        x: { field: two ? "share" : "n", type: "quantitative", stack: null, title: two ? "share of values" : "rows",
          axis: two ? { format: "%" } : {} },
        ...(two ? { color: { field: "side", type: "nominal", sort: sides.map((s) => s.name), legend: { orient: "bottom", title: null } } } : {}),
        tooltip: [...(two ? [{ field: "side" }] : []), { field: "value" }, { field: "n", title: "rows" }],
      },
    };
  }

  function figure(name, spec, crossed) {
    const target = el("div", { class: "chart" });
    const box = el("figure", { class: `plot${crossed ? " crossed" : ""}`, "data-column": name },
      el("h3", {}, name, crossed ? el("span", { class: "badge failed" }, "drift") : null), target);
    setTimeout(() => trail.chart(target, spec));
    return box;
  }

  // -- tables

  async function showTables() {
    const answer = await trail.get("/api/quality/tables", qs({ rev }));
    trail.put(noticeBox, answer.engine_missing ? el("div", { class: "panel needs", id: "needs-data" },
      el("strong", {}, "Missing extra: "), answer.engine_missing,
      ". Profiles computed before (kept in the profile store) still show.") : null);
    trail.put(tablesBox, el("h2", {}, `Tables at ${shortRev(rev)}`), answer.tables.length
      ? el("table", { class: "data", id: "tables" },
        el("tr", {}, ["table", "format", "files", "size", "recorded in"].map((h) => el("th", {}, h))),
        answer.tables.map((t) => el("tr", { class: `clickable${t.path === path ? " chosen" : ""}`, "data-path": t.path,
          "data-output": t.output, onclick: () => choose(t.path) },
        el("td", {}, el("code", {}, t.path + (t.isdir ? "/" : ""))), el("td", {}, t.format || "–"),
        el("td", { class: "num" }, t.files ?? ""), el("td", { class: "num" }, trail.size(t.size)), el("td", { class: "muted" }, t.source))))
      : el("p", { class: "muted" }, "No tracked output here is a table (CSV, TSV, Parquet or JSON Lines)."));
  }

  async function choose(p) {
    if (p !== path) drift = null;
    path = p;
    remember();
    tablesBox.querySelectorAll("tr[data-path]").forEach((tr) => tr.classList.toggle("chosen", tr.dataset.path === path));
    await Promise.all([showProfile(), driftForm()]);
  }

  // -- profile

  async function showProfile() {
    trail.put(profileBox, el("h2", {}, `Profile of ${path} at ${shortRev(rev)}`), el("p", { class: "muted" }, "Profiling…"));
    let a;
    try {
      a = await trail.get("/api/quality/profile", qs({ path, rev }));
    } catch (err) { trail.put(profileBox); trail.fail(err); return; }
    const quantiles = ["p1", "p5", "p25", "p50", "p75", "p95", "p99"];
    const heads = ["column", "type", "values", "nulls", "distinct", "min", ...quantiles, "max", "mean", "std"];
    const charts = [];
    for (const c of a.columns) {
      if (c.histogram) charts.push(figure(c.name, histogramSpec(c.histogram.edges, [{ name: c.name, counts: c.histogram.counts }])));
      else if (c.top && c.top.length) charts.push(figure(c.name, categorySpec(c.top.map((t) => fmt(t[0])), [{ name: c.name, counts: c.top.map((t) => t[1]) }])));
    }
    trail.put(profileBox, el("h2", {}, `Profile of ${path} at ${shortRev(rev)}`),
      el("p", { id: "profile-summary" }, `${a.rows} rows · ${a.columns.length} columns · ${a.format}`,
        a.files > 1 ? ` · ${a.files} files` : "", a.stored ? el("span", { class: "muted" }, " · from the profile store") : null,
        a.hash ? el("span", { class: "muted mono", title: a.hash }, ` · ${a.hash.split(":").pop().slice(0, 10)}`) : null),
      el("div", { class: "wide" }, el("table", { class: "data", id: "profile" },
        el("tr", {}, heads.map((h) => el("th", {}, h))),
        a.columns.map((c) => el("tr", { "data-column": c.name },
          el("td", {}, el("code", {}, c.name)), el("td", { title: c.engine_type }, c.type),
          el("td", { class: "num" }, c.count), el("td", { class: "num", title: `${c.nulls} null` }, percent(c.null_rate)),
          el("td", { class: "num" }, c.distinct), el("td", { class: "num" }, fmt(c.min)),
          quantiles.map((k) => el("td", { class: "num" }, fmt(c.quantiles ? c.quantiles[k] : null))),
          el("td", { class: "num" }, fmt(c.max)), el("td", { class: "num" }, fmt(c.mean)), el("td", { class: "num" }, fmt(c.std)))))),
      charts.length ? el("div", { class: "plots", id: "profile-charts" }, charts) : null);
  }

  // -- drift

  async function driftForm() {
    const row = tablesBox.querySelector(`tr[data-path="${CSS.escape(path)}"]`);
    versions = [];
    versionsOf = row ? row.dataset.output : null;
    if (row && known.commits.length) {
      try { versions = (await trail.get("/api/data/history", qs({ path: row.dataset.output }))).versions; } catch (err) { versions = []; }
    }
    const fallback = versions.length > 1 ? versions[1].commit : known.commits.length > 1 ? known.commits[1].sha : "HEAD";
    const base = el("select", { id: "drift-base", "aria-label": "baseline" }, revOptions(drift ? drift.base : fallback, true));
    const current = el("select", { id: "drift-current", "aria-label": "current" }, revOptions(drift ? drift.current : "workspace", true));
    const limits = THRESHOLDS.map((m) => el("label", {}, `${m} > `, el("input", { type: "number", step: "any", min: "0", class: "threshold",
      name: m, "aria-label": `${m} threshold`, placeholder: "default" })));
    const go = () => { drift = { base: base.value, current: current.value }; remember(); showDrift(); };
    trail.put(driftBox, el("h2", {}, `Drift of ${path}`),
      el("div", { class: "toolbar" }, el("span", {}, "baseline "), base, " → current ", current,
        el("button", { id: "drift-go", class: "primary", onclick: go }, "Compare")),
      el("div", { class: "toolbar muted" }, "Thresholds: ", limits),
      el("div", { class: "result" }));
    if (drift) await showDrift();
  }

  function schemaList(schema) {
    const items = [...schema.added.map((c) => el("li", {}, "added ", el("code", {}, c.name), ` (${c.type})`)),
      ...schema.removed.map((c) => el("li", { class: "crossed" }, "removed ", el("code", {}, c.name), ` (${c.type})`)),
      ...schema.retyped.map((c) => el("li", { class: "crossed" }, "retyped ", el("code", {}, c.name), ` (${c.from} → ${c.to})`))];
    return items.length ? el("div", {}, el("h3", {}, "Schema changes"), el("ul", { id: "schema" }, items)) : null;
  }

  function metricCell(c, name, value) {
    const over = c.crossed.includes(name);
    return el("td", { class: `num${over ? " crossed" : ""}`, title: over ? "over its threshold" : null }, fmt(value));
  }

  async function showDrift() {
    const box = driftBox.querySelector(".result");
    const limits = {};
    driftBox.querySelectorAll("input.threshold").forEach((i) => { if (i.value !== "") limits[i.name] = i.value; });
    trail.put(box, el("p", { class: "muted" }, "Comparing…"));
    let d;
    try {
      d = await trail.get("/api/quality/drift", qs({ path, base: drift.base, current: drift.current, ...limits }));
    } catch (err) { trail.put(box); trail.fail(err); return; }
    const sideNames = [`baseline ${shortRev(drift.base)}`, `current ${shortRev(drift.current)}`];
    const charts = d.columns.filter((c) => c.histogram && (c.histogram.edges || c.histogram.values)).map((c) => {
      const h = c.histogram;
      const sides = [{ name: sideNames[0], counts: h.base }, { name: sideNames[1], counts: h.current }];
      const spec = h.edges ? histogramSpec(h.edges, sides, c.type === "date" || c.type === "timestamp")
        : categorySpec(h.values.map((v) => (v === null ? "(every other value)" : v)), sides);
      return figure(c.name, spec, c.crossed.length > 0);
    });
    const limitsText = Object.entries(d.thresholds).map(([k, v]) => `${k} ${fmt(v)}`).join(" · ");
    trail.put(box,
      el("p", { id: "drift-summary" }, el("span", { class: `badge ${d.crossed ? "failed" : "ok"}` }, d.crossed ? "drift" : "within thresholds"),
        ` ${d.path} at ${shortRev(drift.base)} → ${shortRev(drift.current)}: ${d.rows[0]} → ${d.rows[1]} rows`, el("span", { class: "muted" }, ` · thresholds ${limitsText}`)),
      schemaList(d.schema),
      d.columns.length ? el("div", { class: "wide" }, el("table", { class: "data", id: "drift" },
        el("tr", {}, ["column", "type", "values", "PSI", "KS", "JS", "nulls", "null change", "crossed"].map((h) => el("th", {}, h))),
        d.columns.map((c) => el("tr", { "data-column": c.name, class: c.crossed.length ? "crossed-row" : null },
          el("td", {}, el("code", {}, c.name)), el("td", {}, c.type), el("td", { class: "num" }, `${c.count[0]} → ${c.count[1]}`),
          metricCell(c, "psi", c.psi), metricCell(c, "ks", c.ks), metricCell(c, "js", c.js),
          el("td", { class: "num" }, `${percent(c.null_rate[0])} → ${percent(c.null_rate[1])}`),
          metricCell(c, "nulls", c.null_change), el("td", {}, c.crossed.join(", ")))))) : null,
      charts.length ? el("div", { class: "plots", id: "drift-charts" }, charts) : null);
  }

  async function refresh() {
    await showTables();
    trail.showErrors([]);
    if (path) await Promise.all([showProfile(), drift ? showDrift() : null]);
  }

  async function load() {
    known = await trail.get("/api/revisions");
    revSelect = el("select", { id: "rev", "aria-label": "revision", onchange: (e) => { rev = e.target.value; remember(); refresh(); } }, revOptions(rev, false));
    noticeBox = el("div"); tablesBox = el("div"); profileBox = el("div"); driftBox = el("div", { class: "panel", id: "drift-panel" });
    trail.put(document.getElementById("main"), el("div", { class: "toolbar" }, el("span", {}, "Revision "), revSelect),
      noticeBox, tablesBox, profileBox, driftBox);
    await showTables();
    if (path) await choose(path);
    else trail.put(driftBox, el("p", { class: "muted" }, "Pick a table to see its profile and compare two of its versions."));
  }

  trail.start({ load, refresh });
})();
