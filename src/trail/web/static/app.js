// Shared by every page: fetching the API, the error panel, a confirm dialog, number
// formatting, charts, and live updates (the version is polled; pages refresh when it moves).
"use strict";

const trail = (() => {
  const readOnly = document.body.dataset.readOnly === "1";
  let page = null;
  let version = null;

  class ApiError extends Error {
    constructor(info, status) {
      super(info.message || `request failed (${status})`);
      this.info = info;
      this.status = status;
    }
  }

  async function answer(response) {
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(body.error || {}, response.status);
    return body;
  }

  function get(path, query) {
    const url = query ? `${path}?${query}` : path;
    return fetch(url, { credentials: "same-origin" }).then(answer);
  }

  function act(name, body) {
    return fetch(`/api/actions/${name}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    }).then(answer);
  }

  function kids(children) {
    return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))));
  }

  // Replace a node's children; arrays are flattened, null/false left out (as el() does).
  function put(node, ...children) {
    node.replaceChildren(...kids(children));
    return node;
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "text") node.textContent = value;
      else if (key === "html") node.innerHTML = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    node.append(...kids(children));
    return node;
  }

  function errorItem(info) {
    const where = info.file ? `${info.file}${info.line ? ":" + info.line : ""}` : null;
    return el("li", { class: "error" },
      where ? el("code", { class: "where" }, where) : null, " ", info.message || String(info));
  }

  // Errors for the panel above the page: from failed requests, or rows that carry errors.
  function showErrors(items) {
    const panel = document.getElementById("errors");
    put(panel);
    if (!items.length) { panel.hidden = true; return; }
    panel.append(el("ul", {}, items.map((e) => errorItem(e.info || e))));
    panel.hidden = false;
  }

  function fail(err) {
    if (!(err instanceof ApiError)) console.warn(err);
    showErrors([err.info ? err : { message: String(err.message || err) }]);
  }

  function note(text, kind) {
    const box = el("div", { class: `note ${kind || ""}`, role: "status" }, text);
    document.getElementById("main").prepend(box);
    setTimeout(() => box.remove(), 6000);
  }

  function confirm(text, ok) {
    return new Promise((resolve) => {
      const dialog = el("dialog", { class: "confirm" },
        el("p", {}, text),
        el("div", { class: "buttons" },
          el("button", { value: "no", onclick: () => dialog.close("no") }, "Cancel"),
          el("button", { value: "yes", class: "primary", onclick: () => dialog.close("yes") },
            ok || "OK")));
      dialog.addEventListener("close", () => { dialog.remove(); resolve(dialog.returnValue === "yes"); });
      document.body.append(dialog);
      dialog.showModal();
    });
  }

  function fmt(value) {
    if (value === null || value === undefined) return "–";
    if (typeof value === "number") {
      if (Number.isInteger(value)) return String(value);
      const text = value.toFixed(5).replace(/0+$/, "").replace(/\.$/, "");
      return text === "0" || text === "-0" ? value.toPrecision(3) : text;
    }
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function size(bytes) {
    if (bytes === null || bytes === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let n = bytes, i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return `${i ? n.toFixed(1) : n} ${units[i]}`;
  }

  function when(seconds) {
    if (!seconds) return "–";
    const d = new Date(seconds * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  function chart(node, spec) {
    if (window.vegaMissing) { put(node, el("p", { class: "muted" }, window.vegaMissing)); return; }
    window.vegaEmbed(node, spec, { actions: false, renderer: "svg" }).catch(fail);
  }

  // Plots as /api/plots answers them: Vega-Lite charts, or images.
  function plotsInto(node, answer) {
    put(node);
    if (!answer.plots.length) {
      node.append(el("p", { class: "muted" }, answer.message || "No plots."));
      return;
    }
    for (const plot of answer.plots) {
      const figure = el("figure", { class: "plot", "data-id": plot.id }, el("h3", {}, plot.id));
      node.append(figure);
      if (plot.spec) {
        const target = el("div", { class: "chart" });
        figure.append(target);
        trail.chart(target, plot.spec);
      } else {
        for (const image of plot.images) {
          figure.append(el("img", { src: image.src, alt: `${image.rev}: ${image.path}` }),
            el("figcaption", { class: "muted" }, `${image.rev}: ${image.path}`));
        }
      }
    }
  }

  function query() { return new URLSearchParams(location.search); }

  function setQuery(params) {
    const text = params.toString();
    history.replaceState(null, "", text ? `${location.pathname}?${text}` : location.pathname);
  }

  async function poll() {
    try {
      const now = await get("/api/version");
      document.getElementById("live").className = "on";
      if (now.version !== version) {
        version = now.version;
        await (page.refresh || page.load)();
      }
    } catch (err) {
      document.getElementById("live").className = "off";
      if (!(err instanceof TypeError)) fail(err);  // TypeError: the server is gone
    }
    setTimeout(poll, document.hidden ? 3000 : 1000);
  }

  // The version is read before the first load: a change made while loading is seen next.
  async function start(p) {
    page = p;
    try { version = (await get("/api/version")).version; } catch (err) { /* polled again */ }
    try { await p.load(); } catch (err) { fail(err); }
    setTimeout(poll, 1000);
  }

  return { readOnly, get, act, el, put, showErrors, fail, note, confirm, fmt, size, when, chart, plotsInto,
    query, setQuery, start, ApiError };
})();
