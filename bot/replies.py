"""Platform-neutral replies. Adapters render these in their own idiom (Block Kit, markdown, HTML).

The text here is plain (no markup); `title` is one headline, `lines` are short paragraphs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from bot.analysis import AnalysisResult
from bot.i18n import LABEL_EMOJI, label_word, tr
from bot.labelers.failure_text import failure_text
from bot.shares import label_percentages
from bot.stats import StatsReport
from domain.models import ASPECT_NAMES_ZH, LabeledItem, Lang, Summary

# The reply model lives in domain/; imported from here too.
from domain.replies import Button, DrillLink, Reply

# How many items a chat reply lists in full; the rest are behind the run's web page.
TOP_ITEMS = 5
# How much of a stats reply's drill-down a chat message (Slack, DingTalk) links: the last days
# with messages and the first aspects (most negative first); the web chat links them all.
CHAT_DRILL_DAYS = 7
CHAT_DRILL_ASPECTS = 5


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def item_line(item: LabeledItem, lang: Lang) -> str:
    """`🔴 负面 92% · 物流太慢了 — explanation`."""
    text = _short(item.text)
    if item.status != "ok":
        return f"{LABEL_EMOJI['failed']} {label_word(None, lang)} · {text} — {failure_text(item.error, lang)}"
    confidence = f" {item.confidence:.0%}" if item.confidence is not None else ""
    return f"{LABEL_EMOJI[item.label or 'neutral']} {label_word(item.label, lang)}{confidence} · {text}"


def summary_line(summary: Summary, lang: Lang) -> str:
    shares = label_percentages(summary)  # the one rounding rule: the parts add up to 100 %
    parts = [
        f"{LABEL_EMOJI[label]} {label_word(label, lang)} {getattr(summary, label)} ({shares[label]}%)"
        for label in ("positive", "neutral", "negative")
    ]
    if summary.failed:
        parts.append(f"{LABEL_EMOJI['failed']} {label_word(None, lang)} {summary.failed}")
    return " · ".join(parts)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_line(result: AnalysisResult, lang: Lang) -> str:
    """What went wrong, for people (the raw reason stays in `Reply.error` and on the run page)."""
    return tr(
        lang,
        f"标注失败：{failure_text(result.error, lang)}。本次已保存（run {result.run_id}）。",
        f"Labelling failed: {failure_text(result.error, lang)}. The run is saved ({result.run_id}).",
    )


def _main_failure(items: list[LabeledItem]) -> str | None:
    """The raw reason most failed items share (ties: the first seen)."""
    reasons = Counter(item.error for item in items if item.status != "ok")
    return reasons.most_common(1)[0][0] if reasons else None


def analysis_reply(result: AnalysisResult, *, public_url: str) -> Reply:
    lang = result.lang
    link = f"{public_url.rstrip('/')}/runs/{result.run_id}"
    if result.error:
        return Reply(
            kind="error",
            lang=lang,
            title=tr(lang, "⚠️ 标注失败", "⚠️ Labelling failed"),
            lines=[failure_line(result, lang)],
            run_id=result.run_id,
            link=link,
            error=result.error,
            items=result.items,
            summary=result.summary,
        )
    if result.kind == "conversation":
        return _conversation_reply(result, link=link, public_url=public_url)
    if result.kind == "text":
        item = result.items[0]
        lines = [item.explanation] if item.explanation else []
        if item.keywords:
            lines.append(tr(lang, "关键词：", "Keywords: ") + ", ".join(item.keywords))
        lines.append(tr(lang, f"标注来源：{item.labeler}", f"Labelled by {item.labeler}"))
        return Reply(
            kind="label",
            lang=lang,
            title=item_line(item, lang),
            lines=lines,
            items=result.items,
            summary=result.summary,
            run_id=result.run_id,
            link=link,
        )
    negatives = sorted(
        (i for i in result.items if i.label == "negative"), key=lambda i: -(i.confidence or 0)
    )[:TOP_ITEMS]
    total, failed = result.summary.total, result.summary.failed
    lines = [summary_line(result.summary, lang), result.explanation]
    if not failed:
        title = tr(lang, f"已标注 {total} 条评论", f"{total} comments labelled")
    elif failed < total:  # never "labelled 50" when 29 failed
        title = tr(
            lang,
            f"已标注 {total - failed}/{total} 条评论 · {failed} 条失败",
            f"{total - failed} of {total} comments labelled · {failed} failed",
        )
    else:
        title = tr(lang, f"⚠️ {total} 条评论均未能标注", f"⚠️ None of the {total} comments could be labelled")
        lines = []
    if failed:
        reason = failure_text(_main_failure(result.items), lang)
        lines.append(tr(lang, f"{failed} 条失败：{reason}。", f"{failed} failed: {reason}."))
    if failed < total:  # nothing was labelled by anyone when everything failed
        lines.append(tr(lang, f"标注来源：{result.labeler}", f"Labelled by {result.labeler}"))
    return Reply(
        kind="list",
        lang=lang,
        title=title,
        lines=[line for line in lines if line],
        items=result.items,
        highlights=negatives,
        summary=result.summary,
        run_id=result.run_id,
        chart_id=result.chart_id,
        link=link,
    )


def _conversation_reply(result: AnalysisResult, *, link: str, public_url: str) -> Reply:
    lang = result.lang
    verdict = result.conversation
    if verdict is None:
        return Reply(
            kind="error",
            lang=lang,
            title=tr(lang, "⚠️ 无法判定对话", "⚠️ Could not judge the conversation"),
            lines=[failure_line(result, lang)],
            run_id=result.run_id,
            link=link,
        )
    emoji = "🚩" if verdict.flagged else LABEL_EMOJI[verdict.label]
    title = tr(
        lang,
        f"{emoji} 客户整体情绪：{label_word(verdict.label, lang)} · "
        f"{'已解决' if verdict.resolved else '未解决'}",
        f"{emoji} Customer felt {label_word(verdict.label, lang)} overall · "
        f"{'resolved' if verdict.resolved else 'not resolved'}",
    )
    lines = [verdict.reason] if verdict.reason else []
    if verdict.agent_issues:
        lines.append(tr(lang, "客服问题：", "Agent issues: ") + ", ".join(verdict.agent_issues))
    journey = " → ".join(f"{LABEL_EMOJI[i.label or 'failed']}" for i in result.items if i.role == "customer")
    if journey:
        lines.append(tr(lang, f"客户情绪走势：{journey}", f"Customer mood over the turns: {journey}"))
    buttons: list[Button] = []
    review_link = None
    if verdict.flagged and result.review:
        lines.append(
            tr(
                lang,
                f"🚩 已加入待审队列（#{result.review.id}），请主管查看。",
                f"🚩 Flagged for review (#{result.review.id}): a lead should take a look.",
            )
        )
        review_link = f"{public_url.rstrip('/')}/reviews#review-{result.review.id}"
        buttons = review_buttons(result.review.id, lang)
    lines.append(tr(lang, f"标注来源：{result.labeler}", f"Labelled by {result.labeler}"))
    return Reply(
        kind="conversation",
        lang=lang,
        title=title,
        lines=lines,
        items=result.items,
        summary=result.summary,
        conversation=verdict,
        run_id=result.run_id,
        chart_id=result.chart_id,
        review_id=result.review.id if result.review else None,
        buttons=buttons,
        link=review_link or link,
    )


def review_buttons(review_id: int, lang: Lang) -> list[Button]:
    return [
        Button(
            action="resolve_review",
            text=tr(lang, "标记已审", "Mark reviewed"),
            value=str(review_id),
            style="primary",
        ),
        Button(
            action="correct_label",
            text=tr(lang, "标注有误", "Label was wrong"),
            value=str(review_id),
            style="danger",
        ),
    ]


def stats_reply(report: StatsReport, lang: Lang) -> Reply:
    s = report.summary
    title = tr(
        lang,
        f"近 {report.days} 天情感统计（{report.first_day} 至 {report.last_day}）",
        f"Sentiment, {'today' if report.days == 1 else f'last {report.days} days'} "
        f"({report.first_day} – {report.last_day})",
    )
    if report.ranged:
        title = tr(
            lang,
            f"情感统计（{report.first_day} 至 {report.last_day}）",
            f"Sentiment, {report.first_day} – {report.last_day}",
        )
    if s.total == 0:
        return Reply(
            kind="stats",
            lang=lang,
            title=title,
            lines=[tr(lang, "这段时间没有标注记录。", "Nothing was labelled in this period.")],
            summary=s,
        )
    lines = [
        tr(lang, f"共 {s.total} 条", f"{s.total} messages"),
        summary_line(s, lang),
    ]
    negative_aspects = [a for a in report.aspects if a.negative][:3]
    if negative_aspects:
        lines.append(
            tr(
                lang,
                "负面主要关于："
                + "、".join(
                    f"{ASPECT_NAMES_ZH.get(a.aspect, a.aspect)} {a.negative} 条" for a in negative_aspects
                ),
                "Negative mostly about: " + ", ".join(f"{a.aspect} ({a.negative})" for a in negative_aspects),
            )
        )
    busiest = max(report.per_day, key=lambda d: d.negative_share)
    if busiest.negative:
        lines.append(
            tr(
                lang,
                f"负面占比最高的一天：{busiest.day}（{busiest.negative_share:.0%}）",
                f"Most negative day: {busiest.day} ({busiest.negative_share:.0%})",
            )
        )
    return Reply(
        kind="stats",
        lang=lang,
        title=title,
        lines=lines,
        summary=s,
        chart_id=report.chart_id,
        drill=stats_drill(report),
    )


def stats_drill(report: StatsReport) -> list[DrillLink]:
    """The days (those with messages), labels and aspects of a stats report, each with the history
    filter that lists exactly the messages it counts (same days, channel, label, aspect)."""
    period = {"from": report.first_day.isoformat(), "to": report.last_day.isoformat()}
    if report.channel:
        period["channel"] = report.channel
    links = [
        DrillLink(
            kind="day",
            key=d.day.isoformat(),
            total=d.labelled,
            counts={"positive": d.positive, "neutral": d.neutral, "negative": d.negative},
            query={**period, "from": d.day.isoformat(), "to": d.day.isoformat()},
        )
        for d in report.per_day
        if d.labelled
    ]
    links += [
        DrillLink(
            kind="label", key=label, total=getattr(report.summary, label), query={**period, "label": label}
        )
        for label in ("negative", "neutral", "positive")
        if getattr(report.summary, label)
    ]
    links += [
        DrillLink(
            kind="aspect",
            key=a.aspect,
            total=a.total,
            counts={"negative": a.negative},
            query={**period, "aspect": a.aspect},
        )
        for a in report.aspects
        if a.total
    ]
    return links


class DrillRow(NamedTuple):
    """One line of a stats reply's drill-down in a chat: a heading and (link text, link) pairs."""

    heading: str
    links: list[tuple[str, DrillLink]]


