// Runs: the queue (worker, runs, their logs tailed live) and the kept logs of stage runs.
"use strict";

(() => {
  const { el } = trail;
  let queueBox, stagesBox, logBox;
  let tailing = null;  // {id, offset, timer}

  function took(start, end) {
    if (!start) return "";
    return `${Math.round((end || Date.now() / 1000) - start)} s`;
  }

  function workerControls(worker) {
    if (trail.readOnly) return null;
    const jobs = el("input", { type: "number", min: 1, value: 1, id: "jobs", style: "width:4em", "aria-label": "jobs" });
    return el("span", {}, worker ? el("button", { id: "stop-worker", onclick: stop }, "Stop worker")
      : [el("label", {}, "jobs ", jobs), " ", el("button", { id: "start-worker", class: "primary",
        onclick: () => start(Number(jobs.value) || 1) }, "Start worker")]);
  }

  async function start(jobs) {
    try {
      const a = await trail.act("worker/start", { jobs });
      trail.note(a.pid ? `Queue worker running (pid ${a.pid}).` : "Nothing is queued.");
    } catch (err) { trail.fail(err); }
  }

  async function stop() {
    if (!(await trail.confirm("Stop the queue worker? The runs it is running now are killed; queued runs stay queued.", "Stop"))) return;
    try { await trail.act("worker/stop", {}); } catch (err) { trail.fail(err); }
  }

  async function kill(entry) {
    if (!(await trail.confirm(`Kill the run '${entry.name}'?`, "Kill"))) return;
    try { await trail.act("kill", { id: entry.id }); } catch (err) { trail.fail(err); }
  }

  function drawQueue(answer) {
    const w = answer.worker;
    trail.put(queueBox, 
      el("h2", {}, "Queue"),
      el("div", { class: "toolbar" }, el("span", { id: "worker" }, w ? `Worker running (pid ${w.pid}, ${w.jobs} at a time)` : "Worker not running"),
        workerControls(w)),
      answer.entries.length ? el("table", { class: "data", id: "queue" },
        el("tr", {}, ["name", "status", "queued", "took", "params", "experiment", ""].map((h) => el("th", {}, h))),
        answer.entries.slice().reverse().map((e) => el("tr", { class: "clickable", "data-id": e.id, onclick: () => runLog(e) },
          el("td", {}, e.name), el("td", {}, el("span", { class: `badge ${e.status}` }, e.status), e.error ? el("span", { class: "muted", title: e.error }, " ⓘ") : null),
          el("td", {}, trail.when(e.queued_at)), el("td", {}, took(e.started_at, e.finished_at)),
          el("td", {}, el("code", {}, e.set.join(" "))), el("td", { class: "muted" }, e.exp_ref ? e.exp_ref.split("/").pop() : ""),
          el("td", {}, e.status === "running" && !trail.readOnly ? el("button", { class: "kill",
            onclick: (ev) => { ev.stopPropagation(); kill(e); } }, "Kill") : null))))
        : el("p", { class: "muted" }, "Nothing queued. Queue runs from the Experiments page or with `trail exp run --queue`."));
  }

  function drawStages(stages) {
    const last = (s, f) => (s.runs.length ? f(s.runs[0]) : "");
    trail.put(stagesBox, el("h2", {}, "Stage runs"), stages.length ? el("table", { class: "data", id: "stage-runs" },
      el("tr", {}, ["stage", "last run", "exit code", "took", "kept runs"].map((h) => el("th", {}, h))),
      stages.map((s) => el("tr", { class: "clickable", "data-stage": s.stage,
        onclick: () => (s.running ? follow(s.stage) : stageLog(s.stage, 0, s.runs.length)) },
      el("td", {}, s.stage, s.running ? el("span", { class: "badge running" }, "running") : null),
      el("td", {}, last(s, (r) => trail.when(r.started))), el("td", { class: "num" }, last(s, (r) => r.returncode)),
      el("td", {}, last(s, (r) => `${(r.ended - r.started).toFixed(1)} s`)), el("td", { class: "num" }, s.runs.length))))
      : el("p", { class: "muted" }, "No stage has run in this workspace yet (`trail repro`)."));
  }

  // A stage running now (a `trail repro` here): its output as it comes, then its kept log.
  function follow(stage) {
    tail(`Stage ${stage} (running)`, "/api/runs/stage-live", { stage },
      (a) => (a.done ? "finished" : "running — following its output"),
      () => load().then(() => stageLog(stage, 0, 1)));
  }

  async function stageLog(stage, n, count) {
    stopTail();
    try {
      const run = await trail.get("/api/runs/stage-log", new URLSearchParams({ stage, n }).toString());
      const pick = el("select", { "aria-label": "run", onchange: (e) => stageLog(stage, Number(e.target.value), count) },
        Array.from({ length: count }, (_, i) => el("option", { value: i, selected: i === n }, i ? `${i} runs before` : "last run")));
      trail.put(logBox, el("h2", {}, `Stage ${stage}`), el("div", { class: "toolbar" }, pick,
        el("span", { class: "muted" }, `${trail.when(run.started)} · exit code ${run.returncode}`)),
      el("pre", { class: "log", id: "log" }, `$ ${run.cmd.join("\n$ ")}\n${run.stdout}${run.stderr ? "\n" + run.stderr : ""}`));
    } catch (err) { trail.fail(err); }
  }

  function stopTail() {
    if (tailing) clearTimeout(tailing.timer);
    tailing = null;
  }

  function runLog(entry) {
    tail(`Run ${entry.name}`, "/api/runs/queue-log", { id: entry.id },
      (a) => (a.done ? a.status : `${a.status} — following the log`));
  }

  // Show a log and follow it (asking for what was added since) until it is done.
  async function tail(title, url, params, say, then) {
    stopTail();
    const pre = el("pre", { class: "log", id: "log" });
    const state = el("span", { class: "muted" });
    trail.put(logBox, el("h2", {}, title), state, pre);
    const me = tailing = { offset: -1, timer: null };
    const step = async () => {
      if (tailing !== me) return;
      try {
        const a = await trail.get(url, new URLSearchParams({ ...params, offset: me.offset }).toString());
        const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.append(a.text);
        if (atEnd) pre.scrollTop = pre.scrollHeight;
        me.offset = a.offset;
        state.textContent = say(a);
        if (!a.done) me.timer = setTimeout(step, 1000);
        else if (then) then();
      } catch (err) { trail.fail(err); }
    };
    await step();
  }

  async function load() {
    if (!queueBox) {
      queueBox = el("div", { class: "panel" }); stagesBox = el("div"); logBox = el("div");
      trail.put(document.getElementById("main"), el("div", { class: "split" }, el("div", {}, queueBox, stagesBox), logBox));
    }
    const answer = await trail.get("/api/runs");
    trail.showErrors([]);
    drawQueue(answer);
    drawStages(answer.stages);
  }

  trail.start({ load });
})();
