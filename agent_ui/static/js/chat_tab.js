/* Chat in the agent console: one conversation view per chat (kept, so typing survives other
   updates), live messages deduplicated by their seq, composer with canned responses, typing
   both ways, read marks while the agent is looking. console.js mounts it in the centre pane. */
(function () {
  "use strict";
  const { h, api, dateTime } = window.UI;
  const chats = new Map(); // task_id -> {el, log, messages: Map(seq -> message), unread, loaded, ...}
  let socket = null; // the console's SequencedSocket (for typing)
  let onChange = () => {};

  function chat(taskId) {
    let c = chats.get(taskId);
    if (!c) {
      c = { taskId, messages: new Map(), unread: 0, loaded: false, readSeq: 0, status: null, typingTimer: null };
      chats.set(taskId, c);
    }
    return c;
  }

  function clientId() { return "a-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8); }

  function visible(c) {
    return c.el && c.el.isConnected && document.visibilityState === "visible" && document.hasFocus();
  }

  async function load(c) {
    const data = await api("GET", "/api/v1/chats/" + encodeURIComponent(c.taskId));
    c.loaded = true;
    c.summary = data;
    c.status = data.status;
    data.messages.forEach((m) => add(c, m, false));
    markRead(c);
    render(c);
  }

  function add(c, m, live) {
    if (!m || typeof m.seq !== "number" || c.messages.has(m.seq)) return false;
    c.messages.set(m.seq, m);
    if (live && m.author.kind === "customer" && !visible(c)) c.unread += 1;
    if (c.log) c.log.appendChild(item(m)), sortLog(c);
    return true;
  }

  function sortLog(c) {
    const items = Array.from(c.log.children);
    if (items.every((li, i) => i === 0 || Number(items[i - 1].dataset.seq) < Number(li.dataset.seq))) {
      c.log.scrollTop = c.log.scrollHeight;
      return;
    }
    items.sort((a, b) => Number(a.dataset.seq) - Number(b.dataset.seq)).forEach((li) => c.log.appendChild(li));
    c.log.scrollTop = c.log.scrollHeight;
  }

  function item(m) {
    const kind = m.author.kind;
    const whisper = m.visibility === "agents";
    const who = kind === "customer" ? "Customer" : (m.author.name || kind);
    const cls = "chat-msg " + kind + (whisper ? " whisper" : "");
    return h("li", { class: cls, dataset: { seq: String(m.seq) } }, [
      kind === "system" ? null : h("span", { class: "chat-who", text: who + (whisper ? " · private note, only you can see this" : "") }),
      m.body ? h("span", { class: "chat-text", text: m.body }) : null,
      ...(m.attachments || []).filter((a) => a.id).map((a) => h("a", { href: a.url, target: "_blank", rel: "noopener", text: "📎 " + a.filename + " (" + Math.ceil(a.size / 1024) + " KB)" })),
      h("time", { class: "chat-when", datetime: m.created_at, text: dateTime(Date.parse(m.created_at) / 1000) }),
    ]);
  }

  function markRead(c) {
    if (!visible(c) || c.status !== "active") return;
    const last = Math.max(0, ...Array.from(c.messages.keys()));
    c.unread = 0;
    if (last > c.readSeq) {
      c.readSeq = last;
      api("POST", "/api/v1/chats/" + encodeURIComponent(c.taskId) + "/read", { seq: last }).catch(() => {});
    }
  }

  function render(c) {
    if (!c.el) return;
    const typing = c.el.querySelector(".chat-typing");
    typing.textContent = c.customerTyping ? "Customer is typing…" : "";
    const closed = c.status === "closed" || c.status === "left_message";
    c.el.querySelector(".chat-composer").hidden = closed;
    c.el.querySelector(".chat-closed").hidden = !closed;
  }

  async function send(c, text, id) {
    const error = c.el.querySelector(".chat-error");
    error.hidden = true;
    try {
      const message = await api("POST", "/api/v1/chats/" + encodeURIComponent(c.taskId) + "/messages", { body: text, client_id: id });
      add(c, message, false);
      c.pending = null;
    } catch (e) {
      c.pending = { text, id }; // "Retry" resends with the same client id: never a duplicate
      error.replaceChildren(e.message + " ", h("button", { type: "button", class: "link", text: "Retry", onclick: () => send(c, text, id) }));
      error.hidden = false;
    }
  }

  async function canned(c, input) {
    const picker = c.el.querySelector(".canned");
    if (!picker.hidden) { picker.hidden = true; return; }
    const data = await api("GET", "/api/v1/canned-responses?interaction_id=" + encodeURIComponent(c.taskId));
    picker.replaceChildren(
      h("p", { class: "muted", text: data.items.length ? "Pick a response (it goes into the message box):" : "No canned responses yet; an administrator adds them." }),
      ...data.items.map((r) => h("button", { type: "button", class: "canned-item", title: r.text, onclick: () => {
        input.value = r.text; picker.hidden = true; input.focus();
      } }, [h("strong", { text: r.title }), " ", h("span", { class: "muted", text: r.text.slice(0, 80) })])),
    );
    picker.hidden = false;
    const first = picker.querySelector("button");
    if (first) first.focus();
  }

  function typing(c, active) {
    if (!socket) return;
    if (active && c.typingTimer) return;
    socket.socket.emit("chat_typing", { interaction_id: c.taskId, active: !!active });
    clearTimeout(c.typingTimer);
    c.typingTimer = active ? setTimeout(() => { c.typingTimer = null; typing(c, false); }, 3000) : null;
  }

  function build(c) {
    const limit = 2000;
    c.log = h("ol", { class: "chat-log", "aria-live": "polite", "aria-label": "Conversation" });
    const input = h("textarea", { rows: "3", "aria-label": "Reply to the customer", placeholder: "Type a reply… (Enter sends, Shift+Enter new line, / for canned responses)" });
    const file = h("input", { type: "file", id: "chat-file-" + c.taskId, class: "visually-hidden" });
    const submit = () => {
      const text = input.value.trim();
      if (!text) return;
      const error = c.el.querySelector(".chat-error");
      if (text.length > limit) { error.textContent = "Messages are limited to " + limit + " characters; this one has " + text.length + "."; error.hidden = false; return; }
      input.value = "";
      typing(c, false);
      send(c, text, clientId());
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); submit(); }
      else if (e.key === "/" && !input.value) { e.preventDefault(); canned(c, input); }
    });
    input.addEventListener("input", () => typing(c, true));
    input.addEventListener("focus", () => { markRead(c); onChange(); });
    file.addEventListener("change", async () => {
      if (!file.files[0]) return;
      const form = new FormData();
      form.append("file", file.files[0]);
      file.value = "";
      const error = c.el.querySelector(".chat-error");
      try {
        const response = await fetch("/api/v1/chats/" + encodeURIComponent(c.taskId) + "/attachments", {
          method: "POST", body: form, headers: { "X-CSRFToken": document.getElementById("console").dataset.csrf }, credentials: "same-origin",
        });
        const data = await response.json();
        if (!response.ok) throw new Error(data.error ? data.error.message : "upload failed");
        add(c, data, false);
      } catch (e) { error.textContent = e.message; error.hidden = false; }
    });
    c.el = h("section", { class: "chat", "aria-label": "Chat" }, [
      c.log,
      h("p", { class: "chat-typing muted", "aria-live": "polite" }),
      h("div", { class: "chat-composer" }, [
        input,
        h("div", { class: "chat-actions" }, [
          h("button", { type: "button", class: "primary", text: "Send", onclick: submit }),
          h("button", { type: "button", text: "Canned responses", "aria-keyshortcuts": "/", onclick: () => canned(c, input) }),
          h("label", { for: "chat-file-" + c.taskId, class: "button-like", text: "Attach a file" }), file,
        ]),
        h("div", { class: "canned", hidden: true, role: "group", "aria-label": "Canned responses" }),
        h("p", { class: "field-error chat-error", role: "alert", hidden: true }),
      ]),
      h("p", { class: "chat-closed muted", hidden: true, text: "The chat has ended. Choose a disposition to finish." }),
    ]);
    Array.from(c.messages.values()).sort((a, b) => a.seq - b.seq).forEach((m) => c.log.appendChild(item(m)));
  }

  window.ChatTab = {
    attach(consoleSocket, changed) {
      socket = consoleSocket;
      onChange = changed;
      // Typing is ephemeral: it arrives bare, outside the numbered room events.
      socket.socket.on("chat_typing", (d) => {
        const c = chats.get(d.interaction_id);
        if (!c) return;
        c.customerTyping = !!d.active;
        render(c);
      });
      document.addEventListener("visibilitychange", () => chats.forEach(markRead));
      window.addEventListener("focus", () => chats.forEach(markRead));
    },
    view(taskId) {
      const c = chat(taskId);
      if (!c.el) build(c);
      if (!c.loaded) load(c).then(onChange).catch(() => {});
      setTimeout(() => { markRead(c); render(c); sortLog(c); }, 0);
      return c.el;
    },
    mounted(taskId) {
      const c = chats.get(taskId);
      return !!(c && c.el && c.el.isConnected);
    },
    unread(taskId) { const c = chats.get(taskId); return c ? c.unread : 0; },
    onEvent(event, data) {
      const c = chat(data.interaction_id || "");
      if (event === "chat_message") {
        if (add(c, data, true)) { markRead(c); onChange(); }
      } else if (event === "chat_status") {
        c.status = data.status;
        render(c);
      }
    },
    async close(taskId) {
      await api("POST", "/api/v1/chats/" + encodeURIComponent(taskId) + "/close");
      const c = chat(taskId);
      c.status = "closed";
      render(c);
    },
    forget(taskId) { chats.delete(taskId); },
  };
})();
