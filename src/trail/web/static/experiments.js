// The experiments table: filter, sort, choose columns, select rows to compare or apply, queue
// a run. Only the rows in view are in the DOM (ROW px each), so 10,000 rows scroll freely.
"use strict";

(() => {
  const { el } = trail;
  const ROW = 26;
  const UNDER = new Set(["experiment", "queued"]);
  const saved = JSON.parse(localStorage.getItem("trail.exp") || "{}");
  const view = { sort: null, desc: false, filter: trail.query().get("filter") || "",
    hidden: new Set(saved.hidden || []), onlyChanged: !!saved.onlyChanged, selected: new Set() };
  let data = { columns: [], rows: [] };
  let shown = [], cols = [], widths = [], filterError = null;
  let grid, head, body, count;

  const keyOf = (row) => `${row.kind}:${row.rev}:${row.name}`;
  const colName = (c) => `${c.group}:${c.file}:${c.key}`;
  const num = (v) => typeof v === "number" || typeof v === "boolean";

  function save() {
    localStorage.setItem("trail.exp", JSON.stringify({ hidden: [...view.hidden], onlyChanged: view.onlyChanged }));
  }

  function varies(i, group) {
    let first;
    for (const row of data.rows) {
      if (row.status && group !== "params") continue;  // a queued run has no metrics yet
      const text = JSON.stringify(row.values[i] ?? null);
      if (first === undefined) first = text;
      else if (text !== first) return true;
    }
    return false;
  }

  function chooseColumns() {
    cols = data.columns.map((c, i) => ({ ...c, i })).filter((c) =>
      !view.hidden.has(colName(c)) && (!view.onlyChanged || varies(c.i, c.group)));
  }

  // "acc > 0.9 and lr <= 0.01, name~sgd": column op value; a bare word matches names.
  function parseFilter(text) {
    const terms = text.split(/\s+and\s+|,|&&/i).map((t) => t.trim()).filter(Boolean);
    return terms.map((term) => {
      const m = term.match(/^(.+?)\s*(>=|<=|!=|==|=|>|<|~)\s*(.*)$/);
      if (!m) return (row) => row.name.toLowerCase().includes(term.toLowerCase());
      const [, name, op, raw] = m;
      const getter = name.trim() === "name" ? (row) => row.name : valueGetter(name.trim());
      const want = raw !== "" && !isNaN(Number(raw)) ? Number(raw) : raw.replace(/^["']|["']$/g, "");
      return (row) => compare(getter(row), op, want);
    });
  }

  function valueGetter(name) {
    const found = data.columns.map((c, i) => ({ ...c, i })).filter((c) =>
      c.header === name || `${c.file}:${c.key}` === name || c.key === name);
    if (!found.length) throw new Error(`no column '${name}'`);
    if (found.length > 1) throw new Error(`'${name}' is ambiguous: write ${found.map((c) => `${c.file}:${c.key}`).join(" or ")}`);
    return (row) => row.values[found[0].i];
  }

  function compare(value, op, want) {
    if (value === null || value === undefined) return op === "!=";
    if (op === "~") return String(value).toLowerCase().includes(String(want).toLowerCase());
    const a = num(value) ? Number(value) : String(value);
    const b = typeof a === "number" && typeof want !== "number" ? Number(want) : want;
    switch (op) {
      case ">": return a > b; case ">=": return a >= b; case "<": return a < b; case "<=": return a <= b;
      case "!=": return a !== b; default: return a === b || String(value) === String(want);
    }
  }

  function groups(rows) {  // [head row, [rows under it]]
    const out = [];
    for (const row of rows) {
      if (UNDER.has(row.kind) && out.length) out[out.length - 1][1].push(row);
      else out.push([row, []]);
    }
    return out;
  }

  function derive() {
    chooseColumns();
    let tests = [];
    filterError = null;
    try { tests = parseFilter(view.filter); } catch (err) { filterError = err.message; }
    const keep = (row) => tests.every((t) => t(row));
    const sortCol = view.sort === null ? null : data.columns.findIndex((c) => colName(c) === view.sort);
    shown = [];
    for (const [head, under] of groups(data.rows)) {
      let rows = tests.length ? under.filter(keep) : under.slice();
      if (sortCol !== null && sortCol >= 0) rows = sorted(rows, sortCol);
      if (!tests.length || rows.length || keep(head)) shown.push(head, ...rows);
    }
  }

  function sorted(rows, i) {
    const present = rows.filter((r) => r.values[i] !== null && r.values[i] !== undefined);
    const missing = rows.filter((r) => r.values[i] === null || r.values[i] === undefined);
    const sign = view.desc ? -1 : 1;
    present.sort((a, b) => {
      const x = a.values[i], y = b.values[i];
      if (num(x) && num(y)) return sign * (Number(x) - Number(y));
      return sign * String(x).localeCompare(String(y));
    });
    return present.concat(missing);
  }

  function measure() {  // column widths from the header and a sample of values
    const sample = data.rows.length > 2000 ? data.rows.filter((_, i) => i % Math.ceil(data.rows.length / 2000) === 0) : data.rows;
    widths = cols.map((c) => {
      let longest = c.header.length;
      for (const r of sample) longest = Math.max(longest, cell(c, r.values[c.i]).length);
      return Math.min(Math.max(longest * 8.2 + 28, 64), 300);
    });
  }

  function cell(c, value) {
    if (c.group === "deps" && typeof value === "string") return value.slice(0, 8);
    return trail.fmt(value);
  }

  const FIXED = [30, 240, 160];  // select, experiment, created

  function drawHead() {
    const total = FIXED.reduce((a, b) => a + b, 0) + widths.reduce((a, b) => a + b, 0);
    const hcell = (w, props, ...kids) => el("div", { ...props, class: `cell ${props.class || ""}`, style: `width:${w}px` }, ...kids);
    const heads = cols.map((c, k) => {
      const sorted = view.sort === colName(c) ? (view.desc ? " sorted-desc" : " sorted-asc") : "";
      return hcell(widths[k], { class: `g-${c.group}${sorted}`, role: "columnheader",
        title: `${c.group}: ${c.file}:${c.key} (click to sort)`, onclick: () => sortBy(c) }, c.header);
    });
    trail.put(head, hcell(FIXED[0], {}), hcell(FIXED[1], { role: "columnheader" }, "Experiment"),
      hcell(FIXED[2], { role: "columnheader" }, "Created"), ...heads);
    head.style.width = body.style.width = `${total}px`;
  }

  function sortBy(c) {
    const name = colName(c);
    if (view.sort !== name) { view.sort = name; view.desc = false; }
    else if (!view.desc) view.desc = true;
    else view.sort = null;
    redraw();
  }

  // Rows are absolutely placed: drawing the ones that scroll into view lays out only them.
  // Rows still in view are kept as they are.
  let drawn = new Map();  // index in `shown` → its row element

  function drawRows(all) {
    if (all) { drawn.forEach((node) => node.remove()); drawn = new Map(); }
    body.style.height = `${shown.length * ROW}px`;
    const first = Math.max(0, Math.floor(grid.scrollTop / ROW) - 5);
    const last = Math.min(shown.length, first + Math.ceil(grid.clientHeight / ROW) + 10);
    for (const [i, node] of drawn) {
      if (i < first || i >= last) { node.remove(); drawn.delete(i); }
    }
    const fresh = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      if (drawn.has(i)) continue;
      const node = drawRow(shown[i]);
      node.style.transform = `translateY(${i * ROW}px)`;
      drawn.set(i, node);
      fresh.append(node);
    }
    body.append(fresh);
  }

  function drawRow(row) {
    const key = keyOf(row);
    const errs = Object.values(row.errors || {});
    const cellOf = (w, props, ...kids) => el("div", { ...props, class: `cell ${props.class || ""}`, style: `width:${w}px` }, ...kids);
    return el("div", { class: `row ${row.kind}${view.selected.has(key) ? " selected" : ""}`, role: "row", "data-name": row.name },
      cellOf(FIXED[0], {}, el("input", { type: "checkbox", checked: view.selected.has(key), "aria-label": `select ${row.name}`,
        onchange: (e) => { if (e.target.checked) view.selected.add(key); else view.selected.delete(key); toolbarState(); drawRows(true); } })),
      cellOf(FIXED[1], { class: "name", title: `${row.name} ${row.rev}` },
        errs.length ? el("span", { class: "err", title: errs.join("\n") }, "⚠ ") : null,
        row.name, row.kind === "experiment" ? el("span", { class: "muted" }, ` ${row.rev.slice(0, 7)}`) : null,
        row.status ? el("span", { class: `badge ${row.status}` }, row.status) : null),
      cellOf(FIXED[2], {}, row.created ? trail.when(row.created) : ""),
      ...cols.map((c, k) => {
        const v = row.values[c.i];
        return cellOf(widths[k], { class: num(v) ? "num" : "", title: v === null || v === undefined ? "" : String(typeof v === "object" ? JSON.stringify(v) : v) }, cell(c, v));
      }));
  }

  function redraw() {
    derive();
    measure();
    drawHead();
    drawRows(true);
    toolbarState();
  }

  function selectedRows() { return data.rows.filter((r) => view.selected.has(keyOf(r))); }

  function toolbarState() {
    const chosen = selectedRows();
    count.textContent = `${shown.length} of ${data.rows.length} rows${filterError ? ` — filter: ${filterError}` : ""}`;
    count.classList.toggle("bad", !!filterError);
    document.getElementById("compare").disabled = chosen.length < 2;
    document.getElementById("apply").disabled = trail.readOnly || chosen.length !== 1 || chosen[0].kind !== "experiment";
  }

  function compareUrl() {
    const names = {};
    for (const r of data.rows) names[r.name] = (names[r.name] || 0) + 1;
    const ids = selectedRows().map((r) => (names[r.name] === 1 ? r.name : r.rev));
    return "/compare?" + ids.map((i) => `exp=${encodeURIComponent(i)}`).join("&");
  }

  async function apply() {
    const [row] = selectedRows();
    const ref = `refs/exps/${row.baseline.slice(0, 2)}/${row.baseline.slice(2)}/${row.name}`;
    if (!(await trail.confirm(`Apply experiment '${row.name}' to the workspace? Its params, code and outputs replace the workspace's.`, "Apply"))) return;
    try {
      await trail.act("apply", { name: ref });
      trail.note(`Applied '${row.name}' to the workspace.`);
    } catch (err) {
      if (err.info && err.info.type === "DirtyWorkspaceError" &&
          await trail.confirm(`${err.message}\n\nReplace these changes anyway? They are kept in a backup commit.`, "Replace")) {
        await trail.act("apply", { name: ref, force: true }).then(() => trail.note(`Applied '${row.name}'.`), trail.fail);
      } else if (!(err.info && err.info.type === "DirtyWorkspaceError")) trail.fail(err);
    }
  }

  function queueForm() {
    const box = document.getElementById("queue-form");
    if (!box.hidden) { box.hidden = true; return; }
    const ws = data.rows.find((r) => r.kind === "workspace");
    const params = data.columns.map((c, i) => ({ ...c, i })).filter((c) => c.group === "params" && ws && ws.values[c.i] !== undefined && ws.values[c.i] !== null);
    const inputs = params.map((c) => {
      const value = ws.values[c.i];
      const input = el("input", { type: "text", name: `${c.file}:${c.key}`, value: typeof value === "object" ? JSON.stringify(value) : String(value) });
      input.dataset.initial = input.value;
      return [el("label", { for: input.name }, `${c.file}:${c.key}`), input];
    });
    const name = el("input", { type: "text", name: "exp-name", placeholder: "(random)" });
    const form = el("form", { class: "queue", onsubmit: async (e) => {
      e.preventDefault();
      const set = [...form.querySelectorAll("input[data-initial]")].filter((i) => i.value !== i.dataset.initial)
        .map((i) => (i.name.startsWith("params.yaml:") ? i.name.slice(12) : i.name) + "=" + i.value);
      try {
        const done = await trail.act("queue", { name: name.value || null, set });
        trail.note(`Queued ${done.queued.map((q) => `'${q.name}'`).join(", ")}. Start a worker to run it.`);
        box.hidden = true;
      } catch (err) { trail.fail(err); }
    } }, el("label", {}, "Name"), name, ...inputs.flat(),
    el("span"), el("div", {}, el("button", { type: "submit", class: "primary" }, "Queue"), " ",
      el("button", { type: "button", onclick: () => { box.hidden = true; } }, "Cancel")));
    trail.put(box, el("h3", {}, "Queue an experiment (exp run --queue -S …)"), form);
    box.hidden = false;
  }

  async function startWorker() {
    try {
      const done = await trail.act("worker/start", { jobs: 1 });
      trail.note(done.pid ? `Queue worker running (pid ${done.pid}).` : "Nothing is queued.");
    } catch (err) { trail.fail(err); }
  }

  function columnsMenu() {
    const list = el("div", { class: "columns-list" }, data.columns.map((c) => el("label", {},
      el("input", { type: "checkbox", checked: !view.hidden.has(colName(c)), onchange: (e) => {
        if (e.target.checked) view.hidden.delete(colName(c)); else view.hidden.add(colName(c));
        save(); redraw();
      } }), ` ${c.header} `, el("span", { class: "muted" }, c.group))));
    return el("details", { class: "menu" }, el("summary", {}, "Columns"), el("div", { class: "panel" }, list));
  }

  function build() {
    const main = document.getElementById("main");
    const filter = el("input", { type: "text", class: "filter", placeholder: "filter: acc > 0.9 and lr < 0.1", value: view.filter,
      "aria-label": "filter", oninput: (e) => { view.filter = e.target.value; redraw(); } });
    const changed = el("label", {}, el("input", { type: "checkbox", checked: view.onlyChanged,
      onchange: (e) => { view.onlyChanged = e.target.checked; save(); redraw(); } }), " only changed columns");
    count = el("span", { class: "count" });
    const actions = trail.readOnly ? [] : [
      el("button", { id: "queue", onclick: queueForm }, "Queue experiment…"),
      el("button", { id: "run-queue", onclick: startWorker }, "Run queue")];
    trail.put(main, 
      el("div", { class: "toolbar" }, filter, changed, el("span", { id: "columns-menu" }),
        el("button", { id: "compare", onclick: () => { location.href = compareUrl(); } }, "Compare"),
        el("button", { id: "apply", onclick: apply }, "Apply to workspace"), ...actions, count),
      el("div", { id: "queue-form", class: "panel", hidden: true }),
      grid = el("div", { class: "grid", role: "grid" },
        head = el("div", { class: "ghead", role: "row" }), body = el("div", { class: "gbody" })));
    let pending = false;
    grid.addEventListener("scroll", () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; drawRows(); });
    });
  }

  async function load() {
    data = await trail.get("/api/experiments/table");
    if (!grid) build();
    trail.put(document.getElementById("columns-menu"), columnsMenu());
    const ws = data.rows.find((r) => r.kind === "workspace");
    const head = data.rows.find((r) => r.kind === "baseline");
    trail.showErrors([ws, head].filter(Boolean).flatMap((r) =>
      Object.entries(r.errors || {}).map(([file, message]) => ({ message: `${r.name}: ${message}`, ...where(file, message) }))));
    redraw();
  }

  function where(file, message) {  // the last "file:line" a message names is its cause
    const all = [...message.matchAll(/(?:^|[\s'"(])([^\s:'"()]+):(\d+)(?=[:,)]|$)/g)];
    const m = all[all.length - 1];
    return m ? { file: m[1], line: Number(m[2]) } : { file };
  }

  trail.start({ load });
})();
