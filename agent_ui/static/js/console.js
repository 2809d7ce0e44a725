/* The agent console: state control, offers with ring and countdown, contacts in tabs, call bar,
   wrap-up, and the customer pane (screen pop, search, record, click-to-dial). */
(function () {
  "use strict";
  const { h, api, duration, dateTime, money, words, showError } = window.UI;

  const root = document.getElementById("console");
  const agentId = Number(root.dataset.agentId);
  const directory = JSON.parse(document.getElementById("directory").textContent);
  const room = "agent:" + agentId;

  const model = {
    state: { state: "offline", reason: null, since: null },
    offers: new Map(), // reservation_id -> offer (with pop)
    tasks: new Map(), // task_id -> task record from the desk
    pops: new Map(), // task_id -> pop
    selected: null, // task_id shown in the centre
    customerView: null, // {kind: "pop"|"record", ...}
    call: new Map(), // task_id -> live call state
  };
  let socket = null;

  // ---- ring tone (WebAudio: no media file, starts after the first click on the page) ----------
  let audio = null;
  let ringTimer = null;
  document.addEventListener("click", () => {
    if (!audio && window.AudioContext) audio = new AudioContext();
  }, { once: true });

  function ringOnce() {
    if (!audio) return;
    const now = audio.currentTime;
    [440, 480].forEach((frequency) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now);
      gain.gain.exponentialRampToValueAtTime(0.08, now + 0.05);
      gain.gain.setValueAtTime(0.08, now + 0.9);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + 1.0);
      osc.connect(gain).connect(audio.destination);
      osc.start(now);
      osc.stop(now + 1.05);
    });
  }

  function updateRing() {
    if (model.offers.size && !ringTimer) {
      ringOnce();
      ringTimer = setInterval(ringOnce, 3000);
    } else if (!model.offers.size && ringTimer) {
      clearInterval(ringTimer);
      ringTimer = null;
    }
  }

  // ---- loading -------------------------------------------------------------------------------
  async function loadDesk() {
    const desk = await api("GET", "/api/v1/agents/" + agentId + "/desk");
    model.state = desk.state;
    model.offers = new Map(desk.offers.map((o) => [o.reservation_id, o]));
    model.tasks = new Map(desk.tasks.map((t) => [t.task_id, t]));
    desk.offers.forEach((o) => { if (o.pop) model.pops.set(o.task_id, o.pop); });
    await Promise.all(desk.tasks.map((t) => loadInteraction(t.task_id)));
    await loadCalls();
    if (!model.selected && desk.tasks.length) model.selected = desk.tasks[desk.tasks.length - 1].task_id;
    renderAll();
    return desk.seq;
  }

  async function loadInteraction(taskId) {
    try {
      const data = await api("GET", "/api/v1/interactions/" + encodeURIComponent(taskId));
      if (data.pop) model.pops.set(taskId, data.pop);
      const task = model.tasks.get(taskId);
      if (task) task.interaction = data.interaction;
    } catch (e) { /* shown as "record unavailable" in the pane */ }
  }

  // A call's state after that comes pushed ("call_state"); this is the one read, on load and
  // after a reconnect, of where each call is now.
  async function loadCalls() {
    const voice = Array.from(model.tasks.values()).filter((t) => t.status === "active" && isVoice(t));
    await Promise.all(voice.map(async (t) => {
      try {
        applyCall(Object.assign({ interaction_id: t.task_id }, await api("GET", "/api/v1/calls/" + encodeURIComponent(t.task_id))));
      } catch (e) { /* no call leg (a task submitted through the API): the bar has no call state */ }
    }));
  }

  function isVoice(task) {
    return task.channel === "voice" || task.channel === "outbound";
  }

  // Pushed states and fetched ones may cross: each carries the call's version, the newest wins.
  function applyCall(state) {
    const known = model.call.get(state.interaction_id);
    if (known && known.version > state.version) return false;
    model.call.set(state.interaction_id, Object.assign({}, known, state));
    return true;
  }

  async function loadStats() {
    try {
      const stats = await api("GET", "/api/v1/agents/" + agentId + "/stats");
      document.getElementById("stat-handled").textContent = stats.handled;
      document.getElementById("stat-aht").textContent = stats.aht_seconds === null ? "–" : duration(stats.aht_seconds);
      document.getElementById("stat-missed").textContent = stats.missed_offers;
    } catch (e) { /* numbers stay as they were */ }
  }

  // ---- live events ---------------------------------------------------------------------------
  function onEvent(event, data, envelope) {
    if (event.startsWith("email_")) { window.EmailTab.onEvent(event, data); return; }
    if (event.startsWith("chat_")) {
      const taskId = data.interaction_id || (envelope && envelope.room ? envelope.room.replace(/^interaction:/, "") : "");
      const offered = Array.from(model.offers.values()).some((o) => o.task_id === taskId);
      if (model.tasks.has(taskId) || offered) window.ChatTab.onEvent(event, data, envelope);
      return;
    }
    // The interaction room also carries another agent's share of a contact (after a transfer).
    if (data && data.agent_id !== undefined && data.agent_id !== null && String(data.agent_id) !== String(agentId)
      && (event === "task_assigned" || event === "wrap_up_started" || event === "wrap_up_done")) return;
    if (event === "agent_state_changed") {
      model.state = { state: data.state, reason: data.reason, since: data.since };
      renderState();
    } else if (event === "offer_created") {
      model.offers.set(data.reservation_id, data);
      if (data.pop) model.pops.set(data.task_id, data.pop);
      model.customerView = { kind: "pop", taskId: data.task_id };
      // A chat's messages flow from the start: follow its room while it rings.
      if (data.channel === "chat" && socket) socket.join("interaction:" + data.task_id);
      renderOffers(); renderCentre(); renderCustomer();
      const accept = document.querySelector(".offer .accept");
      if (accept && !isTyping()) accept.focus();
    } else if (event === "offer_rescinded") {
      const offer = model.offers.get(data.reservation_id);
      model.offers.delete(data.reservation_id);
      // A chat's room was followed while it rang: not ours after all.
      if (offer && offer.channel === "chat" && !model.tasks.has(offer.task_id) && socket) socket.leave("interaction:" + offer.task_id);
      renderOffers(); renderCentre();
      if (offer) notice(data.reason === "expired" ? "The offer expired and counts as missed." : "The offer was withdrawn (" + words(data.reason) + ").");
      if (data.reason === "expired") loadStats();
    } else if (event === "task_assigned") {
      const offer = model.offers.get(data.reservation_id);
      model.offers.delete(data.reservation_id);
      model.tasks.set(data.task_id, {
        task_id: data.task_id, status: "active", since: data.at, queue_id: data.queue_id,
        channel: offer ? offer.channel : "voice",
        customer_name: offer && offer.pop ? popName(offer.pop) : null,
      });
      model.selected = data.task_id;
      socket.join("interaction:" + data.task_id);
      renderAll();
      loadInteraction(data.task_id).then(renderAll);
    } else if (event === "task_ended") {
      const task = model.tasks.get(data.task_id);
      if (task) { task.status = "ended"; task.ended_at = data.at; task.outcome = data.outcome; }
      renderAll();
    } else if (event === "wrap_up_started") {
      const task = model.tasks.get(data.task_id);
      if (task) { task.status = "wrap_up"; task.wrap_up_ends_at = data.ends_at; }
      renderAll();
    } else if (event === "wrap_up_done") {
      model.tasks.delete(data.task_id);
      window.ChatTab.forget(data.task_id);
      window.EmailTab.forget(data.task_id);
      if (socket) socket.leave("interaction:" + data.task_id);
      if (model.selected === data.task_id) model.selected = model.tasks.size ? Array.from(model.tasks.keys()).pop() : null;
      renderAll();
      loadStats();
    } else if (event === "call_state") {
      if (applyCall(data) && model.selected === data.interaction_id) renderCallBar();
    } else if (event === "pop_updated") {
      if (!data.pop) return; // withheld from a replay: the contact is no longer this agent's
      model.pops.set(data.task_id, data.pop);
      const offer = model.offers.get(data.reservation_id);
      if (offer) offer.pop = data.pop;
      renderCustomer();
    }
  }

  function isTyping() {
    const el = document.activeElement;
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }

  function notice(text) {
    const el = document.getElementById("connection");
    el.dataset.notice = "1";
    el.textContent = text;
    setTimeout(() => { delete el.dataset.notice; renderConnection(); }, 6000);
  }

  let connection = "connecting";
  function renderConnection() {
    const el = document.getElementById("connection");
    if (el.dataset.notice) return;
    el.dataset.status = connection;
    el.textContent = {
      live: "● Live: offers arrive instantly",
      connecting: "Connecting…",
      reconnecting: "▲ Connection lost: reconnecting; nothing you miss is lost",
      "signed-out": "▲ Signed out: sign in again to receive offers",
    }[connection] || connection;
  }

  // ---- state control -------------------------------------------------------------------------
  const STATE_LABEL = { available: "Available", busy: "On contact", "wrap-up": "Wrap-up", break: "Break", offline: "Offline" };

  function renderState() {
    const badge = document.getElementById("state-badge");
    badge.dataset.state = model.state.state;
    badge.textContent = (STATE_LABEL[model.state.state] || model.state.state) + (model.state.reason ? " · " + words(model.state.reason) : "");
    document.querySelectorAll(".btn-state").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.state === model.state.state));
    });
    tick();
  }

  async function setState(state) {
    showError("state-error", "");
    const body = { state: state };
    if (state === "break") body.reason = document.getElementById("break-reason").value;
    try {
      await api("POST", "/api/v1/agents/" + agentId + "/state", body);
    } catch (e) {
      showError("state-error", e.message);
    }
  }

  // ---- offers --------------------------------------------------------------------------------
  function renderOffers() {
    const holder = document.getElementById("offers");
    holder.replaceChildren();
    model.offers.forEach((offer) => {
      const pop = offer.pop || model.pops.get(offer.task_id) || {};
      const customer = pop.customer;
      holder.appendChild(h("article", { class: "offer", "aria-label": "Incoming " + words(offer.channel) + " offer", dataset: { reservation: offer.reservation_id } }, [
        h("header", {}, [
          h("span", { class: "channel", text: channelIcon(offer.channel) + " Incoming " + words(offer.channel) }),
          h("span", { class: "countdown", dataset: { expires: offer.expires_at }, title: "seconds left to answer before the offer moves on" }),
        ]),
        h("p", { class: "offer-who" }, [
          h("strong", { text: customer ? customer.name : (pop.caller && pop.caller.number) || "Unknown caller" }),
          customer ? h("span", { class: "segment", dataset: { segment: customer.segment }, text: customer.segment }) : h("span", { class: "segment", text: "new caller" }),
        ]),
        h("p", { class: "muted", text: [pop.queue && pop.queue.name, pop.ivr && pop.ivr.intent && "intent " + words(pop.ivr.intent), pop.language && "language " + pop.language].filter(Boolean).join(" · ") }),
        h("div", { class: "offer-actions" }, [
          h("button", { type: "button", class: "accept", onclick: () => respond(offer, "accept") }, ["Accept ", h("kbd", { text: "Enter" })]),
          h("button", { type: "button", class: "reject", onclick: () => respond(offer, "reject") }, ["Reject ", h("kbd", { text: "Esc" })]),
        ]),
        h("p", { class: "field-error", role: "alert", hidden: true }),
      ]));
    });
    updateRing();
    tick();
  }

  async function respond(offer, action) {
    const card = document.querySelector('.offer[data-reservation="' + offer.reservation_id + '"]');
    card && card.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    try {
      await api("POST", "/api/v1/reservations/" + encodeURIComponent(offer.reservation_id) + "/" + action, action === "reject" ? { reason: "rejected by agent" } : {});
    } catch (e) {
      const error = card && card.querySelector(".field-error");
      if (error) { error.textContent = e.message; error.hidden = false; }
      card && card.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  }

  document.addEventListener("keydown", (e) => {
    if (!model.offers.size || isTyping() || e.altKey || e.ctrlKey || e.metaKey) return;
    const offer = Array.from(model.offers.values())[0];
    if (e.key === "Enter" && !(document.activeElement && document.activeElement.tagName === "BUTTON" && !document.activeElement.closest(".offer"))) {
      e.preventDefault(); respond(offer, "accept");
    } else if (e.key === "Escape") {
      e.preventDefault(); respond(offer, "reject");
    }
  });

  // ---- work list (tabs) ----------------------------------------------------------------------
  function channelIcon(channel) {
    return { voice: "☎", outbound: "☎", chat: "💬", email: "✉" }[channel] || "•";
  }

  function popName(pop) {
    return pop.customer ? pop.customer.name : (pop.caller && (pop.caller.name || pop.caller.number)) || "Unknown caller";
  }

  function renderWork() {
    const list = document.getElementById("work-items");
    list.replaceChildren();
    document.getElementById("work-empty").hidden = model.tasks.size > 0;
    model.tasks.forEach((task) => {
      const pop = model.pops.get(task.task_id);
      const name = (pop && popName(pop)) || task.customer_name || "Contact";
      const status = { active: "in progress", ended: "wrap-up", wrap_up: "wrap-up" }[task.status] || task.status;
      const selected = model.selected === task.task_id;
      list.appendChild(h("button", {
        type: "button", role: "tab", class: "work-item", "aria-selected": String(selected), tabindex: selected ? "0" : "-1",
        dataset: { task: task.task_id },
        onclick: () => { model.selected = task.task_id; model.customerView = null; renderAll(); },
      }, [
        h("span", { class: "channel", "aria-label": words(task.channel), text: channelIcon(task.channel) }),
        h("span", { class: "who", text: name }),
        h("span", { class: "status-tag", dataset: { status: task.status }, text: status }),
        task.channel === "chat" && window.ChatTab.unread(task.task_id)
          ? h("span", { class: "unread", title: window.ChatTab.unread(task.task_id) + " unread messages", text: window.ChatTab.unread(task.task_id) + " new" })
          : null,
        h("span", { class: "elapsed", dataset: { since: task.since }, title: "time since the contact started" }),
      ]));
    });
    tick();
  }

  // ---- centre: call bar, script, wrap-up -----------------------------------------------------
  function renderCentre() {
    const task = model.selected && model.tasks.get(model.selected);
    document.getElementById("centre-empty").hidden = !!task;
    document.querySelector("#centre-empty h2").textContent = model.offers.size
      ? "Offer ringing: the caller's record is on the right"
      : "No contact selected";
    const body = document.getElementById("centre-body");
    body.hidden = !task;
    if (!task) { body.replaceChildren(); return; }
    const pop = model.pops.get(task.task_id) || {};
    const isChat = task.channel === "chat";
    // A chat view keeps its own DOM (draft, scroll, focus): leave it alone while it is shown.
    if (isChat && task.status === "active" && window.ChatTab.mounted(task.task_id) && body.dataset.task === task.task_id) return;
    // So does an email's reply editor (the draft, the chosen template).
    const isEmail = task.channel === "email";
    if (isEmail && task.status === "active" && window.EmailTab.mounted(task.task_id) && body.dataset.task === task.task_id) return;
    body.dataset.task = task.task_id;
    const parts = [];
    if (task.status === "active") {
      parts.push(callBar(task, pop));
      parts.push(transferForm(task));
    } else {
      parts.push(wrapUpForm(task, pop));
    }
    if (isChat) parts.push(window.ChatTab.view(task.task_id));
    if (isEmail) parts.push(window.EmailTab.view(task.task_id));
    parts.push(scriptView(pop));
    body.replaceChildren(...parts);
  }

  // What the call is doing, in the agent's words. A call taken on by another agent says so
  // until routing ends the contact here.
  const CALL_STATUS = {
    connecting: "ringing", connected: "connected", transferring: "consulting", ended: "call ended",
    queued: "back in queue", callback: "back in queue", ivr: "back in queue",
  };

  function callStatus(call) {
    if (!call.version) return null; // no live call leg (e.g. a contact submitted through the API)
    const other = call.agent_id !== null && call.agent_id !== undefined && String(call.agent_id) !== String(agentId);
    if (other && call.status !== "ended") return "transferred";
    return CALL_STATUS[call.status] || call.status;
  }

  function callBar(task, pop) {
    const call = model.call.get(task.task_id) || {};
    const voice = isVoice(task);
    const status = voice ? callStatus(call) : null;
    const toggle = (label, key, path) => h("button", {
      type: "button", "aria-pressed": String(!!call[key]), dataset: { key: path }, onclick: () => control(task, path, { on: !call[key] }),
    }, [call[key] ? "Un" + label.toLowerCase() : label]);
    return h("section", { class: "call-bar", "aria-label": "Call controls", dataset: { task: task.task_id } }, [
      h("div", { class: "call-who" }, [
        h("strong", { text: popName(pop) }),
        h("span", { class: "muted", text: (pop.caller && pop.caller.number) || "" }),
        h("span", { class: "elapsed big", dataset: { since: task.since }, title: "talk time since you accepted" }),
        status ? h("span", { class: "status-tag call-status", dataset: { status: call.status }, text: status }) : null,
        call.on_hold ? h("span", { class: "status-tag", dataset: { status: "hold" }, text: "on hold" }) : null,
        call.muted ? h("span", { class: "status-tag", dataset: { status: "muted" }, text: "muted" }) : null,
      ]),
      h("div", { class: "call-actions", role: "group", "aria-label": "Call" }, [
        voice ? toggle("Mute", "muted", "mute") : null,
        voice ? toggle("Hold", "on_hold", "hold") : null,
        voice ? toggle("Record", "recording", "recording") : null,
        h("button", { type: "button", dataset: { key: "transfer" }, onclick: () => { const f = document.getElementById("transfer-form"); f.hidden = !f.hidden; if (!f.hidden) f.querySelector("select").focus(); } }, ["Transfer…"]),
        h("button", { type: "button", class: "danger", dataset: { key: "hangup" }, onclick: () => hangUp(task) }, [voice ? "Hang up" : "End contact"]),
      ]),
      h("p", { class: "field-error", id: "call-error", role: "alert", hidden: true }),
    ]);
  }

  // A pushed change redraws the call bar alone: an open transfer form keeps what was typed in
  // it, a focused button keeps the focus, a shown error stays.
  function renderCallBar() {
    const task = model.selected && model.tasks.get(model.selected);
    const bar = document.querySelector(".call-bar");
    if (!task || task.status !== "active" || !bar || bar.dataset.task !== task.task_id) { renderCentre(); return; }
    const focused = bar.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const error = bar.querySelector("#call-error");
    const next = callBar(task, model.pops.get(task.task_id) || {});
    next.querySelector("#call-error").replaceWith(error);
    bar.replaceWith(next);
    if (focused) { const again = next.querySelector('[data-key="' + focused + '"]'); if (again) again.focus(); }
    tick();
  }

  async function control(task, path, body) {
    showError("call-error", "");
    try {
      const state = await api("POST", "/api/v1/calls/" + encodeURIComponent(task.task_id) + "/" + path, body);
      if (applyCall(Object.assign({ interaction_id: task.task_id }, state))) renderCallBar();
    } catch (e) {
      showError("call-error", noCallLeg(e) ? "No live call leg for this contact (" + e.message + ")." : e.message);
    }
  }

  function noCallLeg(error) {
    // 404: no call for this contact; 409 call_not_live: its call leg has ended already.
    return error.status === 404 || error.code === "call_not_live";
  }

  async function hangUp(task) {
    showError("call-error", "");
    try {
      if (isVoice(task)) {
        try {
          await api("POST", "/api/v1/calls/" + encodeURIComponent(task.task_id) + "/hangup", {});
          return;
        } catch (e) {
          if (!noCallLeg(e)) throw e;
          // No call leg (e.g. a task submitted through the API): end the contact in routing.
        }
      }
      if (task.channel === "chat") {
        await window.ChatTab.close(task.task_id);
        return;
      }
      await api("POST", "/api/v1/tasks/" + encodeURIComponent(task.task_id) + "/complete", {});
    } catch (e) {
      showError("call-error", e.message);
    }
  }

  function transferForm(task) {
    const options = [h("option", { value: "", text: "Choose…" })];
    directory.queues.forEach((q) => options.push(h("option", { value: "queue:" + q.id, text: "Queue: " + q.name })));
    directory.agents.filter((a) => a.id !== agentId).forEach((a) => options.push(h("option", { value: "agent:" + a.id, text: "Agent: " + a.name })));
    // A chat or an email has no call leg: no external number, no consult; the task moves.
    const isChat = task.channel === "chat" || task.channel === "email";
    if (!isChat) options.push(h("option", { value: "number", text: "External number…" }));
    const form = h("form", { id: "transfer-form", class: "transfer", hidden: true, "aria-label": "Transfer", novalidate: true }, [
      h("label", { for: "transfer-target", text: "Transfer to" }),
      h("select", { id: "transfer-target", required: true }, options),
      isChat ? null : h("label", { for: "transfer-number", text: "Number (external)" }),
      isChat ? null : h("input", { id: "transfer-number", type: "tel", placeholder: "+1 202 555 0100" }),
      isChat ? null : h("fieldset", {}, [
        h("legend", { text: "Mode" }),
        h("label", {}, [h("input", { type: "radio", name: "transfer-mode", value: "cold", checked: true }), " Cold (hand over now)"]),
        h("label", {}, [h("input", { type: "radio", name: "transfer-mode", value: "warm" }), " Warm (talk first)"]),
      ]),
      h("button", { type: "submit" }, ["Transfer"]),
      h("p", { class: "field-error", id: "transfer-error", role: "alert", hidden: true }),
    ]);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      showError("transfer-error", "");
      const target = form.querySelector("#transfer-target").value;
      const mode = isChat ? "cold" : form.querySelector("input[name=transfer-mode]:checked").value;
      const body = { mode: mode };
      if (target.startsWith("queue:")) body.queue_id = Number(target.slice(6));
      else if (target.startsWith("agent:")) body.agent_id = Number(target.slice(6));
      else if (target === "number") body.number = form.querySelector("#transfer-number").value;
      else { showError("transfer-error", "Choose where to transfer the contact."); return; }
      try {
        // A chat has no call leg: the routing task itself moves, with its conversation.
        if (isChat) throw Object.assign(new Error("no call leg"), { status: 404 });
        const state = await api("POST", "/api/v1/calls/" + encodeURIComponent(task.task_id) + "/transfer", body);
        applyCall(Object.assign({ interaction_id: task.task_id }, state));
        form.hidden = true;
      } catch (err) {
        if (noCallLeg(err) && !body.number) {
          // No call leg: transfer the routing task itself.
          try {
            await api("POST", "/api/v1/tasks/" + encodeURIComponent(task.task_id) + "/transfer", { queue_id: body.queue_id || null, agent_id: body.agent_id || null, reason: mode + " transfer" });
            form.hidden = true;
            return;
          } catch (inner) { err = inner; }
        }
        showError("transfer-error", (err.field ? err.field + ": " : "") + err.message);
      }
    });
    return form;
  }

  function wrapUpForm(task, pop) {
    const select = h("select", { id: "wrap-code", required: true, "aria-describedby": "wrap-code-error" },
      [h("option", { value: "", text: "Choose the outcome…" })].concat(directory.dispositions.map((d) =>
        h("option", { value: d.code, dataset: { note: d.requires_note ? "1" : "" }, text: d.label + (d.requires_note ? " (note required)" : "") }))));
    const notes = h("textarea", { id: "wrap-notes", rows: "4", maxlength: "4000", "aria-describedby": "wrap-notes-error" });
    const noteLabel = h("label", { for: "wrap-notes", text: "Notes" });
    select.addEventListener("change", () => {
      const needs = select.selectedOptions[0] && select.selectedOptions[0].dataset.note === "1";
      noteLabel.textContent = needs ? "Notes (required for this outcome)" : "Notes";
      notes.required = !!needs;
    });
    const form = h("form", { class: "wrap-up", "aria-label": "Wrap-up", novalidate: true }, [
      h("header", {}, [
        h("h2", { text: "Wrap-up: " + popName(pop) }),
        task.wrap_up_ends_at
          ? h("span", { class: "countdown", dataset: { expires: task.wrap_up_ends_at }, title: "after-call work time left before you are offered the next contact" })
          : h("span", { class: "muted", text: "No wrap-up timer on this queue" }),
      ]),
      h("label", { for: "wrap-code", text: "Disposition (required)" }),
      select,
      h("p", { class: "field-error", id: "wrap-code-error", role: "alert", hidden: true }),
      noteLabel,
      notes,
      h("p", { class: "field-error", id: "wrap-notes-error", role: "alert", hidden: true }),
      h("button", { type: "submit", class: "btn" }, ["Done"]),
      h("p", { class: "field-error", id: "wrap-error", role: "alert", hidden: true }),
    ]);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      ["wrap-code-error", "wrap-notes-error", "wrap-error"].forEach((id) => showError(id, ""));
      if (!select.value) { showError("wrap-code-error", "Choose a disposition: it is required."); select.focus(); return; }
      try {
        await api("POST", "/api/v1/interactions/" + encodeURIComponent(task.task_id) + "/wrap-up", { disposition_code: select.value, notes: notes.value });
      } catch (err) {
        const target = err.field === "notes" ? "wrap-notes-error" : err.field === "disposition_code" ? "wrap-code-error" : "wrap-error";
        showError(target, err.message);
      }
    });
    setTimeout(() => { if (!isTyping()) select.focus(); }, 0);
    return form;
  }

  function scriptView(pop) {
    if (!pop.script) return h("p", { class: "empty", text: "No call script for this queue." });
    return h("section", { class: "script", "aria-labelledby": "h-script" }, [
      h("h2", { id: "h-script", text: "Script: " + pop.script.title }),
      h("ol", {}, pop.script.steps.map((s) => h("li", {}, [
        h("strong", { text: s.title }),
        h("span", { text: " " + s.say.split("{agent_name}").join(root.dataset.agentName) }),
      ]))),
    ]);
  }

  // ---- customer pane -------------------------------------------------------------------------
  function currentPop() {
    const view = model.customerView;
    if (view && view.kind === "pop") return model.pops.get(view.taskId) || null;
    if (view && view.kind === "record") return null;
    if (model.offers.size) return model.pops.get(Array.from(model.offers.values())[0].task_id) || null;
    return model.selected ? model.pops.get(model.selected) || null : null;
  }

  function renderCustomer() {
    const pane = document.getElementById("customer-pane");
    const view = model.customerView;
    if (view && view.kind === "record") {
      // Live events re-render the panes; never throw away a form the agent is typing in.
      if (view.form && pane.querySelector("form.edit-customer, form.new-note")) return;
      pane.replaceChildren(recordView(view));
      return;
    }
    const pop = currentPop();
    if (!pop) {
      pane.replaceChildren(h("p", { class: "empty", text: "The caller's record pops up here when a contact is offered. To look someone up, search above." }));
      return;
    }
    pane.replaceChildren(popView(pop));
  }

  function field(label, value, title) {
    return h("div", { title: title || null }, [h("dt", { text: label }), h("dd", { text: value === null || value === undefined || value === "" ? "–" : String(value) })]);
  }

  function popView(pop) {
    const c = pop.customer;
    const parts = [];
    if (c) {
      parts.push(h("header", { class: "who" }, [
        h("h2", { class: "name", text: c.name }),
        h("span", { class: "segment", dataset: { segment: c.segment }, title: "value segment from customer lifetime value", text: c.segment }),
        c.at_risk ? h("span", { class: "risk", text: "▲ At risk" }) : null,
      ]));
      if (pop.retention && pop.retention.offer) {
        parts.push(h("p", { class: "retention", role: "note" }, [h("strong", { text: "Retention offer: " }), pop.retention.offer]));
      }
      parts.push(h("dl", { class: "facts" }, [
        field("Number", (pop.caller && pop.caller.number) || c.phones[0]),
        field("Language", c.language),
        field("CLV", money(c.clv), "customer lifetime value = average purchase x purchases per year x years as a customer"),
        field("Account", c.account_number),
        field("Last order", c.last_order_status),
        field("Balance", c.account_balance === null ? null : money(c.account_balance)),
      ]));
      parts.push(h("div", { class: "actions" }, [
        h("button", { type: "button", onclick: () => dial({ customer_id: c.id }) }, ["☎ Call"]),
        h("button", { type: "button", onclick: () => openRecord(c.id) }, ["Full record"]),
        h("button", { type: "button", onclick: () => openRecord(c.id, "note") }, ["New note"]),
        h("button", { type: "button", onclick: () => openRecord(c.id, "edit") }, ["Edit"]),
      ]));
      parts.push(h("p", { class: "field-error", id: "dial-error", role: "alert", hidden: true }));
    } else {
      parts.push(h("header", { class: "who" }, [h("h2", { class: "name", text: "Unknown caller" }), h("span", { class: "segment", text: "new" })]));
      if (pop.candidates && pop.candidates.length) {
        parts.push(h("p", { class: "muted", text: "Number also on: " + pop.candidates.map((x) => x.name).join(", ") }));
      }
      parts.push(newCustomerForm(pop));
    }
    parts.push(h("section", { "aria-labelledby": "h-ivr" }, [
      h("h3", { id: "h-ivr", text: "Why they called" }),
      h("dl", { class: "facts" }, [
        field("Intent", words(pop.ivr && pop.ivr.intent)),
        field("Waited", null),
        field("IVR path", pop.ivr && pop.ivr.path.length ? pop.ivr.path.map(words).join(" → ") : "no IVR steps"),
      ]),
    ]));
    const waited = parts[parts.length - 1].querySelectorAll("dd")[1];
    const handled = model.tasks.get(pop.interaction_id);
    if (handled && handled.since) {
      waited.textContent = duration(handled.since - pop.queued_at);
      waited.title = "time from arrival until you accepted";
    } else {
      waited.dataset.since = pop.queued_at;
      waited.title = "time since the contact arrived, still waiting";
      waited.classList.add("elapsed");
    }
    if (pop.crm && pop.crm.status !== "off") {
      parts.push(h("section", { "aria-labelledby": "h-crm" }, [
        h("h3", { id: "h-crm", text: "CRM" }),
        pop.crm.status === "ok"
          ? h("dl", { class: "facts" }, Object.entries(pop.crm.fields || {}).map(([k, v]) => field(k, v)))
          : h("p", { class: "muted", text: "CRM: " + (pop.crm.message || pop.crm.status) + "; showing our own record." }),
      ]));
    }
    parts.push(historyTable(pop.history || [], "Last contacts"));
    parts.push(h("section", { "aria-labelledby": "h-notes" }, [
      h("h3", { id: "h-notes", text: "Open notes" }),
      (pop.notes || []).length
        ? h("ul", { class: "notes" }, pop.notes.map((n) => h("li", {}, [n.body, h("span", { class: "muted", text: " · " + dateTime(n.at) + (n.author ? " · " + n.author : "") })])))
        : h("p", { class: "empty", text: "No open notes." }),
    ]));
    return h("div", {}, parts);
  }

  function historyTable(rows, title) {
    return h("section", { "aria-label": title }, [
      h("h3", { text: title }),
      rows.length
        ? h("table", { class: "history" }, [
          h("thead", {}, [h("tr", {}, ["Date", "Channel", "Outcome", "Agent"].map((t) => h("th", { scope: "col", text: t })))]),
          h("tbody", {}, rows.map((r) => h("tr", {}, [
            h("td", { text: dateTime(r.at) }), h("td", { text: words(r.channel) }),
            h("td", { text: r.outcome }), h("td", { text: r.agent || "–" }),
          ]))),
        ])
        : h("p", { class: "empty", text: "No earlier contacts." }),
    ]);
  }

  function newCustomerForm(pop) {
    const number = (pop.new_customer && pop.new_customer.phone) || "";
    const input = (id, label, attrs) => [h("label", { for: id, text: label }), h("input", Object.assign({ id: id, "aria-describedby": id + "-error" }, attrs)), h("p", { class: "field-error", id: id + "-error", role: "alert", hidden: true })];
    const form = h("form", { class: "new-customer", "aria-label": "New customer", novalidate: true }, [
      h("p", { class: "muted", text: "Nobody on record has this number. Add the caller:" }),
      ...input("nc-first", "First name", { required: true, autocomplete: "off", value: (pop.new_customer && pop.new_customer.name) || "" }),
      ...input("nc-last", "Last name", { autocomplete: "off" }),
      ...input("nc-phone", "Phone", { type: "tel", value: number }),
      ...input("nc-email", "Email", { type: "email", value: (pop.new_customer && pop.new_customer.email) || "" }),
      h("button", { type: "submit" }, ["Save customer"]),
      h("p", { class: "field-error", id: "nc-error", role: "alert", hidden: true }),
    ]);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      ["nc-first-error", "nc-last-error", "nc-phone-error", "nc-email-error", "nc-error"].forEach((id) => showError(id, ""));
      const v = (id) => form.querySelector("#" + id).value.trim();
      if (!v("nc-first")) { showError("nc-first-error", "First name is required."); return; }
      const body = { first_name: v("nc-first"), last_name: v("nc-last") || null, language: (pop.new_customer && pop.new_customer.language) || "en", phones: [], emails: [] };
      if (v("nc-phone")) body.phones.push({ number: v("nc-phone"), primary: true });
      if (v("nc-email")) body.emails.push({ address: v("nc-email"), primary: true });
      try {
        const customer = await api("POST", "/api/v1/customers?allow_duplicate=false", body);
        const linked = await api("POST", "/api/v1/interactions/" + encodeURIComponent(pop.interaction_id) + "/customer", { customer_id: customer.id });
        model.pops.set(pop.interaction_id, linked.pop);
        renderAll();
      } catch (err) {
        const f = err.field || "";
        const target = f.startsWith("first_name") ? "nc-first-error" : f.startsWith("last_name") ? "nc-last-error" : f.startsWith("phones") ? "nc-phone-error" : f.startsWith("emails") ? "nc-email-error" : "nc-error";
        showError(target, err.message);
      }
    });
    return form;
  }

  async function dial(body) {
    showError("dial-error", "");
    try {
      await api("POST", "/api/v1/calls", body);
      notice("Calling… the call appears on the left when it connects.");
    } catch (e) {
      showError("dial-error", e.message);
    }
  }

  async function openRecord(customerId, form) {
    try {
      const [customer, history] = await Promise.all([
        api("GET", "/api/v1/customers/" + customerId),
        api("GET", "/api/v1/customers/" + customerId + "/interactions"),
      ]);
      model.customerView = { kind: "record", customer: customer, history: history.items, notes: history.notes || [], form: form || null };
    } catch (e) {
      model.customerView = { kind: "record", error: e.message };
    }
    renderCustomer();
    const first = form === "edit" ? "ed-first" : form === "note" ? "note-body" : null;
    if (first && document.getElementById(first)) document.getElementById(first).focus();
  }

  // Pops of this customer's contacts show what the agent just changed (the server's cache is
  // rebuilt too, for reloads and other consoles).
  function refreshPops(customerId, change) {
    model.pops.forEach((pop, key) => {
      if (pop && pop.customer && pop.customer.id === customerId) model.pops.set(key, change(pop));
    });
  }

  const EDIT_FIELDS = [
    ["ed-first", "First name", "first_name", {}],
    ["ed-last", "Last name", "last_name", {}],
    ["ed-language", "Language (ISO code, e.g. en)", "language", { maxlength: "8" }],
    ["ed-phone", "Phone", "phones", { type: "tel" }],
    ["ed-email", "Email", "emails", { type: "email" }],
    ["ed-account", "Account number", "account_number", {}],
  ];

  function editForm(view) {
    const c = view.customer;
    const current = {
      first_name: c.first_name || "", last_name: c.last_name || "", language: c.language || "",
      phones: ((c.phones || [])[0] || {}).e164 || "", emails: ((c.emails || [])[0] || {}).address || "",
      account_number: c.account_number || "",
    };
    const rows = EDIT_FIELDS.flatMap(([id, label, key, attrs]) => [
      h("label", { for: id, text: label }),
      h("input", Object.assign({ id: id, value: current[key], autocomplete: "off", "aria-describedby": id + "-error" }, attrs)),
      h("p", { class: "field-error", id: id + "-error", role: "alert", hidden: true }),
    ]);
    const form = h("form", { class: "edit-customer", "aria-label": "Edit customer", novalidate: true }, [
      h("h3", { text: "Edit customer" }),
      ...rows,
      h("div", { class: "actions" }, [
        h("button", { type: "submit" }, ["Save changes"]),
        h("button", { type: "button", onclick: () => { view.form = null; renderCustomer(); } }, ["Cancel"]),
      ]),
      h("p", { class: "field-error", id: "ed-error", role: "alert", hidden: true }),
    ]);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      EDIT_FIELDS.forEach(([id]) => showError(id + "-error", ""));
      showError("ed-error", "");
      const v = (id) => form.querySelector("#" + id).value.trim();
      const body = {};
      EDIT_FIELDS.forEach(([id, _label, key]) => {
        const value = v(id);
        if (value === current[key]) return;
        if (key === "phones") body.phones = value ? [{ number: value, primary: true }] : [];
        else if (key === "emails") body.emails = value ? [{ address: value, primary: true }] : [];
        else body[key] = value || null;
      });
      if (!Object.keys(body).length) { view.form = null; renderCustomer(); return; }
      try {
        const saved = await api("PATCH", "/api/v1/customers/" + c.id, body);
        view.customer = saved;
        view.form = null;
        const name = [saved.first_name, saved.last_name].filter(Boolean).join(" ");
        refreshPops(c.id, (pop) => Object.assign({}, pop, { customer: Object.assign({}, pop.customer, { name: name || pop.customer.name, first_name: saved.first_name, language: saved.language, account_number: saved.account_number }) }));
        renderCustomer();
        notice("Customer saved.");
      } catch (err) {
        const f = err.field || "";
        const match = EDIT_FIELDS.find(([_id, _label, key]) => f === key || f.startsWith(key + ".") || f.startsWith(key + "[") || f.startsWith("body." + key));
        showError(match ? match[0] + "-error" : "ed-error", err.message);
      }
    });
    return form;
  }

  function noteForm(view) {
    const c = view.customer;
    const text = h("textarea", { id: "note-body", rows: "3", maxlength: "2000", required: true, "aria-describedby": "note-body-error" });
    const form = h("form", { class: "new-note", "aria-label": "New note", novalidate: true }, [
      h("label", { for: "note-body", text: "New note (up to 2,000 characters)" }),
      text,
      h("p", { class: "field-error", id: "note-body-error", role: "alert", hidden: true }),
      h("div", { class: "actions" }, [
        h("button", { type: "submit" }, ["Save note"]),
        h("button", { type: "button", onclick: () => { view.form = null; renderCustomer(); } }, ["Cancel"]),
      ]),
    ]);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      showError("note-body-error", "");
      if (!text.value.trim()) { showError("note-body-error", "Write the note first."); return; }
      try {
        const note = await api("POST", "/api/v1/customers/" + c.id + "/notes", { body: text.value });
        view.notes = [note, ...view.notes];
        view.form = null;
        refreshPops(c.id, (pop) => Object.assign({}, pop, { notes: [note, ...(pop.notes || [])] }));
        renderCustomer();
        notice("Note saved.");
      } catch (err) {
        showError("note-body-error", err.message);
      }
    });
    return form;
  }

  function recordView(view) {
    if (view.error) return h("p", { class: "field-error", role: "alert", text: view.error });
    const c = view.customer;
    const name = [c.first_name, c.last_name].filter(Boolean).join(" ") || "Customer #" + c.id;
    const phones = (c.phones || []).map((p) => p.e164 || p.number);
    return h("div", { class: "record" }, [
      h("p", {}, [h("button", { type: "button", class: "link", onclick: () => { model.customerView = null; renderCustomer(); } }, ["← Back to the current contact"])]),
      h("header", { class: "who" }, [
        h("h2", { class: "name", text: name }),
        h("span", { class: "segment", dataset: { segment: c.segment }, text: c.segment }),
        c.at_risk ? h("span", { class: "risk", text: "▲ At risk" }) : null,
      ]),
      c.at_risk && c.retention_offer ? h("p", { class: "retention" }, [h("strong", { text: "Retention offer: " }), c.retention_offer]) : null,
      h("dl", { class: "facts" }, [
        field("Phones", phones.join(", ")),
        field("Email", (c.emails || []).map((e) => e.address).join(", ")),
        field("Language", c.language),
        field("CLV", money(Number(c.clv)), "customer lifetime value = average purchase x purchases per year x years as a customer"),
        field("Account", c.account_number),
        field("Last order", c.last_order_status),
      ]),
      h("div", { class: "actions" }, [
        h("button", { type: "button", onclick: () => dial({ customer_id: c.id }) }, ["☎ Call"]),
        h("button", { type: "button", onclick: () => { view.form = "edit"; renderCustomer(); document.getElementById("ed-first").focus(); } }, ["Edit"]),
        h("button", { type: "button", onclick: () => { view.form = "note"; renderCustomer(); document.getElementById("note-body").focus(); } }, ["New note"]),
      ]),
      h("p", { class: "field-error", id: "dial-error", role: "alert", hidden: true }),
      view.form === "edit" ? editForm(view) : null,
      view.form === "note" ? noteForm(view) : null,
      h("section", { "aria-label": "Open notes" }, [
        h("h3", { text: "Open notes" }),
        view.notes.length ? h("ul", { class: "notes" }, view.notes.map((n) => h("li", {}, [n.body, n.at ? h("span", { class: "muted", text: " · " + dateTime(n.at) + (n.author ? " · " + n.author : "") }) : null]))) : h("p", { class: "empty", text: "No open notes." }),
      ]),
      historyTable(view.history, "Full history (" + view.history.length + ")"),
    ]);
  }

  document.getElementById("search-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    showError("search-error", "");
    const q = document.getElementById("search-q").value.trim();
    const results = document.getElementById("search-results");
    if (!q) { showError("search-error", "Type a name, a number (any format) or an email."); return; }
    try {
      const found = await api("GET", "/api/v1/customers?q=" + encodeURIComponent(q) + "&limit=10");
      results.replaceChildren(found.items.length
        ? h("ul", { class: "results", "aria-label": "Search results" }, found.items.map((c) => h("li", {}, [
          h("button", { type: "button", class: "link", onclick: () => { results.replaceChildren(); openRecord(c.id); } }, [[c.first_name, c.last_name].filter(Boolean).join(" ") || "Customer #" + c.id]),
          // Agents get masked matches (phone "•••0143"); supervisors full records.
          h("span", { class: "muted", text: " " + (c.phone || ((c.phones || [])[0] || {}).e164 || "") + " · " + c.segment }),
          h("button", { type: "button", class: "small", "aria-label": "Call " + (c.first_name || "customer"), onclick: () => dial({ customer_id: c.id }) }, ["☎"]),
        ])))
        : h("p", { class: "empty", text: "Nobody matches “" + q + "”. Try the last six digits of the number, or the email." }));
    } catch (err) {
      showError("search-error", err.message);
    }
  });

  // ---- clocks --------------------------------------------------------------------------------
  function tick() {
    const now = Date.now() / 1000;
    const stateTime = document.getElementById("state-time");
    stateTime.textContent = model.state.since ? duration(now - model.state.since) : "–";
    document.querySelectorAll("[data-expires]").forEach((el) => {
      const left = Number(el.dataset.expires) - now;
      el.textContent = left > 0 ? duration(left) + " left" : "time is up";
      el.dataset.urgent = left < 6 ? "1" : "";
    });
    document.querySelectorAll(".elapsed[data-since]").forEach((el) => {
      if (el.dataset.since) el.textContent = duration(now - Number(el.dataset.since));
    });
  }

  function renderAll() {
    renderState(); renderOffers(); renderWork(); renderCentre(); renderCustomer();
  }

  // ---- start ---------------------------------------------------------------------------------
  document.querySelectorAll(".btn-state").forEach((b) => b.addEventListener("click", () => setState(b.dataset.state)));
  setInterval(tick, 1000);
  loadStats();
  loadDesk().then((seq) => {
    const rooms = {};
    rooms[room] = seq;
    socket = new window.SequencedSocket("/agent", rooms, {
      event: onEvent,
      status: (value) => {
        // Back after a drop: the replay brings what was missed, and one read settles the calls.
        if (value === "live" && connection === "reconnecting") loadCalls().then(() => renderCallBar());
        connection = value; renderConnection();
      },
      stale: () => { loadDesk(); window.ChatTab.reload(); window.EmailTab.reload(); },
    });
    window.consoleSocket = socket;
    window.ChatTab.attach(socket, renderWork);
    window.EmailTab.attach(renderWork);
    model.tasks.forEach((t) => socket.join("interaction:" + t.task_id));
    model.offers.forEach((o) => { if (o.channel === "chat") socket.join("interaction:" + o.task_id); });
  }).catch((e) => {
    connection = "signed-out";
    renderConnection();
    showError("state-error", "Could not load your desk: " + e.message);
  });
})();
