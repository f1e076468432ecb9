// The campaign form: the recipient count follows the chosen tags.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("target-tags");
  if (!box) return;
  const count = document.getElementById("recipients-count");
  const refresh = async () => {
    const tags = [...box.querySelectorAll('input[name="target_tags"]:checked')].map((el) => el.value);
    const url = `${box.dataset.countUrl}?tags=${encodeURIComponent(tags.join(","))}`;
    try {
      zf.text(count, String((await zf.json(url)).recipients));
    } catch (err) {
      zf.text(count, "–");
    }
  };
  box.addEventListener("change", refresh);
});
