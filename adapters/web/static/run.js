/* One run's page: filter the items, follow a running run, label failed items again. */
"use strict";

(function () {
  const { api, t, num } = window.sb;

  document.querySelectorAll(".filter").forEach((button) =>
    button.addEventListener("click", () => {
      const wanted = button.dataset.filter;
      document.querySelectorAll(".filter").forEach((b) => b.classList.toggle("active", b === button));
      document.querySelectorAll(".items .item").forEach((item) => {
        item.hidden = wanted !== "all" && item.dataset.label !== wanted;
      });
    })
  );

  const running = document.getElementById("running");
  if (running) {
    const runId = running.dataset.run;
    const tick = async () => {
      const { ok, data } = await api("GET", "/api/runs/" + encodeURIComponent(runId));
      if (ok && data.status !== "running") {
        window.location.reload();
        return;
      }
      if (ok) {
        const { done, total } = data.progress;
        document.getElementById("progress-text").textContent = t("progress_refresh", { done: num(done), total: num(total) });
        running.querySelector(".progress-fill").style.width = (total ? Math.round((100 * done) / total) : 0) + "%";
      }
      setTimeout(tick, 800);
    };
    setTimeout(tick, 800);
    // Back to this page from the back/forward cache: it may have finished meanwhile.
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) window.location.reload();
    });
  }

  const relabel = document.getElementById("relabel");
  if (relabel) {
    relabel.addEventListener("click", async () => {
      relabel.disabled = true;
      relabel.textContent = t("labelling");
      const { ok, data } = await api("POST", "/api/runs/" + encodeURIComponent(relabel.dataset.run) + "/relabel");
      if (ok) window.location.reload();
      else {
        relabel.disabled = false;
        relabel.textContent = data.error || t("try_again");
      }
    });
  }
})();
