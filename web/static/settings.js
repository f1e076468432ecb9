// The settings page: copy a secret shown once; refresh or follow the worker log.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      const text = input.tagName === "INPUT" ? input.value : input.textContent;
      if (input.select) {
        input.select();
      } else {
        window.getSelection().selectAllChildren(input);
      }
      try {
        await navigator.clipboard.writeText(text);
      } catch (err) {
        document.execCommand("copy");  // plain http: no clipboard API, the selection is copied
      }
      zf.text(button, button.dataset.copied);
    });
  });

  const section = document.getElementById("worker-log");
  if (!section) return;
  const pre = section.querySelector("[data-log]");
  const follow = section.querySelector("[data-log-follow]");
  const problem = section.querySelector("[data-log-error]");
  let following = false;

  const show = (data) => {
    section.querySelector("[data-no-worker]").hidden = data.has_worker;
    section.querySelector("[data-has-worker]").hidden = !data.has_worker;
    section.querySelector("[data-log-empty]").hidden = Boolean(data.log);
    pre.hidden = !data.log;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    zf.text(pre, data.log);  // textContent: the log is never read as HTML
    if (atBottom) pre.scrollTop = pre.scrollHeight;
    zf.text(problem, "");
  };
  const refresh = async () => {
    try {
      show(await zf.json(section.dataset.logUrl));
    } catch (err) {
      zf.text(problem, err.message);
    }
  };

  section.querySelector("[data-log-refresh]").addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
  follow.addEventListener("change", () => {
    if (follow.checked && !following) {
      following = true;
      zf.poll(section.dataset.logUrl, 2000, (data) => {
        show(data);
        following = follow.checked;
        return following;
      });
    }
  });
});
