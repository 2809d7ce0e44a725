/* Small shared helpers for the console and the board: DOM building (text only, never HTML
   strings from data), the JSON API with CSRF, and formatting of times, durations and money. */
(function () {
  "use strict";

  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(el.dataset, value);
      else el.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  function csrf() {
    const holder = document.querySelector("[data-csrf]");
    return holder ? holder.dataset.csrf : "";
  }

  async function api(method, path, body) {
    const options = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") {
      options.headers["X-CSRFToken"] = csrf();
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body || {});
    }
    const response = await fetch(path, options);
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (!response.ok) {
      const error = (data && data.error) || { code: "http_" + response.status, message: response.statusText };
      const err = new Error(error.message);
      err.status = response.status; err.code = error.code; err.field = error.field;
      throw err;
    }
    return data;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "–";
    const s = Math.max(0, Math.floor(seconds));
    const hours = Math.floor(s / 3600), minutes = Math.floor((s % 3600) / 60), rest = s % 60;
    const mm = hours ? String(minutes).padStart(2, "0") : String(minutes);
    return (hours ? hours + ":" : "") + mm + ":" + String(rest).padStart(2, "0");
  }

  function zone() {
    const holder = document.querySelector("[data-timezone]");
    return (holder && holder.dataset.timezone) || undefined;
  }

  function dateTime(epochSeconds) {
    if (!epochSeconds) return "–";
    try {
      return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: zone() }).format(new Date(epochSeconds * 1000));
    } catch (e) {
      return new Date(epochSeconds * 1000).toLocaleString();
    }
  }

  function money(amount) {
    if (amount === null || amount === undefined) return "–";
    return new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumFractionDigits: 0 }).format(amount);
  }

  function words(text) {
    return String(text || "").replace(/_/g, " ");
  }

  function showError(id, message) {
    const el = document.getElementById(id);
    if (!el) return;
    el.textContent = message || "";
    el.hidden = !message;
  }

  window.UI = { h: h, api: api, duration: duration, dateTime: dateTime, money: money, words: words, showError: showError };
})();
