"""Correcting a label: a lead sets the right label of any message, and how far the labeller agrees.

Rules:
- A label set by a person needs who set it (a name or platform user id) and one of
  positive / negative / neutral (正面 / 负面 / 中性 in chat); the time is stored by storage.
- In chat, `correct N LABEL` / `纠正 N 标签` (also `fix`, `改`) sets the label of item N of the
  latest run asked in the same thread (or, outside a thread, the same channel).
- Agreement over a window counts each message people labelled once (their latest word) against
  what the labeller had said; messages the labeller never labelled are left out. People mostly
  correct what looks wrong, so this agreement is a floor, not an accuracy estimate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import InputError, NotFound
from bot.i18n import label_word
from bot.replies import Reply
from domain.models import LABELS, Label, Lang
from storage import CorrectionTargetMissing, Store

AGREEMENT_DAYS = 30
_ZH_LABELS: dict[str, Label] = {"正面": "positive", "负面": "negative", "中性": "neutral"}
_COMMAND = re.compile(
    r"^\s*(correct|fix|纠正|改)\s*#?(\d{1,4})\s*(?:to|为|成|→|:|：)?\s*(positive|negative|neutral|正面|负面|中性)\s*$",
    re.I,
)


@dataclass(frozen=True)
class CorrectionCommand:
    item: int
    label: Label
    chinese: bool


def parse_correction(text: str) -> CorrectionCommand | None:
    """`correct 3 negative` / `纠正 3 负面` → the command; anything else → None."""
    match = _COMMAND.match(text)
    if not match:
        return None
    word = match.group(3).lower()
    label: Label = _ZH_LABELS.get(word) or word  # type: ignore[assignment]
    return CorrectionCommand(item=int(match.group(2)), label=label, chinese=not match.group(1).isascii())


def checked_label(label: str | None) -> Label:
    value = (label or "").strip().lower()
    value = _ZH_LABELS.get(value, value)
    if value not in LABELS:
        raise InputError("label must be one of positive, negative, neutral")
    return value  # type: ignore[return-value]


def set_label(
    store: Store, message_id: int, *, label: str, by: str, via: str, note: str | None = None
) -> dict[str, Any]:
    """Record that `by` says message `message_id` is `label`; returns the stored correction."""
    if not by or not by.strip():
        raise InputError("say who sets the label (`by`: a name or user id)")
    try:
        return store.corrections.record(
            message_id, label=checked_label(label), by=by.strip(), via=via, note=note
        )
    except CorrectionTargetMissing as exc:
        raise NotFound(str(exc)) from exc


def message_of_item(store: Store, run_id: str, idx: int) -> int:
    try:
        return store.corrections.message_of_item(run_id, idx)
    except CorrectionTargetMissing as exc:
        raise NotFound(str(exc)) from exc


@dataclass(frozen=True)
class LabelAgreement:
    days: int
    judged: int
    agreed: int

    @property
    def share(self) -> float | None:
        return self.agreed / self.judged if self.judged else None


def agreement(store: Store, *, today: date, timezone: str, days: int = AGREEMENT_DAYS) -> LabelAgreement:
    """Agreement of the labeller with people over the `days` days ending `today` (local days)."""
    start = datetime.combine(today - timedelta(days=days - 1), time.min, ZoneInfo(timezone))
    since = start.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")
    rows = [r for r in store.corrections.judgements(since=since) if r["predicted"] in LABELS]
    return LabelAgreement(
        days=days, judged=len(rows), agreed=sum(1 for r in rows if r["human"] == r["predicted"])
    )


def agreement_words(result: LabelAgreement, lang: Lang) -> str:
    """The digest's line on labeller–people agreement."""
    share = f"{result.share:.0%}" if result.share is not None else "—"
    if lang == "zh":
        return (
            f"🧑‍⚖️ 近 {result.days} 天人工标注的 {result.judged} 条消息中，"
            f"标注器与人一致 {result.agreed} 条（{share}）"
        )
    return (
        f"🧑‍⚖️ The labeller agreed with people on {result.agreed} of the {result.judged} messages they "
        f"labelled in the last {result.days} days ({share})"
    )


def correction_reply(saved: dict[str, Any], *, item: int, run_id: str, lang: Lang, public_url: str) -> Reply:
    """`✅ #3 is now negative (the labeller said positive) — set by U123`."""
    new, before = label_word(saved["label"], lang), label_word(saved.get("labeler_label"), lang)
    who = saved["corrected_by"]
    if lang == "zh":
        title = f"✅ 第 {item} 条已改为{new}（标注器原为{before}）— {who}"
    else:
        title = f"✅ #{item} is now {new} (the labeller said {before}) — set by {who}"
    return Reply(kind="correction", lang=lang, title=title, run_id=run_id,
                 link=f"{public_url.rstrip('/')}/runs/{run_id}")  # fmt: skip
