/* The board's SLA tile: breaches today and the contacts at risk now (from /api/v1/board's
   "sla"), and a live line for each sla_warning / sla_breach the supervisors' room brings. */
(function () {
  "use strict";
  const { h, duration, words } = window.UI;
  const recent = []; // the latest live alerts, newest first

  function render(data) {
    const holder = document.getElementById("sla-tile");
    if (!holder || !data.sla) return;
    const sla = data.sla;
    holder.title = sla.definition;
    holder.replaceChildren(
      h("h2", { text: "SLA policies" }),
      h("dl", { class: "big-numbers" }, [
        h("div", { title: sla.definition }, [h("dt", { text: "Breaches today" }), h("dd", { id: "sla-breaches-today", dataset: { alert: sla.breaches_today ? "red" : "ok" }, text: String(sla.breaches_today) })]),
        h("div", { title: "running clocks past their policy's warning share, not yet due" }, [h("dt", { text: "At risk now" }), h("dd", { id: "sla-at-risk", dataset: { alert: sla.at_risk ? "amber" : "ok" }, text: String(sla.at_risk) })]),
      ]),
      sla.at_risk_contacts.length
        ? h("ul", { class: "sla-risk", "aria-label": "Contacts at risk" }, sla.at_risk_contacts.map((c) => h("li", { text: words(c.channel) + " · " + words(c.target) + " due in " + duration(c.seconds_left) + " · " + c.interaction_id.slice(0, 8) })))
        : h("p", { class: "muted", text: "No contact near its SLA due time." }),
      recent.length ? h("ul", { class: "sla-live", "aria-label": "Latest SLA alerts" }, recent.map((a) => h("li", { text: a }))) : null,
    );
  }

  function event(name, payload) {
    if (name !== "sla_warning" && name !== "sla_breach") return;
    const what = (name === "sla_breach" ? "▲ Breached: " : "◆ Warning: ") + words(payload.channel) + " " + words(payload.target) + " of " + payload.interaction_id.slice(0, 8) + ", due " + new Date(payload.due_at).toLocaleTimeString();
    recent.unshift(what);
    recent.splice(5);
    const live = document.getElementById("sla-announce");
    if (live) live.textContent = what;
  }

  window.SlaBoard = { render: render, event: event };
})();
