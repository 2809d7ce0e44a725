/* The customer chat widget: one script tag on any site.
   <script src="https://HOST/chat/widget.js" data-widget-key="wk_..." async></script>
   Renders in a Shadow DOM (the host page's CSS cannot reach in; its font is inherited), talks
   to /chat/api over HTTP and to the /chat Socket.IO namespace (docs/chat.md). The conversation
   token lives in localStorage per key, so a reload resumes the conversation with its history. */
(function () {
  "use strict";
  // currentScript is null only when something re-injects the code; then find the tag itself.
  const script = document.currentScript || document.querySelector("script[data-widget-key][src*='/chat/widget.js']");
  if (!script || window.__ccChatLoaded) return;
  window.__ccChatLoaded = true;
  const KEY = script.getAttribute("data-widget-key") || "";
  const BASE = new URL(script.src, location.href).origin;
  const STORE = "cc-chat:" + KEY;
  const STATUS_POLL_MS = 10000;
  const TYPING_IDLE_MS = 3000;
  const TYPING_STALE_MS = 15000; // an agent's "typing" that never said it stopped
  // The server's own rule (contactcentre/chat/customer_api.py): its 422 for a field arrives
  // before it has checked the origin, so a browser on another site cannot read that answer.
  const EMAIL = /^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s]{2,}$/;
  const TYPE_NAMES = { "image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF",
    "application/pdf": "PDF", "text/plain": "plain text" };

  const state = {
    site: null, token: null, conversationId: null, visitorId: null, email: null, lastSeq: 0,
    messages: new Map(), pending: new Map(), status: null, socket: null, io: null,
    typingOut: false, typingOutTimer: null, typingInTimer: null, statusTimer: null,
    agentJoined: false, agentReadSeq: 0, unread: 0, closed: false, open: false, rated: false,
  };

  const CSS = `
  :host { all: initial; font: inherit; }
  * { box-sizing: border-box; font-family: inherit; }
  button, input, select, textarea { font: inherit; }
  [hidden] { display: none !important; }
  .launcher { border: 0; border-radius: 999px; padding: 12px 18px; cursor: pointer; font-size: 1em;
    background: var(--cc-primary, #1f6feb); color: var(--cc-text, #fff); box-shadow: 0 4px 14px rgba(0,0,0,.25); }
  .badge { margin-left: 6px; background: #fff; color: #1b1f24; border-radius: 999px; padding: 0 7px; font-size: .8em; font-weight: 700; }
  /* Visually hidden inputs are positioned inside their own label or row, never against the panel. */
  .panel { position: absolute; right: 0; bottom: 60px; width: 370px; max-width: calc(100vw - 40px);
    height: 560px; max-height: calc(100vh - 100px); background: #fff; color: #1b1f24; border-radius: 12px;
    box-shadow: 0 10px 30px rgba(0,0,0,.3); display: flex; flex-direction: column; overflow: hidden; font-size: 15px; }
  header { background: var(--cc-primary, #1f6feb); color: var(--cc-text, #fff); padding: 10px 14px;
    display: flex; align-items: center; gap: 8px; }
  header h2 { margin: 0; font-size: 1.05em; flex: 1; font-weight: 600; }
  header button { background: transparent; color: inherit; border: 1px solid currentColor; border-radius: 6px;
    padding: 2px 9px; cursor: pointer; }
  .status { font-size: .85em; padding: 6px 14px; background: #f2f4f7; border-bottom: 1px solid #e3e6ea; }
  .status:empty { padding: 0; border: 0; }
  .body { flex: 1; min-height: 0; overflow-y: auto; padding: 10px 14px; display: flex; flex-direction: column; gap: 10px; }
  .body > * { flex-shrink: 0; }
  form.stack { display: flex; flex-direction: column; gap: 8px; border-top: 1px solid #e3e6ea; padding-top: 10px; }
  form.stack:first-child { border-top: 0; padding-top: 0; }
  .field { display: flex; flex-direction: column; gap: 3px; }
  .field > label, form.stack > label, legend { font-size: .85em; font-weight: 600; }
  input, select, textarea { width: 100%; padding: 7px 8px; border: 1px solid #6b7684; border-radius: 6px; color: #1b1f24; background: #fff; }
  textarea { resize: none; }
  .primary { background: var(--cc-primary, #1f6feb); color: var(--cc-text, #fff); border: 0;
    border-radius: 6px; padding: 8px 12px; cursor: pointer; font-weight: 600; }
  .primary:disabled { opacity: .6; cursor: progress; }
  .link { background: none; border: 0; color: #0b4fb3; text-decoration: underline; cursor: pointer; padding: 2px;
    font-size: 1em; font-weight: 400; }
  :focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
  .error { color: #b42318; font-size: .85em; margin: 0; }
  .error::before { content: "⚠ "; }
  .note { margin: 0; }
  .log { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
  .msg { max-width: 85%; padding: 7px 10px; border-radius: 10px; background: #eef1f5; white-space: pre-wrap;
    overflow-wrap: anywhere; align-self: flex-start; }
  .msg.customer { align-self: flex-end; background: var(--cc-primary, #1f6feb); color: var(--cc-text, #fff); }
  .msg.system { align-self: stretch; max-width: none; text-align: center; background: none; color: #4b5563;
    font-size: .85em; font-style: italic; padding: 2px; }
  .msg.pending { opacity: .75; }
  .msg.failed { border: 2px dashed #b42318; }
  .msg .who { display: block; font-size: .75em; font-weight: 700; opacity: .85; }
  .msg .meta { display: block; font-size: .72em; opacity: .8; margin-top: 2px; }
  .msg a { color: inherit; display: block; }
  .msg a svg { width: 1em; height: 1em; vertical-align: -0.125em; margin-right: 4px; }
  .msg .retry { color: inherit; font-size: 1em; }
  .quick { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
  .quick button { border: 1px solid var(--cc-primary, #1f6feb); color: #1b1f24; background: #fff;
    border-radius: 999px; padding: 4px 10px; cursor: pointer; }
  .quick button:disabled { cursor: default; opacity: .55; }
  .typing { font-size: .82em; color: #4b5563; min-height: 1.3em; padding: 0 14px; font-style: italic; }
  .composer { border-top: 1px solid #e3e6ea; padding: 8px 10px; display: flex; flex-direction: column; gap: 6px; }
  .row { display: flex; gap: 6px; align-items: flex-end; }
  .actions { position: relative; display: flex; flex-wrap: wrap; gap: 2px 10px; font-size: .85em; }
  .file-input { position: absolute; opacity: 0; width: 1px; height: 1px; }
  .file-input:focus-visible + label { outline: 3px solid #ffbf47; }
  .actions label { color: #0b4fb3; text-decoration: underline; cursor: pointer; padding: 2px; }
  fieldset.stars { display: flex; flex-wrap: wrap; gap: 4px; border: 0; padding: 0; margin: 0; }
  fieldset.stars legend { width: 100%; margin-bottom: 4px; padding: 0; }
  .stars label { position: relative; border: 1px solid #6b7684; border-radius: 6px; padding: 4px 8px; cursor: pointer; font-size: .9em; }
  .stars input { position: absolute; opacity: 0; width: 1px; height: 1px; }
  .stars input:checked + span::before { content: "★ "; }
  .stars label:has(input:checked) { background: var(--cc-primary, #1f6feb); color: var(--cc-text, #fff); font-weight: 700; }
  .stars label:has(input:focus-visible) { outline: 3px solid #ffbf47; outline-offset: 2px; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }`;

  // -- DOM -------------------------------------------------------------------------------
  const host = document.createElement("div");
  // Inline, so the host page's own rules (even `* { ... }`) lose to it; only the font comes through.
  host.style.cssText = "all:initial;position:fixed;z-index:2147483000;right:20px;bottom:20px;font:inherit";
  host.setAttribute("data-cc-chat", "loading");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `<style>${CSS}</style>
<button type="button" class="launcher" aria-expanded="false" aria-controls="cc-panel" hidden><span class="label">Chat with us</span><span class="badge" hidden></span></button>
<section class="panel" id="cc-panel" role="dialog" aria-labelledby="cc-title" hidden>
  <header><h2 id="cc-title">Chat</h2><button type="button" class="close-panel" aria-label="Minimise chat" title="Minimise (Esc)">–</button></header>
  <div class="status" role="status" aria-live="polite"></div>
  <div class="body"></div>
  <div class="typing" aria-live="polite"></div>
  <div class="composer" hidden></div>
</section>`;
  const $ = (sel) => root.querySelector(sel);
  const launcher = $(".launcher"), panel = $(".panel"), body = $(".body"), statusBar = $(".status");
  const composer = $(".composer"), typingLine = $(".typing"), badge = $(".badge");

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
  function clip() {
    const icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 24 24"); icon.setAttribute("aria-hidden", "true");
    icon.innerHTML = '<path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M21 11.5l-8.6 8.6a5.5 5.5 0 01-7.8-7.8l8.6-8.6a3.7 3.7 0 015.2 5.2l-8.6 8.6a1.8 1.8 0 01-2.6-2.6l7.9-7.9"/>';
    return icon;
  }
  function scrollDown() { body.scrollTop = body.scrollHeight; }
  function size(bytes) {
    return bytes >= 1048576 ? (Math.round(bytes / 104857.6) / 10) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }
  function newClientId() {
    const random = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : Math.random().toString(36).slice(2) + Date.now().toString(36);
    return "c-" + random;
  }
  function unwrap(data) {
    return data && typeof data === "object" && "room" in data && "data" in data ? data.data : data;
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
    let response;
    try {
      response = await fetch(BASE + "/chat/api" + path, opts);
    } catch (e) {
      // A network failure, or an answer the browser may not read (no CORS header).
      throw Object.assign(new Error("We could not reach the chat service. Check your connection and try again."), { error: { code: "unreachable" }, status: 0 });
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const error = (data && data.error) || { code: "http_" + response.status, message: "Something went wrong (" + response.status + "); please try again.", field: null };
      throw Object.assign(new Error(sentence(error.message)), { error, status: response.status });
    }
    return data;
  }
  function sentence(text) { text = String(text || ""); return text.charAt(0).toUpperCase() + text.slice(1); }

  function saved() {
    try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }
  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify({ token: state.token, conversationId: state.conversationId, visitorId: state.visitorId, email: state.email, rated: state.rated }));
    } catch (e) { /* storage disabled: the chat still works, it just won't survive a reload */ }
  }
  function forget() {
    try { localStorage.setItem(STORE, JSON.stringify({ visitorId: state.visitorId })); } catch (e) { /* ignore */ }
    state.token = null; state.conversationId = null;
  }

  // -- screens ---------------------------------------------------------------------------
  function show(...nodes) { body.replaceChildren(...nodes); }

  function unavailable(detail) {
    host.setAttribute("data-cc-chat", "unavailable");
    launcher.hidden = false;
    composer.hidden = true;
    statusBar.textContent = "";
    show(el("p", { class: "note", role: "alert", text: "Chat is not available on this site." }),
      el("p", { class: "note", text: "Please contact us another way; we are sorry for the trouble." }));
    console.warn("Chat widget: the chat is not available on " + location.origin + " (" + detail + "). " +
      "An administrator can add this origin to the chat site's allowed origins.");
  }

  function preChat(notice) {
    composer.hidden = true;
    statusBar.textContent = "";
    const site = state.site;
    const errors = {};
    const field = (id, label, input, hint) => {
      errors[id] = el("p", { class: "error", id: "err-" + id, hidden: true });
      input.setAttribute("id", "f-" + id);
      input.setAttribute("aria-describedby", "err-" + id);
      return el("div", { class: "field" }, el("label", { for: "f-" + id, text: label }), input, hint, errors[id]);
    };
    const name = el("input", { name: "name", autocomplete: "name", required: true, maxlength: 120 });
    const email = el("input", { name: "email", type: "email", autocomplete: "email", maxlength: 254 });
    const topic = el("select", { name: "topic" }, site.topics.map((t) => el("option", { value: t.value, text: t.label })));
    const live = site.agents_available || site.bot;
    const submit = el("button", { type: "submit", class: "primary", text: live ? "Start chat" : "Continue" });
    const intro = site.open
      ? (site.agents_available ? "Tell us who you are and what it's about." : "No one is free to chat right now; our assistant can help, or you can leave us a message.")
      : "We're closed right now; you can still leave us a message and we will reply by email.";
    const form = el("form", { class: "stack", novalidate: true, "aria-label": "Start a chat" },
      notice ? el("p", { class: "note", role: "status", text: notice }) : null,
      el("p", { class: "note", text: intro }),
      field("name", "Your name", name), field("email", "Email (for a reply or the transcript)", email),
      field("topic", "What is it about?", topic), submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      Object.values(errors).forEach((e) => { e.hidden = true; });
      [name, email, topic].forEach((i) => i.removeAttribute("aria-invalid"));
      if (!name.value.trim()) return fieldError("name", "Enter your name so we know who we are talking to.");
      if (email.value.trim() && !EMAIL.test(email.value.trim())) return fieldError("email", "Enter an email address like ann@example.com, or leave it empty.");
      submit.disabled = true;
      try {
        const started = await api("/conversations", { json: {
          widget_key: KEY, name: name.value.trim(), email: email.value.trim() || null, topic: topic.value,
          language: (navigator.language || "en").slice(0, 2), visitor_id: state.visitorId || undefined } });
        state.token = started.token; state.conversationId = started.conversation_id;
        state.visitorId = started.visitor_id; state.email = email.value.trim() || null;
        save();
        conversationScreen();
        started.messages.forEach(addMessage);
        applyStatus(started);
        connect();
        if (!composer.hidden) state.input.focus();
      } catch (err) {
        fieldError((err.error && err.error.field) || "name", err.message);
      } finally { submit.disabled = false; }
    });
    function fieldError(id, message) {
      const target = errors[id] || errors.name;
      const input = root.getElementById("f-" + id) || name;
      target.textContent = message; target.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
    show(form);
    if (state.open) name.focus();
  }

  let log = null;
  function conversationScreen() {
    state.messages.clear(); state.lastSeq = 0; state.agentJoined = false; state.closed = false;
    log = el("ol", { class: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation" });
    show(log);
    buildComposer();
  }

  const composerError = el("p", { class: "error", role: "alert", hidden: true });
  function buildComposer() {
    composer.hidden = false;
    const limit = state.site.limits;
    const input = el("textarea", { rows: 2, "aria-label": "Message", "aria-describedby": "cc-composer-error",
      placeholder: "Type your message…", maxlength: limit.message_chars + 1 });
    composerError.id = "cc-composer-error";
    const send = el("button", { type: "button", class: "primary", text: "Send" });
    const file = el("input", { type: "file", class: "file-input", id: "cc-file",
      accept: limit.attachment_types.join(","), "aria-describedby": "cc-composer-error" });
    const attach = el("label", { for: "cc-file", text: "Attach a file" });
    const actions = el("div", { class: "actions" }, file, attach,
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
      typing(false);
      sendMessage(text);
    };
    send.addEventListener("click", submit);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
    });
    input.addEventListener("input", () => { if (input.value.length <= limit.message_chars) clearFail(); typing(true); });
    file.addEventListener("change", () => { if (file.files[0]) upload(file.files[0]); file.value = ""; });
    state.input = input;
  }

  function fail(message) { composerError.textContent = message; composerError.hidden = false; }
  function clearFail() { composerError.hidden = true; composerError.textContent = ""; }

  // -- messages --------------------------------------------------------------------------
  function when(iso) {
    const date = new Date(iso);
    const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return date.toDateString() === new Date().toDateString() ? time : date.toLocaleDateString([], { day: "numeric", month: "short" }) + ", " + time;
  }

  function authorName(m) {
    const kind = m.author.kind;
    if (kind === "customer") return "You";
    return m.author.name || (kind === "bot" ? "Assistant" : kind === "supervisor" ? "Supervisor" : "Agent");
  }

  function addMessage(m) {
    if (!m || typeof m.seq !== "number" || state.messages.has(m.seq)) return;
    state.messages.set(m.seq, m);
    state.lastSeq = Math.max(state.lastSeq, m.seq);
    const kind = m.author.kind;
    if (kind === "agent" || kind === "supervisor") state.agentJoined = true;
    const waiting = m.client_id && state.pending.get(m.client_id);
    if (waiting) { waiting.node.remove(); state.pending.delete(m.client_id); }
    if (!log) return;
    const item = el("li", { class: "msg " + kind, "data-seq": m.seq },
      kind === "system" ? null : el("span", { class: "who", text: authorName(m) }),
      m.body ? el("span", { class: "text", text: m.body }) : null,
      (m.attachments || []).filter((a) => a.id).map((a) => el("a", {
        href: BASE + a.url + (a.url.indexOf("?") >= 0 ? "&" : "?") + "token=" + encodeURIComponent(state.token),
        target: "_blank", rel: "noopener" }, clip(), a.filename + " (" + size(a.size) + ")")),
      el("time", { class: "meta", datetime: m.created_at, title: new Date(m.created_at).toLocaleString(), text: when(m.created_at) }));
    if (m.quick_replies && m.quick_replies.length) {
      const group = el("div", { class: "quick", role: "group", "aria-label": "Suggested replies" });
      group.append(...m.quick_replies.map((q) => el("button", { type: "button", text: q.label,
        onclick: () => { disableQuickReplies(); sendMessage(q.value); } })));
      item.append(group);
    }
    const after = [...log.children].find((li) => li.dataset.seq && Number(li.dataset.seq) > m.seq);
    const firstPending = log.querySelector(".pending");
    log.insertBefore(item, after || firstPending || null);
    // Only the latest message's suggestions stay usable.
    [...log.querySelectorAll(".quick")].slice(0, -1).forEach((g) => g.querySelectorAll("button").forEach((b) => { b.disabled = true; }));
    if (kind === "agent" || kind === "supervisor") setTyping(null);
    markSeen();
    scrollDown();
    if (kind !== "customer") {
      if (state.open && document.visibilityState === "visible") sendRead();
      else if (!state.restoring) { state.unread += 1; showUnread(); }
    }
  }

  function disableQuickReplies() { log && log.querySelectorAll(".quick button").forEach((b) => { b.disabled = true; }); }

  function markSeen() {
    if (!log || !state.agentReadSeq) return;
    log.querySelectorAll(".seen").forEach((n) => n.remove());
    const mine = [...log.querySelectorAll(".msg.customer[data-seq]")].filter((li) => Number(li.dataset.seq) <= state.agentReadSeq);
    const last = mine[mine.length - 1];
    if (last) last.querySelector(".meta").append(el("span", { class: "seen", text: " · Seen" }));
  }

  function sendRead() {
    if (state.socket && state.socket.connected && state.lastSeq) state.socket.emit("read", { seq: state.lastSeq });
  }

  function showUnread() {
    badge.hidden = state.unread === 0 || state.open;
    badge.textContent = state.unread + " new";
  }

  function pendingBubble(text) {
    const meta = el("span", { class: "meta", text: "Sending…" });
    const node = el("li", { class: "msg customer pending" }, el("span", { class: "who", text: "You" }), el("span", { class: "text", text }), meta);
    log.append(node);
    scrollDown();
    return { node, meta };
  }

  function sendMessage(text) {
    clearFail();
    const clientId = newClientId();
    state.pending.set(clientId, Object.assign({ text }, pendingBubble(text)));
    deliverPending(clientId);
  }

  function deliverPending(clientId) {
    const entry = state.pending.get(clientId);
    if (!entry) return;
    entry.node.classList.remove("failed");
    entry.meta.replaceChildren("Sending…");
    if (!state.socket || !state.socket.connected) return; // resent on reconnect, same client id
    state.socket.timeout(10000).emit("message", { body: entry.text, client_id: clientId }, (err, reply) => {
      if (!state.pending.has(clientId)) return; // already delivered through the room
      if (err) return notSent(clientId, "Not sent yet");
      if (reply && reply.ok) return addMessage(reply.message);
      const error = (reply && reply.error) || {};
      if (error.code === "rate_limited" || error.code === "not_connected") {
        notSent(clientId, "Not sent");
      } else {
        entry.node.remove(); state.pending.delete(clientId);
        if (state.input && !state.input.value) state.input.value = entry.text;
      }
      fail(sentence(error.message || "Your message could not be sent."));
    });
  }

  function notSent(clientId, label) {
    const entry = state.pending.get(clientId);
    entry.node.classList.add("failed");
    entry.meta.replaceChildren(label + " · ", el("button", { type: "button", class: "link retry", text: "Retry",
      "aria-label": "Retry sending: " + entry.text.slice(0, 40), onclick: () => deliverPending(clientId) }));
  }

  async function upload(file) {
    clearFail();
    const limit = state.site.limits;
    const allowed = limit.attachment_types;
    if (allowed.length && allowed.indexOf(file.type) < 0) {
      return fail(file.name + " can't be sent: you can attach " + allowed.map((t) => TYPE_NAMES[t] || t).join(", ") + " files.");
    }
    if (file.size > limit.attachment_bytes) {
      return fail(file.name + " is " + size(file.size) + "; files are limited to " + size(limit.attachment_bytes) + ".");
    }
    const clientId = newClientId();
    const bubble = pendingBubble("Attachment: " + file.name);
    bubble.meta.textContent = "Uploading…";
    state.pending.set(clientId, Object.assign({ text: file.name, upload: true }, bubble));
    const form = new FormData();
    form.append("file", file);
    form.append("client_id", clientId);
    try {
      addMessage(await api("/conversations/" + state.conversationId + "/attachments", { method: "POST", body: form }));
    } catch (err) {
      bubble.node.remove(); state.pending.delete(clientId);
      fail(file.name + ": " + err.message);
    }
  }

  function typing(active) {
    if (!state.socket || !state.socket.connected) return;
    clearTimeout(state.typingOutTimer);
    if (active) {
      if (!state.typingOut) state.socket.emit("typing", { active: true });
      state.typingOut = true;
      state.typingOutTimer = setTimeout(() => typing(false), TYPING_IDLE_MS);
    } else if (state.typingOut) {
      state.typingOut = false;
      state.socket.emit("typing", { active: false });
    }
  }

  function setTyping(name) {
    clearTimeout(state.typingInTimer);
    typingLine.textContent = name ? name + " is typing…" : "";
    if (name) state.typingInTimer = setTimeout(() => setTyping(null), TYPING_STALE_MS);
  }

  // -- status ----------------------------------------------------------------------------
  function applyStatus(s) {
    s = unwrap(s);
    if (!s || !s.status) return;
    state.status = s;
    let text = "";
    if (s.status === "queued") {
      text = "Waiting for an agent";
      if (s.position) text += " · you are number " + s.position + " in line";
      if (s.estimated_wait_seconds != null) {
        const minutes = Math.max(1, Math.round(s.estimated_wait_seconds / 60));
        text += " · about " + minutes + (minutes === 1 ? " minute" : " minutes");
      }
    } else if (s.status === "active") {
      state.agentJoined = true;
      text = s.agent && s.agent.name ? "Chatting with " + s.agent.name : "Chatting with an agent";
    } else if (s.status === "bot") {
      text = s.leave_message ? "No one is available to chat right now" : "Chatting with our assistant";
    } else if (s.status === "left_message") {
      text = "Message sent; we will reply by email";
    } else if (s.status === "closed") {
      text = "This chat has ended";
    }
    statusBar.textContent = text;
    if (s.status === "queued" && !state.statusTimer) {
      state.statusTimer = setInterval(() => {
        if (state.socket && state.socket.connected) state.socket.emit("status", {}, applyStatus);
      }, STATUS_POLL_MS);
    } else if (s.status !== "queued") {
      clearInterval(state.statusTimer); state.statusTimer = null;
    }
    if (s.leave_message && !state.closed) leaveMessageForm();
    if (s.status === "closed" && !state.closed) ended();
    if (s.status === "left_message" && !state.closed) { state.closed = true; composer.hidden = true; }
  }

  // -- socket ----------------------------------------------------------------------------
  function connect() {
    if (state.socket) { state.socket.connect(); return; }
    const socket = state.io(BASE + "/chat", {
      transports: ["websocket", "polling"], reconnectionDelayMax: 5000,
      auth: (cb) => cb({ token: state.token, last_seq: state.lastSeq }),
    });
    state.socket = socket;
    socket.on("history", (h) => {
      h = unwrap(h);
      state.restoring = state.lastSeq === 0;
      (h.messages || []).forEach(addMessage);
      state.restoring = false;
      applyStatus(h);
      if (state.open) sendRead();
      state.pending.forEach((entry, id) => { if (!entry.upload) deliverPending(id); });
    });
    socket.on("message", (d) => addMessage(unwrap(d)));
    socket.on("status", (d) => applyStatus(d));
    socket.on("closed", () => { if (!state.closed) ended(); });
    // The server lost Redis a while: connect again, and the history after lastSeq is replayed.
    socket.on("resync", () => { socket.disconnect(); socket.connect(); });
    socket.on("read", (d) => { d = unwrap(d); if (d && d.seq > state.agentReadSeq) { state.agentReadSeq = d.seq; markSeen(); } });
    socket.on("typing", (d) => {
      d = unwrap(d) || {};
      setTyping(d.active ? (d.name || (state.status && state.status.agent && state.status.agent.name) || "The agent") : null);
    });
    // The server refused an event (too many too fast); "too_many_events" closes the socket next.
    socket.on("refused", (e) => {
      e = e || {};
      if (e.code === "too_many_events") state.refusal = sentence(e.message);
      else if (e.event === "message" || e.event === "typing") fail(sentence(e.message));
    });
    socket.on("disconnect", (reason) => {
      if (state.closed) return;
      // Closed by the server, the socket does not reconnect by itself: say why and how to.
      statusBar.textContent = reason === "io server disconnect" && state.refusal ? state.refusal : "Connection lost; reconnecting…";
    });
    socket.on("connect_error", (err) => {
      const text = String((err && err.message) || "");
      if (/invalid_token|token_expired|forbidden/.test(text)) {
        socket.disconnect(); state.socket = null; forget(); preChat("Your previous chat has ended. Start a new one below.");
      } else if (/origin_not_allowed|site_disabled/.test(text)) {
        socket.disconnect(); state.socket = null; unavailable(text);
      } else if (/too_many_sockets/.test(text)) {
        // Refused, so it does not retry: "this chat is open in too many windows…".
        statusBar.textContent = sentence(text.replace(/^too_many_sockets:\s*/, ""));
      } else if (!state.closed) {
        statusBar.textContent = "Connection lost; reconnecting…";
      }
    });
  }

  // -- closing -----------------------------------------------------------------------------
  async function endChat() {
    try { applyStatus(await api("/conversations/" + state.conversationId + "/close", { method: "POST" })); }
    catch (err) { fail(err.message); }
  }

  function ended() {
    state.closed = true;
    const hadFocus = composer.contains(root.activeElement);
    composer.hidden = true;
    setTyping(null);
    clearInterval(state.statusTimer); state.statusTimer = null;
    statusBar.textContent = "This chat has ended";
    const after = el("div", { class: "stack ended" });
    disableQuickReplies();
    if (state.agentJoined && !state.rated) after.append(ratingForm());
    else if (state.rated) after.append(el("p", { class: "note", text: "This chat has ended. Thank you for your rating." }));
    else after.append(el("p", { class: "note", text: "This chat has ended. Thank you for getting in touch." }));
    after.append(el("div", { class: "actions" },
      el("button", { type: "button", class: "link", text: "Email me the transcript", onclick: transcriptForm }),
      el("button", { type: "button", class: "link", text: "Start a new chat", onclick: newChat })));
    body.append(after);
    scrollDown();
    if (hadFocus || state.open) (after.querySelector("input, button") || panel).focus();
  }

  function ratingForm() {
    const stars = el("fieldset", { class: "stars" }, el("legend", { text: "How did we do? (1 = poor, 5 = great)" }),
      [1, 2, 3, 4, 5].map((n) => el("label", {}, el("input", { type: "radio", name: "score", value: n }),
        el("span", { text: n + (n === 1 ? " star" : " stars") }))));
    const comment = el("textarea", { id: "cc-comment", rows: 2, maxlength: 2000 });
    const error = el("p", { class: "error", role: "alert", hidden: true });
    const form = el("form", { class: "stack rating", "aria-label": "Rate this chat" }, stars,
      el("label", { for: "cc-comment", text: "Anything to add? (optional)" }), comment, error,
      el("button", { type: "submit", class: "primary", text: "Send rating" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const picked = form.querySelector("input[name=score]:checked");
      if (!picked) { error.textContent = "Choose from 1 to 5 stars, then send."; error.hidden = false; form.querySelector("input[name=score]").focus(); return; }
      try {
        await api("/conversations/" + state.conversationId + "/rating", { json: { score: Number(picked.value), comment: comment.value.trim() || null } });
        state.rated = true; save();
        form.replaceChildren(el("p", { class: "note", role: "status", text: "Thank you for your rating." }));
      } catch (err) { error.textContent = err.message; error.hidden = false; }
    });
    return form;
  }

  function newChat() {
    if (state.socket) { state.socket.disconnect(); state.socket = null; }
    state.pending.clear(); state.agentReadSeq = 0; state.closed = false; state.rated = false; log = null;
    forget();
    preChat();
    root.getElementById("f-name").focus();
  }

  function miniForm(id, label, attrs, action, done) {
    const existing = root.getElementById(id);
    if (existing) { existing.focus(); return; }
    const input = el("input", Object.assign({ id, required: true }, attrs));
    const error = el("p", { class: "error", role: "alert", hidden: true });
    const cancel = el("button", { type: "button", class: "link", text: "Cancel", onclick: () => form.remove() });
    const form = el("form", { class: "stack" }, el("label", { for: id, text: label }), input, error,
      el("div", { class: "row" }, el("button", { type: "submit", class: "primary", text: "Send" }), cancel));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!input.value.trim()) { error.textContent = "Fill this in first."; error.hidden = false; input.focus(); return; }
      try { await action(input.value.trim()); form.replaceChildren(el("p", { class: "note", role: "status", text: done })); }
      catch (err) { error.textContent = err.message; error.hidden = false; input.focus(); }
    });
    body.append(form);
    scrollDown();
    input.focus();
  }

  function transcriptForm() {
    miniForm("cc-transcript", "Email the transcript to", { type: "email", autocomplete: "email", value: state.email || undefined },
      (v) => api("/conversations/" + state.conversationId + "/transcript", { json: { email: v } }),
      "The transcript is on its way to your inbox.");
  }
  function callbackForm() {
    miniForm("cc-phone", "Your phone number (we will call you back)", { type: "tel", autocomplete: "tel" },
      (v) => api("/conversations/" + state.conversationId + "/callback", { json: { phone: v } }),
      "Thanks: one of our team will call you back.");
  }
  function leaveMessageForm() {
    if (root.getElementById("cc-leave")) return;
    composer.hidden = true;
    disableQuickReplies();
    const text = el("textarea", { id: "cc-leave", rows: 4, maxlength: state.site.limits.message_chars });
    const error = el("p", { class: "error", role: "alert", hidden: true });
    const form = el("form", { class: "stack" }, el("label", { for: "cc-leave", text: "Leave us a message and we will reply by email" }), text, error,
      el("button", { type: "submit", class: "primary", text: "Send message" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!text.value.trim()) { error.textContent = "Write your message first."; error.hidden = false; text.focus(); return; }
      try {
        await api("/conversations/" + state.conversationId + "/leave-message", { json: { body: text.value.trim() } });
        state.closed = true;
        form.replaceChildren(el("p", { class: "note", role: "status", text: "Thanks, we have your message and will reply by email." }),
          el("button", { type: "button", class: "link", text: "Start a new chat", onclick: newChat }));
      } catch (err) { error.textContent = err.message; error.hidden = false; text.focus(); }
    });
    body.append(form);
    scrollDown();
    if (state.open) text.focus();
  }

  // -- open / close ------------------------------------------------------------------------
  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      state.unread = 0; showUnread(); sendRead(); scrollDown();
      const target = (!composer.hidden && state.input) || body.querySelector("input, select, textarea, button") || $(".close-panel");
      target.focus();
    } else {
      launcher.focus();
    }
  }
  launcher.addEventListener("click", () => setOpen(!state.open));
  $(".close-panel").addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.stopPropagation(); setOpen(false); }
  });
  document.addEventListener("visibilitychange", () => { if (state.open && document.visibilityState === "visible") sendRead(); });

  // -- start -------------------------------------------------------------------------------
  function socketClient() {
    // A host page's own Socket.IO v4 client speaks our protocol (5); anything else stays theirs.
    if (window.io && window.io.protocol === 5) return Promise.resolve(window.io);
    return new Promise((resolve, reject) => {
      const theirs = Object.prototype.hasOwnProperty.call(window, "io") ? window.io : undefined;
      const amd = typeof window.define === "function" && window.define.amd ? window.define : null;
      if (amd) window.define = undefined; // the UMD bundle would register with RequireJS instead
      const tag = document.createElement("script");
      tag.src = BASE + "/chat/socket.io.min.js";
      tag.async = true;
      const restore = () => {
        if (amd) window.define = amd;
        const ours = window.io;
        if (theirs === undefined) delete window.io; else window.io = theirs;
        return ours;
      };
      tag.onload = () => { const ours = restore(); ours ? resolve(ours) : reject(new Error("no Socket.IO client")); };
      tag.onerror = () => { restore(); reject(new Error("the chat client could not be loaded")); };
      document.head.append(tag);
    });
  }

  async function boot() {
    document.body.append(host);
    try {
      state.site = await api("/sites/" + encodeURIComponent(KEY));
    } catch (err) {
      return unavailable(err.error && err.error.code === "unreachable" ? "the server refused this origin or key, or is unreachable" : err.message);
    }
    const theme = state.site.theme || {};
    if (theme.primary) host.style.setProperty("--cc-primary", theme.primary);
    if (theme.text) host.style.setProperty("--cc-text", theme.text);
    $("#cc-title").textContent = theme.title || state.site.name;
    $(".launcher .label").textContent = theme.launcher || "Chat with us";
    launcher.hidden = false;
    try {
      state.io = await socketClient();
    } catch (err) {
      return unavailable(err.message);
    }
    const previous = saved() || {};
    state.visitorId = previous.visitorId || null;
    if (previous.token) {
      state.token = previous.token; state.conversationId = previous.conversationId; state.email = previous.email || null;
      state.rated = !!previous.rated;
      conversationScreen();
      connect();
    } else {
      preChat();
    }
    host.setAttribute("data-cc-chat", "ready");
  }

  if (document.body) boot();
  else document.addEventListener("DOMContentLoaded", boot);
})();
