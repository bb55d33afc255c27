"""Translating core results into the web's JSON (pure translation: the core decides everything)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from bot.analysis import AnalysisResult
from bot.conversation import customer_summary
from bot.replies import Reply, analysis_reply
from bot.shares import label_percentages
from domain.messages import FILTER_PARAMS, MessageFilter, messages_url

PAGE_REVIEW_FIELDS = ("id", "title", "reason", "label", "created_at", "status")

# Status emoji in reply text (kept for Slack, DingTalk and the CLI) and the CSS mark the web draws
# instead: machines without an emoji font show the emoji as empty boxes.
STATUS_MARKS = {
    "🔴": "negative",
    "🟢": "positive",
    "⚪": "neutral",
    "⚠️": "warn",
    "⚠": "warn",
    "🚩": "flag",
    "🚨": "alert",
    "✅": "ok",
    "📊": "info",
    "📨": "info",
}
# Longest first so that "⚠️" (with its variation selector) wins over "⚠"; the space after goes too.
_MARK_RE = re.compile(
    "(" + "|".join(re.escape(e) for e in sorted(STATUS_MARKS, key=len, reverse=True)) + ")\ufe0f? ?"
)


def status_marks(text: str | None) -> list[tuple[str | None, str]]:
    """`🚩 2 open` → [("flag", ""), (None, "2 open")]: the text in parts, each status emoji as a mark
    name (the page draws a CSS dot or badge for it)."""
    text = text or ""
    parts: list[tuple[str | None, str]] = []
    at = 0
    for found in _MARK_RE.finditer(text):
        if found.start() > at:
            parts.append((None, text[at : found.start()]))
        parts.append((STATUS_MARKS[found.group(1)], ""))
        at = found.end()
    if at < len(text):
        parts.append((None, text[at:]))
    return parts


def chart_path(chart_id: str | None) -> str | None:
    """Charts on our own pages are linked relative, whatever SENTIBOT_PUBLIC_URL says."""
    return f"/charts/{chart_id}.png" if chart_id else None


def full_chart_path(chart_id: str | None) -> str | None:
    """The same chart drawn large (opened on click, and wide pages)."""
    return f"/charts/{chart_id}-full.png" if chart_id else None


def _site_link(link: str) -> str:
    """A link to this site's own pages as a path (whatever SENTIBOT_PUBLIC_URL says); others as is."""
    parts = urlsplit(link)
    if parts.path.startswith(("/runs/", "/messages")):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return link


def reply_json(reply: Reply) -> dict[str, Any]:
    link = None
    if reply.kind == "reviews" or reply.review_id:
        link = f"/reviews#review-{reply.review_id}" if reply.review_id else "/reviews"
    elif reply.run_id:
        link = f"/runs/{reply.run_id}"
    elif reply.kind == "digest" and reply.link:
        # The digest page on this site, whatever SENTIBOT_PUBLIC_URL says.
        link = urlsplit(reply.link).path
    return {
        "kind": reply.kind,
        "lang": reply.lang,
        "title": reply.title,
        "lines": reply.lines,
        "chart_url": chart_path(reply.chart_id),
        "chart_full_url": full_chart_path(reply.chart_id),
        "link": link,
        "error": reply.error,
        "summary": reply.summary.model_dump() if reply.summary else None,
        "reviews": [
            {**{k: r.get(k) for k in PAGE_REVIEW_FIELDS}, "url": f"/reviews#review-{r['id']}"}
            for r in reply.reviews
        ],
        "examples": [
            {"text": e.get("text"), "label": e.get("label"), "url": _site_link(str(e.get("link") or ""))}
            for e in reply.examples
        ],
        "drill": [{**d.model_dump(exclude={"query"}), "url": messages_url(d.query)} for d in reply.drill],
    }


def filter_query(wanted: MessageFilter) -> dict[str, str]:
    """A filter as `/messages` query names (empty ones left out), for links and forms."""
    return {
        name: str(getattr(wanted, field)) for name, field in FILTER_PARAMS.items() if getattr(wanted, field)
    }


def run_aspects(result: AnalysisResult) -> list[dict[str, Any]]:
    """A run's aspects, most frequent first: how many items, how many of them negative."""
    total: Counter[str] = Counter()
    negative: Counter[str] = Counter()
    for item in result.items:
        if item.status != "ok":
            continue
        for aspect in item.aspects:
            total[aspect] += 1
            negative[aspect] += item.label == "negative"
    return [{"aspect": a, "total": n, "negative": negative[a]} for a, n in total.most_common()]


def mix_json(result: AnalysisResult) -> dict[str, Any]:
    """What a run's label-mix bar shows: the counts and their shares (adding up to 100, the one
    rounding rule); for a conversation, the customer's turns only."""
    customer_only = result.kind == "conversation"
    summary = customer_summary(result.items) if customer_only else result.summary
    return {
        "summary": summary.model_dump(),
        "shares": label_percentages(summary),
        "customer_only": customer_only,
    }


def run_json(result: AnalysisResult, *, public_url: str) -> dict[str, Any]:
    """A run for the web chat: progress while it runs, the contract's JSON and the reply once done."""
    data: dict[str, Any] = {
        "run_id": result.run_id,
        "status": result.status,
        "kind": result.kind,
        "lang": result.lang,
        "created_at": result.created_at,
        "source": result.source,
        "progress": result.progress or {"done": 0, "total": len(result.items)},
        "run_url": f"/runs/{result.run_id}",
        "csv_url": f"/runs/{result.run_id}.csv",
    }
    if result.status == "running":
        return data
    data.update(result.api_json(public_url=public_url))
    data["error"] = result.error
    data["chart_path"] = chart_path(result.chart_id)
    data["chart_full_path"] = full_chart_path(result.chart_id)
    data["mix"] = mix_json(result)
    data["review_url"] = f"/reviews#review-{result.review.id}" if result.review else None
    data["reply"] = reply_json(analysis_reply(result, public_url=public_url))
    return data


def review_json(review: dict[str, Any]) -> dict[str, Any]:
    data = dict(review)
    data.pop("thread_key", None)
    data["run_url"] = f"/runs/{review['run_id']}" if review.get("run_id") else None
    return data
