/* Email in the agent console: the thread (the customer's HTML only ever inside a sandboxed
   frame with no scripts and no network, or the plain-text view), the quoted history folded
   away, attachments as downloads, and the reply editor with the template picker. A reply's
   status (queued, sending, sent, failed) is pushed by the sending job ("email_status" in the
   interaction's room) and read again whenever the thread loads; nothing polls.
   console.js mounts it in the centre pane. */
(function () {
  "use strict";
  const { h, api, dateTime } = window.UI;
  const LIMIT = 20000; // contactcentre/email/agent_reply.py MAX_REPLY_CHARS; the server checks it
  const threads = new Map(); // task_id -> {el, list, data, messages: Map(id -> message), ...}
  let onChange = () => {};
  // Nothing in the frame may load or run: no scripts (sandbox), no requests (CSP), images
  // only if they are data: (the sanitiser keeps cid: ones, which a frame cannot resolve).
  const FRAME_HEAD = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">'
    + "<style>body{font:14px/1.45 system-ui,sans-serif;margin:8px;color:#1d2530;overflow-wrap:anywhere}</style>";
  const STATUS_WORDS = { queued: "queued", sending: "sending…", sent: "sent", failed: "failed" };

  function thread(taskId) {
    let t = threads.get(taskId);
    if (!t) { t = { taskId, messages: new Map(), loaded: false, data: {}, templateId: null }; threads.set(taskId, t); }
    return t;
  }

  function path(taskId, rest) { return "/api/v1/emails/" + encodeURIComponent(taskId) + (rest || ""); }
  function newClientId() { return "e-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10); }

  function statusTag(m) {
    if (m.direction !== "out") return null;
    const words = (m.purpose === "acknowledgement" ? "automatic acknowledgement · " : "") + (STATUS_WORDS[m.status] || m.status);
    return h("span", { class: "status-tag email-status", dataset: { status: m.status }, text: words });
  }

  function frameFor(html) {
    const frame = h("iframe", { class: "email-frame", title: "The message as the customer formatted it", sandbox: "", referrerpolicy: "no-referrer" });
    frame.srcdoc = FRAME_HEAD + html; // a property, never markup of this page
    return frame;
  }

  function renderMessage(t, m) {
    const who = m.direction === "in" ? (m.from || "Customer") : "You → " + m.to;
    const head = h("header", { class: "email-head" }, [
      h("strong", { text: who }),
      h("span", { class: "muted", text: m.subject }),
      h("time", { datetime: m.at, text: dateTime(Date.parse(m.at) / 1000) }),
      statusTag(m),
    ]);
    const body = h("div", { class: "email-body" });
    // replaceChildren would write a null as the text "null": only the parts there are.
    const showText = () => body.replaceChildren(...[
      h("pre", { class: "email-text", text: m.direction === "in" ? (m.reply_text || m.text) : m.text }),
      m.signature ? h("pre", { class: "email-signature muted", text: m.signature }) : null,
      m.quoted_text ? h("details", { class: "email-quoted" }, [h("summary", { text: "Quoted earlier messages" }), h("pre", { text: m.quoted_text })]) : null,
    ].filter(Boolean));
    const toggle = m.html ? h("button", { type: "button", class: "link email-toggle" }) : null;
    let formatted = false;
    const show = (asHtml) => {
      formatted = asHtml;
      if (asHtml) body.replaceChildren(frameFor(m.html)); else showText();
      if (toggle) toggle.textContent = asHtml ? "Show plain text" : "Show formatted";
    };
    if (toggle) toggle.addEventListener("click", () => show(!formatted));
    show(false); // the plain text first: the new words apart from the quotes
    const files = (m.attachments || []).map((a) => a.url
      ? h("a", { class: "chat-file", href: a.url, download: a.filename, rel: "noopener", text: "Attachment: " + a.filename + " (" + Math.max(1, Math.ceil(a.size / 1024)) + " KB)" })
      : h("span", { class: "muted", text: "Attachment withheld: " + a.filename + " (" + String(a.refusal || "refused").replace(/_/g, " ") + ")" }));
    return h("li", { class: "email-msg " + m.direction, dataset: { id: m.id } }, [
      head, toggle, body, files.length ? h("div", { class: "email-files" }, files) : null,
    ]);
  }

  function renderList(t) {
    if (!t.list) return;
    const ordered = Array.from(t.messages.values()).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    t.list.replaceChildren(...ordered.map((m) => renderMessage(t, m)));
    t.list.scrollTop = t.list.scrollHeight;
  }

  async function load(t) {
    const data = await api("GET", path(t.taskId));
    t.loaded = true;
    t.data = data;
    data.messages.forEach((m) => t.messages.set(m.id, m));
    if (t.el) {
      t.el.querySelector(".email-head-line").textContent = [data.customer_address, data.reference, "to " + data.mailbox].join(" · ");
      t.el.querySelector(".email-composer").hidden = !data.may_reply;
    }
    renderList(t);
  }

  function showError(t, text) {
    const error = t.el.querySelector(".email-error");
    error.textContent = text || "";
    error.hidden = !text;
  }

  async function send(t, input, id) {
    const text = input.value.trim();
    if (!text) { showError(t, "body: write a reply or pick a template"); input.focus(); return; }
    if (text.length > LIMIT) { showError(t, "body: a reply is at most " + LIMIT + " characters; this one has " + text.length + "."); input.focus(); return; }
    showError(t, "");
    const button = t.el.querySelector(".email-send");
    button.disabled = true;
    try {
      const body = { body: text, client_id: id };
      if (t.templateId) body.template_id = t.templateId;
      const message = await api("POST", path(t.taskId, "/replies"), body);
      t.messages.set(message.id, message);
      input.value = "";
      t.templateId = null;
      t.el.querySelector(".email-template").value = "";
      t.clientId = null;
      renderList(t);
    } catch (e) {
      // The same client id on a retry: a reply stored before the error is not sent twice.
      showError(t, (e.field && e.field !== "interaction_id" ? e.field + ": " : "") + (e.status ? e.message : "no connection; press Send again"));
    } finally {
      button.disabled = false;
    }
  }

  async function templates(t, select) {
    try {
      const data = await api("GET", "/api/v1/canned-responses?interaction_id=" + encodeURIComponent(t.taskId));
      t.templates = new Map(data.items.map((r) => [String(r.id), r]));
      select.replaceChildren(
        h("option", { value: "", text: data.items.length ? "Insert a template…" : "No templates (an administrator adds canned responses)" }),
        ...data.items.map((r) => h("option", { value: String(r.id), text: r.title })),
      );
    } catch (e) { showError(t, "Could not load templates: " + e.message); }
  }

  function build(t) {
    t.list = h("ol", { class: "email-thread", "aria-label": "Email thread", tabindex: "0" });
    const input = h("textarea", { rows: "6", id: "email-input-" + t.taskId, "aria-describedby": "email-error-" + t.taskId, placeholder: "Write your reply (plain text). Ctrl+Enter sends." });
    const select = h("select", { class: "email-template", id: "email-template-" + t.taskId }, [h("option", { value: "", text: "Insert a template…" })]);
    select.addEventListener("change", () => {
      const chosen = t.templates && t.templates.get(select.value);
      if (!chosen) { t.templateId = null; return; }
      t.templateId = chosen.id;
      input.value = chosen.text;
      input.focus();
    });
    const submit = () => { if (!t.clientId) t.clientId = newClientId(); send(t, input, t.clientId); };
    input.addEventListener("input", () => { t.clientId = null; });
    input.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit(); } });
    t.el = h("section", { class: "email", "aria-label": "Email", dataset: { task: t.taskId } }, [
      h("p", { class: "email-head-line muted" }),
      t.list,
      h("div", { class: "email-composer", hidden: true }, [
        h("label", { for: "email-template-" + t.taskId, text: "Template" }), select,
        h("label", { for: "email-input-" + t.taskId, text: "Reply to the customer" }),
        input,
        h("div", { class: "chat-actions" }, [
          h("button", { type: "button", class: "primary email-send", text: "Send reply", onclick: submit }),
          h("span", { class: "muted", text: "Sent from the mailbox, with the reference number in the subject." }),
        ]),
        h("p", { class: "field-error email-error", id: "email-error-" + t.taskId, role: "alert", hidden: true }),
      ]),
    ]);
    templates(t, select);
    renderList(t);
  }

  window.EmailTab = {
    attach(changed) { onChange = changed; },
    view(taskId) {
      const t = thread(taskId);
      if (!t.el) build(t);
      if (!t.loaded) load(t).then(onChange).catch((e) => showError(t, "Could not load the email: " + e.message));
      return t.el;
    },
    mounted(taskId) { const t = threads.get(taskId); return !!(t && t.el && t.el.isConnected); },
    onEvent(event, data) {
      if (event !== "email_status" || !data) return;
      const t = threads.get(data.interaction_id);
      const m = t && t.messages.get(data.id);
      if (m) { m.status = data.status; renderList(t); } else if (t && t.loaded) load(t).catch(() => {});
    },
    /* After a reconnect whose replay was incomplete: read the thread again. */
    reload() { threads.forEach((t) => { if (t.loaded) load(t).catch(() => {}); }); },
    forget(taskId) { threads.delete(taskId); },
  };
})();
