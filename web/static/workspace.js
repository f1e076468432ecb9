// The account's WhatsApp status, live: the badge, the phone, and the QR code until it is linked.
"use strict";

const zfWhatsApp = {
  show(id, visible) {
    const el = document.getElementById(id);
    if (el) el.hidden = !visible;
  },

  draw(root, wa) {
    const badge = document.getElementById("wa-status");
    badge.className = "badge " + wa.status;
    zf.text(badge, wa.status_label);
    zfWhatsApp.show("wa-sandbox", wa.sandbox);
    zf.text(document.getElementById("wa-phone"), wa.phone);
    zfWhatsApp.show("wa-phone-line", Boolean(wa.phone));
    const error = document.getElementById("wa-error");
    zf.text(error, wa.error || "");
    error.hidden = !wa.show_error;
    const until = document.getElementById("wa-until");
    if (until) {
      zf.text(until.querySelector("strong"), wa.until || "");
      until.hidden = !wa.until;
    }
    const pairing = document.getElementById("wa-pair");
    if (pairing && !document.getElementById("pairing-code")) pairing.hidden = !wa.pairing;
    zfWhatsApp.show("wa-none", !wa.exists);
    zfWhatsApp.show("wa-logout", wa.status === "connected");
    zfWhatsApp.show("wa-stopped", wa.status === "stopped");
    zfWhatsApp.show("wa-connect-form", wa.status !== "stopped");
    zfWhatsApp.show("wa-qr", Boolean(wa.qr_version));
    zfWhatsApp.show("wa-qr-sandbox", Boolean(wa.qr_link));
    const img = document.getElementById("wa-qr-img");
    if (img && wa.qr_version && img.dataset.version !== wa.qr_version) {
      img.dataset.version = wa.qr_version;
      img.src = root.dataset.qrUrl + "?v=" + encodeURIComponent(wa.qr_version);
    }
    const link = document.getElementById("wa-qr-link");
    if (link && wa.qr_link) link.href = wa.qr_link;
    const connect = document.getElementById("wa-connect");
    if (connect && !connect.disabled) {
      zf.text(connect, wa.exists ? connect.dataset.againLabel : connect.dataset.newLabel);
    }
    document.dispatchEvent(new CustomEvent("zf:whatsapp", {detail: wa}));
  },

  // On the live stream's instance and qr events (the QR image is fetched again when its code
  // changed); without the stream, every second until linked (the badge turns within 2 s of the
  // scan), then every 5 s.
  poll(root) {
    let status = null;
    zf.follow(root.dataset.statusUrl, () => (status === "connected" ? 5000 : 1000), (wa) => {
      status = wa.status;
      zfWhatsApp.draw(root, wa);
    }, {instance: () => true, qr: () => true});
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("wa");
  if (root) zfWhatsApp.poll(root);
  document.querySelectorAll("form[data-busy]").forEach((form) => {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button[type=submit]");
      setTimeout(() => {  // after the submission has started
        button.disabled = true;
        if (button.dataset.busyLabel) button.textContent = button.dataset.busyLabel;
      });
    });
  });
});
