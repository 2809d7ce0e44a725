/* Chat in the agent console: one conversation view per chat (kept, so a draft survives other
   updates), live messages deduplicated by their seq, composer with canned responses, typing
   both ways, read marks while the agent is looking. console.js mounts it in the centre pane;
   the board's monitor reuses renderMessage. */
(function () {
  "use strict";
  const { h, api, dateTime } = window.UI;
  const LIMIT = 2000; // CC_CHAT_MAX_MESSAGE_CHARS; the server checks it again
  const chats = new Map(); // task_id -> {el, log, messages: Map(seq -> message), unread, ...}
  let socket = null; // the console's SequencedSocket (for typing)
  let onChange = () => {};

  function chat(taskId) {
    let c = chats.get(taskId);
    if (!c) {
      c = { taskId, messages: new Map(), unread: 0, loaded: false, readSeq: 0, customerReadSeq: 0, status: null, summary: {} };
      chats.set(taskId, c);
    }
    return c;
  }

  function newClientId() { return "a-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10); }

  function chatPath(taskId, rest) { return "/api/v1/chats/" + encodeURIComponent(taskId) + (rest || ""); }

  function csrf() { const el = document.querySelector("[data-csrf]"); return el ? el.dataset.csrf : ""; }

  function ended(status) { return status === "closed" || status === "left_message"; }

  function visible(c) {
    return !!(c.el && c.el.isConnected && document.visibilityState === "visible" && document.hasFocus());
  }

  // ---- one message, as the agent (viewer "agent") or a supervisor (viewer "supervisor") sees it ----
  function authorLabel(m, opts) {
    const kind = m.author.kind;
    if (kind === "customer") return m.author.name || opts.customerName || "Customer";
    if (kind === "bot") return (m.author.name || "Assistant") + " (bot)";
    if (kind === "supervisor") return (m.author.name || "Supervisor") + " (supervisor)";
    if (kind === "agent" && opts.viewer === "agent" && opts.me && m.author.name === opts.me) return "You";
    return m.author.name || kind;
  }

  function renderMessage(m, opts) {
    opts = opts || {};
    const kind = m.author.kind;
    const whisper = m.visibility === "agents";
    const cls = "chat-msg " + kind + (whisper ? " whisper" : "");
    const note = whisper
      ? h("span", { class: "chat-private", text: opts.viewer === "supervisor" ? "Private note to the agent · the customer can't see this" : "Private note from " + (m.author.name || "a supervisor") + " · Only you can see this" })
      : null;
    return h("li", { class: cls, dataset: { seq: String(m.seq), kind: kind } }, [
      note,
      kind === "system" ? null : h("span", { class: "chat-who", text: authorLabel(m, opts) }),
      m.body ? h("span", { class: "chat-text", text: m.body }) : null,
      ...(m.attachments || []).filter((a) => a.id && a.url).map((a) => h("a", {
        class: "chat-file", href: a.url, download: a.filename, rel: "noopener",
        text: "Attachment: " + a.filename + " (" + Math.max(1, Math.ceil((a.size || 0) / 1024)) + " KB)",
      })),
      (m.quick_replies || []).length
        ? h("span", { class: "chat-quick muted", text: "Offered: " + m.quick_replies.map((q) => q.label).join(" · ") })
        : null,
      h("time", { class: "chat-when", datetime: m.created_at, text: dateTime(Date.parse(m.created_at) / 1000) }),
    ]);
  }

  /* Insert in seq order and keep the log scrolled to the newest message. */
  function placeInLog(log, li) {
    const seq = Number(li.dataset.seq);
    let before = null;
    for (let node = log.lastElementChild; node; node = node.previousElementSibling) {
      if (Number(node.dataset.seq) < seq) break;
      before = node;
    }
    log.insertBefore(li, before);
    log.scrollTop = log.scrollHeight;
  }

  function opts(c) {
    return { viewer: "agent", customerName: c.summary.visitor_name, me: document.getElementById("console") && document.getElementById("console").dataset.agentName };
  }

  function add(c, m, live) {
    if (!m || typeof m.seq !== "number" || c.messages.has(m.seq)) return false;
    c.messages.set(m.seq, m);
    if (live && m.author.kind === "customer" && !visible(c)) c.unread += 1;
    if (m.author.kind === "customer") c.customerTyping = false;
    if (c.log) { placeInLog(c.log, renderMessage(m, opts(c))); showSeen(c); render(c); }
    return true;
  }

  async function load(c) {
    const data = await api("GET", chatPath(c.taskId));
    c.loaded = true;
    c.summary = data;
    // The answer may be older than a chat_status event already applied: never undo an end.
    if (!ended(c.status)) c.status = data.status;
    c.customerReadSeq = Math.max(c.customerReadSeq, data.customer_read_seq || 0);
    c.readSeq = Math.max(c.readSeq, data.agent_read_seq || 0);
    data.messages.forEach((m) => add(c, m, false));
    if (c.log) {
      // Names known now: the customer's messages added live before the history was loaded.
      c.log.replaceChildren(...Array.from(c.messages.values()).sort((a, b) => a.seq - b.seq).map((m) => renderMessage(m, opts(c))));
      c.log.scrollTop = c.log.scrollHeight;
    }
    markRead(c);
    showSeen(c);
    render(c);
  }

  /* "Seen" under the last of our messages the customer has read. */
  function showSeen(c) {
    if (!c.log) return;
    c.log.querySelectorAll(".chat-seen").forEach((el) => el.remove());
    const ours = Array.from(c.log.children).filter((li) => (li.dataset.kind === "agent" || li.dataset.kind === "supervisor") && !li.classList.contains("whisper") && Number(li.dataset.seq) <= c.customerReadSeq);
    const last = ours[ours.length - 1];
    if (last) last.appendChild(h("span", { class: "chat-seen", text: "✓ Seen by the customer" }));
  }

  function markRead(c) {
    // Not "status === active": the history may predate the router's "joined" (still "queued").
    if (!visible(c) || !c.loaded || ended(c.status)) return;
    const last = Math.max(0, ...Array.from(c.messages.keys()));
    if (c.unread) { c.unread = 0; onChange(); }
    if (last > c.readSeq) {
      c.readSeq = last;
      api("POST", chatPath(c.taskId, "/read"), { seq: last }).catch(() => { c.readSeq = 0; });
    }
  }

  function render(c) {
    if (!c.el) return;
    const name = c.summary.visitor_name || "The customer";
    c.el.querySelector(".chat-typing").textContent = c.customerTyping ? name + " is typing…" : "";
    const closed = ended(c.status);
    c.el.querySelector(".chat-composer").hidden = closed;
    c.el.querySelector(".chat-closed").hidden = !closed;
    const head = c.el.querySelector(".chat-head");
    head.textContent = [c.summary.visitor_name, c.summary.visitor_email, c.summary.topic && "topic " + c.summary.topic].filter(Boolean).join(" · ");
  }

  function showError(c, content) {
    const error = c.el.querySelector(".chat-error");
    if (!content) { error.hidden = true; error.replaceChildren(); return; }
    error.replaceChildren(...[].concat(content));
    error.hidden = false;
  }

  async function send(c, text, id, input) {
    showError(c, null);
    try {
      const message = await api("POST", chatPath(c.taskId, "/messages"), { body: text, client_id: id });
      add(c, message, false);
    } catch (e) {
      if (e.status && e.status < 500) {
        // Refused (too long, chat ended…): the text goes back in the box to be edited.
        if (!input.value) input.value = text;
        showError(c, (e.field && e.field !== "interaction_id" ? e.field + ": " : "") + e.message);
        return;
      }
      // Not sent (network, server error): Retry resends with the same client id, never twice.
      showError(c, [
        "Not sent: " + (e.status ? e.message : "no connection") + " · “" + (text.length > 40 ? text.slice(0, 40) + "…" : text) + "” ",
        h("button", { type: "button", class: "link", text: "Retry", onclick: () => send(c, text, id, input) }),
      ]);
    }
  }

  async function canned(c, input) {
    const picker = c.el.querySelector(".canned");
    if (!picker.hidden) { picker.hidden = true; input.focus(); return; }
    let data;
    try {
      data = await api("GET", "/api/v1/canned-responses?interaction_id=" + encodeURIComponent(c.taskId));
    } catch (e) { showError(c, "Could not load canned responses: " + e.message); return; }
    const close = () => { picker.hidden = true; input.focus(); };
    picker.replaceChildren(
      h("p", { class: "muted", text: data.items.length ? "Pick a response; it goes into the message box (Esc closes):" : "No canned responses yet; an administrator adds them." }),
      ...data.items.map((r) => h("button", { type: "button", class: "canned-item", title: r.text, onclick: () => {
        input.value = r.text; close(); input.setSelectionRange(r.text.length, r.text.length);
      } }, [h("strong", { text: r.title }), " ", h("span", { class: "muted", text: r.text.length > 90 ? r.text.slice(0, 90) + "…" : r.text })])),
    );
    picker.onkeydown = (e) => {
      const items = Array.from(picker.querySelectorAll("button"));
      const at = items.indexOf(document.activeElement);
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
      else if (e.key === "ArrowDown" && items.length) { e.preventDefault(); items[(at + 1) % items.length].focus(); }
      else if (e.key === "ArrowUp" && items.length) { e.preventDefault(); items[(at - 1 + items.length) % items.length].focus(); }
    };
    picker.hidden = false;
    const first = picker.querySelector("button");
    if (first) first.focus();
  }

  /* Typing, throttled: "active" when typing starts and again at most every 3 s while it goes
     on; "inactive" after 3 s without a key or when the message is sent. */
  function typing(c, active) {
    if (!socket) return;
    const now = Date.now();
    clearTimeout(c.typingIdle);
    if (active) {
      c.typingIdle = setTimeout(() => typing(c, false), 3000);
      if (c.typingSent && now - c.typingSent < 3000) return;
      c.typingSent = now;
    } else {
      if (!c.typingSent) return;
      c.typingSent = 0;
    }
    socket.socket.emit("chat_typing", { interaction_id: c.taskId, active: !!active });
  }

  async function upload(c, file) {
    const form = new FormData();
    form.append("file", file);
    form.append("client_id", newClientId());
    showError(c, null);
    try {
      const response = await fetch(chatPath(c.taskId, "/attachments"), {
        method: "POST", body: form, headers: { "X-CSRFToken": csrf(), Accept: "application/json" }, credentials: "same-origin",
      });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      if (!response.ok) throw new Error((data && data.error && data.error.message) || "upload failed (HTTP " + response.status + ")");
      add(c, data, false);
    } catch (e) { showError(c, file.name + ": " + e.message); }
  }

  function build(c) {
    c.log = h("ol", { class: "chat-log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    const input = h("textarea", { rows: "3", id: "chat-input-" + c.taskId, "aria-label": "Reply to the customer", "aria-describedby": "chat-error-" + c.taskId, placeholder: "Type a reply… Enter sends, Shift+Enter new line, / for canned responses" });
    const file = h("input", { type: "file", id: "chat-file-" + c.taskId, class: "visually-hidden" });
    const counter = h("span", { class: "chat-count muted", "aria-live": "polite" });
    const submit = () => {
      const text = input.value.trim();
      if (!text) return;
      if (text.length > LIMIT) {
        showError(c, "Messages are limited to " + LIMIT + " characters; this one has " + text.length + ".");
        input.focus();
        return;
      }
      input.value = "";
      counter.textContent = "";
      typing(c, false);
      send(c, text, newClientId(), input);
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
      else if (e.key === "/" && !input.value) { e.preventDefault(); canned(c, input); }
    });
    input.addEventListener("input", () => {
      typing(c, input.value.length > 0);
      const n = input.value.trim().length;
      counter.textContent = n > LIMIT * 0.9 ? n + " / " + LIMIT : "";
      if (n <= LIMIT) showError(c, null);
    });
    input.addEventListener("focus", () => markRead(c));
    c.log.addEventListener("click", () => markRead(c));
    file.addEventListener("change", () => {
      const chosen = file.files[0];
      file.value = "";
      if (chosen) upload(c, chosen);
    });
    c.el = h("section", { class: "chat", "aria-label": "Chat", dataset: { task: c.taskId } }, [
      h("p", { class: "chat-head muted" }),
      c.log,
      h("p", { class: "chat-typing muted", "aria-live": "polite" }),
      h("div", { class: "chat-composer" }, [
        h("label", { for: "chat-input-" + c.taskId, class: "visually-hidden", text: "Reply to the customer" }),
        input,
        h("div", { class: "chat-actions" }, [
          h("button", { type: "button", class: "primary", text: "Send", onclick: submit }),
          h("button", { type: "button", text: "Canned responses", "aria-keyshortcuts": "/", title: "or type / in the empty message box", onclick: () => canned(c, input) }),
          h("label", { for: "chat-file-" + c.taskId, class: "button-like", tabindex: "0", onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); file.click(); } }, text: "Attach a file" }), file,
          counter,
        ]),
        h("div", { class: "canned", hidden: true, role: "group", "aria-label": "Canned responses" }),
        h("p", { class: "field-error chat-error", id: "chat-error-" + c.taskId, role: "alert", hidden: true }),
      ]),
      h("p", { class: "chat-closed muted", hidden: true, text: "The chat has ended. Choose a disposition to finish." }),
    ]);
    Array.from(c.messages.values()).sort((a, b) => a.seq - b.seq).forEach((m) => c.log.appendChild(renderMessage(m, opts(c))));
  }

  function taskOf(data, envelope) {
    if (data && data.interaction_id) return data.interaction_id;
    const room = envelope && envelope.room;
    return room && room.startsWith("interaction:") ? room.slice("interaction:".length) : "";
  }

  window.ChatTab = {
    renderMessage,
    placeInLog,
    attach(consoleSocket, changed) {
      socket = consoleSocket;
      onChange = changed;
      // Typing is ephemeral: it arrives bare, outside the numbered room events.
      socket.socket.on("chat_typing", (d) => {
        const c = d && chats.get(d.interaction_id);
        if (!c || d.who === "agent") return;
        c.customerTyping = !!d.active;
        clearTimeout(c.typingShown);
        // A lost "stopped typing" must not leave the line up for ever.
        if (c.customerTyping) c.typingShown = setTimeout(() => { c.customerTyping = false; render(c); }, 8000);
        render(c);
      });
      document.addEventListener("visibilitychange", () => chats.forEach(markRead));
      window.addEventListener("focus", () => chats.forEach(markRead));
    },
    view(taskId) {
      const c = chat(taskId);
      if (!c.el) build(c);
      if (!c.loaded) load(c).then(onChange).catch((e) => showError(c, "Could not load the conversation: " + e.message));
      setTimeout(() => { markRead(c); render(c); c.log.scrollTop = c.log.scrollHeight; }, 0);
      return c.el;
    },
    mounted(taskId) {
      const c = chats.get(taskId);
      return !!(c && c.el && c.el.isConnected);
    },
    unread(taskId) { const c = chats.get(taskId); return c ? c.unread : 0; },
    onEvent(event, data, envelope) {
      const c = chat(taskOf(data, envelope));
      if (event === "chat_message") {
        if (add(c, data, true)) { markRead(c); onChange(); }
      } else if (event === "chat_status") {
        c.status = data.status;
        render(c);
      } else if (event === "chat_read") {
        c.customerReadSeq = Math.max(c.customerReadSeq, data.seq || 0);
        showSeen(c);
      }
    },
    /* After a reconnect whose replay was incomplete: fetch the history again (deduplicated). */
    reload() { chats.forEach((c) => { if (c.loaded) load(c).catch(() => {}); }); },
    async close(taskId) {
      await api("POST", chatPath(taskId, "/close"));
      const c = chat(taskId);
      c.status = "closed";
      render(c);
    },
    forget(taskId) { chats.delete(taskId); },
  };
})();
