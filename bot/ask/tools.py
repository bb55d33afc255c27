"""The query tools a question is answered with; storage answers every number.

Both ways of answering use exactly these tools: the offline parser calls them directly, the
Qwen3 model chooses among them by tool calling (`bot/ask/llm.py`). Each returns a `ToolResult`
whose `data` is plain JSON (what the model sees), whose `facts` are the numbers an answer may
state, and whose `examples` are real stored messages with a link to where they can be seen.

Counting rules (the same as `/api/stats`): messages are counted by their local day
(SENTIBOT_TIMEZONE), every role; `labelled` leaves out failed and pending messages, and shares
are of the labelled messages. An aspect's counts are of the messages tagged with it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from bot.ask.periods import Period
from domain.messages import Message, MessageFilter
from domain.models import ASPECTS, LABELS
from storage import Store

EXAMPLES = 3
MAX_EXAMPLES = 10
MAX_CONVERSATIONS = 10


@dataclass
class Fact:
    """One number an answer may state, named for what it counts."""

    name: str
    value: int | float | str

    def public(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value}


@dataclass
class ToolResult:
    name: str
    args: dict[str, Any]
    data: dict[str, Any]
    facts: list[Fact] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _mix(buckets: Counter[str]) -> dict[str, Any]:
    labelled = sum(buckets[label] for label in LABELS)
    failed = buckets["failed"] + buckets["pending"]
    return {
        "total": labelled + failed,
        "labelled": labelled,
        **{label: buckets[label] for label in LABELS},
        "failed": failed,
        "shares": {label: _share(buckets[label], labelled) for label in LABELS},
    }


class AskTools:
    """The tools, bound to one store; `public_url` makes the example links absolute."""

    def __init__(self, store: Store, *, public_url: str) -> None:
        self.store = store
        self.public_url = public_url.rstrip("/")

    # -- numbers ----------------------------------------------------------------------------

    def _buckets(self, period: Period, *, channel: str | None, aspect: str | None) -> Counter[str]:
        first, last = period.first.isoformat(), period.last.isoformat()
        counts: Counter[str] = Counter()
        if aspect:
            for row in self.store.messages.aspect_counts(first_day=first, last_day=last, channel=channel):
                if row["aspect"] == aspect:
                    counts[str(row["bucket"])] += int(row["n"])
        else:
            for row in self.store.messages.daily_counts(first_day=first, last_day=last, channel=channel):
                counts[str(row["bucket"])] += int(row["n"])
        return counts

    def stats(
        self,
        period: Period,
        *,
        channel: str | None = None,
        aspect: str | None = None,
        label: str | None = None,
    ) -> ToolResult:
        """Counts and shares of each label in the period (optionally one channel / aspect)."""
        mix = _mix(self._buckets(period, channel=channel, aspect=aspect))
        data = {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "channel": channel,
            "aspect": aspect,
            **mix,
        }
        facts = [Fact("messages", mix["total"]), Fact("labelled", mix["labelled"])]
        for name in LABELS:
            facts += [Fact(name, mix[name]), Fact(f"{name}_share", mix["shares"][name])]
        if mix["failed"]:
            facts.append(Fact("failed", mix["failed"]))
        if label:
            data["asked_label"] = label
        args = {"period": period.label(), "channel": channel, "aspect": aspect, "label": label}
        return ToolResult("stats", args, data, facts)

    def negative_by_aspect(self, period: Period, *, channel: str | None = None) -> ToolResult:
        """Negative messages per aspect in the period, most first, with their share of all negatives."""
        first, last = period.first.isoformat(), period.last.isoformat()
        per: dict[str, Counter[str]] = {}
        for row in self.store.messages.aspect_counts(first_day=first, last_day=last, channel=channel):
            per.setdefault(str(row["aspect"]), Counter())[str(row["bucket"])] += int(row["n"])
        negative_total = self._buckets(period, channel=channel, aspect=None)["negative"]
        rows: list[dict[str, Any]] = []
        for aspect in ASPECTS:
            counts = per.get(aspect, Counter())
            labelled = sum(counts[label] for label in LABELS)
            if not labelled:
                continue
            rows.append(
                {
                    "aspect": aspect,
                    "labelled": labelled,
                    "negative": counts["negative"],
                    "negative_share": _share(counts["negative"], labelled),
                    "share_of_negatives": _share(counts["negative"], negative_total),
                }
            )
        rows.sort(key=lambda r: (-r["negative"], ASPECTS.index(r["aspect"])))
        facts = [Fact("negative", negative_total)]
        for row in rows:
            facts += [
                Fact(f"{row['aspect']}.negative", row["negative"]),
                Fact(f"{row['aspect']}.labelled", row["labelled"]),
                Fact(f"{row['aspect']}.negative_share", row["negative_share"]),
                Fact(f"{row['aspect']}.share_of_negatives", row["share_of_negatives"]),
            ]
        data = {"from": first, "to": last, "channel": channel, "negative": negative_total, "aspects": rows}
        return ToolResult("negative_by_aspect", {"period": period.label(), "channel": channel}, data, facts)

    def compare(self, period: Period, previous: Period, *, channel: str | None = None) -> ToolResult:
        """Two periods side by side: the label mix, negatives per aspect and per channel, changes."""
        now = self.stats(period, channel=channel).data
        before = self.stats(previous, channel=channel).data
        aspects_now = {
            r["aspect"]: r for r in self.negative_by_aspect(period, channel=channel).data["aspects"]
        }
        aspects_before = {
            r["aspect"]: r for r in self.negative_by_aspect(previous, channel=channel).data["aspects"]
        }
        aspect_rows = [
            {
                "aspect": aspect,
                "negative": aspects_now.get(aspect, {}).get("negative", 0),
                "previous_negative": aspects_before.get(aspect, {}).get("negative", 0),
            }
            for aspect in ASPECTS
            if aspect in aspects_now or aspect in aspects_before
        ]
        for row in aspect_rows:
            row["change"] = row["negative"] - row["previous_negative"]
        aspect_rows.sort(key=lambda r: (-r["change"], ASPECTS.index(r["aspect"])))
        channel_rows = self._channel_changes(period, previous) if channel is None else []
        data = {
            "period": {"from": period.first.isoformat(), "to": period.last.isoformat(), **now},
            "previous": {"from": previous.first.isoformat(), "to": previous.last.isoformat(), **before},
            "channel": channel,
            "negative_change": now["negative"] - before["negative"],
            "negative_share_change": round(now["shares"]["negative"] - before["shares"]["negative"], 4),
            "aspects": aspect_rows,
            "channels": channel_rows,
        }
        facts = []
        for prefix, mix in (("", now), ("previous.", before)):
            facts += [Fact(f"{prefix}messages", mix["total"]), Fact(f"{prefix}labelled", mix["labelled"])]
            for name in LABELS:
                facts += [
                    Fact(f"{prefix}{name}", mix[name]),
                    Fact(f"{prefix}{name}_share", mix["shares"][name]),
                ]
        facts += [
            Fact("negative_change", data["negative_change"]),
            Fact("negative_share_change", data["negative_share_change"]),
        ]
        for row in aspect_rows:
            facts += [
                Fact(f"{row['aspect']}.negative", row["negative"]),
                Fact(f"{row['aspect']}.previous_negative", row["previous_negative"]),
                Fact(f"{row['aspect']}.change", row["change"]),
            ]
        for row in channel_rows:
            facts += [
                Fact(f"channel {row['channel']}.negative", row["negative"]),
                Fact(f"channel {row['channel']}.previous_negative", row["previous_negative"]),
                Fact(f"channel {row['channel']}.change", row["change"]),
            ]
        args = {"period": period.label(), "compare_to": previous.label(), "channel": channel}
        return ToolResult("compare", args, data, facts)

    def _channel_changes(self, period: Period, previous: Period) -> list[dict[str, Any]]:
        def negatives(p: Period) -> Counter[str]:
            out: Counter[str] = Counter()
            for row in self.store.messages.daily_counts(
                first_day=p.first.isoformat(), last_day=p.last.isoformat()
            ):
                if row["bucket"] == "negative":
                    out[str(row["channel"]) or "-"] += int(row["n"])
            return out

        now, before = negatives(period), negatives(previous)
        rows: list[dict[str, Any]] = [
            {
                "channel": name,
                "negative": now[name],
                "previous_negative": before[name],
                "change": now[name] - before[name],
            }
            for name in sorted(set(now) | set(before))
        ]
        rows.sort(key=lambda r: (-r["change"], r["channel"]))
        return rows

    # -- messages ---------------------------------------------------------------------------

    def examples(
        self,
        period: Period,
        *,
        label: str | None = None,
        aspect: str | None = None,
        channel: str | None = None,
        limit: int = EXAMPLES,
    ) -> ToolResult:
        """Real messages matching the filter in the period (most confident first), with links."""
        limit = max(1, min(limit, MAX_EXAMPLES))
        first, last = period.first.isoformat(), period.last.isoformat()
        if aspect and label:
            found = self.store.messages.examples(
                first_day=first, last_day=last, aspect=aspect, label=label, channel=channel, limit=limit
            )
        else:
            page, _ = self.store.messages.search(
                MessageFilter(
                    first_day=first, last_day=last, label=label, aspect=aspect, channel=channel, limit=50
                )
            )
            found = sorted(
                (m for m in page if m.text), key=lambda m: (-(m.confidence or 0), -m.created_at.timestamp())
            )[:limit]
        examples = self.linked(found)
        data = {
            "from": first,
            "to": last,
            "messages": [
                {key: e[key] for key in ("id", "text", "label", "aspects", "channel", "created_at", "link")}
                for e in examples
            ],
        }
        args = {
            "period": period.label(),
            "label": label,
            "aspect": aspect,
            "channel": channel,
            "limit": limit,
        }
        return ToolResult("examples", args, data, [], examples)

    def flagged_conversations(
        self, period: Period, *, channel: str | None = None, limit: int = 5
    ) -> ToolResult:
        """The worst conversations of the period: flagged ones first, then the most negative."""
        limit = max(1, min(limit, MAX_CONVERSATIONS))
        rows = self.store.ask.worst_conversations(
            first_day=period.first.isoformat(), last_day=period.last.isoformat(), channel=channel, limit=limit
        )
        conversations = []
        for row in rows:
            link = row["permalink"] or self.messages_link(conversation_id=row["conversation_id"])
            conversations.append(
                {
                    "conversation_id": row["conversation_id"],
                    "channel": row["channel"],
                    "customer_messages": int(row["messages"]),
                    "negative": int(row["negative"] or 0),
                    "flagged": row["review_id"] is not None,
                    "review_status": row["review_status"],
                    "reason": row["reason"],
                    "link": link,
                }
            )
        examples = []
        for conv in conversations[:EXAMPLES]:
            page, _ = self.store.messages.search(
                MessageFilter(conversation_id=conv["conversation_id"], label="negative", limit=1)
            )
            examples += self.linked(page)
        facts = [
            Fact("conversations", len(conversations)),
            Fact("flagged", sum(1 for c in conversations if c["flagged"])),
        ]
        for n, conv in enumerate(conversations, start=1):
            facts += [
                Fact(f"#{n}.negative", conv["negative"]),
                Fact(f"#{n}.customer_messages", conv["customer_messages"]),
            ]
        data = {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "channel": channel,
            "conversations": conversations,
        }
        args = {"period": period.label(), "channel": channel, "limit": limit}
        return ToolResult("flagged_conversations", args, data, facts, examples)

    # -- links ------------------------------------------------------------------------------

    def messages_link(self, **query: str | None) -> str:
        params = {k: v for k, v in query.items() if v}
        return f"{self.public_url}/messages?{urlencode(params)}"

    def linked(self, messages: list[Message]) -> list[dict[str, Any]]:
        """The contract's message JSON plus `link`: the thread, else the run, else `/messages`."""
        runs = self.store.ask.message_runs([m.id for m in messages])
        threads = self.store.ask.thread_permalinks([m.conversation_id or "" for m in messages])
        out = []
        for message in messages:
            if message.conversation_id and message.conversation_id in threads:
                link = threads[message.conversation_id]
            elif message.id in runs:
                link = f"{self.public_url}/runs/{runs[message.id]}"
            elif message.conversation_id:
                link = self.messages_link(conversation_id=message.conversation_id)
            else:
                link = self.messages_link(
                    **{"from": message.day, "to": message.day, "q": (message.text or "")[:40]}
                )
            out.append({**message.public(), "link": link})
        return out


def period_of(first: date, last: date) -> Period:
    return Period(first, last, "day" if first == last else "span")
