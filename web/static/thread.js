// A live conversation thread (the inbox and the sandbox phone): new messages and status ticks
// arrive on the live stream's events (polling the thread's .json route while it is closed); the
// reply box sends without reloading the page.
"use strict";

const zfThread = {
  PENDING: ["queued", "sent", "delivered"],  // statuses that may still change

  // The bubble the server drew with the page's own macro (its text escaped there).
  bubble(m) {
    const template = document.createElement("template");
    template.innerHTML = m.html.trim();
    return template.content.firstElementChild;
  },

  nearBottom(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  },

  // Add a message in the order messages were stored (seq), or redraw the one already shown.
  upsert(box, m) {
    const shown = box.querySelector(`.bubble[data-id="${m.id}"]`);
    if (shown) {  // a receipt, a reaction, an edit or a deletion: drawn again
      if (shown.dataset.updated !== m.updated_at || shown.dataset.status !== m.status) {
        shown.replaceWith(zfThread.bubble(m));
      }
      return false;
    }
    const el = zfThread.bubble(m);
    const later = [...box.querySelectorAll(".bubble")].find((b) =>
      Number(b.dataset.seq) > m.seq);
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
    url.searchParams.set("changed", box.dataset.changed || "");
    return url.toString();
  },

  // New messages and ticks: on the live stream's message events (of this conversation when the
  // box names it in data-conversation), or every `ms` milliseconds while the stream is closed.
  poll(box, ms) {
    const ours = (m) => !box.dataset.conversation || m.conversation_id === box.dataset.conversation;
    zf.follow(() => zfThread.query(box), ms, (answer) => {
      zfThread.show(box, answer.messages);
      if (answer.now) box.dataset.changed = answer.now;
    }, {message: ours});
  },

  // Replying to one message: its ↩ button fills the form's reply_to and shows what it quotes.
  quoting(form, box) {
    const note = form.querySelector(".replying");
    const cancel = () => { form.elements.reply_to.value = ""; note.hidden = true; };
    box.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-reply]");
      if (!button) return;
      form.elements.reply_to.value = button.dataset.reply;
      zf.text(note.querySelector(".quote"), button.dataset.quote);
      note.hidden = false;
      form.querySelector("textarea").focus();
    });
    note.querySelector("button").addEventListener("click", cancel);
    return cancel;
  },

  // A file to send: the attach button, or a file dropped anywhere on the thread's pane.
  attaching(form, pane) {
    const input = form.elements.file;
    const label = form.querySelector(".attached");
    const textarea = form.querySelector("textarea");
    const show = () => {
      const file = input.files[0];
      zf.text(label, file ? file.name : "");
      textarea.required = !file;
    };
    input.addEventListener("change", show);
    pane.addEventListener("dragover", (event) => { event.preventDefault(); pane.classList.add("dropping"); });
    pane.addEventListener("dragleave", () => pane.classList.remove("dropping"));
    pane.addEventListener("drop", (event) => {
      event.preventDefault();
      pane.classList.remove("dropping");
      if (!event.dataTransfer.files.length) return;
      const files = new DataTransfer();
      files.items.add(event.dataTransfer.files[0]);
      input.files = files.files;
      show();
    });
    return () => { input.value = ""; show(); };
  },

  // The reply box: POST to its .json twin; a failed attempt keeps the same idempotency key.
  replyBox(form, box) {
    const error = form.querySelector(".field-error");
    const button = form.querySelector("button[type=submit]");
    const textarea = form.querySelector("textarea");
    const stopQuoting = zfThread.quoting(form, box);
    const detach = zfThread.attaching(form, box.closest("section") || box);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      try {
        const answer = await zf.json(form.dataset.jsonAction, {method: "POST", body: new FormData(form)});
        form.elements.idempotency_key.value = answer.next_key;
        textarea.value = "";
        if (form.elements.send_at) form.elements.send_at.value = "";
        stopQuoting();
        detach();
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
