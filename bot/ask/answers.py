"""Templated answers (the offline path, and the fallback when a model's answer cannot be trusted).

Every number in a templated answer is taken from a tool result; nothing is computed here except
formatting (a share 0.3 is written 30%). One language per answer: the question's.
"""

from __future__ import annotations

from typing import Any

from bot.ask.periods import Period
from bot.ask.questions import Question
from bot.ask.tools import ToolResult
from bot.i18n import label_word, tr
from domain.models import ASPECT_NAMES_ZH, Lang

QUOTE_CHARS = 80


def pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def aspect_name(aspect: str, lang: Lang) -> str:
    return ASPECT_NAMES_ZH.get(aspect, aspect) if lang == "zh" else aspect


def period_words(period: Period, lang: Lang) -> str:
    if period.first == period.last:
        return period.first.isoformat()
    return tr(
        lang,
        f"{period.first.isoformat()} 至 {period.last.isoformat()}",
        f"{period.first.isoformat()} to {period.last.isoformat()}",
    )


def _scope(q: Question, lang: Lang) -> str:
    """`in channel web, about delivery` / `（渠道 web，物流）`."""
    parts = []
    if q.channel:
        parts.append(tr(lang, f"渠道 {q.channel}", f"channel {q.channel}"))
    if q.aspect:
        parts.append(tr(lang, aspect_name(q.aspect, lang), f"about {q.aspect}"))
    if not parts:
        return ""
    return tr(lang, f"（{'，'.join(parts)}）", f" ({', '.join(parts)})")


def quote(example: dict[str, Any], lang: Lang) -> str:
    """`“物流太慢了” — 负面 · 物流 · web · link`."""
    text = " ".join(str(example.get("text") or "").split())
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1] + "…"
    bits = [label_word(example.get("label"), lang)]
    bits += [aspect_name(a, lang) for a in example.get("aspects") or []][:2]
    if example.get("channel"):
        bits.append(str(example["channel"]))
    open_q, close_q = ("“", "”")
    return f"{open_q}{text}{close_q} — {' · '.join(bits)} · {example.get('link')}"


def complaints(q: Question, by_aspect: ToolResult, stats: ToolResult, lang: Lang) -> str:
    s = stats.data
    when = period_words(q.period, lang) + _scope(q, lang)
    if not s["labelled"]:
        return tr(lang, f"{when}没有已标注的消息。", f"No labelled messages {_en_when(q)}{_scope(q, lang)}.")
    head = tr(
        lang,
        f"{when}：{s['labelled']} 条已标注消息中 {s['negative']} 条负面（{pct(s['shares']['negative'])}）。",
        f"{_cap(_en_when(q))}{_scope(q, lang)}: {s['negative']} of {s['labelled']} labelled messages were "
        f"negative ({pct(s['shares']['negative'])}).",
    )
    rows = [r for r in by_aspect.data["aspects"] if r["negative"]][:3]
    if not rows:
        return head + tr(lang, "没有负面消息。", " No complaints.")
    parts = [
        tr(
            lang,
            f"{aspect_name(r['aspect'], lang)}（{r['negative']} 条，占负面 {pct(r['share_of_negatives'])}）",
            f"{r['aspect']} ({r['negative']}, {pct(r['share_of_negatives'])} of negatives)",
        )
        for r in rows
    ]
    if lang == "zh":
        tail = f"投诉主要集中在{parts[0]}" + (f"，其次是{'、'.join(parts[1:])}" if parts[1:] else "") + "。"
    else:
        tail = f" Most complaints were about {parts[0]}" + (
            f", then {' and '.join(parts[1:])}" if parts[1:] else ""
        )
        tail += "."
    return head + tail


def _en_when(q: Question | None, period: Period | None = None) -> str:
    p = period or (q.period if q else None)
    assert p is not None
    if p.first == p.last:
        return f"on {p.first.isoformat()}"
    return f"from {p.first.isoformat()} to {p.last.isoformat()}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def counts(q: Question, stats: ToolResult, lang: Lang) -> str:
    s = stats.data
    when = period_words(q.period, lang) + _scope(q, lang)
    if not s["total"]:
        return tr(lang, f"{when}没有消息。", f"No messages {_en_when(q)}{_scope(q, lang)}.")
    if q.label:
        share = pct(s["shares"][q.label])
        word = label_word(q.label, lang)
        return tr(
            lang,
            f"{when}：{s['labelled']} 条已标注消息中 {s[q.label]} 条{word}（{share}）。",
            f"{_cap(_en_when(q))}{_scope(q, lang)}: {s[q.label]} of {s['labelled']} labelled messages were "
            f"{word} ({share}).",
        )
    mix = (
        "，".join(
            f"{label_word(label, lang)} {s[label]}（{pct(s['shares'][label])}）"
            for label in ("positive", "neutral", "negative")
        )
        if lang == "zh"
        else ", ".join(
            f"{s[label]} {label} ({pct(s['shares'][label])})" for label in ("positive", "neutral", "negative")
        )
    )
    failed = (
        tr(lang, f"，另有 {s['failed']} 条未能标注", f"; {s['failed']} not labelled") if s["failed"] else ""
    )
    return tr(
        lang,
        f"{when}：共 {s['total']} 条消息，{mix}{failed}。",
        f"{_cap(_en_when(q))}{_scope(q, lang)}: {s['total']} messages — {mix}{failed}.",
    )


