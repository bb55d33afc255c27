/* The web chat: send a message, show the reply, follow long runs, keep the thread across reloads.
   A new reply opens at its top (title, summary, chart); a list shows its most negative items
   first, a few at once, the rest behind "show all" and on the run page. */
"use strict";

(function () {
  const { el, api, t, num } = window.sb;
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
  const ITEMS_FIRST = 5; // shown at once: the most negative
  const ITEMS_SHOWN = 50; // after "show all"; the rest are on the run page
  const POLL_MS = 600;
  const following = new Set();

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

  function chip(label, confidence) {
    return el("span", { class: "chip chip-" + (label || "failed") }, [
      el("span", { class: "dot", "aria-hidden": "true" }),
      t(label || "failed"),
      confidence === null || confidence === undefined
        ? null
        : el("span", { class: "conf", text: Math.round(confidence * 100) + "%" }),
    ]);
  }

  // `mix` comes from the server: counts and whole percentages that add up to 100 (bot/shares.py).
  function summaryBar(mix) {
    const summary = mix.summary;
    const labels = ["positive", "neutral", "negative", "failed"];
    const bar = el("div", { class: "mix-bar", role: "img", "aria-label": t("label_mix") });
    const legend = el("div", { class: "mix-legend" });
    for (const label of labels) {
      const n = summary[label] || 0;
      if (n) {
        const seg = el("span", { class: "seg seg-" + label });
        seg.style.flexGrow = String(n);
        bar.append(seg);
      }
      if (n || label !== "failed") {
        const labelled = summary.total - (summary.failed || 0);
        const share = label !== "failed" && labelled ? mix.shares[label] + "%" : "";
        legend.append(
          el("span", { class: "legend", dataset: { label } }, [
            el("span", { class: "dot dot-" + label }),
            t(label) + " ",
            el("b", { text: num(n) }),
            share ? " " : null,
            share ? el("span", { class: "muted share", text: share }) : null,
          ])
        );
      }
    }
    const note = mix.customer_only ? el("p", { class: "muted small mix-note", text: t("customer_turns") }) : null;
    return el("div", { class: "mix" }, [bar, legend, note]);
  }

  function itemNode(item, running) {
    const head = el("div", { class: "item-head" }, [
      el("span", { class: "item-no", text: item.id }),
      item.role ? el("span", { class: "role role-" + item.role, text: item.author || item.role }) : null,
      item.status === "ok"
        ? chip(item.label, item.confidence)
        : running
          ? el("span", { class: "chip chip-pending", text: "…" })
          : chip(null),
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
          el("summary", { text: t("show_reasoning") }),
          el("pre", { text: item.reasoning }),
        ])
      );
    }
    return node;
  }

  function verdictNode(run) {
    const v = run.conversation;
    const row = el("div", { class: "verdict-row" }, [
      el("span", { class: "verdict-label", text: t("customer_overall") }),
      chip(v.label),
      el("span", { class: "pill " + (v.resolved ? "ok" : "bad"), text: t(v.resolved ? "resolved" : "not_resolved") }),
      v.flagged ? el("span", { class: "pill flag", text: t("needs_review") }) : null,
    ]);
    const box = el("div", { class: "verdict" + (v.flagged ? " flagged" : "") }, [row]);
    if (v.reason) box.append(el("p", { class: "verdict-reason", text: v.reason }));
    if (v.agent_issues && v.agent_issues.length) {
      box.append(
        el("p", { class: "muted agent-issues" }, [
          t("agent_issues"),
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
            text: t("open_review", { n: run.review_id }),
          }),
        ])
      );
    }
    return box;
  }

  function footer(run) {
    return el("div", { class: "bot-foot" }, [
      run.labeler ? el("span", { class: "muted", text: t("labelled_by", { name: run.labeler }) }) : null,
      el("a", { href: run.run_url, text: t("full_results"), class: "full-results" }),
      el("a", { href: run.csv_url, text: t("csv"), download: true, class: "csv" }),
    ]);
  }

  // ---- a run (analysis) --------------------------------------------------------------------------

  function renderRunning(card, run) {
    const done = run.progress.done || 0;
    const total = run.progress.total || 0;
    const count = el("b", { class: "progress-count", text: num(done) + " / " + num(total) });
    const [before, after] = t("progress_done").split("{done}");
    card.replaceChildren(
      el("h3", { class: "bot-title", text: t("labelling_n", { n: num(total) }) }),
      el("div", { class: "progress" }, [el("div", { class: "progress-fill" })]),
      el("p", { class: "muted progress-text" }, [before, count, after, el("a", { href: run.run_url, text: t("run_page") })])
    );
    card.querySelector(".progress-fill").style.width = total ? Math.round((100 * done) / total) + "%" : "0%";
  }

  // The order a list is read in: the most negative first (negative by confidence, then failed,
  // neutral, positive); a conversation keeps its turns in order.
  const RANK = { negative: 0, failed: 1, neutral: 2, positive: 3 };
  function mostNegativeFirst(items) {
    return items
      .map((item, at) => ({ item, at }))
      .sort((a, b) => {
        const la = a.item.status === "ok" ? a.item.label : "failed";
        const lb = b.item.status === "ok" ? b.item.label : "failed";
        if (RANK[la] !== RANK[lb]) return RANK[la] - RANK[lb];
        const ca = la === "negative" ? -(a.item.confidence || 0) : 0;
        const cb = lb === "negative" ? -(b.item.confidence || 0) : 0;
        return ca - cb || a.at - b.at;
      })
      .map((x) => x.item);
  }

  function itemList(run) {
    const items = run.items || [];
    const turns = run.kind === "conversation";
    if (turns || items.length <= ITEMS_FIRST) {
      return [el("ol", { class: "items" + (turns ? " turns" : "") }, items.map((i) => itemNode(i, false)))];
    }
    const ordered = mostNegativeFirst(items);
    const list = el("ol", { class: "items ranked" }, ordered.slice(0, ITEMS_FIRST).map((i) => itemNode(i, false)));
    const parts = [el("p", { class: "muted small list-order", text: t("most_negative_first") }), list];
    const more = el("div", { class: "bot-actions more-items" });
    const runPageLink = () =>
      items.length > ITEMS_SHOWN
        ? el("a", { href: run.run_url, class: "run-page-link", text: t("more_on_run_page", { n: num(items.length - ITEMS_SHOWN) }) })
        : null;
    const showAll = el("button", {
      type: "button",
      class: "button show-all",
      text: t("show_all", { n: num(Math.min(items.length, ITEMS_SHOWN)) }),
      onclick: () => {
        list.append(...ordered.slice(ITEMS_FIRST, ITEMS_SHOWN).map((i) => itemNode(i, false)));
        more.replaceChildren(...[runPageLink()].filter(Boolean));
      },
    });
    more.append(showAll);
    parts.push(more);
    return parts;
  }

  function chartLink(path, fullPath) {
    // The compact chart, drawn for this size; the full one opens on click. Width and height are
    // given so nothing below moves when the picture arrives.
    return el("a", { href: fullPath || path, target: "_blank", rel: "noopener", class: "chart-link", title: t("chart_open") }, [
      el("img", { class: "chart", src: path, alt: t("chart_alt"), width: 360, height: 230, dataset: { testid: "chart" } }),
    ]);
  }

  function renderRun(card, run) {
    card.dataset.run = run.run_id;
    card.dataset.status = run.status;
    card.classList.remove("pending", "error");
    if (run.status === "running") {
      renderRunning(card, run);
      return;
    }
    const reply = run.reply || { title: "", lines: [] };
    const parts = [title(reply.title)];
    if (run.error) {
      card.classList.add("error");
      for (const line of reply.lines) parts.push(el("p", {}, marked(line)));
      parts.push(
        el("div", { class: "bot-actions" }, [
          el("button", { type: "button", class: "button primary", text: t("try_again"), onclick: () => relabel(card, run) }),
        ])
      );
      parts.push(footer(run));
      card.replaceChildren(...parts);
      return;
    }
    if (run.conversation) parts.push(verdictNode(run));
    if (run.kind !== "text") {
      const text = el("div", { class: "summary-text" }, [summaryBar(run.mix)]);
      if (run.explanation && !run.conversation) text.append(el("p", { class: "explanation", text: run.explanation }));
      const summary = el("div", { class: "summary-card" }, [text]);
      if (run.chart_path) summary.append(chartLink(run.chart_path, run.chart_full_path));
      parts.push(summary);
    }
    parts.push(...itemList(run));
    if (run.summary && run.summary.failed) {
      parts.push(
        el("div", { class: "bot-actions" }, [
          el("span", { class: "warn", text: t("n_failed", { n: num(run.summary.failed) }) }),
          el("button", { type: "button", class: "button", text: t("label_failed_again"), onclick: () => relabel(card, run) }),
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

  // Poll a running run until it is done; then show it from its top. One follower per run.
  function follow(card, runId) {
    if (following.has(runId)) return;
    following.add(runId);
    const tick = async () => {
      const { ok, status, data } = await api("GET", "/api/runs/" + encodeURIComponent(runId));
      if (!ok) {
        if (status === 404) {
          following.delete(runId);
          showError(card, data.error);
        } else setTimeout(tick, POLL_MS * 3);
        return;
      }
      renderRun(card, data);
      if (data.status === "running") {
        setTimeout(tick, POLL_MS);
        return;
      }
      following.delete(runId);
      if (card === lastCard()) showTop(card);
      window.sb.refreshLive(); // the sidebar and the Reviews badge follow at once
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
        el("a", { href: reply.chart_full_url || reply.chart_url, target: "_blank", rel: "noopener", class: "chart-link" }, [
          el("img", { class: "chart", src: reply.chart_url, alt: t("chart_alt"), width: 360, height: 230 }),
        ])
      );
    }
    if ((reply.drill || []).length) parts.push(drillDown(reply.drill));
    if (reply.link) parts.push(el("div", { class: "bot-foot" }, [el("a", { href: reply.link, text: t("open_link") })]));
    card.replaceChildren(...parts);
  }

  // The chart's days, labels and aspects as links to their messages (a PNG has no clickable bars).
  function drillDown(drill) {
    const days = drill.filter((d) => d.kind === "day");
    const labels = drill.filter((d) => d.kind === "label");
    const aspects = drill.filter((d) => d.kind === "aspect");
    const parts = [el("p", { class: "muted small", text: t("drill_hint") })];
    if (days.length) {
      parts.push(el("h4", { text: t("drill_days") }));
      parts.push(
        el(
          "ul",
          { class: "drill-list", dataset: { testid: "drill-days" } },
          days.map((d) => {
            const bar = el("span", { class: "drill-bar", "aria-hidden": "true" });
            for (const label of ["positive", "neutral", "negative"]) {
              const n = (d.counts || {})[label] || 0;
              if (!n) continue;
              const seg = el("span", { class: "seg seg-" + label });
              seg.style.flexGrow = String(n);
              bar.append(seg);
            }
            return el("li", {}, [
              el("a", { href: d.url, class: "drill-day", dataset: { day: d.key } }, [
                el("span", { text: d.key }),
                bar,
                el("span", { class: "muted", text: num(d.total) + " · " + t("n_negative", { n: num((d.counts || {}).negative || 0) }) }),
              ]),
            ]);
          })
        )
      );
    }
    if (labels.length) {
      parts.push(el("h4", { text: t("drill_labels") }));
      parts.push(
        el(
          "ul",
          { class: "drill-chips" },
          labels.map((d) =>
            el("li", {}, [
              el("a", { href: d.url, class: "chip chip-" + d.key + " drill-label", dataset: { label: d.key } }, [
                el("span", { class: "dot", "aria-hidden": "true" }),
                t(d.key) + " " + num(d.total),
              ]),
            ])
          )
        )
      );
    }
    if (aspects.length) {
      parts.push(el("h4", { text: t("drill_aspects") }));
      parts.push(
        el(
          "ul",
          { class: "drill-chips" },
          aspects.map((d) =>
            el("li", {}, [
              el("a", {
                href: d.url,
                class: "tag drill-aspect",
                dataset: { aspect: d.key },
                text: t("aspect_" + d.key) + " " + num(d.total) + " (" + t("n_negative", { n: num((d.counts || {}).negative || 0) }) + ")",
              }),
            ])
          )
        )
      );
    }
    return el("div", { class: "drill", dataset: { testid: "drill" } }, parts);
  }

  function showError(card, message) {
    card.classList.remove("pending");
    card.classList.add("error");
    card.replaceChildren(title("⚠️ " + (message || t("something_wrong"))));
  }

  // ---- the thread ----------------------------------------------------------------------------

  function scrollDown() {
    thread.scrollTo({ top: thread.scrollHeight, behavior: "instant" });
  }

  function lastCard() {
    const cards = thread.querySelectorAll(".bot-card");
    return cards[cards.length - 1];
  }

  // A reply is read from its top: its title, summary and chart, not its last items.
  function showTop(card) {
    const top = card.getBoundingClientRect().top - thread.getBoundingClientRect().top;
    thread.scrollTo({ top: Math.max(0, thread.scrollTop + top - 12), behavior: "instant" });
  }

  function addUser(text, at, totalLines) {
    welcome.hidden = true;
    const lines = totalLines || text.split("\n").length;
    const bubble = el("div", { class: "msg user" }, [el("div", { class: "bubble", text: preview(text) })]);
    if (lines > 8) bubble.firstChild.append(el("span", { class: "more", text: "\n" + t("more_lines", { n: num(lines - 8) }) }));
    if (at) bubble.append(el("time", { datetime: at, class: "stamp", text: window.sb.localTime(at) }));
    thread.append(bubble);
  }

  function addBot() {
    const card = el("div", { class: "bot-card pending" }, [
      el("div", { class: "typing", "aria-label": t("working") }, [el("span"), el("span"), el("span")]),
    ]);
    thread.append(el("div", { class: "msg bot" }, [el("div", { class: "avatar", "aria-hidden": "true" }), card]));
    scrollDown();
    return card;
  }

  async function send(text) {
    const at = new Date().toISOString();
    addUser(text, at);
    const card = addBot();
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
      else window.sb.refreshLive();
    }
    showTop(card);
  }

  async function restore() {
    const history = loadHistory();
    for (const entry of history) {
      addUser(entry.q, entry.at, entry.n);
      const card = addBot();
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
    const last = lastCard();
    if (last) showTop(last);
  }

  // Back/forward cache: runs followed when the page was left may have finished meanwhile.
  window.addEventListener("pageshow", async (event) => {
    if (!event.persisted) return;
    for (const card of thread.querySelectorAll(".bot-card[data-status=running]")) {
      const runId = card.dataset.run;
      const { ok, data } = await api("GET", "/api/runs/" + encodeURIComponent(runId));
      if (!ok) continue;
      renderRun(card, data);
      following.delete(runId);
      if (data.status === "running") follow(card, runId);
    }
  });

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
