/* One run's page: filter the items, follow a running run, label failed items again. */
"use strict";

(function () {
  const { api } = window.sb;

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
        document.getElementById("progress-text").textContent = done + " / " + total;
        running.querySelector(".progress-fill").style.width = (total ? Math.round((100 * done) / total) : 0) + "%";
      }
      setTimeout(tick, 800);
    };
    setTimeout(tick, 800);
  }

  const relabel = document.getElementById("relabel");
  if (relabel) {
    relabel.addEventListener("click", async () => {
      relabel.disabled = true;
      relabel.textContent = "Labelling…";
      const { ok, data } = await api("POST", "/api/runs/" + encodeURIComponent(relabel.dataset.run) + "/relabel");
      if (ok) window.location.reload();
      else {
        relabel.disabled = false;
        relabel.textContent = data.error || "Failed, try again";
      }
    });
  }
})();