def drill_rows(reply: Reply) -> list[DrillRow]:
    """The drill-down of a stats reply as short lines for a chat message, in the reply's language:
    the labels, the top aspects and the last days (each link text with the count its link lists).
    Adapters turn each `DrillLink.query` into a link with `domain.messages.messages_url`."""
    lang = reply.lang
    by_kind: dict[str, list[DrillLink]] = {"label": [], "aspect": [], "day": []}
    for link in reply.drill:
        by_kind[link.kind].append(link)
    rows: list[DrillRow] = []
    if by_kind["label"]:
        rows.append(
            DrillRow(
                tr(lang, "查看消息：", "See the messages:"),
                [(f"{LABEL_EMOJI[d.key]} {label_word(d.key, lang)} {d.total}", d) for d in by_kind["label"]],
            )
        )
    if by_kind["aspect"]:
        rows.append(
            DrillRow(
                tr(lang, "按方面：", "By aspect:"),
                [
                    (f"{tr(lang, ASPECT_NAMES_ZH.get(d.key, d.key), d.key)} {d.total}", d)
                    for d in by_kind["aspect"][:CHAT_DRILL_ASPECTS]
                ],
            )
        )
    days = by_kind["day"]
    if len(days) > 1:  # one day is the whole report: the labels above already list it
        heading = (
            tr(lang, "最近几天：", "Latest days:")
            if len(days) > CHAT_DRILL_DAYS
            else tr(lang, "按天：", "By day:")
        )
        rows.append(DrillRow(heading, [(f"{d.key[5:]} ({d.total})", d) for d in days[-CHAT_DRILL_DAYS:]]))
    return rows


