// The campaign pages: the recipient count follows the chosen tags; the progress bar, its counts
// and what the sending waits for move by themselves while the campaign runs (live events).
"use strict";

const zfCampaign = {
  countRecipients(box) {
    const count = document.getElementById("recipients-count");
    if (!count) return;
    box.addEventListener("change", async () => {
      const tags = [...box.querySelectorAll('input[name="target_tags"]:checked')].map((el) => el.value);
      const url = `${box.dataset.countUrl}?tags=${encodeURIComponent(tags.join(","))}`;
      try {
        zf.text(count, String((await zf.json(url)).recipients));
      } catch (err) {
        zf.text(count, "–");
      }
    });
  },

  showProgress(card, data) {
    const bar = document.getElementById("progress-bar");
    if (bar) {
      bar.setAttribute("aria-valuenow", String(data.percent));
      bar.firstElementChild.style.width = `${data.percent}%`;
    }
    const done = document.getElementById("progress-done");
    if (done) zf.text(done, done.dataset.template.replace("%d", data.done).replace("%t", data.total));
    zf.text(document.getElementById("progress-percent"), `(${data.percent}%)`);
    Object.entries(data.counts).forEach(([name, value]) => {
      zf.text(card.querySelector(`[data-count="${name}"]`), String(value));
    });
    zf.text(document.getElementById("progress-waiting"), data.waiting);
    card.querySelectorAll("[data-for]").forEach((el) => {
      el.hidden = !el.dataset.for.split(" ").includes(data.status);
    });
    if (data.status !== card.dataset.runStatus) {  // what was flashed (e.g. "started") is over now
      card.dataset.runStatus = data.status;
      document.querySelectorAll("main > .flash.success").forEach((el) => el.remove());
    }
    const badge = document.getElementById("campaign-status");
    if (badge) {
      zf.text(badge, data.status_label);
      badge.className = `badge ${data.status}`;
    }
    const counts = JSON.stringify(data.counts);
    if (zfCampaign.lastCounts !== undefined && counts !== zfCampaign.lastCounts) {
      zfCampaign.refreshRecipients();
    }
    zfCampaign.lastCounts = counts;
    // A finished campaign's last receipts still arrive: followed while the live stream is open.
    return data.live || zf.live();
  },

  // The recipients table as the server draws it now (same page, same filter and page).
  async refreshRecipients() {
    const table = document.getElementById("recipients");
    if (!table) return;
    try {
      const response = await fetch(window.location.href, {credentials: "same-origin"});
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html")
        .getElementById("recipients");
      if (response.ok && fresh) table.replaceWith(fresh);
    } catch (err) {
      console.warn("recipients", err);
    }
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("target-tags");
  if (box) zfCampaign.countRecipients(box);
  const card = document.getElementById("run");
  if (card && card.dataset.progressUrl) {  // on the campaign's live events, or every second
    zf.follow(card.dataset.progressUrl, 1000, (data) => zfCampaign.showProgress(card, data),
              {campaign: (c) => !card.dataset.campaign || c.campaign_id === card.dataset.campaign});
  }
});
