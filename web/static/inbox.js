// The inbox's conversation list stays current: new conversations and unread counts, live.
"use strict";

const zfInbox = {
  item(c, current, unreadLabel) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = c.url;
    if (c.id === current) a.setAttribute("aria-current", "true");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = c.title;
    const unread = document.createElement("span");
    unread.className = "unread";
    unread.textContent = c.unread;
    unread.hidden = !c.unread || c.id === current;
    unread.setAttribute("aria-label", unreadLabel.replace("%n", c.unread));
    const meta = document.createElement("small");
    meta.className = "muted";
    meta.textContent = (c.title !== c.phone ? c.phone + " · " : "") + c.time;
    const preview = document.createElement("span");
    preview.className = "preview";
    preview.textContent = c.preview || "";
    a.append(who, unread, meta, preview, zfInbox.team(c));
    li.append(a);
    return li;
  },

  // Status, assignee and labels of a listed conversation.
  team(c) {
    const team = document.createElement("span");
    team.className = "team";
    const chip = (cls, text) => {
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      team.append(" ", span);
    };
    chip(`status ${c.status}`, c.status_label);
    if (c.assignee) chip("assignee", c.assignee);
    (c.labels || []).forEach((label) => chip("label-chip", label));
    return team;
  },

  draw(list, items) {
    const current = list.dataset.current;
    list.replaceChildren(...items.map((c) => zfInbox.item(c, current, list.dataset.unreadLabel)));
    document.getElementById("conversations-empty").hidden = items.length > 0;
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("conversations");
  if (!list || list.dataset.live !== "1") return;
  // What the server drew: redraw only on a change, so a click never lands on a replaced link.
  let last = JSON.stringify(JSON.parse(list.dataset.items || "[]"));
  zf.poll(list.dataset.url, 3000, (page) => {
    document.dispatchEvent(new CustomEvent("zfinbox:page", {detail: page}));
    const drawn = JSON.stringify(page.items);
    if (drawn !== last) zfInbox.draw(list, page.items);
    last = drawn;
  });
});