def reviews_reply(reviews: list[dict[str, Any]], lang: Lang, *, public_url: str) -> Reply:
    link = f"{public_url.rstrip('/')}/reviews"
    if not reviews:
        return Reply(
            kind="reviews",
            lang=lang,
            title=tr(lang, "✅ 没有待审对话", "✅ No conversation waiting for review"),
            link=link,
        )
    title = tr(
        lang,
        f"🚩 {len(reviews)} 个对话待审",
        f"🚩 {_plural(len(reviews), 'conversation')} waiting for review",
    )
    lines = [
        f"#{r['id']} · {r['title']} — {r['reason']} ({r['created_at'][:16].replace('T', ' ')} UTC)"
        for r in reviews[:10]
    ]
    return Reply(kind="reviews", lang=lang, title=title, lines=lines, reviews=reviews, link=link)


def help_reply(lang: Lang) -> Reply:
    if lang == "zh":
        lines = [
            "发一句话：标注这句话的情感（正面/负面/中性），附置信度、关键词和理由。",
            "粘贴多行：每行一条评论，返回汇总、图表和最负面的几条。",
            "粘贴对话（每行以“客户:”或“客服:”开头）：判定客户情绪、是否解决、是否需要人工复核。",
            "统计 7d：近 7 天情感统计和趋势图。",
            "待审：列出待人工复核的对话。",
            "日报：今天到目前为止的日报。",
            "问 这周客户主要投诉什么？：用已存消息回答关于历史的问题，附例子。",
            "纠正 3 负面：把刚才第 3 条的标签改为负面。",
        ]
        return Reply(kind="help", lang=lang, title="sentibot 使用说明", lines=lines)
    lines = [
        "Send one line: its sentiment (positive/negative/neutral) with confidence, keywords and why.",
        "Paste several lines: one comment per line; you get a summary, a chart and the most negative ones.",
        "Paste a conversation (lines start with `Customer:` / `Agent:`): the customer's mood, "
        "whether it was resolved, and whether a human should review it.",
        "`stats 7d`: sentiment over the last 7 days with a trend chart.",
        "`review`: conversations waiting for a human review.",
        "`digest`: today's digest so far.",
        "`ask what do customers complain about this week?`: an answer from the stored messages.",
        "`correct 3 negative`: set the right label of item 3 of the last list labelled here.",
    ]
    return Reply(kind="help", lang=lang, title="How to use sentibot", lines=lines)


def error_reply(message: str, lang: Lang) -> Reply:
    return Reply(kind="error", lang=lang, title=tr(lang, f"⚠️ {message}", f"⚠️ {message}"), error=message)
