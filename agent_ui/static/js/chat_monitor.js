/* Chat supervision on the live board: a read-only live transcript of an agent's chat, a whisper
   to the agent, and barge-in with a composer. It has its own socket on /agent, where supervisors
   may join any interaction room; monitoring never moves the agent's or customer's read marks. */
(function () {
  "use strict";
  const { h, api } = window.UI;
  let socket = null;
  let current = null; // {taskId, agentName, customerName, messages: Map(seq -> message), el, log, ...}

  function chatPath(taskId, rest) { return "/api/v1/chats/" + encodeURIComponent(taskId) + (rest || ""); }

  function newClientId() { return "s-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10); }

  function ensureSocket() {
    if (socket) return socket;
    socket = new window.SequencedSocket("/agent", {}, {
      event: onEvent,
      status: (value) => {
        if (!current) return;
        current.el.querySelector(".monitor-live").textContent = value === "live" ? "● Live" : "▲ Reconnecting: the transcript may be behind";
      },
      stale: () => { if (current) load(current).catch(() => {}); },
    });
    // Typing is ephemeral: it arrives bare, outside the numbered room events.
    socket.socket.on("chat_typing", (d) => {
      if (!current || !d || d.interaction_id !== current.taskId || d.who === "agent") return;
      current.typing.textContent = d.active ? (current.customerName || "The customer") + " is typing…" : "";
    });
    return socket;
  }

  function add(m) {
    if (!current || !m || typeof m.seq !== "number" || current.messages.has(m.seq)) return;
    current.messages.set(m.seq, m);
    if (m.author.kind === "customer") current.typing.textContent = "";
    window.ChatTab.placeInLog(current.log, window.ChatTab.renderMessage(m, { viewer: "supervisor", customerName: current.customerName }));
  }

  function onEvent(event, data, envelope) {
    if (!current || !envelope || envelope.room !== "interaction:" + current.taskId) return;
    if (event === "chat_message") add(data);
    else if (event === "chat_status") setStatus(data.status);
    else if (event === "task_ended") setStatus("closed");
  }

  function setStatus(status) {
    current.status = status;
    const ended = status === "closed" || status === "left_message";
    current.el.querySelector(".monitor-status").textContent = ended ? "The chat has ended." : "";
    current.el.querySelectorAll("form, .barge").forEach((el) => { el.hidden = ended || (el.classList.contains("monitor-say") && !current.barged) || (el.classList.contains("barge") && current.barged); });
  }

  async function load(c) {
    // Monitor (audited) returns the history; read marks stay where they are.
    const data = await api("POST", chatPath(c.taskId, "/monitor"));
    if (current !== c) return;
    c.customerName = data.visitor_name || c.customerName;
    c.el.querySelector("h2").textContent = c.agentName + " ↔ " + (c.customerName || "customer");
    data.messages.forEach(add);
    setStatus(data.status);
  }

  function error(text) {
    const el = current.el.querySelector(".monitor-error");
    el.textContent = text || "";
    el.hidden = !text;
  }

  function textForm(cls, label, placeholder, button, submit) {
    const id = "monitor-" + cls;
    const input = h("textarea", { id: id, rows: "2", placeholder: placeholder });
    const form = h("form", { class: cls, novalidate: true }, [
      h("label", { for: id, class: "visually-hidden", text: label }),
      input,
      h("button", { type: "submit", text: button }),
    ]);
    const go = async () => {
      const text = input.value.trim();
      if (!text) { error(label + ": type something first."); input.focus(); return; }
      error("");
      try {
        await submit(text);
        input.value = "";
      } catch (e) { error(e.message); }
    };
    form.addEventListener("submit", (e) => { e.preventDefault(); go(); });
    input.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); go(); } });
    return form;
  }

  function close() {
    if (!current) return;
    if (socket) socket.leave("interaction:" + current.taskId); // stop following its events
    current.el.remove();
    document.body.classList.remove("monitoring");
    const back = current.opener;
    current = null;
    if (back && back.isConnected) back.focus();
  }

  /* Open the monitor on a chat; `focus` is "whisper", "barge" or nothing. */
  async function open(task, agentName, focus, opener) {
    if (current && current.taskId !== task.task_id) close();
    if (!current) {
      const c = { taskId: task.task_id, agentName: agentName, customerName: task.customer_name, messages: new Map(), barged: false, opener: opener };
      c.log = h("ol", { class: "chat-log", "aria-live": "polite", "aria-label": "Transcript", tabindex: "0" });
      c.typing = h("p", { class: "chat-typing muted", "aria-live": "polite" });
      const whisper = textForm("monitor-whisper", "Whisper to " + agentName, "Whisper to " + agentName + " (only the agent sees it)…", "Whisper", async (text) => {
        add(await api("POST", chatPath(c.taskId, "/whisper"), { body: text }));
      });
      const say = textForm("monitor-say", "Message to the customer", "Message to the customer, as supervisor…", "Send", async (text) => {
        add(await api("POST", chatPath(c.taskId, "/messages"), { body: text, client_id: newClientId() }));
      });
      say.hidden = true;
      const barge = h("button", { type: "button", class: "barge danger", title: "Join the conversation: the customer is told you joined, then you can write to them", onclick: () => bargeIn(c) }, ["Barge in"]);
      c.el = h("section", { class: "chat-monitor", role: "region", "aria-label": "Chat monitor", onkeydown: (e) => { if (e.key === "Escape") { e.preventDefault(); close(); } } }, [
        h("header", {}, [
          h("span", { class: "mode", text: "Monitoring" }),
          h("h2", { text: agentName + " ↔ " + (task.customer_name || "customer") }),
          h("span", { class: "monitor-live muted" }),
          h("button", { type: "button", class: "link", style: "margin-left:auto", onclick: close }, ["Close monitor"]),
        ]),
        h("p", { class: "muted", style: "margin:0;font-size:11px", text: "Read-only: the agent and the customer are not told; nobody's read marks move." }),
        c.log,
        c.typing,
        h("p", { class: "monitor-status muted", role: "status" }),
        whisper,
        barge,
        say,
        h("p", { class: "field-error monitor-error", role: "alert", hidden: true }),
      ]);
      current = c;
      document.body.appendChild(c.el);
      document.body.classList.add("monitoring");
      const s = ensureSocket();
      const room = "interaction:" + c.taskId;
      s.socket.emit("join", { room: room }, async (reply) => {
        if (current !== c) return;
        if (!reply || !reply.ok) { error("Could not follow this chat live (" + ((reply && reply.error) || "no answer") + ")."); }
        else if (!(room in s.last)) s.last[room] = reply.seq;
        // History after joining: nothing falls between the two (both deduplicated by seq).
        try { await load(c); } catch (e) { error("Could not monitor this chat: " + e.message); }
        s.status(s.socket.connected ? "live" : "reconnecting");
      });
    }
    const target = focus === "whisper" ? current.el.querySelector(".monitor-whisper textarea")
      : focus === "barge" ? null : current.log;
    if (focus === "barge") await bargeIn(current);
    else if (target) target.focus();
  }

  async function bargeIn(c) {
    if (c.barged) { c.el.querySelector(".monitor-say textarea").focus(); return; }
    error("");
    try {
      const reply = await api("POST", chatPath(c.taskId, "/barge"));
      c.barged = true;
      add(reply.message);
      c.el.querySelector(".mode").textContent = "Barged in";
      setStatus(c.status);
      c.el.querySelector(".monitor-say textarea").focus();
    } catch (e) { error(e.message); }
  }

  window.ChatMonitor = { open: open, close: close, current: () => current && current.taskId };
})();
