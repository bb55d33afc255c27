"""Label mix over the last N days, per day, in the configured time zone."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from pydantic import BaseModel

from domain.models import Lang, Summary
from storage import Store


class DayMix(BaseModel):
    day: date
    positive: int = 0
    negative: int = 0
    neutral: int = 0
    failed: int = 0

    @property
    def labelled(self) -> int:
        return self.positive + self.negative + self.neutral

    @property
    def negative_share(self) -> float:
        return self.negative / self.labelled if self.labelled else 0.0


class AspectCount(BaseModel):
    """Messages about one aspect in the period (a message may be about several)."""

    aspect: str
    total: int = 0
    negative: int = 0


class StatsReport(BaseModel):
    days: int
    first_day: date
    last_day: date
    channel: str | None = None
    per_day: list[DayMix]
    summary: Summary
    chart_id: str | None = None
    aspects: list[AspectCount] = []
    # True when asked for a date range (`stats 2026-11-01..2026-11-28`), not the last N days.
    ranged: bool = False

    def api_json(self, *, public_url: str) -> dict[str, object]:
        return {
            "days": self.days,
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "channel": self.channel,
            "summary": self.summary.model_dump(),
            "shares": {
                label: round(self.summary.share(label), 4) for label in ("positive", "negative", "neutral")
            },
            "per_day": [
                {**d.model_dump(mode="json"), "negative_share": round(d.negative_share, 4)}
                for d in self.per_day
            ],
            "chart_url": f"{public_url.rstrip('/')}/charts/{self.chart_id}.png" if self.chart_id else None,
            "aspects": [a.model_dump() for a in self.aspects],
        }


def aspect_counts(
    store: Store, *, first_day: date, last_day: date, channel: str | None = None
) -> list[AspectCount]:
    """Labelled messages per aspect in the days, most negative first (pending ones not counted)."""
    counts: dict[str, AspectCount] = {}
    for row in store.messages.aspect_counts(
        first_day=first_day.isoformat(), last_day=last_day.isoformat(), channel=channel
    ):
        if row["bucket"] == "pending":
            continue
        entry = counts.setdefault(str(row["aspect"]), AspectCount(aspect=str(row["aspect"])))
        entry.total += int(row["n"])
        if row["bucket"] == "negative":
            entry.negative += int(row["n"])
    return sorted(counts.values(), key=lambda a: (-a.negative, -a.total, a.aspect))


def day_mix(store: Store, *, first_day: date, last_day: date, channel: str | None = None) -> list[DayMix]:
    """One DayMix per calendar day in [first_day, last_day], zeros included."""
    days = [first_day + timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]
    counts: dict[str, dict[str, int]] = {day.isoformat(): {} for day in days}
    for row in store.stats.daily_counts(
        first_day=first_day.isoformat(), last_day=last_day.isoformat(), channel=channel, by_channel=False
    ):
        mix = counts.get(str(row["day"]))
        if mix is None:
            continue
        field = "failed" if row["status"] != "ok" or not row["label"] else str(row["label"])
        mix[field] = mix.get(field, 0) + int(str(row["n"]))
    return [DayMix(day=day, **counts[day.isoformat()]) for day in days]


async def build_stats(
    store: Store,
    *,
    days: int,
    today: date,
    lang: Lang,
    channel: str | None = None,
    chart: bool = True,
    first_day: date | None = None,
    last_day: date | None = None,
) -> StatsReport:
    """The last `days` days up to `today`, or the days `first_day`..`last_day` when given."""
    ranged = first_day is not None and last_day is not None
    if first_day is not None and last_day is not None:
        first, today, days = first_day, last_day, (last_day - first_day).days + 1
    else:
        first = today - timedelta(days=days - 1)
    per_day = day_mix(store, first_day=first, last_day=today, channel=channel)
    summary = Summary(
        positive=sum(d.positive for d in per_day),
        negative=sum(d.negative for d in per_day),
        neutral=sum(d.neutral for d in per_day),
        failed=sum(d.failed for d in per_day),
    )
    summary.total = summary.positive + summary.negative + summary.neutral + summary.failed
    chart_id = await trend_chart(store, per_day, lang=lang, kind="stats") if chart else None
    return StatsReport(
        days=days,
        first_day=first,
        last_day=today,
        channel=channel,
        per_day=per_day,
        summary=summary,
        chart_id=chart_id,
        aspects=aspect_counts(store, first_day=first, last_day=today, channel=channel),
        ranged=ranged,
    )


async def trend_chart(store: Store, per_day: list[DayMix], *, lang: Lang, kind: str) -> str:
    """Draw the stacked daily trend (off the event loop) and store it; returns the chart id."""
    from bot import charts  # matplotlib is slow to import; only when drawing

    points = [
        charts.DayCounts(
            day=d.day, positive=d.positive, negative=d.negative, neutral=d.neutral, failed=d.failed
        )
        for d in per_day
    ]
    png, full = await asyncio.to_thread(charts.both, charts.daily_trend_png, points, lang=lang)
    return store.charts.save(png, kind=kind, full=full)
