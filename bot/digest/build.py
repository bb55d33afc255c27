"""Building a day's digest from storage: counts, shares, deltas, alerts, reviews, the trend chart."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.corrections import agreement
from bot.digest.model import MAX_CHANNELS, WEEK, Digest, ReviewStats, Section, labelled_count
from bot.digest.render import digest_reply
from bot.digest.themes import TOP_ASPECTS, TOP_THEMES, _themes, aspect_themes
from bot.replies import Reply
from bot.stats import DayMix, trend_chart
from domain.models import LABELS, Lang, Summary
from storage import Store
from storage.clock import iso

# -- building ---------------------------------------------------------------------------------


async def build_digest(
    store: Store,
    *,
    day: date,
    settings: Settings,
    lang: Lang,
    chart: bool = True,
    now: datetime | None = None,
) -> Digest:
    """The digest of one local day. Never fails on an empty day: it says so (`empty=True`)."""
    tz = ZoneInfo(settings.timezone)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    first = day - timedelta(days=WEEK)
    rows = store.stats.daily_counts(first_day=first.isoformat(), last_day=day.isoformat())
    by_channel: dict[str | None, dict[date, Summary]] = {}
    by_day: dict[date, Summary] = {}
    for row in rows:
        row_day = date.fromisoformat(str(row["day"]))
        channel = str(row["channel"]) if row["channel"] not in (None, "") else None
        field = "failed" if row["status"] != "ok" or not row["label"] else str(row["label"])
        n = int(row["n"])  # type: ignore[call-overload]
        channel_days = by_channel.setdefault(channel, {})
        for summary in (channel_days.setdefault(row_day, Summary()), by_day.setdefault(row_day, Summary())):
            setattr(summary, field, getattr(summary, field) + n)
            summary.total += n

    start, end = _bounds_utc(day, tz)
    review_rows = store.stats.review_counts(opened_from=start, opened_to=min(end, iso(now)))
    reviews_by_channel = {r["channel"]: _review_stats([r], now=now) for r in review_rows if r["channel"]}
    threshold = Fraction(str(settings.negative_alert_ratio))

    total = _section(
        by_day,
        day=day,
        channel=None,
        is_total=True,
        threshold=threshold,
        reviews=_review_stats(review_rows, now=now),
    )
    total.themes = _themes(store, day=day, channel=None, negatives=total.counts.negative, top=TOP_THEMES)
    total.aspects = aspect_themes(
        store, day=day, channel=None, negatives=total.counts.negative, top=TOP_ASPECTS
    )
    channels: list[Section] = []
    on_day = {ch: days[day] for ch, days in by_channel.items() if days.get(day) and days[day].total}
    named = [ch for ch in on_day if ch is not None]
    more = 0
    if named:
        ordered = sorted(on_day, key=lambda ch: (-on_day[ch].total, ch is None, ch or ""))
        more = max(0, len(ordered) - MAX_CHANNELS)
        for ch in ordered[:MAX_CHANNELS]:
            section = _section(
                by_channel[ch],
                day=day,
                channel=ch,
                is_total=False,
                threshold=threshold,
                reviews=reviews_by_channel.get(ch),
            )
            if ch is not None and section.counts.negative:
                section.themes = _themes(store, day=day, channel=ch, negatives=section.counts.negative, top=3)
            channels.append(section)

    trend = [_day_mix(day - timedelta(days=offset), by_day) for offset in range(WEEK - 1, -1, -1)]
    has_data = any(mix.labelled or mix.failed for mix in trend)
    chart_id = await trend_chart(store, trend, lang=lang, kind="digest") if chart and has_data else None

    judged = agreement(store, today=day, timezone=settings.timezone)
    return Digest(
        people_agreement=judged if judged.judged else None,
        day=day,
        timezone=settings.timezone,
        lang=lang,
        generated_at=now,
        partial=datetime.fromisoformat(start) <= now < datetime.fromisoformat(end),  # today, so far
        threshold=settings.negative_alert_ratio,
        empty=total.counts.total == 0,
        total=total,
        channels=channels,
        more_channels=more,
        trend=trend,
        chart_id=chart_id,
    )


def _bounds_utc(day: date, tz: ZoneInfo) -> tuple[str, str]:
    """The local day [00:00, next 00:00) as stored ISO UTC strings (DST-safe)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return iso(start), iso(end)


