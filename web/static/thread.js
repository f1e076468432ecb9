// A live conversation thread (the inbox and the sandbox phone): new messages and status ticks
// arrive by polling the thread's .json route; the reply box sends without reloading the page.
"use strict";

const zfThread = {
  PENDING: ["queued", "sent", "delivered"],  // statuses that may still change

  bubble(m) {
    const el = document.createElement("div");
    el.className = "bubble " + (m.direction === "out" ? "outbound" : "inbound");
    el.dataset.id = m.id;
    el.dataset.created = m.created_at;
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = m.body;
    const meta = document.createElement("div");
    meta.className = "meta";
    const time = document.createElement("time");
    time.dateTime = m.created_at;
    time.textContent = m.time;
    if (m.origin) {
      const origin = document.createElement("span");
      origin.className = "origin";
      origin.textContent = m.origin;
      meta.append(origin, " ");
    }
    meta.append(time);
    el.append(text, meta);
    zfThread.setStatus(el, m);
    return el;
  },

  setStatus(el, m) {
    el.dataset.status = m.status;
    let ticks = el.querySelector(".ticks");
    if (!m.ticks) {
      if (ticks) ticks.remove();
      return;
    }
    if (!ticks) {
      ticks = document.createElement("span");
      el.querySelector(".meta").append(" ", ticks);
    }
    ticks.className = "ticks " + m.ticks.status;
    ticks.title = m.ticks.title;
    ticks.setAttribute("aria-label", m.ticks.title);
    zf.text(ticks, m.ticks.symbol);
  },

  nearBottom(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  },

  // Add a message in (created_at, id) order, or update the one already shown.
  upsert(box, m) {
    const shown = box.querySelector(`.bubble[data-id="${m.id}"]`);
    if (shown) {
      zfThread.setStatus(shown, m);
      return false;
    }
    const el = zfThread.bubble(m);
    const later = [...box.querySelectorAll(".bubble")].find((b) =>
      b.dataset.created > m.created_at || (b.dataset.created === m.created_at && b.dataset.id > m.id));
    box.insertBefore(el, later || null);
    const empty = box.querySelector(".thread-empty");
    if (empty) empty.hidden = true;
    return true;
  },

  show(box, messages) {
    const follow = zfThread.nearBottom(box);
    let added = false;
    messages.forEach((m) => { added = zfThread.upsert(box, m) || added; });
    if (added && follow) box.scrollTop = box.scrollHeight;
  },

  query(box) {
    const bubbles = [...box.querySelectorAll(".bubble")];
    const last = bubbles[bubbles.length - 1];
    const pending = bubbles.filter((b) => b.classList.contains("outbound")
      && zfThread.PENDING.includes(b.dataset.status)).slice(-100).map((b) => b.dataset.id);
    const seen = box.dataset.seen === "1" && document.visibilityState === "visible";
    const url = new URL(box.dataset.pollUrl, window.location.href);
    url.searchParams.set("after", last ? last.dataset.created : "");
    url.searchParams.set("pending", pending.join(","));
    url.searchParams.set("seen", seen ? "1" : "0");
    return url.toString();
  },

  poll(box, ms) {
    const tick = async () => {
      try {
        zfThread.show(box, (await zf.json(zfThread.query(box))).messages);
      } catch (err) {
        console.warn("thread", err);
      }
      setTimeout(tick, ms);
    };
    setTimeout(tick, ms);
  },

  // The reply box: POST to its .json twin; a failed attempt keeps the same idempotency key.
  replyBox(form, box) {
    const error = form.querySelector(".field-error");
    const button = form.querySelector("button[type=submit]");
    const textarea = form.querySelector("textarea");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      try {
        const answer = await zf.json(form.dataset.jsonAction, {method: "POST", body: new FormData(form)});
        form.elements.idempotency_key.value = answer.next_key;
        textarea.value = "";
        if (form.elements.send_at) form.elements.send_at.value = "";
        error.hidden = true;
        zfThread.show(box, [answer.message]);
        box.scrollTop = box.scrollHeight;
      } catch (err) {
        zf.text(error, err.message);
        error.hidden = false;
      } finally {
        button.disabled = false;
        textarea.focus();
      }
    });
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("thread");
  if (!box) return;
  box.scrollTop = box.scrollHeight;
  zfThread.poll(box, 1000);
  const form = document.getElementById("reply-form");
  if (form) zfThread.replyBox(form, box);
});
