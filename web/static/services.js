// The services page: drag a service by its handle, or press its arrows, to change the order.
"use strict";

const zfServices = {
  ids(list) {
    return [...list.querySelectorAll("[data-service]")].map((card) => card.dataset.service);
  },

  // Number the cards as they stand and save the order; the status line says it was saved.
  async save(list) {
    list.querySelectorAll("[data-service]").forEach((card, n) => {
      zf.text(card.querySelector(".order-number"), `${n + 1}.`);
    });
    const status = document.getElementById("order-status");
    zf.text(status, "");  // said again once this order is saved
    try {
      await zf.json(list.dataset.orderUrl, {
        method: "POST", body: JSON.stringify({ids: zfServices.ids(list)}),
        headers: {"Content-Type": "application/json"},
      });
      zf.text(status, status.dataset.saved);
    } catch (err) {
      zf.text(status, err.message);
    }
  },

  // The arrows move the card in place (no reload), keeping the keyboard's focus on the arrow.
  move(list, form, event) {
    event.preventDefault();
    const card = form.closest("[data-service]");
    const other = form.dataset.move === "up" ? card.previousElementSibling : card.nextElementSibling;
    if (!other) return;
    const button = form.querySelector("button");
    other.insertAdjacentElement(form.dataset.move === "up" ? "beforebegin" : "afterend", card);
    button.focus();
    zfServices.save(list);
  },

  drag(list) {
    let dragged = null;
    list.addEventListener("dragstart", (event) => {
      const handle = event.target.closest && event.target.closest(".drag-handle");
      if (!handle) return;
      dragged = handle.closest("[data-service]");
      dragged.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.service);
      event.dataTransfer.setDragImage(dragged, 20, 20);
    });
    list.addEventListener("dragover", (event) => {
      const over = event.target.closest("[data-service]");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      const box = over.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      over.insertAdjacentElement(after ? "afterend" : "beforebegin", dragged);
    });
    list.addEventListener("drop", (event) => event.preventDefault());
    list.addEventListener("dragend", () => {
      if (!dragged) return;
      dragged.classList.remove("dragging");
      dragged = null;
      zfServices.save(list);
    });
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("[data-order-url]");
  if (!list) return;
  zfServices.drag(list);
  list.querySelectorAll("form[data-move]").forEach((form) => {
    form.addEventListener("submit", (event) => zfServices.move(list, form, event));
  });
});
