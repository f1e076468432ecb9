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

  // True while the live stream is open (pages then wait for its events instead of polling).
  live() {
    return Boolean(window.ZapfleetLive && window.ZapfleetLive.connected);
  },

  // Keep part of a page fresh from a .json route (url: a string, or a function giving one):
  // while the live stream is open, fetched on its events that `wants` accepts ({kind: detail =>
  // boolean}) and once on (re)connecting, with cause=event; otherwise every `ms` milliseconds
  // (a number, or a function giving one), the fallback. onData returning false stops both.
  // Options: `settle` ms, fetched once more that long after the last event (for figures the
  // database does not announce, such as supervisord's, read from a snapshot a little old);
  // `gap` ms, the least time between two fetches on events (a busy platform's many events).
  follow(url, ms, onData, wants = {}, {settle = 0, gap = 0} = {}) {
    let stopped = false;
    let busy = false;
    let again = false;
    let settling = null;
    let waiting = null;
    let last = 0;
    const fetchNow = async (cause, settled = false) => {
      if (stopped || waiting) return;
      if (busy) { again = true; return; }
      if (cause && Date.now() - last < gap) {
        waiting = setTimeout(() => { waiting = null; fetchNow(cause, settled); }, gap - (Date.now() - last));
        return;
      }
      busy = true;
      last = Date.now();
      if (cause && settle && !settled) {
        clearTimeout(settling);
        settling = setTimeout(() => { if (zf.live()) fetchNow("event", true); }, settle);
      }
      try {
        const target = new URL(typeof url === "function" ? url() : url, window.location.href);
        if (cause) target.searchParams.set("cause", cause);
        if (onData(await zf.json(target.toString())) === false) stopped = true;
      } catch (err) {
        console.warn("follow", err);
      }
      busy = false;
      if (again) { again = false; fetchNow("event"); }
    };
    Object.entries(wants).forEach(([kind, accepts]) => {
      document.addEventListener(`zapfleet:${kind}`, (event) => {
        if (zf.live() && accepts(event.detail)) fetchNow("event");
      });
    });
    document.addEventListener("zapfleet:live", (event) => {
      if (event.detail.connected) fetchNow("event");
    });
    const every = () => (typeof ms === "function" ? ms() : ms);
    const tick = async () => {
      if (stopped) return;
      if (!zf.live()) await fetchNow("");
      setTimeout(tick, every());
    };
    setTimeout(tick, every());
    return fetchNow;
  },
};

// The live stream: one EventSource per signed-in page (its account's events; every account's
// on the platform admin's pages), opened with the token base.html renders. Each event is
// dispatched on `document` as `zapfleet:<kind>` with its payload as `detail`; `zapfleet:live`
// tells {connected} changes. A dropped stream is opened again with a fresh token, backing off.
const ZapfleetLive = {
  KINDS: ["message", "conversation", "instance", "qr", "campaign", "account"],
  connected: false,
  retries: 0,
  source: null,
  meta: null,

  url(token) {
    const meta = ZapfleetLive.meta;
    const base = meta.dataset.url
      || `${window.location.protocol}//${window.location.hostname}:${meta.dataset.port}/events`;
    const url = new URL(base, window.location.href);
    url.searchParams.set("token", token);
    return url.toString();
  },

  mark(connected) {
    if (ZapfleetLive.connected === connected) return;
    ZapfleetLive.connected = connected;
    document.dispatchEvent(new CustomEvent("zapfleet:live", {detail: {connected}}));
  },

  open(token) {
    const source = new EventSource(ZapfleetLive.url(token));
    ZapfleetLive.source = source;
    source.onopen = () => { ZapfleetLive.retries = 0; ZapfleetLive.mark(true); };
    source.onerror = () => {
      source.close();
      ZapfleetLive.mark(false);
      ZapfleetLive.later();
    };
    ZapfleetLive.KINDS.forEach((kind) => source.addEventListener(kind, (event) => {
      let detail;
      try { detail = JSON.parse(event.data); } catch (err) { return; }
      document.dispatchEvent(new CustomEvent(`zapfleet:${kind}`, {detail}));
    }));
  },

  later() {
    const ms = Math.min(30000, 1000 * 2 ** ZapfleetLive.retries) * (0.5 + Math.random() / 2);
    ZapfleetLive.retries += 1;
    setTimeout(ZapfleetLive.renew, ms);
  },

  async renew() {
    try {
      ZapfleetLive.open((await zf.json(ZapfleetLive.meta.dataset.tokenUrl)).token);
    } catch (err) {
      ZapfleetLive.later();
    }
  },

  start() {
    ZapfleetLive.meta = document.querySelector('meta[name="zapfleet-live"]');
    if (ZapfleetLive.meta && window.EventSource) ZapfleetLive.open(ZapfleetLive.meta.content);
  },
};
window.ZapfleetLive = ZapfleetLive;
document.addEventListener("DOMContentLoaded", ZapfleetLive.start);

// The phone menu: the button folds and unfolds the navigation (Escape folds it back).
zf.menu = (button) => {
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  const set = (open) => {
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  };
  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
};

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-menu-toggle]").forEach(zf.menu);
  document.querySelectorAll("[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
