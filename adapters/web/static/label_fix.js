/* Set the right label of a message: a small form on every element with `data-label-url`
   (run page items, /messages rows). The name is remembered like the reviews page does. */
"use strict";

(function () {
  const { api, el } = window.sb;
  const NAME_KEY = "sentibot.reviewer";
  const zh = (document.documentElement.lang || "").startsWith("zh");
  const WORDS = zh
    ? { positive: "正面", negative: "负面", neutral: "中性", set: "改标签", by: "你的名字", saved: "已改为" }
    : { positive: "positive", negative: "negative", neutral: "neutral", set: "Set label", by: "your name", saved: "Set to" };

  document.querySelectorAll("[data-label-url]").forEach((row) => {
    const select = el(
      "select",
      { class: "fix-label", "aria-label": WORDS.set },
      ["positive", "negative", "neutral"].map((label) =>
        el("option", { value: label, text: WORDS[label], selected: row.dataset.label === label })
      )
    );
    const name = el("input", { class: "fix-by", placeholder: WORDS.by, "aria-label": WORDS.by, maxlength: 200 });
    name.value = localStorage.getItem(NAME_KEY) || "";
    const status = el("span", { class: "fix-status muted", role: "status" });
    const button = el("button", { type: "submit", class: "button", text: WORDS.set });
    const form = el("form", { class: "label-fix" }, [select, name, button, status]);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const by = name.value.trim();
      if (!by) {
        status.textContent = WORDS.by + "?";
        name.focus();
        return;
      }
      button.disabled = true;
      const { ok, data } = await api("POST", row.dataset.labelUrl, { label: select.value, by });
      button.disabled = false;
      if (!ok) {
        status.textContent = data.error || "failed";
        return;
      }
      localStorage.setItem(NAME_KEY, by);
      row.dataset.label = data.label;
      const chip = row.querySelector(".chip");
      if (chip) {
        chip.className = "chip chip-" + data.label;
        chip.replaceChildren(el("span", { class: "dot", "aria-hidden": "true" }), WORDS[data.label]);
      }
      status.textContent = WORDS.saved + " " + WORDS[data.label] + " · " + data.corrected_by + " · " + data.corrected_at;
    });
    row.append(form);
  });
})();
