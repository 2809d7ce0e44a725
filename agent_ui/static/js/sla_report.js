// The reports page's SLA-breaches section: /api/v1/reports/sla-breaches for the page's range
// (the main form's dates, the viewer's zone), grouped and filtered here; each row names the
// definition of its compliance, and the CSV link asks the same API with format=csv.
(function () {
  "use strict";
  const root = document.getElementById("sla-section");
  const reports = document.getElementById("reports");
  if (!root || !reports) return;
  const tz = reports.dataset.timezone || "UTC";
  const main = document.getElementById("report-form");
  const table = document.getElementById("sla-table");
  const csvLink = document.getElementById("sla-csv");
  const error = document.getElementById("sla-error");

  function url(format) {
    const q = new URLSearchParams({
      from: document.getElementById("report-from").value,
      to: document.getElementById("report-to").value,
      tz: tz, format: format, group: document.getElementById("sla-group").value,
    });
    const target = document.getElementById("sla-target").value;
    if (target) q.set("target", target);
    return "/api/v1/reports/sla-breaches?" + q.toString();
  }

  function text(value) { return value === null || value === undefined ? "—" : String(value); }

  function draw(body) {
    const head = document.createElement("tr");
    for (const column of body.columns) {
      const th = document.createElement("th");
      th.scope = "col"; th.textContent = column;
      const d = body.definitions[column];
      if (d) th.title = d.label + " (" + d.id + ")";
      head.appendChild(th);
    }
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceChildren(...body.rows.map((row) => {
      const tr = document.createElement("tr");
      for (const column of body.columns) {
        const td = document.createElement("td");
        td.textContent = text(row[column]); td.dataset.column = column;
        tr.appendChild(td);
      }
      return tr;
    }));
    document.getElementById("sla-empty").hidden = body.rows.length > 0;
    const defs = document.getElementById("sla-definitions");
    defs.replaceChildren();
    for (const [column, d] of Object.entries(body.definitions)) {
      const dt = document.createElement("dt"); dt.textContent = column;
      const dd = document.createElement("dd"); dd.textContent = d.label + " (" + d.id + ")";
      defs.append(dt, dd);
    }
  }

  async function load() {
    error.hidden = true;
    csvLink.href = url("csv");
    const reply = await fetch(url("json"), { credentials: "same-origin" });
    const body = await reply.json();
    if (!reply.ok) {
      error.textContent = body.error ? body.error.message : "the SLA report failed";
      error.hidden = false;
      return;
    }
    draw(body);
  }

  const form = document.getElementById("sla-form");
  form.addEventListener("change", load);
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  main.addEventListener("submit", () => load());
  load();
})();
