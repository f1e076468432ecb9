// The booking form: the free times of the chosen service on the chosen day, from slots.json;
// a click on one fills in the time.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("book");
  if (!form) return;
  const box = document.getElementById("slots");
  const time = form.elements.time;
  const say = (text) => {
    box.replaceChildren();
    const note = document.createElement("span");
    note.className = "muted";
    note.textContent = text;
    box.append(note);
  };
  const pick = (button) => {
    box.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    time.value = button.textContent;
  };
  const refresh = async () => {
    const service = form.elements.service_id.value;
    const date = form.elements.date.value;
    if (!service || !date) return say(form.dataset.pickService);
    const url = `${form.dataset.slotsUrl}?service_id=${encodeURIComponent(service)}&date=${encodeURIComponent(date)}`;
    try {
      const slots = (await zf.json(url)).slots;
      if (!slots.length) return say(form.dataset.noSlots);
      box.replaceChildren(...slots.map((slot) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = slot.time;
        button.setAttribute("aria-pressed", String(slot.time === time.value));
        button.addEventListener("click", () => pick(button));
        return button;
      }));
    } catch (err) {
      say(err.message);
    }
  };
  form.elements.service_id.addEventListener("change", refresh);
  form.elements.date.addEventListener("change", refresh);
  refresh();
});
