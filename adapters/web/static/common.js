/* Shared helpers. Data is only ever put on the page with textContent (never innerHTML). */
"use strict";

window.sb = (function () {
  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === null || value === undefined || value === false) continue;
        if (key === "text") node.textContent = value;
        else if (key === "class") node.className = value;
        else if (key === "dataset") Object.assign(node.dataset, value);
        else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : String(value));
      }
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(method, path, body) {
    const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      return { ok: false, status: 0, data: { error: "Cannot reach sentibot. Is the server running?" } };
    }
    if (response.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = { error: "Unexpected answer from the server (" + response.status + ")" };
    }
    return { ok: response.ok, status: response.status, data };
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function localTime(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    const today = new Date();
    const time = pad(d.getHours()) + ":" + pad(d.getMinutes());
    if (d.toDateString() === today.toDateString()) return "today " + time;
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + time;
  }

  function localTimes(root) {
    (root || document).querySelectorAll("time[datetime]").forEach((t) => {
      t.title = t.getAttribute("datetime");
      t.textContent = localTime(t.getAttribute("datetime"));
    });
  }

  // The CJK web font arrives after first paint (font-display: swap). Chrome redraws most text then,
  // but keeps empty boxes in some already laid-out text (bold review titles). A no-op change of the
  // font features on <html> makes it shape every text again with the font now loaded.
  let flip = false;
  if (document.fonts) {
    document.fonts.addEventListener("loadingdone", () => {
      flip = !flip;
      document.documentElement.style.fontFeatureSettings = flip ? '"kern" 1' : "normal";
    });
  }

  document.addEventListener("DOMContentLoaded", () => localTimes(document));
  return { el, api, localTime, localTimes };
})();