def trend(q: Question, result: ToolResult, lang: Lang, *, since_yesterday: bool = False) -> str:
    d = result.data
    now, before = d["period"], d["previous"]
    assert q.compare_to is not None
    when_now, when_before = period_words(q.period, lang), period_words(q.compare_to, lang)
    share_now, share_before = pct(now["shares"]["negative"]), pct(before["shares"]["negative"])
    if lang == "zh":
        text = (
            f"{when_now}：{now['labelled']} 条已标注消息中负面 {now['negative']} 条（{share_now}）；"
            f"{when_before}：{before['labelled']} 条中负面 {before['negative']} 条（{share_before}）。"
        )
    else:
        text = (
            f"{_cap(_en_when(None, q.period))}: {now['negative']} of {now['labelled']} labelled messages "
            f"negative ({share_now}); {_en_when(None, q.compare_to)}: {before['negative']} of "
            f"{before['labelled']} ({share_before})."
        )
    change = d["negative_change"]
    if since_yesterday:
        text += tr(
            lang,
            f"消息总数 {now['total']} 条，昨天 {before['total']} 条。",
            f" {now['total']} messages so far against {before['total']}.",
        )
    rises = [r for r in d["aspects"] if r["change"] > 0][:3]
    falls = [r for r in sorted(d["aspects"], key=lambda r: r["change"]) if r["change"] < 0][:2]
    if change > 0:
        text += tr(lang, f"负面多了 {change} 条。", f" Negative is up by {change}.")
    elif change < 0:
        text += tr(lang, f"负面少了 {-change} 条。", f" Negative is down by {-change}.")
    else:
        text += tr(lang, "负面数量没有变化。", " Negative is unchanged.")
    if change > 0 and rises:
        items = [
            tr(
                lang,
                f"{aspect_name(r['aspect'], lang)}（{r['previous_negative']}→{r['negative']}）",
                f"{r['aspect']} ({r['previous_negative']}→{r['negative']})",
            )
            for r in rises
        ]
        text += tr(lang, f"增加最多的是{'、'.join(items)}。", f" The rise came from {', '.join(items)}.")
    elif change < 0 and falls:
        items = [
            tr(
                lang,
                f"{aspect_name(r['aspect'], lang)}（{r['previous_negative']}→{r['negative']}）",
                f"{r['aspect']} ({r['previous_negative']}→{r['negative']})",
            )
            for r in falls
        ]
        text += tr(lang, f"减少最多的是{'、'.join(items)}。", f" The drop came from {', '.join(items)}.")
    channel_rises = [r for r in d["channels"] if r["change"] > 0][:2]
    if channel_rises and len(d["channels"]) > 1:
        items = [f"{r['channel']} ({r['previous_negative']}→{r['negative']})" for r in channel_rises]
        text += tr(lang, f"按渠道：{'、'.join(items)}。", f" By channel: {', '.join(items)}.")
    return text


def worst(q: Question, result: ToolResult, lang: Lang) -> str:
    conversations = result.data["conversations"]
    when = period_words(q.period, lang) + _scope(q, lang)
    if not conversations:
        return tr(
            lang,
            f"{when}没有被标记或含负面消息的会话。",
            f"No flagged or negative conversations {_en_when(q)}{_scope(q, lang)}.",
        )
    flagged = sum(1 for c in conversations if c["flagged"])
    head = tr(
        lang,
        f"{when}最需要关注的 {len(conversations)} 个会话（{flagged} 个被质检标记）：",
        f"The worst {_plural(len(conversations), 'conversation')} {_en_when(q)}{_scope(q, lang)} "
        f"({flagged} flagged):",
    )
    lines = []
    for n, c in enumerate(conversations, start=1):
        flag = tr(lang, "，已标记" if c["flagged"] else "", ", flagged" if c["flagged"] else "")
        reason = f" — {c['reason']}" if c.get("reason") else ""
        lines.append(
            tr(
                lang,
                f"{n}. {c['conversation_id']}（{c['channel'] or '-'}）："
                f"{c['customer_messages']} 条客户消息中 {c['negative']} 条负面{flag}{reason} {c['link']}",
                f"{n}. {c['conversation_id']} ({c['channel'] or '-'}): {c['negative']} of "
                f"{c['customer_messages']} customer messages negative{flag}{reason} {c['link']}",
            )
        )
    return "\n".join([head, *lines])


def help_line(lang: Lang) -> str:
    """The one line for a question that cannot be read."""
    return tr(
        lang,
        "我可以回答关于历史消息的问题，例如：“这周客户主要投诉什么？”“为什么昨天负面多了？”"
        "“昨天最差的会话”“最近7天负面占比多少？”“和昨天比有什么变化？”",
        "I can answer questions about the history, e.g. “what do customers complain about this week?”, "
        "“why did negative go up yesterday?”, “worst conversations yesterday”, "
        "“how many negative messages in the last 7 days?”, “what changed since yesterday?”",
    )


def examples_heading(lang: Lang) -> str:
    return tr(lang, "例子：", "Examples:")


def answered_by_words(answered_by: str, lang: Lang) -> str:
    """`answered from stored messages (offline)` / `根据已存消息回答（qwen3:…）`."""
    return tr(lang, f"根据已存消息回答（{answered_by}）", f"from stored messages ({answered_by})")
