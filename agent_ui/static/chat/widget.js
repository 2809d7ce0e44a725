/* The customer chat widget: one script tag on any site.
   <script src="https://HOST/chat/widget.js" data-widget-key="wk_..." async></script>
   Renders in a Shadow DOM (the host page's CSS cannot reach in; its font is inherited), talks
   to /chat/api over HTTP and to the /chat Socket.IO namespace. The conversation token lives in
   localStorage per key, so a reload resumes the conversation with its history. */
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__ccChatLoaded) return;
  window.__ccChatLoaded = true;
  const KEY = script.getAttribute("data-widget-key") || "";
  const BASE = new URL(script.src, location.href).origin;
  const STORE = "cc-chat:" + KEY;

  const state = {
    site: null, token: null, conversationId: null, lastSeq: 0, messages: new Map(),
    status: null, socket: null, pending: new Map(), typingTimer: null, statusTimer: null,
    closed: false, rated: false, open: false,
  };

  // -- DOM -------------------------------------------------------------------------------
  const host = document.createElement("div");
  host.style.cssText = "position:fixed;z-index:2147483000;right:20px;bottom:20px;font:inherit";
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
<style>
  :host { all: initial; font: inherit; }
  * { box-sizing: border-box; font: inherit; }
  .launcher { border: 0; border-radius: 999px; padding: 12px 18px; cursor: pointer;
    background: var(--cc-primary, #1f6feb); color: var(--cc-text, #fff); box-shadow: 0 4px 14px rgba(0,0,0,.25); }
  .panel { position: absolute; right: 0; bottom: 56px; width: 360px; max-width: calc(100vw - 40px);
    height: 540px; max-height: calc(100vh - 100px); background: #fff; color: #1b1f24; border-radius: 12px;
    box-shadow: 0 10px 30px rgba(0,0,0,.3); display: flex; flex-direction: column; overflow: hidden; }
  .panel[hidden] { display: none; }
  header { background: var(--cc-primary, #1f6feb); color: var(--cc-text, #fff); padding: 10px 14px;
    display: flex; align-items: center; gap: 8px; }
  header h2 { margin: 0; font-size: 1.05em; flex: 1; }
  header button { background: transparent; color: inherit; border: 1px solid rgba(255,255,255,.5);
    border-radius: 6px; padding: 2px 8px; cursor: pointer; }
  .status { font-size: .85em; padding: 6px 14px; background: #f2f4f7; border-bottom: 1px solid #e3e6ea; }
  .body { flex: 1; overflow-y: auto; padding: 10px 14px; }
  form.stack { display: flex; flex-direction: column; gap: 8px; }
  label { font-size: .85em; font-weight: 600; }
  input, select, textarea { width: 100%; padding: 7px 8px; border: 1px solid #9aa4b0; border-radius: 6px; }
  textarea { resize: none; }
  .primary { background: var(--cc-primary, #1f6feb); color: var(--cc-text, #fff); border: 0;
    border-radius: 6px; padding: 8px 12px; cursor: pointer; }
  .link { background: none; border: 0; color: #0b4fb3; text-decoration: underline; cursor: pointer; padding: 2px; }
  :focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
  .error { color: #b42318; font-size: .85em; margin: 2px 0 0; }
  .log { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
  .msg { max-width: 85%; padding: 7px 10px; border-radius: 10px; background: #eef1f5; white-space: pre-wrap;
    overflow-wrap: anywhere; }
  .msg.customer { align-self: flex-end; background: var(--cc-primary, #1f6feb); color: var(--cc-text, #fff); }
  .msg.system { align-self: center; background: none; color: #555; font-size: .85em; font-style: italic; }
  .msg .who { display: block; font-size: .75em; font-weight: 600; opacity: .8; }
  .msg .when { display: block; font-size: .7em; opacity: .7; margin-top: 2px; }
  .msg a { color: inherit; }
  .quick { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
  .quick button { border: 1px solid var(--cc-primary, #1f6feb); color: #0b4fb3; background: #fff;
    border-radius: 999px; padding: 4px 10px; cursor: pointer; }
  .typing { font-size: .8em; color: #555; min-height: 1.2em; padding: 0 14px; }
  .composer { border-top: 1px solid #e3e6ea; padding: 8px 10px; display: flex; flex-direction: column; gap: 6px; }
  .row { display: flex; gap: 6px; align-items: flex-end; }
  .actions { display: flex; flex-wrap: wrap; gap: 4px 10px; font-size: .85em; }
  .stars { display: flex; gap: 4px; border: 0; padding: 0; margin: 0; }
  .stars label { font-weight: 400; border: 1px solid #9aa4b0; border-radius: 6px; padding: 4px 8px; cursor: pointer; }
  .stars input { position: absolute; opacity: 0; width: 1px; height: 1px; }
  .stars input:checked + span { font-weight: 700; text-decoration: underline; }
  .stars input:focus-visible + span { outline: 3px solid #ffbf47; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
</style>
<button type="button" class="launcher" aria-expanded="false" aria-controls="cc-panel">Chat with us</button>
<section class="panel" id="cc-panel" role="dialog" aria-modal="false" aria-labelledby="cc-title" hidden>
  <header><h2 id="cc-title">Chat</h2><button type="button" class="close-panel" aria-label="Minimise chat">–</button></header>
  <div class="status" role="status" aria-live="polite"></div>
  <div class="body"></div>
  <div class="typing" aria-live="polite"></div>
  <div class="composer" hidden></div>
</section>`;
  const $ = (sel) => root.querySelector(sel);
  const launcher = $(".launcher"), panel = $(".panel"), body = $(".body"), statusBar = $(".status");
  const composer = $(".composer"), typingLine = $(".typing");

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v === true ? "" : v);
    });
    children.flat().forEach((c) => c && node.append(c));
    return node;
  }

  // -- HTTP ------------------------------------------------------------------------------
  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    if (state.token) opts.headers.Authorization = "Bearer " + state.token;
    if (opts.json !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
      opts.method = opts.method || "POST";
    }
    const response = await fetch(BASE + "/chat/api" + path, opts);
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const error = (data && data.error) || { code: "http_" + response.status, message: "Something went wrong (" + response.status + ")", field: null };
      throw Object.assign(new Error(error.message), { error, status: response.status });
    }
    return data;
  }

  function saved() {
    try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }
  function save() {
    localStorage.setItem(STORE, JSON.stringify({ token: state.token, conversationId: state.conversationId, visitorId: state.visitorId }));
  }
  function forget() { localStorage.removeItem(STORE); state.token = null; state.conversationId = null; }

  // -- screens ---------------------------------------------------------------------------
  function show(...nodes) { body.replaceChildren(...nodes); }

  function unavailable(message) {
    launcher.hidden = true;
    host.setAttribute("data-cc-chat", "unavailable");
    console.warn("Chat: " + message);
  }

  function preChat() {
    composer.hidden = true;
    const site = state.site;
    const errors = {};
    const field = (id, label, input) => {
      errors[id] = el("p", { class: "error", id: "err-" + id, hidden: true });
      input.setAttribute("id", "f-" + id);
      input.setAttribute("aria-describedby", "err-" + id);
      return el("div", {}, el("label", { for: "f-" + id, text: label }), input, errors[id]);
    };
    const name = el("input", { name: "name", autocomplete: "name", required: true, maxlength: 120 });
    const email = el("input", { name: "email", type: "email", autocomplete: "email", maxlength: 254 });
    const topic = el("select", { name: "topic" }, site.topics.map((t) => el("option", { value: t.value, text: t.label })));
    const submit = el("button", { type: "submit", class: "primary", text: site.agents_available || site.bot ? "Start chat" : "Continue" });
    const form = el("form", { class: "stack", novalidate: true },
      el("p", { text: site.open ? "Tell us who you are and what it's about." : "We're closed right now — you can still leave us a message." }),
      field("name", "Your name", name), field("email", "Email (for a reply or the transcript)", email),
      field("topic", "What is it about?", topic), submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      Object.values(errors).forEach((e) => { e.hidden = true; });
      submit.disabled = true;
      try {
        const started = await api("/conversations", { json: {
          widget_key: KEY, name: name.value, email: email.value || null, topic: topic.value,
          language: (navigator.language || "en").slice(0, 2), visitor_id: state.visitorId } });
        state.token = started.token; state.conversationId = started.conversation_id;
        state.visitorId = started.visitor_id;
        save();
        conversationScreen();
        started.messages.forEach(addMessage);
        applyStatus(started);
        connect();
      } catch (err) {
        const target = errors[(err.error && err.error.field) || "name"] || errors.name;
        target.textContent = err.message; target.hidden = false;
        (root.getElementById("f-" + ((err.error && err.error.field) || "name")) || name).focus();
      } finally { submit.disabled = false; }
    });
    show(form);
    name.focus();
  }

  let log;
  function conversationScreen() {
    log = el("ol", { class: "log", "aria-live": "polite", "aria-label": "Conversation" });
    show(log);
    buildComposer();
  }

  const composerError = el("p", { class: "error", role: "alert", hidden: true });
  function buildComposer() {
    composer.hidden = false;
    const limit = state.site.limits;
    const input = el("textarea", { rows: 2, "aria-label": "Message", placeholder: "Type your message…", maxlength: limit.message_chars + 1 });
    const send = el("button", { type: "button", class: "primary", text: "Send" });
    const file = el("input", { type: "file", class: "sr", id: "cc-file", accept: limit.attachment_types.join(",") });
    const attach = el("label", { for: "cc-file", class: "link", text: "Attach a file" });
    const actions = el("div", { class: "actions" }, attach, file,
      el("button", { type: "button", class: "link", text: "Email me the transcript", onclick: transcriptForm }),
      el("button", { type: "button", class: "link", text: "Call me instead", onclick: callbackForm }),
      el("button", { type: "button", class: "link", text: "End chat", onclick: endChat }));
    composer.replaceChildren(el("div", { class: "row" }, input, send), composerError, actions);
    const submit = () => {
      const text = input.value.trim();
      if (!text) return;
      if (text.length > limit.message_chars) {
        return fail("Messages are limited to " + limit.message_chars + " characters; this one has " + text.length + ".");
      }
      input.value = "";
      sendMessage(text);
    };
    send.addEventListener("click", submit);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); submit(); }
    });
    input.addEventListener("input", () => typing(true));
    file.addEventListener("change", () => { if (file.files[0]) upload(file.files[0]); file.value = ""; });
    state.input = input;
  }

  function fail(message) { composerError.textContent = message; composerError.hidden = false; }
  function clearFail() { composerError.hidden = true; }

  // -- messages --------------------------------------------------------------------------
  function when(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function addMessage(m) {
    if (!m || typeof m.seq !== "number" || state.messages.has(m.seq)) return;
    state.messages.set(m.seq, m);
    state.lastSeq = Math.max(state.lastSeq, m.seq);
    if (!log) return;
    const kind = m.author.kind;
    const who = kind === "customer" ? "You" : (m.author.name || (kind === "bot" ? "Assistant" : ""));
    const item = el("li", { class: "msg " + kind, "data-seq": m.seq },
      kind === "system" ? null : el("span", { class: "who", text: who }),
      m.body ? el("span", { class: "text", text: m.body }) : null,
      (m.attachments || []).filter((a) => a.id).map((a) => el("a", { href: BASE + a.url + "?token=" + encodeURIComponent(state.token), target: "_blank", rel: "noopener", text: "📎 " + a.filename })),
      el("time", { class: "when", datetime: m.created_at, text: when(m.created_at) }));
    if (m.quick_replies && m.quick_replies.length) {
      item.append(el("div", { class: "quick", role: "group", "aria-label": "Suggested replies" },
        m.quick_replies.map((q) => el("button", { type: "button", text: q.label, onclick: () => sendMessage(q.value) }))));
    }
    const after = [...log.children].find((li) => Number(li.dataset.seq) > m.seq);
    log.insertBefore(item, after || null);
    body.scrollTop = body.scrollHeight;
    if (state.socket && state.open && document.visibilityState === "visible" && kind !== "customer") {
      state.socket.emit("read", { seq: state.lastSeq });
    }
  }

  function sendMessage(text) {
    clearFail();
    const clientId = "c-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8);
    state.pending.set(clientId, text);
    deliverPending(clientId);
  }

  function deliverPending(clientId) {
    const text = state.pending.get(clientId);
    if (!state.socket || !state.socket.connected) return; // resent on reconnect, same client id
    state.socket.timeout(10000).emit("message", { body: text, client_id: clientId }, (err, reply) => {
      if (err) return; // still pending: resent with the same client id on reconnect
      state.pending.delete(clientId);
      if (reply && reply.ok) addMessage(reply.message);
      else if (reply && reply.error) fail(reply.error.message);
    });
  }

  async function upload(file) {
    clearFail();
    const limit = state.site.limits;
    if (file.size > limit.attachment_bytes) return fail("Files are limited to " + Math.floor(limit.attachment_bytes / 1024) + " KB.");
    const form = new FormData();
    form.append("file", file);
    try {
      addMessage(await api("/conversations/" + state.conversationId + "/attachments", { method: "POST", body: form }));
    } catch (err) { fail(err.message); }
  }

  function typing(active) {
    if (!state.socket || !state.socket.connected) return;
    if (active && state.typingTimer) return;
    state.socket.emit("typing", { active: !!active });
    clearTimeout(state.typingTimer);
    state.typingTimer = active ? setTimeout(() => { state.typingTimer = null; typing(false); }, 3000) : null;
  }

  // -- status ----------------------------------------------------------------------------
  function applyStatus(s) {
    if (!s || !s.status) return;
    state.status = s;
    let text = "";
    if (s.status === "queued") {
      text = "Waiting for an agent";
      if (s.position) text += " · you are number " + s.position + " in line";
      if (s.estimated_wait_seconds != null) text += " · about " + Math.max(1, Math.round(s.estimated_wait_seconds / 60)) + " min";
    } else if (s.status === "active") {
      text = s.agent && s.agent.name ? "Chatting with " + s.agent.name : "Chatting with an agent";
    } else if (s.status === "bot") {
      text = "Assistant";
    } else if (s.status === "closed" || s.status === "left_message") {
      text = "This chat has ended";
    }
    statusBar.textContent = text;
    clearInterval(state.statusTimer);
    if (s.status === "queued") {
      state.statusTimer = setInterval(() => state.socket && state.socket.emit("status", {}, applyStatus), 10000);
    }
    if (s.leave_message && !state.closed) leaveMessageForm();
    if (s.status === "closed" && !state.closed) ended();
    if (s.status === "left_message") { state.closed = true; composer.hidden = true; }
  }

  // -- socket ----------------------------------------------------------------------------
  function unwrap(data) { return data && data.room !== undefined && data.data !== undefined ? data.data : data; }

  function connect() {
    if (state.socket) { state.socket.connect(); return; }
    const socket = window.__ccIo(BASE + "/chat", {
      transports: ["websocket", "polling"], reconnectionDelayMax: 5000,
      auth: (cb) => cb({ token: state.token, last_seq: state.lastSeq }),
    });
    state.socket = socket;
    socket.on("history", (h) => { h.messages.forEach(addMessage); applyStatus(h); state.pending.forEach((_t, id) => deliverPending(id)); });
    socket.on("message", (d) => addMessage(unwrap(d)));
    socket.on("status", (d) => applyStatus(unwrap(d)));
    socket.on("closed", () => { if (!state.closed) ended(); });
    socket.on("typing", (d) => {
      d = unwrap(d);
      typingLine.textContent = d.active ? (d.name || "The agent") + " is typing…" : "";
    });
    socket.on("connect_error", (err) => {
      const text = String(err && err.message || "");
      if (text.indexOf("invalid_token") >= 0 || text.indexOf("token_expired") >= 0) {
        socket.disconnect(); state.socket = null; forget(); preChat();
      } else if (text.indexOf("origin_not_allowed") >= 0) {
        socket.disconnect(); unavailable("this site is not allowed to use the chat");
      } else { statusBar.textContent = "Reconnecting…"; }
    });
  }

  // -- closing -----------------------------------------------------------------------------
  async function endChat() {
    try { applyStatus(await api("/conversations/" + state.conversationId + "/close", { method: "POST" })); }
    catch (err) { fail(err.message); }
  }

  function ended() {
    state.closed = true;
    composer.hidden = true;
    typingLine.textContent = "";
    clearInterval(state.statusTimer);
    const stars = el("fieldset", { class: "stars" }, el("legend", { text: "How did we do? (1 = poor, 5 = great)" }),
      [1, 2, 3, 4, 5].map((n) => el("label", {}, el("input", { type: "radio", name: "score", value: n }), el("span", { text: n + (n === 1 ? " star" : " stars") }))));
    const comment = el("textarea", { id: "cc-comment", rows: 2, maxlength: 2000 });
    const error = el("p", { class: "error", role: "alert", hidden: true });
    const form = el("form", { class: "stack rating" }, stars, el("label", { for: "cc-comment", text: "Anything to add? (optional)" }), comment, error,
      el("button", { type: "submit", class: "primary", text: "Send rating" }),
      el("button", { type: "button", class: "link", text: "Email me the transcript", onclick: transcriptForm }),
      el("button", { type: "button", class: "link", text: "Start a new chat", onclick: () => { forget(); location.reload(); } }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const picked = form.querySelector("input[name=score]:checked");
      if (!picked) { error.textContent = "Choose 1 to 5 stars."; error.hidden = false; return; }
      try {
        await api("/conversations/" + state.conversationId + "/rating", { json: { score: Number(picked.value), comment: comment.value || null } });
        form.replaceChildren(el("p", { role: "status", text: "Thank you for your rating." }));
      } catch (err) { error.textContent = err.message; error.hidden = false; }
    });
    body.append(form);
    body.scrollTop = body.scrollHeight;
  }

  function miniForm(label, type, action, done) {
    const input = el("input", { type, id: "cc-mini", required: true });
    const error = el("p", { class: "error", role: "alert", hidden: true });
    const form = el("form", { class: "stack" }, el("label", { for: "cc-mini", text: label }), input, error,
      el("button", { type: "submit", class: "primary", text: "Send" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try { await action(input.value); form.replaceChildren(el("p", { role: "status", text: done })); }
      catch (err) { error.textContent = err.message; error.hidden = false; input.focus(); }
    });
    body.append(form);
    body.scrollTop = body.scrollHeight;
    input.focus();
  }

  function transcriptForm() {
    miniForm("Send the transcript to", "email", (v) => api("/conversations/" + state.conversationId + "/transcript", { json: { email: v } }), "The transcript is on its way.");
  }
  function callbackForm() {
    miniForm("Your phone number", "tel", (v) => api("/conversations/" + state.conversationId + "/callback", { json: { phone: v } }), "We will call you back.");
  }
  function leaveMessageForm() {
    if (root.getElementById("cc-leave")) return;
    composer.hidden = true;
    const text = el("textarea", { id: "cc-leave", rows: 4, maxlength: state.site.limits.message_chars });
    const error = el("p", { class: "error", role: "alert", hidden: true });
    const form = el("form", { class: "stack" }, el("label", { for: "cc-leave", text: "Leave us a message and we will reply by email" }), text, error,
      el("button", { type: "submit", class: "primary", text: "Send message" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api("/conversations/" + state.conversationId + "/leave-message", { json: { body: text.value } });
        form.replaceChildren(el("p", { role: "status", text: "Thanks — we have your message and will reply by email." }));
        state.closed = true;
      } catch (err) { error.textContent = err.message; error.hidden = false; text.focus(); }
    });
    body.append(form);
  }

  // -- open / close ------------------------------------------------------------------------
  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) { (root.querySelector(".panel textarea, .panel input, .panel button") || panel).focus(); }
    else launcher.focus();
  }
  launcher.addEventListener("click", () => setOpen(!state.open));
  $(".close-panel").addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => { if (event.key === "Escape") setOpen(false); });

  // -- start -------------------------------------------------------------------------------
  function loadSocketClient() {
    return new Promise((resolve, reject) => {
      const existing = window.io;
      const tag = document.createElement("script");
      tag.src = BASE + "/chat/socket.io.min.js";
      tag.onload = () => { window.__ccIo = window.io; if (existing) window.io = existing; resolve(); };
      tag.onerror = reject;
      document.head.append(tag);
    });
  }

  async function boot() {
    try {
      state.site = await api("/sites/" + encodeURIComponent(KEY));
    } catch (err) {
      unavailable(err.message || "chat is not available on this site");
      return;
    }
    const theme = state.site.theme || {};
    if (theme.primary) host.style.setProperty("--cc-primary", theme.primary);
    if (theme.text) host.style.setProperty("--cc-text", theme.text);
    $("#cc-title").textContent = theme.title || state.site.name;
    launcher.textContent = theme.launcher || "Chat with us";
    await loadSocketClient();
    const previous = saved();
    if (previous && previous.token) {
      state.token = previous.token; state.conversationId = previous.conversationId; state.visitorId = previous.visitorId;
      conversationScreen();
      connect();
    } else {
      state.visitorId = previous && previous.visitorId;
      preChat();
    }
    host.setAttribute("data-cc-chat", "ready");
  }

  document.body.append(host);
  boot();
})();
