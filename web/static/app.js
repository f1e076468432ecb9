// zapfleet pages: a little plain JavaScript, no build step.
"use strict";

const zf = {
  csrf() {
    return document.querySelector('meta[name="csrf-token"]').content;
  },

  // Fetch JSON from one of the pages' own .json routes; throws with the API's message.
  async json(url, options = {}) {
    const headers = {"Accept": "application/json", "X-CSRFToken": zf.csrf(), ...(options.headers || {})};
    const response = await fetch(url, {credentials: "same-origin", ...options, headers});
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error((body.error && body.error.message) || response.statusText);
    }
    return body;
  },

  // Call onData with url's JSON every `ms` milliseconds while the page is open.
  poll(url, ms, onData) {
    const tick = async () => {
      try {
        const keepGoing = onData(await zf.json(url));
        if (keepGoing === false) return;
      } catch (err) {
        console.warn("poll", url, err);
      }
      setTimeout(tick, ms);
    };
    tick();
  },

  text(el, value) {
    if (el && el.textContent !== value) el.textContent = value;
  },
};

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
