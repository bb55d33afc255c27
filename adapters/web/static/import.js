/* Import a file: upload it (the raw file as the body) for its first rows and the columns the
   server recognised, let the reader pick which column is which, then import it. */
"use strict";

(function () {
  const { el, t, num } = window.sb;
  const fileInput = document.getElementById("upload-file");
  const errorBox = document.getElementById("upload-error");
  const preview = document.getElementById("upload-preview");
  const picker = document.getElementById("column-picker");
  const table = document.getElementById("preview-table");
  const runButton = document.getElementById("upload-run");
  const status = document.getElementById("upload-status");
  const report = document.getElementById("upload-report");
  let upload = null;

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  async function send(url, init) {
    let response;
    try {
      response = await fetch(url, Object.assign({ credentials: "same-origin", headers: {} }, init));
    } catch (err) {
      return { ok: false, data: { error: t("cannot_reach") } };
    }
    if (response.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(location.pathname));
    }
    let data;
    try {
      data = await response.json();
    } catch (err) {
      data = { error: t("something_wrong") + " (" + response.status + ")" };
    }
    return { ok: response.ok, data };
  }

  function drawPicker() {
    const selects = upload.field_names.map((field) => {
      const options = (field === "text" ? [] : [el("option", { value: "", text: t("import_none") })]).concat(
        upload.header.map((column) => el("option", { value: column, text: column || "?", selected: upload.fields[field] === column }))
      );
      const select = el("select", { name: field, class: "field-pick", dataset: { field, testid: "pick-" + field } }, options);
      if (field === "text" && !upload.fields.text) select.value = "";
      select.addEventListener("change", drawTable);
      return el("label", {}, [t("field_" + field), select]);
    });
    picker.replaceChildren(el("div", { class: "filter-form" }, selects));
  }

  function picked() {
    const fields = {};
    picker.querySelectorAll("select.field-pick").forEach((select) => {
      if (select.value) fields[select.dataset.field] = select.value;
    });
    return fields;
  }

  function drawTable() {
    const fields = picked();
    const fieldOf = {};
    for (const [field, column] of Object.entries(fields)) fieldOf[column] = field;
    const head = el(
      "tr",
      {},
      upload.header.map((column) =>
        el("th", { class: fieldOf[column] === "text" ? "picked-text" : null }, [
          column,
          fieldOf[column] ? el("span", { class: "tag", text: t("field_" + fieldOf[column]) }) : null,
        ])
      )
    );
    const rows = upload.rows.map((row) => el("tr", {}, row.map((cell) => el("td", { text: cell, title: cell }))));
    table.replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
  }

  fileInput.addEventListener("change", async () => {
    showError("");
    report.hidden = true;
    preview.hidden = true;
    const file = fileInput.files[0];
    if (!file) return;
    const { ok, data } = await send("/api/imports?filename=" + encodeURIComponent(file.name), {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream", Accept: "application/json" },
      body: file,
    });
    if (!ok) {
      showError(data.error || t("something_wrong"));
      return;
    }
    upload = data;
    document.getElementById("upload-name").textContent = data.filename;
    drawPicker();
    drawTable();
    status.textContent = "";
    runButton.disabled = false;
    preview.hidden = false;
  });

  runButton.addEventListener("click", async () => {
    const fields = picked();
    if (!fields.text) {
      showError(t("import_need_text"));
      return;
    }
    showError("");
    runButton.disabled = true;
    status.textContent = t("import_running");
    const { ok, data } = await send("/api/imports/" + encodeURIComponent(upload.upload_id), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        fields,
        source: document.getElementById("upload-source").value.trim() || "import",
        channel: document.getElementById("upload-channel").value.trim() || null,
      }),
    });
    status.textContent = "";
    if (!ok) {
      runButton.disabled = false;
      showError(data.error || t("something_wrong"));
      return;
    }
    preview.hidden = true;
    fileInput.value = "";
    const parts = [
      el("p", {
        dataset: { testid: "import-summary" },
        text: t("import_done", { rows: num(data.rows), new: num(data.new), already: num(data.already), rejected: num(data.rejected_count) }),
      }),
    ];
    if (data.rejected.length) {
      parts.push(el("ul", { class: "small" }, data.rejected.map((r) => el("li", { text: t("import_rejected_row", r) }))));
    }
    parts.push(el("p", {}, [el("a", { href: data.messages_url, class: "button primary", dataset: { testid: "import-see" }, text: t("import_see") })]));
    report.replaceChildren(...parts);
    report.hidden = false;
  });
})();
