// The inbox's team tools: the composer (Enter sends, Shift+Enter breaks the line, "/" lists the
// quick replies), desktop notifications with a short sound for new messages while the tab is
// hidden (opt-in), the unread total in the menu and the notice that messages wait for WhatsApp.
"use strict";

const zfTeam = {
  // The quick-reply list under the composer: filtered by what follows "/", picked by click,
  // Enter or Tab, closed by Escape.
  quickReplies(form, textarea) {
    const list = document.getElementById("quick-list");
    const replies = JSON.parse(form.dataset.quickReplies || "[]");
    let shown = [];
    let active = 0;
    const typed = () => {
      const before = textarea.value.slice(0, textarea.selectionEnd);
      const match = before.match(/(^|\s)\/([\w-]*)$/);
      return match ? {start: before.length - match[2].length - 1, word: match[2].toLowerCase()} : null;
    };
    const close = () => { list.hidden = true; shown = []; };
    const draw = () => {
      list.replaceChildren(...shown.map((r, i) => {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = `quick-${i}`;
        li.setAttribute("aria-selected", String(i === active));
        const key = document.createElement("strong");
        key.textContent = `/${r.shortcut}`;
        const text = document.createElement("span");
        text.textContent = r.text;
        li.append(key, " ", text);
        li.addEventListener("mousedown", (event) => { event.preventDefault(); pick(i); });
        return li;
      }));
      if (!shown.length) {
        const li = document.createElement("li");
        li.className = "muted";
        li.textContent = list.dataset.empty;
        list.append(li);
      }
      textarea.setAttribute("aria-activedescendant", shown.length ? `quick-${active}` : "");
    };
    const pick = (i) => {
      const at = typed();
      const reply = shown[i];
      if (!at || !reply) return close();
      const end = textarea.selectionEnd;
      textarea.value = textarea.value.slice(0, at.start) + reply.text + textarea.value.slice(end);
      const caret = at.start + reply.text.length;
      textarea.setSelectionRange(caret, caret);
      close();
      textarea.focus();
    };
    textarea.addEventListener("input", () => {
      const at = typed();
      if (!at) return close();
      shown = replies.filter((r) => r.shortcut.startsWith(at.word));
      active = 0;
      list.hidden = false;
      draw();
    });
    textarea.addEventListener("blur", close);
    // true when the key was the list's
    return (event) => {
      if (list.hidden) return false;
      if (event.key === "Escape") { close(); return true; }
      if (!shown.length) return false;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        active = (active + (event.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
        draw();
        return true;
      }
      if (event.key === "Enter" || event.key === "Tab") { pick(active); return true; }
      return false;
    };
  },

  composer(form) {
    const textarea = form.querySelector("textarea");
    const listKey = zfTeam.quickReplies(form, textarea);
    textarea.addEventListener("keydown", (event) => {
      if (listKey(event)) { event.preventDefault(); return; }
      if (event.key !== "Enter" || event.shiftKey || event.ctrlKey || event.metaKey || event.altKey
          || event.isComposing) return;
      event.preventDefault();
      if (textarea.value.trim() || (form.elements.file && form.elements.file.files.length)) form.requestSubmit();
    });
  },

  // Desktop notifications: asked for once by the button, remembered in this browser.
  notifying: false,
  seen: new Set(),
  lastUnread: null,

  beep() {
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.3);
    } catch (err) {
      console.warn("sound", err);
    }
  },

  notify(title, tag) {
    if (!zfTeam.notifying || document.visibilityState === "visible") return;
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const note = new Notification(title, {tag, body: document.title});
    note.onclick = () => { window.focus(); note.close(); };
    zfTeam.beep();
  },

  notifications(button) {
    if (!("Notification" in window)) return;
    const draw = () => {
      zfTeam.notifying = localStorage.getItem("zfNotify") === "1" && Notification.permission === "granted";
      zf.text(button, zfTeam.notifying ? button.dataset.on : button.dataset.off);
      button.setAttribute("aria-pressed", String(zfTeam.notifying));
    };
    button.hidden = false;
    draw();
    button.addEventListener("click", async () => {
      if (zfTeam.notifying) {
        localStorage.removeItem("zfNotify");
      } else if ((await Notification.requestPermission()) === "granted") {
        localStorage.setItem("zfNotify", "1");
      }
      draw();
    });
    // With the live stream: each new received message once.
    document.addEventListener("zapfleet:message", (event) => {
      const m = event.detail || {};
      if (m.direction !== "in" || zfTeam.seen.has(m.message_id)) return;
      zfTeam.seen.add(m.message_id);
      zfTeam.notify(button.dataset.title, m.conversation_id);
    });
  },

  // The list's polls (and the live stream's instance events): unread total, notice, fallback
  // notifications when the unread total grows while the stream is closed.
  followPage(page) {
    const total = document.getElementById("unread-total");
    if (total && typeof page.unread_total === "number") {
      zf.text(total, String(page.unread_total));
      total.hidden = page.unread_total === 0;
    }
    if (typeof page.connected === "boolean") zfTeam.connected(page.connected);
    const live = window.ZapfleetLive && window.ZapfleetLive.connected;
    if (!live && zfTeam.lastUnread !== null && page.unread_total > zfTeam.lastUnread) {
      zfTeam.notify(document.getElementById("notify-toggle").dataset.title, "unread");
    }
    zfTeam.lastUnread = page.unread_total;
  },

  connected(yes) {
    const notice = document.getElementById("queued-notice");
    if (notice) notice.hidden = yes;
    const box = document.getElementById("thread");
    if (box) box.classList.toggle("offline", !yes);
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("reply-form");
  if (form) zfTeam.composer(form);
  const status = document.getElementById("status-filter");
  if (status) status.addEventListener("change", () => status.form.requestSubmit());
  const button = document.getElementById("notify-toggle");
  if (button) zfTeam.notifications(button);
  document.addEventListener("zfinbox:page", (event) => zfTeam.followPage(event.detail));
  document.addEventListener("zapfleet:instance", (event) => {
    if (event.detail && event.detail.status) zfTeam.connected(event.detail.status === "connected");
  });
});
