/* The review queue: open the review named in the URL, resolve and reopen through the API. */
"use strict";

(function () {
  const { api, t } = window.sb;
  const NAME_KEY = "sentibot.reviewer";

  function openFromHash() {
    const target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      target.scrollIntoView({ block: "start" });
    }
  }
  window.addEventListener("hashchange", openFromHash);
  openFromHash();

  const params = new URLSearchParams(location.search);
  const notice = document.getElementById("notice");
  if (params.get("done")) {
    notice.textContent = t("marked_reviewed", { n: params.get("done") });
    notice.hidden = false;
  } else if (params.get("reopened")) {
    notice.textContent = t("reopened", { n: params.get("reopened") });
    notice.hidden = false;
  }

  const savedName = localStorage.getItem(NAME_KEY) || "";
  document.querySelectorAll("input.reviewer").forEach((input) => {
    if (!input.value) input.value = savedName;
  });

  function wire(selector, action, bodyOf, after) {
    document.querySelectorAll(selector).forEach((form) =>
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const error = form.querySelector(".form-error");
        const button = form.querySelector("button[type=submit]");
        const body = bodyOf(new FormData(form));
        button.disabled = true;
        const id = form.dataset.review;
        const { ok, data } = await api("POST", "/api/reviews/" + encodeURIComponent(id) + "/" + action, body);
        button.disabled = false;
        if (!ok) {
          error.textContent = data.error || t("could_not_save");
          error.hidden = false;
          return;
        }
        localStorage.setItem(NAME_KEY, (body.reviewer || "").trim());
        window.location.assign("/reviews?" + after + "=" + encodeURIComponent(id));
      })
    );
  }

  wire(
    ".resolve-form",
    "resolve",
    (fd) => {
      const body = { reviewer: String(fd.get("reviewer") || ""), note: String(fd.get("note") || "") };
      if (fd.get("label")) body.label = String(fd.get("label"));
      return body;
    },
    "done"
  );
  wire(".reopen-form", "reopen", (fd) => ({ reviewer: String(fd.get("reviewer") || "") }), "reopened");
})();
