// Compare: params and metrics side by side (differences marked), plots overlaid, parallel
// coordinates of the params against a chosen metric, and a scatter of any two columns.
"use strict";

(() => {
  const { el } = trail;
  const ids = trail.query().getAll("exp");
  let answer = null;

  function sideBySide(table) {
    const rows = table.rows;
    const head = el("tr", {}, el("th", {}, ""), ...rows.map((r) => el("th", {}, r.name,
      r.kind === "experiment" ? el("span", { class: "muted" }, ` ${r.rev.slice(0, 7)}`) : null)));
    const body = [];
    let group = null;
    table.columns.forEach((c, i) => {
      if (c.group !== group) {
        group = c.group;
        body.push(el("tr", {}, el("th", { colspan: rows.length + 1 }, group)));
      }
      const values = rows.map((r) => r.values[i]);
      const differ = new Set(values.map((v) => JSON.stringify(v ?? null))).size > 1;
      body.push(el("tr", { class: differ ? "differs" : "" }, el("td", { title: `${c.file}:${c.key}` }, c.header),
        ...values.map((v) => el("td", { class: `${typeof v === "number" ? "num" : ""}${differ ? " diff" : ""}` },
          c.group === "deps" && typeof v === "string" ? v.slice(0, 8) : trail.fmt(v)))));
    });
    return el("table", { class: "data side-by-side" }, el("thead", {}, head), el("tbody", {}, body));
  }

  function numericColumns(table, group) {
    return table.columns.map((c, i) => ({ ...c, i })).filter((c) =>
      (!group || c.group === group) && c.group !== "deps" &&
      table.rows.some((r) => typeof r.values[c.i] === "number"));
  }

  // Field names of the chart data are fixed ("x", "value"…): a dot in a column's name
  // ("train.lr") would read as a nested field to Vega-Lite.
  function parallelSpec(table, metric) {
    const axes = [...numericColumns(table, "params"), metric];
    const values = [];
    for (const c of axes) {
      const nums = table.rows.map((r) => r.values[c.i]).filter((v) => typeof v === "number");
      const lo = Math.min(...nums), hi = Math.max(...nums);
      table.rows.forEach((r, index) => {
        const v = r.values[c.i];
        if (typeof v !== "number") return;
        values.push({ experiment: r.name, index, axis: c.header, value: v, norm: hi === lo ? 0.5 : (v - lo) / (hi - lo) });
      });
    }
    return {
      width: Math.max(320, axes.length * 110), height: 260, data: { values },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "axis", type: "nominal", sort: axes.map((c) => c.header), title: null, axis: { labelAngle: 0 } },
        y: { field: "norm", type: "quantitative", axis: null },
        detail: { field: "index", type: "nominal" },
        color: { field: "experiment", type: "nominal" },
        tooltip: [{ field: "experiment" }, { field: "axis" }, { field: "value" }],
      },
    };
  }

  function scatterSpec(table, x, y) {
    const values = table.rows.filter((r) => typeof r.values[x.i] === "number" && typeof r.values[y.i] === "number")
      .map((r) => ({ experiment: r.name, x: r.values[x.i], y: r.values[y.i] }));
    return {
      width: 360, height: 260, data: { values },
      mark: { type: "point", filled: true, size: 80 },
      encoding: {
        x: { field: "x", type: "quantitative", scale: { zero: false }, title: x.header },
        y: { field: "y", type: "quantitative", scale: { zero: false }, title: y.header },
        color: { field: "experiment", type: "nominal" },
        tooltip: [{ field: "experiment" }, { field: "x", title: x.header }, { field: "y", title: y.header }],
      },
    };
  }

  function chooser(id, cols, chosen, onchange) {
    return el("select", { id, onchange: (e) => onchange(cols.find((c) => colKey(c) === e.target.value)) },
      cols.map((c) => el("option", { value: colKey(c), selected: colKey(c) === colKey(chosen) }, `${c.header} (${c.group})`)));
  }
  const colKey = (c) => `${c.group}:${c.file}:${c.key}`;

  function charts(table) {
    const metrics = numericColumns(table, "metrics");
    const all = numericColumns(table);
    const params = numericColumns(table, "params");
    const box = el("div", { class: "split" });
    if (!metrics.length || !all.length) return el("p", { class: "muted" }, "No numeric metrics to chart.");
    let metric = metrics[0];
    const varying = params.filter((c) => new Set(table.rows.map((r) => r.values[c.i])).size > 1);
    let sx = varying[0] || params[0] || all[0], sy = metric;
    const parallel = el("div", { class: "chart", id: "parallel" });
    const scatter = el("div", { class: "chart", id: "scatter" });
    const drawParallel = () => trail.chart(parallel, parallelSpec(table, metric));
    const drawScatter = () => trail.chart(scatter, scatterSpec(table, sx, sy));
    box.append(
      el("div", {}, el("h2", {}, "Parallel coordinates"),
        el("div", { class: "toolbar" }, el("label", {}, "metric ", chooser("pc-metric", metrics, metric, (c) => { metric = c; drawParallel(); }))),
        parallel),
      el("div", {}, el("h2", {}, "Scatter"),
        el("div", { class: "toolbar" },
          el("label", {}, "x ", chooser("sc-x", all, sx, (c) => { sx = c; drawScatter(); })),
          el("label", {}, "y ", chooser("sc-y", all, sy, (c) => { sy = c; drawScatter(); }))),
        scatter));
    setTimeout(() => { drawParallel(); drawScatter(); });
    return box;
  }

  function draw() {
    const main = document.getElementById("main");
    const plots = el("div", { class: "plots" });
    trail.put(main, 
      el("h2", {}, `Comparing ${answer.table.rows.map((r) => r.name).join(", ")}`),
      sideBySide(answer.table), charts(answer.table), el("h2", {}, "Plots"), plots);
    trail.plotsInto(plots, answer.plots);
  }

  async function load() {
    if (ids.length < 1) {
      trail.put(document.getElementById("main"), el("p", {},
        "Pick two or more rows on the ", el("a", { href: "/experiments" }, "Experiments"), " page and press Compare."));
      return;
    }
    const params = new URLSearchParams();
    ids.forEach((i) => params.append("exp", i));
    answer = await trail.get("/api/compare", params.toString());
    trail.showErrors([]);
    draw();
  }

  trail.start({ load });
})();