def _day_mix(day: date, by_day: dict[date, Summary]) -> DayMix:
    s = by_day.get(day) or Summary()
    return DayMix(day=day, positive=s.positive, negative=s.negative, neutral=s.neutral, failed=s.failed)


def _sum(summaries: list[Summary]) -> Summary:
    out = Summary()
    for s in summaries:
        for field in ("total", "positive", "negative", "neutral", "failed"):
            setattr(out, field, getattr(out, field) + getattr(s, field))
    return out


def _shares(s: Summary) -> dict[str, float]:
    return {label: s.share(label) for label in LABELS}


def _pp(now: Summary, then: Summary) -> dict[str, float | None]:
    if not labelled_count(then) or not labelled_count(now):
        return dict.fromkeys(LABELS)
    return {label: round((now.share(label) - then.share(label)) * 100, 2) for label in LABELS}


def is_alert(counts: Summary, threshold: Fraction) -> bool:
    """Negative share strictly above the threshold, compared exactly."""
    labelled = labelled_count(counts)
    return bool(labelled) and Fraction(counts.negative, labelled) > threshold


def _section(
    days: dict[date, Summary],
    *,
    day: date,
    channel: str | None,
    is_total: bool,
    threshold: Fraction,
    reviews: ReviewStats | None,
) -> Section:
    counts = days.get(day) or Summary()
    before = days.get(day - timedelta(days=1)) or Summary()
    week = _sum([days.get(day - timedelta(days=k)) or Summary() for k in range(1, WEEK + 1)])
    labelled, labelled_before = labelled_count(counts), labelled_count(before)
    week_avg = labelled_count(week) / WEEK
    return Section(
        channel=channel,
        is_total=is_total,
        counts=counts,
        shares=_shares(counts),
        day_before=before,
        week=week,
        week_avg_labelled=round(week_avg, 2),
        delta_day_before_pp=_pp(counts, before),
        delta_week_pp=_pp(counts, week),
        volume_delta_day_before=labelled - labelled_before,
        volume_delta_day_before_pct=(
            round((labelled - labelled_before) / labelled_before * 100, 2) if labelled_before else None
        ),
        volume_vs_week_pct=round((labelled - week_avg) / week_avg * 100, 2) if week_avg else None,
        alert=is_alert(counts, threshold),
        reviews=reviews,
    )


def _review_stats(rows: list[dict[str, Any]], *, now: datetime) -> ReviewStats:
    stats = ReviewStats()
    oldest: str | None = None
    for r in rows:
        stats.opened += int(r["opened"] or 0)
        stats.opened_still_open += int(r["opened_open"] or 0)
        stats.open += int(r["open"] or 0)
        if r["oldest_open_at"] and (oldest is None or r["oldest_open_at"] < oldest):
            oldest = r["oldest_open_at"]
    if oldest:
        stats.oldest_open_at = datetime.fromisoformat(oldest)
        stats.oldest_open_hours = round((now - stats.oldest_open_at).total_seconds() / 3600, 1)
    return stats


def digest_lang(store: Store, *, day: date, settings: Settings) -> Lang:
    """The language most of that day's runs were answered in; English when there were none.

    A scheduled digest has no user message to take a language from, so it follows the team's.
    """
    start, end = _bounds_utc(day, ZoneInfo(settings.timezone))
    langs = store.stats.run_langs(created_from=start, created_to=end)
    return "zh" if langs.get("zh", 0) > langs.get("en", 0) else "en"


async def today_digest_reply(
    store: Store, *, settings: Settings, lang: Lang, now: datetime | None = None
) -> Reply:
    """The in-chat "digest" / "日报" answer: today's digest so far, in the asker's language."""
    digest = await build_digest(store, day=settings.today(now=now), settings=settings, lang=lang, now=now)
    return digest_reply(digest, public_url=settings.public_url)
