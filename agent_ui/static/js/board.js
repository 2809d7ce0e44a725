/* The supervisor's live board: queue tiles and a sortable agent grid, refreshed from the API
   whenever a live event says something changed; actions on a selected agent; wall mode. */
(function () {
  "use strict";
  const { h, api, duration, words, showError } = window.UI;
  const breakReasons = JSON.parse(document.getElementById("break-reasons").textContent);
  const STATE_LABEL = { available: "Available", busy: "On contact", "wrap-up": "Wrap-up", break: "Break", offline: "Offline" };
  const STATE_ORDER = { busy: 0, "wrap-up": 1, available: 2, break: 3, offline: 4 };
  let data = null;
  let sort = { key: "name", dir: 1 };
  let selected = null;
  let refreshTimer = null;
  let connection = "connecting";
  // Call supervision: one conference participant per supervisor, switched between modes.
  const CALL_MODE = { monitor: "Listening (muted)", whisper: "Whispering to the agent", barge: "Barged in: everyone hears you" };
  const callModes = new Map(); // task_id -> {mode, call_sid, device} | {loading: true}

  async function refresh() {
    try {
      data = await api("GET", "/api/v1/board");
      render();
      return data.seq;
    } catch (e) {
      document.getElementById("board-updated").textContent = "▲ Could not load the board: " + e.message;
      return 0;
    }
  }

  function soon() {
    // Bursts of events (an offer, its acceptance, a state change) cost one reload.
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, 250);
  }

  function render() {
    renderTiles();
    if (window.SlaBoard) window.SlaBoard.render(data);
    renderGrid();
    renderActions();
    const label = connection === "live" ? "● Live" : "▲ Reconnecting: figures may be behind";
    const updated = document.getElementById("board-updated");
    updated.dataset.status = connection;
    updated.textContent = label + " · updated " + new Date(data.at * 1000).toLocaleTimeString();
  }

  function stat(label, value, title, attrs) {
    return h("div", Object.assign({ title: title }, attrs || {}), [h("dt", { text: label }), h("dd", { text: value })]);
  }

  function renderTiles() {
    const tiles = document.getElementById("tiles");
    if (!data.queues.length) {
      tiles.replaceChildren(h("p", { class: "empty", text: "No queues yet. Create one with POST /api/v1/queues, or load the demo data." }));
      return;
    }
    tiles.replaceChildren(...data.queues.map((q) => {
      const sl = q.service_level === null ? "–" : q.service_level + "%";
      const below = q.service_level !== null && q.service_level < q.service_level_target;
      return h("article", { class: "tile", "aria-label": "Queue " + q.name }, [
        h("h2", { text: q.name }),
        h("dl", { class: "big-numbers" }, [
          stat("Waiting", String(q.waiting), "contacts waiting in this queue now"),
          h("div", { title: "longest current wait; amber from 75% of the " + q.target_seconds + " s answer target, red at the target" }, [
            h("dt", { text: "Longest wait" }),
            h("dd", { dataset: { alert: q.wait_alert }, text: q.waiting ? duration(q.longest_wait_seconds) : "–" }),
          ]),
          h("div", { title: q.service_level_definition + " (" + q.service_level_id + "), today; target " + q.service_level_target + "%" }, [
            h("dt", { text: "Service level" }),
            h("dd", { class: below ? "sl-below" : "", text: sl }),
          ]),
        ]),
        h("p", { class: "muted", text: "Target " + q.service_level_target + "% within " + q.target_seconds + " s · " + q.contacts_today + " contacts today" + (below ? " · ▼ below target" : "") }),
        h("div", { class: "agents-line", title: "agents who may answer this queue, by state" }, [
          h("span", { class: "state-cell", dataset: { state: "available" }, text: q.agents.available + " available" }),
          h("span", { class: "state-cell", dataset: { state: "busy" }, text: q.agents.busy + " on contact" }),
          h("span", { class: "state-cell", dataset: { state: "wrap-up" }, text: q.agents["wrap-up"] + " wrap-up" }),
          h("span", { class: "state-cell", dataset: { state: "break" }, text: q.agents.break + " break" }),
        ]),
      ]);
    }));
  }

  function sortValue(agent, key) {
    if (key === "state") return STATE_ORDER[agent.state] ?? 9;
    if (key === "since") return agent.since ? -agent.since : -Infinity;
    if (key === "current") return agent.current.length ? agent.current[0].customer_name || "" : "~";
    const value = agent[key];
    return value === null || value === undefined ? -Infinity : value;
  }

  function renderGrid() {
    const rows = data.agents.slice().sort((a, b) => {
      const x = sortValue(a, sort.key), y = sortValue(b, sort.key);
      return (x < y ? -1 : x > y ? 1 : 0) * sort.dir || a.name.localeCompare(b.name);
    });
    document.getElementById("agents-empty").hidden = rows.length > 0;
    document.querySelectorAll("#agent-grid th").forEach((th) => {
      const key = th.querySelector("button").dataset.sort;
      if (key === sort.key) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    document.getElementById("agent-rows").replaceChildren(...rows.map((a) => {
      const current = a.current.map((t) => (t.customer_name || "contact") + " (" + words(t.channel) + (t.status !== "active" ? ", wrap-up" : "") + ")").join("; ");
      const row = h("tr", { tabindex: "0", "aria-selected": String(selected === a.id), dataset: { agent: a.id }, onclick: () => select(a.id), onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(a.id); } } }, [
        h("td", {}, [h("strong", { text: a.name }), a.team ? h("span", { class: "muted", text: " · " + a.team }) : null]),
        h("td", {}, [h("span", { class: "state-cell", dataset: { state: a.state }, text: (STATE_LABEL[a.state] || a.state) + (a.reason ? " · " + words(a.reason) : "") })]),
        h("td", { class: "elapsed", dataset: { since: a.since || "" }, text: a.since ? "" : "–" }),
        h("td", { text: current || "–" }),
        h("td", { text: String(a.handled) }),
        h("td", { text: a.aht_seconds === null ? "–" : duration(a.aht_seconds) }),
        h("td", { text: String(a.missed_offers) }),
      ]);
      return row;
    }));
    tick();
  }

  function select(agentId) {
    selected = selected === agentId ? null : agentId;
    callModes.clear(); // read each call's mode afresh when an agent is picked
    renderGrid();
    renderActions();
    if (selected) document.getElementById("action-state").focus();
  }

  function renderActions() {
    const panel = document.getElementById("agent-actions");
    const agent = data && data.agents.find((a) => a.id === selected);
    panel.hidden = !agent;
    if (!agent) { panel.replaceChildren(); return; }
    const stateSelect = h("select", { id: "action-state" }, [
      h("option", { value: "available", text: "Available" }),
      ...breakReasons.map((r) => h("option", { value: "break:" + r, text: "Break · " + words(r) })),
      h("option", { value: "offline", text: "Offline" }),
    ]);
    const traces = agent.current.map((t) => h("button", { type: "button", onclick: () => openTrace(t.task_id) }, ["Routing trace: " + (t.customer_name || t.task_id.slice(0, 8))]));
    // Chat supervision: monitor (read-only transcript), whisper to the agent, barge in.
    const chats = agent.current.filter((t) => t.channel === "chat" && t.status === "active").map((t) => {
      const who = t.customer_name || "";
      const go = (focus) => (e) => window.ChatMonitor.open(t, agent.name, focus, e.currentTarget);
      return h("span", { class: "chat-actions-group", role: "group", "aria-label": "Chat" + (who ? " with " + who : "") }, [
        h("button", { type: "button", title: "Read the conversation live; nobody is told", onclick: go(null) }, ["Monitor chat" + (who ? " with " + who : "")]),
        h("button", { type: "button", title: "A private note only " + agent.name + " sees", onclick: go("whisper") }, ["Whisper…"]),
        h("button", { type: "button", title: "Join the conversation; the customer is told", onclick: go("barge") }, ["Barge in"]),
      ]);
    });
    const calls = agent.current.filter((t) => (t.channel === "voice" || t.channel === "outbound") && t.status === "active").map((t) => callGroup(agent, t));
    const device = document.getElementById("call-device");
    const ring = calls.length ? [
      h("label", { for: "call-device", text: "Ring" }),
      h("input", { id: "call-device", size: "14", autocomplete: "tel", placeholder: "my softphone", title: "A phone number to ring when you join a call; blank rings your softphone", value: device ? device.value : null }),
    ] : [];
    const focused = panel.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    panel.replaceChildren(
      h("h2", { id: "h-actions", text: agent.name }),
      h("label", { for: "action-state", text: "Change state to" }),
      stateSelect,
      h("button", { type: "button", class: "btn", onclick: () => changeState(agent, stateSelect.value) }, ["Apply"]),
      ...chats,
      ...calls,
      ...ring,
      ...traces,
      h("label", { for: "trace-task", text: "or trace any task id" }),
      h("input", { id: "trace-task", size: "20", autocomplete: "off" }),
      h("button", { type: "button", onclick: () => openTrace(document.getElementById("trace-task").value.trim()) }, ["Open trace"]),
      h("button", { type: "button", onclick: () => select(agent.id) }, ["Close"]),
      h("p", { class: "field-error", id: "action-error", role: "alert", hidden: true }),
      h("div", { id: "trace-holder", style: "width:100%" }),
    );
    // Re-rendering replaces the buttons: keep the keyboard where it was.
    const again = focused && panel.querySelector('[data-key="' + focused + '"]');
    if (again) again.focus();
  }

  function callGroup(agent, t) {
    const who = t.customer_name || "the caller";
    const state = callModes.get(t.task_id);
    if (state === undefined) loadCallMode(t.task_id);
    const mode = state && state.mode;
    const modeButton = (value, label, title) => h("button", {
      type: "button", "aria-pressed": String(mode === value), title: title,
      dataset: { key: "call-" + value + "-" + t.task_id }, onclick: () => superviseCall(t, value),
    }, [label]);
    return h("span", { class: "chat-actions-group call-actions-group", role: "group", "aria-label": "Call with " + who, dataset: { task: t.task_id } }, [
      h("span", { class: "call-mode status-tag", dataset: { mode: mode || "none" }, text: state && state.loading ? "…" : mode ? CALL_MODE[mode] : "Not on the call" }),
      modeButton("monitor", "Listen", "Join muted: you hear " + who + " and " + agent.name + "; nobody hears you"),
      modeButton("whisper", "Whisper", "Only " + agent.name + " hears you; " + who + " does not"),
      modeButton("barge", "Barge in", who + " and " + agent.name + " both hear you"),
      h("button", { type: "button", disabled: !mode, title: "Leave the call; it goes on without you", dataset: { key: "call-leave-" + t.task_id }, onclick: () => leaveCall(t) }, ["Leave"]),
    ]);
  }

  function callPath(taskId) { return "/api/v1/calls/" + encodeURIComponent(taskId) + "/supervision"; }

  async function loadCallMode(taskId) {
    callModes.set(taskId, { loading: true });
    try {
      callModes.set(taskId, await api("GET", callPath(taskId)));
    } catch (e) {
      callModes.set(taskId, { mode: null }); // no live call leg (yet): nothing to show
    }
    renderActions();
  }

  function done(text) {
    const el = document.getElementById("action-error");
    el.hidden = false; el.textContent = text;
    el.classList.remove("field-error"); el.classList.add("muted");
  }

  async function superviseCall(t, mode) {
    showError("action-error", "");
    const device = (document.getElementById("call-device") || {}).value;
    const body = { mode: mode };
    if (device && device.trim() && !(callModes.get(t.task_id) || {}).mode) body.device = device.trim();
    try {
      callModes.set(t.task_id, await api("POST", callPath(t.task_id), body));
      renderActions();
      done(CALL_MODE[mode] + " on the call with " + (t.customer_name || "the caller") + " (recorded in the audit log).");
    } catch (e) {
      showError("action-error", (e.field ? e.field + ": " : "") + e.message);
    }
  }

  async function leaveCall(t) {
    showError("action-error", "");
    try {
      await api("DELETE", callPath(t.task_id));
      callModes.set(t.task_id, { mode: null });
      renderActions();
      const listen = document.querySelector('[data-key="call-monitor-' + t.task_id + '"]');
      if (listen) listen.focus(); // Leave is disabled now
      done("You left the call; it goes on (recorded in the audit log).");
    } catch (e) {
      showError("action-error", (e.field ? e.field + ": " : "") + e.message);
    }
  }

  async function changeState(agent, value) {
    showError("action-error", "");
    const body = value.startsWith("break:") ? { state: "break", reason: value.slice(6) } : { state: value };
    try {
      await api("POST", "/api/v1/agents/" + agent.id + "/state", body);
      showError("action-error", "");
      const done = document.getElementById("action-error");
      done.hidden = false; done.textContent = "Requested (recorded in the audit log); the grid updates when the router applies it.";
      done.classList.remove("field-error"); done.classList.add("muted");
    } catch (e) {
      showError("action-error", (e.field ? e.field + ": " : "") + e.message);
    }
  }

  async function openTrace(taskId) {
    showError("action-error", "");
    if (!taskId) { showError("action-error", "Type a task id to trace."); return; }
    try {
      const trace = await api("GET", "/api/v1/tasks/" + encodeURIComponent(taskId) + "/trace");
      document.getElementById("trace-holder").replaceChildren(h("div", { class: "trace", role: "region", "aria-label": "Routing trace" }, [
        h("strong", { text: "Routing trace of " + taskId + " (" + trace.source + ")" }),
        trace.entries.length ? h("ol", {}, trace.entries.map((e) => h("li", {}, [
          h("strong", { text: words(e.kind) + ": " }), e.summary || "",
          (e.candidates || []).length ? h("ul", {}, e.candidates.map((c) => h("li", { text: "agent " + c.agent_id + ": " + (c.eligible ? "eligible" : "not eligible") + (c.reason ? " (" + c.reason + ")" : "") }))) : null,
        ]))) : h("p", { class: "empty", text: "No routing decisions recorded yet." }),
      ]));
    } catch (e) {
      showError("action-error", e.message);
    }
  }

  function tick() {
    const now = Date.now() / 1000;
    document.querySelectorAll(".elapsed[data-since]").forEach((el) => {
      if (el.dataset.since) el.textContent = duration(now - Number(el.dataset.since));
    });
  }

  document.querySelectorAll("#agent-grid th button").forEach((b) => b.addEventListener("click", () => {
    sort = { key: b.dataset.sort, dir: sort.key === b.dataset.sort ? -sort.dir : 1 };
    renderGrid();
  }));

  const wall = document.getElementById("wall-toggle");
  function setWall(on) {
    document.body.classList.toggle("wall", on);
    wall.setAttribute("aria-pressed", String(on));
    wall.textContent = on ? "Leave wall display" : "Wall display";
  }
  wall.addEventListener("click", () => {
    const on = !document.body.classList.contains("wall");
    setWall(on);
    if (on && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
    if (!on && document.fullscreenElement) document.exitFullscreen();
  });
  document.addEventListener("fullscreenchange", () => { if (!document.fullscreenElement) setWall(false); });
  if (new URLSearchParams(location.search).get("wall") === "1") setWall(true);

  setInterval(tick, 1000);
  setInterval(refresh, 10000); // waits grow without events; SL and longest wait need a clock
  refresh().then((seq) => {
    const socket = new window.SequencedSocket("/supervisor", { supervisors: seq }, {
      event: (name, payload) => { if (window.SlaBoard) window.SlaBoard.event(name, payload); soon(); },
      status: (value) => { connection = value; if (data) render(); },
      stale: () => refresh(),
    });
    window.boardSocket = socket;
  });
})();
