/* The web chat: send a message, show the reply, follow long runs, keep the thread across reloads. */
"use strict";

(function () {
  const { el, api } = window.sb;
  const WORDS = JSON.parse(document.getElementById("label-words").textContent);
  // Status emoji in reply text → the CSS mark drawn instead (no emoji font needed): {"🔴": "negative", …}.
  const MARKS = JSON.parse(document.getElementById("status-marks").textContent);
  const MARK_RE = new RegExp(
    "(" +
      Object.keys(MARKS)
        .sort((a, b) => b.length - a.length)
        .map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("|") +
      ")\uFE0F? ?",
    "gu"
  );
  const thread = document.getElementById("thread");
  const welcome = document.getElementById("welcome");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const STORE_KEY = "sentibot.thread.v1";
  const KEEP = 20;
  const ITEMS_SHOWN = 50;
  const POLL_MS = 600;

  // ---- local history: run ids and command replies, never lost on reload ------------------------

  function loadHistory() {
    try {
      return JSON.parse(localStorage.getItem(STORE_KEY) || "[]");
    } catch (err) {
      return [];
    }
  }

  function remember(entry) {
    const history = loadHistory();
    history.push(entry);
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify(history.slice(-KEEP)));
    } catch (err) {
      /* storage full or disabled: the runs are still on the server */
    }
  }

  // The server's language rule (bot.i18n.detect_lang), for when an answer does not say `lang`.
  function guessLang(text) {
    const cjk = (text.match(/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g) || []).length;
    const words = (text.match(/[A-Za-z]+/g) || []).length;
    return cjk && cjk * 4 >= words ? "zh" : "en";
  }

  function preview(text) {
    const lines = text.split("\n");
    const head = lines.slice(0, 8).join("\n");
    return head.length > 1200 ? head.slice(0, 1200) + "…" : head;
  }

  // ---- small renderers ---------------------------------------------------------------------------

  // Reply text with each status emoji (🔴 🟢 ⚪ 🚩 ⚠️ 🚨 …) as a CSS mark, the rest as text nodes.
  function marked(text) {
    const str = String(text || "");
    const out = [];
    let at = 0;
    for (const found of str.matchAll(MARK_RE)) {
      if (found.index > at) out.push(str.slice(at, found.index));
      out.push(el("span", { class: "mark mark-" + MARKS[found[1]], "aria-hidden": "true" }));
      at = found.index + found[0].length;
    }
    if (at < str.length) out.push(str.slice(at));
    return out;
  }

  function title(text) {
    return el("h3", { class: "bot-title" }, marked(text));
  }

  function word(label, lang) {
    return (WORDS[lang] || WORDS.en)[label || "failed"];
  }

  function chip(label, lang, confidence) {
    return el("span", { class: "chip chip-" + (label || "failed") }, [
      el("span", { class: "dot", "aria-hidden": "true" }),
      word(label, lang),
      confidence === null || confidence === undefined
        ? null
        : el("span", { class: "conf", text: Math.round(confidence * 100) + "%" }),
    ]);
  }

  function summaryBar(summary, lang) {
    const labels = ["positive", "neutral", "negative", "failed"];
    const bar = el("div", { class: "mix-bar", role: "img", "aria-label": "label mix" });
    const legend = el("div", { class: "mix-legend" });
    for (const label of labels) {
      const n = summary[label] || 0;
      if (n) {
        const seg = el("span", { class: "seg seg-" + label });
        seg.style.flexGrow = String(n);
        bar.append(seg);
      }
      if (n || label !== "failed") {
        const share = summary.total ? Math.round((100 * n) / summary.total) + "%" : "";
        legend.append(
          el("span", { class: "legend" }, [
            el("span", { class: "dot dot-" + label }),
            word(label, lang) + " ",
            el("b", { text: n }),
            " ",
            el("span", { class: "muted", text: share }),
          ])
        );
      }
    }
    return el("div", { class: "mix" }, [bar, legend]);
  }

  function itemNode(item, lang, running) {
    const head = el("div", { class: "item-head" }, [
      el("span", { class: "item-no", text: item.id }),
      item.role ? el("span", { class: "role role-" + item.role, text: item.author || item.role }) : null,
      item.status === "ok"
        ? chip(item.label, lang, item.confidence)
        : running
          ? el("span", { class: "chip chip-pending", text: "…" })
          : chip(null, lang),
    ]);
    const node = el("li", { class: "item", dataset: { label: item.label || "failed" } }, [
      head,
      el("p", { class: "item-text", text: item.text }),
    ]);
    if (item.status !== "ok" && item.error && !running) node.append(el("p", { class: "item-error", text: item.error }));
    if (item.explanation) node.append(el("p", { class: "item-why", text: item.explanation }));
    if (item.keywords && item.keywords.length) {
      node.append(el("p", { class: "keywords" }, item.keywords.map((k) => el("span", { class: "tag", text: k }))));
    }
    if (item.reasoning) {
      node.append(
        el("details", { class: "reasoning" }, [
          el("summary", { text: lang === "zh" ? "查看推理过程" : "Show reasoning" }),
          el("pre", { text: item.reasoning }),
        ])
      );
    }
    return node;
  }

  function verdictNode(run) {
    const v = run.conversation;
    const zh = run.lang === "zh";
    const row = el("div", { class: "verdict-row" }, [
      el("span", { class: "verdict-label", text: zh ? "客户整体情绪" : "Customer overall" }),
      chip(v.label, run.lang),
      el("span", {
        class: "pill " + (v.resolved ? "ok" : "bad"),
        text: v.resolved ? (zh ? "已解决" : "Resolved") : zh ? "未解决" : "Not resolved",
      }),
      v.flagged ? el("span", { class: "pill flag", text: zh ? "需要复核" : "Needs review" }) : null,
    ]);
    const box = el("div", { class: "verdict" + (v.flagged ? " flagged" : "") }, [row]);
    if (v.reason) box.append(el("p", { class: "verdict-reason", text: v.reason }));
    if (v.agent_issues && v.agent_issues.length) {
      box.append(
        el("p", { class: "muted" }, [
          zh ? "客服问题：" : "Agent issues: ",
          ...v.agent_issues.map((i) => el("span", { class: "tag", text: i })),
        ])
      );
    }
    if (run.review_id) {
      box.append(
        el("p", {}, [
          el("a", {
            href: run.review_url || "/reviews",
            class: "review-link",
            text: (zh ? "打开待审 #" : "Open review #") + run.review_id + " →",
          }),
        ])
      );
    }
    return box;
  }

  function footer(run) {
    return el("div", { class: "bot-foot" }, [
      run.labeler ? el("span", { class: "muted", text: "Labelled by " + run.labeler }) : null,
      el("a", { href: run.run_url, text: "Full results" }),
      el("a", { href: run.csv_url, text: "CSV", download: true }),
    ]);
  }

  // ---- a run (analysis) --------------------------------------------------------------------------

  function renderRunning(card, run) {
    const done = run.progress.done || 0;
    const total = run.progress.total || 0;
    const count = el("b", { class: "progress-count", text: done + " / " + total });
    const zh = (run.lang || card.dataset.lang) === "zh";
    card.replaceChildren(
      el("h3", {
        class: "bot-title",
        text: zh ? "正在标注 " + total + " 条…" : "Labelling " + total + " item" + (total === 1 ? "" : "s") + "…",
      }),
      el("div", { class: "progress" }, [el("div", { class: "progress-fill" })]),
      el(
        "p",
        { class: "muted progress-text" },
        zh
          ? ["已完成 ", count, " — 可以继续操作，结果会显示在这里。", el("a", { href: run.run_url, text: "查看运行页" })]
          : [
              count,
              " labelled — keep working, the results will land here. ",
              el("a", { href: run.run_url, text: "Run page" }),
            ]
      )
    );
    card.querySelector(".progress-fill").style.width = total ? Math.round((100 * done) / total) + "%" : "0%";
  }

  function renderRun(card, run) {
    card.dataset.run = run.run_id;
    card.classList.remove("pending", "error");
    if (run.status === "running") {
      renderRunning(card, run);
      return;
    }
    const reply = run.reply || { title: "", lines: [] };
    const lang = run.lang;
    const parts = [title(reply.title)];
    if (run.error) {
      card.classList.add("error");
      for (const line of reply.lines) parts.push(el("p", {}, marked(line)));
      parts.push(
        el("div", { class: "bot-actions" }, [
          el("button", { type: "button", class: "button primary", text: "Try again", onclick: () => relabel(card, run) }),
        ])
      );
      parts.push(footer(run));
      card.replaceChildren(...parts);
      return;
    }
    if (run.conversation) parts.push(verdictNode(run));
    if (run.kind !== "text") {
      const text = el("div", { class: "summary-text" }, [summaryBar(run.summary, lang)]);
      if (run.explanation && !run.conversation) text.append(el("p", { class: "explanation", text: run.explanation }));
      const summary = el("div", { class: "summary-card" }, [text]);
      if (run.chart_path) {
        summary.append(
          el("a", { href: run.chart_path, target: "_blank", rel: "noopener", class: "chart-link" }, [
            el("img", { class: "chart", src: run.chart_path, alt: "chart of the labels", loading: "lazy" }),
          ])
        );
      }
      parts.push(summary);
    }
    const items = run.items || [];
    const shown = run.kind === "conversation" ? items : items.slice(0, ITEMS_SHOWN);
    parts.push(el("ol", { class: "items" + (run.kind === "conversation" ? " turns" : "") }, shown.map((i) => itemNode(i, lang, false))));
    if (items.length > shown.length) {
      parts.push(
        el("p", { class: "muted" }, [
          "… and " + (items.length - shown.length) + " more. ",
          el("a", { href: run.run_url, text: "See all " + items.length + " →" }),
        ])
      );
    }
    if (run.summary && run.summary.failed) {
      parts.push(
        el("div", { class: "bot-actions" }, [
          el("span", { class: "warn", text: run.summary.failed + " failed. " }),
          el("button", { type: "button", class: "button", text: "Label failed items again", onclick: () => relabel(card, run) }),
        ])
      );
    }
    parts.push(footer(run));
    card.replaceChildren(...parts);
  }

  async function relabel(card, run) {
    card.classList.add("pending");
    const { ok, data } = await api("POST", "/api/runs/" + encodeURIComponent(run.run_id) + "/relabel");
    card.classList.remove("pending");
    if (ok) renderRun(card, data);
    else showError(card, data.error);
  }

  function follow(card, runId) {
    const tick = async () => {
      const { ok, status, data } = await api("GET", "/api/runs/" + encodeURIComponent(runId));
      if (!ok) {
        if (status === 404) showError(card, data.error);
        else setTimeout(tick, POLL_MS * 3);
        return;
      }
      renderRun(card, data);
      if (data.status === "running") setTimeout(tick, POLL_MS);
      else scrollDown();
    };
    setTimeout(tick, POLL_MS);
  }

  // ---- a command reply -------------------------------------------------------------------------

  function renderReply(card, reply) {
    card.classList.remove("pending");
    if (reply.kind === "error") card.classList.add("error");
    const parts = [title(reply.title)];
    const reviews = reply.reviews || [];
    // An answer's last lines quote its examples: drawn below as links instead.
    const examples = reply.examples || [];
    const lines = examples.length ? (reply.lines || []).slice(0, -examples.length) : reply.lines || [];
    // A review list replaces the plain-text lines that say the same thing.
    if (!reviews.length) {
      for (const line of lines) {
        // A digest's negative-rate alert ("🚨 …") stands out, as on the digest page.
        parts.push(el("p", { class: line.startsWith("🚨") ? "alert-line" : null }, marked(line)));
      }
    }
    if (reviews.length) {
      parts.push(
        el(
          "ul",
          { class: "review-list" },
          reviews.map((r) =>
            el("li", {}, [
              el("a", { href: r.url, text: "#" + r.id + " " + (r.title || "") }),
              el("span", { class: "muted", text: " — " + (r.reason || "") }),
            ])
          )
        )
      );
    }
    if (examples.length) {
      parts.push(
        el(
          "ul",
          { class: "example-list" },
          examples.map((e) => el("li", {}, [el("a", { href: e.url, class: "example-link", text: "“" + (e.text || "") + "”" })]))
        )
      );
    }
    if (reply.chart_url) {
      parts.push(
        el("a", { href: reply.chart_url, target: "_blank", rel: "noopener", class: "chart-link" }, [
          el("img", { class: "chart", src: reply.chart_url, alt: "chart", loading: "lazy" }),
        ])
      );
    }
    if (reply.link) parts.push(el("div", { class: "bot-foot" }, [el("a", { href: reply.link, text: "Open →" })]));
    card.replaceChildren(...parts);
  }

  function showError(card, message) {
    card.classList.remove("pending");
    card.classList.add("error");
    card.replaceChildren(title("⚠️ " + (message || "Something went wrong")));
  }

  // ---- the thread ----------------------------------------------------------------------------

  function scrollDown() {
    thread.scrollTop = thread.scrollHeight;
  }

  function addUser(text, at, totalLines) {
    welcome.hidden = true;
    const lines = totalLines || text.split("\n").length;
    const bubble = el("div", { class: "msg user" }, [el("div", { class: "bubble", text: preview(text) })]);
    if (lines > 8) bubble.firstChild.append(el("span", { class: "more", text: "\n+" + (lines - 8) + " more lines" }));
    if (at) bubble.append(el("time", { datetime: at, class: "stamp", text: window.sb.localTime(at) }));
    thread.append(bubble);
  }

  function addBot() {
    const card = el("div", { class: "bot-card pending" }, [
      el("div", { class: "typing", "aria-label": "working" }, [el("span"), el("span"), el("span")]),
    ]);
    thread.append(el("div", { class: "msg bot" }, [el("div", { class: "avatar", "aria-hidden": "true" }), card]));
    scrollDown();
    return card;
  }

  async function send(text) {
    const at = new Date().toISOString();
    addUser(text, at);
    const card = addBot();
    card.dataset.lang = guessLang(text);
    const { ok, data } = await api("POST", "/api/chat", { text });
    if (!ok) {
      showError(card, data.error);
    } else if (data.reply) {
      renderReply(card, data.reply);
      remember({ q: preview(text), n: text.split("\n").length, at, reply: data.reply });
    } else if (data.run) {
      renderRun(card, data.run);
      remember({ q: preview(text), n: text.split("\n").length, at, run: data.run.run_id });
      if (data.run.status === "running") follow(card, data.run.run_id);
    }
    scrollDown();
  }

  async function restore() {
    const history = loadHistory();
    for (const entry of history) {
      addUser(entry.q, entry.at, entry.n);
      const card = addBot();
      card.dataset.lang = guessLang(entry.q);
      if (entry.reply) renderReply(card, entry.reply);
      else if (entry.run) {
        const { ok, data } = await api("GET", "/api/runs/" + encodeURIComponent(entry.run));
        if (!ok) {
          showError(card, data.error);
          continue;
        }
        renderRun(card, data);
        if (data.status === "running") follow(card, entry.run);
      }
    }
    window.sb.localTimes(thread);
    scrollDown();
  }

  // ---- composer --------------------------------------------------------------------------------

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, window.innerHeight * 0.4) + "px";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    autosize();
    send(text);
  });

  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; never send while an IME is composing (Chinese input).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", autosize);

  document.querySelectorAll(".example").forEach((button) =>
    button.addEventListener("click", () => {
      input.value = button.dataset.text;
      autosize();
      input.focus();
    })
  );

  restore().then(() => input.focus());
})();
