// The owner's dashboard: badges, QR codes, counts, buttons and the accounts' list follow the
// server: on the live stream's events, or every second while it is closed.
"use strict";

const dashboard = {
  // Show or hide an element (the `hidden` attribute), touching the DOM only on a change.
  show(el, visible) {
    if (el && el.hidden === visible) el.hidden = !visible;
  },

  // One account's row: status badge, reason, phone, port, counts, QR and the buttons that apply.
  updateAccount(body, account) {
    const field = (name) => body.querySelector(`[data-field="${name}"]`);
    const badge = field("badge");
    const badgeClass = `badge ${account.status}`;
    if (badge.className !== badgeClass) badge.className = badgeClass;
    zf.text(badge, account.badge);
    zf.text(field("reason"), account.reason || "");
    dashboard.show(field("reason"), Boolean(account.reason));
    zf.text(field("phone"), account.phone || "—");
    zf.text(field("port"), account.port ? String(account.port) : "—");
    zf.text(field("node"), account.node || "—");
    zf.text(field("last_move"), account.last_move || "");
    dashboard.show(field("last_move_box"), Boolean(account.last_move));
    zf.text(field("last_connected"), account.last_connected);
    zf.text(field("messages_today"), String(account.messages_today));
    dashboard.updateQr(field("qr"), account.qr);
    body.querySelectorAll("form[data-action]").forEach((form) => {
      dashboard.show(form, account.actions.includes(form.dataset.action));
    });
  },

  updateQr(row, qr) {
    dashboard.show(row, Boolean(qr));
    if (!qr) return;
    const img = row.querySelector('[data-field="qr_img"]');
    if (img.getAttribute("src") !== qr.src) img.setAttribute("src", qr.src);
    const link = row.querySelector('[data-field="qr_link"]');
    if (link && qr.link && link.getAttribute("href") !== qr.link) link.setAttribute("href", qr.link);
  },

  updateSummary(summary) {
    Object.entries(summary).forEach(([key, value]) => {
      const el = document.querySelector(`[data-summary="${key}"]`);
      zf.text(el, value === null ? "?" : String(value));
    });
    dashboard.show(document.querySelector("[data-supervisor-down]"), summary.workers_running === null);
  },

  update(data) {
    dashboard.updateSummary(data.summary);
    Object.entries(data.summary_labels || {}).forEach(([key, label]) => {  // one or many
      zf.text(document.querySelector(`[data-summary-label="${key}"]`), label);
    });
    const seen = new Set();
    data.accounts.forEach((account) => {
      const body = document.querySelector(`tbody[data-account="${account.id}"]`);
      if (body) {
        seen.add(account.id);
        dashboard.updateAccount(body, account);
      }
    });
    const onPage = document.querySelectorAll("tbody[data-account]").length;
    if (seen.size !== data.accounts.length || seen.size !== onPage) dashboard.refreshList();
  },

  // Accounts were added or removed: the list as the server draws it now replaces the one shown
  // (a new account appears by itself); the notice with its reload link only if that fails.
  async refreshList() {
    if (dashboard.refreshing) return;
    dashboard.refreshing = true;
    const list = (root) => root.querySelector(".table-wrap:has(table.accounts), p.card.empty");
    try {
      const response = await fetch(window.location.href, {credentials: "same-origin"});
      const fresh = list(new DOMParser().parseFromString(await response.text(), "text/html"));
      const shown = list(document);
      if (!response.ok || !fresh || !shown) throw new Error(response.statusText);
      shown.replaceWith(fresh);
      dashboard.enhance(fresh);
      dashboard.show(document.querySelector("[data-list-changed]"), false);
    } catch (err) {
      dashboard.show(document.querySelector("[data-list-changed]"), true);
    } finally {
      dashboard.refreshing = false;
    }
  },

  // The buttons' behaviours, for the rows the page came with and those drawn later.
  enhance(root) {
    root.querySelectorAll("form[data-confirm]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
    dashboard.busy(root);
  },

  // A button that takes a while (connecting waits for the worker) says so and is not pressed twice.
  busy(root) {
    root.querySelectorAll("form[data-busy]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (event.defaultPrevented) return;
        const button = form.querySelector("button");
        button.textContent = form.dataset.busy;
        setTimeout(() => { button.disabled = true; });
      });
    });
  },
};

document.addEventListener("DOMContentLoaded", () => {
  dashboard.busy(document);
  // Every account's changes on the platform admin's live stream, at most twice a second (and
  // once more 2.5 s later: the count of running workers comes from a supervisord snapshot up to
  // 2 s old); every second without the stream.
  const summary = document.querySelector("[data-status-url]");
  const all = () => true;
  if (summary) {
    zf.follow(summary.dataset.statusUrl, 1000, dashboard.update,
              {instance: all, qr: all, account: all, message: all}, {settle: 2500, gap: 500});
  }
});

// The platform's charts arrive after the page shows (their counting never slows the list).
document.addEventListener("DOMContentLoaded", async () => {
  const box = document.getElementById("platform-metrics");
  if (!box) return;
  try {
    const response = await fetch(box.dataset.url, {credentials: "same-origin"});
    if (!response.ok) return;
    const part = document.createElement("div");
    part.innerHTML = await response.text();
    box.querySelector("[data-placeholder]").replaceWith(part);
  } catch (err) {
    console.warn("metrics", err);
  }
});
