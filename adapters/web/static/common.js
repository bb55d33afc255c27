/* Shared helpers. Data is only ever put on the page with textContent (never innerHTML).
   Words come from the page's own strings (#page-text, adapters/web/page_text.py): one language
   per page. The header stays in step with the server: the Reviews badge and, on the chat, the
   recent runs are refreshed without a reload (polling while the tab is visible, and at once when
   the page comes back from the back/forward cache). */
"use strict";

window.sb = (function () {
  const T = JSON.parse((document.getElementById("page-text") || { textContent: "{}" }).textContent);
  const LANG = document.body.dataset.lang || "en";
  const LIVE_MS = 4000;

  function t(key, vars) {
    let text = T[key] !== undefined ? T[key] : key;
    for (const [name, value] of Object.entries(vars || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }

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
      return { ok: false, status: 0, data: { error: t("cannot_reach") } };
    }
    if (response.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = { error: t("something_wrong") + " (" + response.status + ")" };
    }
    return { ok: response.ok, status: response.status, data };
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  // Dates in the page language: "today 14:05" / "今天 14:05", else "2026-11-30 14:05".
  function localTime(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    const time = pad(d.getHours()) + ":" + pad(d.getMinutes());
    if (d.toDateString() === new Date().toDateString()) return t("today") + " " + time;
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + time;
  }

  function localTimes(root) {
    (root || document).querySelectorAll("time[datetime]").forEach((node) => {
      node.title = node.getAttribute("datetime");
      node.textContent = localTime(node.getAttribute("datetime"));
    });
  }

  // Numbers in the page language (grouping as the language writes them).
  const numberFormat = new Intl.NumberFormat(LANG === "zh" ? "zh-CN" : "en-US");
  function num(n) {
    return numberFormat.format(n);
  }

  // ---- the language switch: remembered in a cookie, read by the server for every page --------
  const switcher = document.getElementById("lang-switch");
  if (switcher) {
    switcher.addEventListener("click", () => {
      document.cookie = "sentibot_lang=" + switcher.dataset.lang + "; path=/; max-age=31536000; samesite=lax";
      window.location.reload();
    });
  }

  // ---- live header and sidebar ------------------------------------------------------------------
  let refreshing = false;
  const listeners = [];

  async function refreshLive() {
    if (refreshing) return;
    refreshing = true;
    try {
      const response = await fetch("/", { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store" });
      if (!response.ok || response.redirected) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const badge = document.getElementById("open-badge");
      const freshBadge = fresh.getElementById("open-badge");
      if (badge && freshBadge) {
        badge.textContent = freshBadge.textContent;
        badge.hidden = freshBadge.hidden;
      }
      const recent = document.getElementById("recent-runs");
      const freshRecent = fresh.getElementById("recent-runs");
      if (recent && freshRecent) {
        const adopted = document.importNode(freshRecent, true);
        localTimes(adopted);
        recent.replaceWith(adopted);
      }
      listeners.forEach((fn) => fn());
    } catch (err) {
      /* offline for a moment: the next tick tries again */
    } finally {
      refreshing = false;
    }
  }

  setInterval(() => {
    if (document.visibilityState === "visible") refreshLive();
  }, LIVE_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshLive();
  });
  // Back/forward cache: the page comes back as it was left, so bring it up to date at once.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) refreshLive();
  });

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
  return { el, api, t, num, lang: LANG, localTime, localTimes, refreshLive, onLive: (fn) => listeners.push(fn) };
})();
