// The supervisors' reports page: asks /api/v1/reports/<name> for the range in the viewer's
// zone, draws the table (each computed heading carries its definition) and a Chart.js chart;
// the CSV link asks the same API with format=csv, so the file holds the page's numbers.
(function () {
  "use strict";
  const root = document.getElementById("reports");
  if (!root) return;
  const tz = root.dataset.timezone || "UTC";
  const form = document.getElementById("report-form");
  const status = document.getElementById("report-status");
  const error = document.getElementById("report-error");
  const table = document.getElementById("report-table");
  const csvLink = document.getElementById("report-csv");
  const defs = document.getElementById("report-definitions");
  let chart = null;

  function params(format) {
    const data = new FormData(form);
    const name = data.get("report");
    const q = new URLSearchParams({ from: data.get("from"), to: data.get("to"), tz: tz, format: format });
    if (name === "service-level") q.set("group", data.get("group"));
    return "/api/v1/reports/" + name + "?" + q.toString();
  }

  function cell(value) {
    if (value === null || value === undefined) return "—";
    return String(value);
  }

  function draw(body) {
    const thead = table.tHead, tbody = table.tBodies[0];
    thead.replaceChildren(); tbody.replaceChildren(); defs.replaceChildren();
    const head = document.createElement("tr");
    for (const column of body.columns) {
      const th = document.createElement("th");
      th.scope = "col"; th.textContent = column;
      const d = body.definitions[column];
      if (d) th.title = d.label + " (" + d.id + ")";
      head.appendChild(th);
    }
    thead.appendChild(head);
    for (const row of body.rows) {
      const tr = document.createElement("tr");
      for (const column of body.columns) {
        const td = document.createElement("td");
        td.textContent = cell(row[column]);
        td.dataset.column = column;
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    for (const [column, d] of Object.entries(body.definitions)) {
      const dt = document.createElement("dt"); dt.textContent = column;
      const dd = document.createElement("dd"); dd.textContent = d.label + " (" + d.id + ")";
      defs.append(dt, dd);
    }
    document.getElementById("report-empty").hidden = body.rows.length > 0;
    plot(body);
  }

  function plot(body) {
    if (!window.Chart) return;
    const label = body.columns[0];
    const series = body.columns.filter((c) => body.rows.some((r) => typeof r[c] === "number")).slice(0, 3);
    if (chart) chart.destroy();
    chart = new window.Chart(document.getElementById("report-chart"), {
      type: "bar",
      data: {
        labels: body.rows.map((r) => cell(r[label])),
        datasets: series.map((c) => ({ label: c, data: body.rows.map((r) => r[c]) })),
      },
      options: { animation: false, responsive: true },
    });
  }

  async function load() {
    status.textContent = "Loading…"; error.hidden = true;
    csvLink.href = params("csv");
    const reply = await fetch(params("json"), { credentials: "same-origin" });
    const body = await reply.json();
    if (!reply.ok) {
      error.textContent = body.error ? body.error.message : "the report failed";
      error.hidden = false; status.textContent = "";
      return;
    }
    draw(body);
    status.textContent = body.report + ": " + body.rows.length + " rows, " + body.from + " to " + body.to;
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  form.addEventListener("change", () => { csvLink.href = params("csv"); });
  load();
})();
