"""The daily digest: one day's numbers in SENTIBOT_TIMEZONE, per channel and for all channels.

What one digest holds, and the exact rules behind each number:

* **Volume**: messages labelled that day (`ok` items); failed items are counted apart and never
  enter a share. The day is the item's stored local date (`items.day`, SENTIBOT_TIMEZONE).
* **Mix and shares**: positive / neutral / negative over the labelled messages.
* **Deltas** in percentage points (pp) of each share, against the day before and against the
  previous 7 days (day-7 … day-1, the digest day excluded). The 7-day share is pooled (all
  labelled messages of those days together, i.e. a volume-weighted average); the 7-day volume is
  the mean per calendar day, empty days counted as 0. A delta is `None` ("no data") when the
  reference period has nothing labelled.
* **Negative-rate alert** when the negative share is strictly ABOVE the threshold
  (SENTIBOT_NEGATIVE_ALERT_RATIO): share > threshold alerts, share == threshold does not. The
  comparison is exact (fractions), so 3 negatives of 10 at 0.30 never alerts through float noise.
  Checked for the total and for each channel; any alert goes first in the reply.
* **Top negative themes**: the keywords of that day's negative items, normalised (NFKC, case
  folded, whitespace collapsed, surrounding punctuation stripped) and grouped when one contains
  the other: for CJK a substring of at least 2 characters (物流 ⊂ 物流慢), for other scripts a
  whole-word run of at least 3 letters ("delivery" ⊂ "late delivery"). A group is named after its
  most frequent keyword and counts the negative items mentioning any of its keywords (an item is
  counted once per group). At most `THEME_SAMPLE` negative items per day (and channel) are read,
  sampled evenly over the day (see `StatsRepository.negative_keyword_lists`).
* **Reviews**: flagged conversations opened that day (local day) and how many of those are
  still open, plus the whole open queue up to the end of that day and the age of its oldest one.
* **Trend chart**: the 7 days ending on the digest day, all channels (`charts.daily_trend_png`).

Channels: a section per channel seen that day when the data names channels (items without a
channel form a "(no channel)" section next to them); the top `MAX_CHANNELS` by volume are listed.
When no item of the day has a channel, only the all-channels total is shown.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from bot.config import Settings
from bot.corrections import LabelAgreement, agreement, agreement_words
from bot.i18n import LABEL_EMOJI
from bot.replies import Reply, summary_line
from bot.shares import label_percentages
from bot.stats import DayMix, trend_chart
from domain.models import LABELS, Lang, Summary
from storage import Store
from storage.clock import iso

WEEK = 7
THEME_SAMPLE = 2000
TOP_THEMES = 5
MAX_CHANNELS = 10
_PUNCT = " \t\r\n.,;:!?'\"`()[]{}<>#*_-~|/\\，。；：！？、“”‘’（）【】《》〈〉「」『』…·"


# -- the digest's data -----------------------------------------------------------------------


class Theme(BaseModel):
    """A group of near-duplicate keywords of negative items."""

    keyword: str
    count: int  # negative items mentioning it (scaled up from the sample when `estimated`)
    variants: list[str] = Field(default_factory=list)
    share: float = 0.0  # of the day's negative items
    estimated: bool = False  # more negatives than THEME_SAMPLE: counted on an even sample


class ReviewStats(BaseModel):
    opened: int = 0
    opened_still_open: int = 0
    open: int = 0
    oldest_open_at: datetime | None = None
    oldest_open_hours: float | None = None


class Section(BaseModel):
    """The numbers of one channel, or of all channels (`is_total`)."""

    channel: str | None = None
    is_total: bool = False
    counts: Summary
    shares: dict[str, float]
    day_before: Summary
    week: Summary
    week_avg_labelled: float
    delta_day_before_pp: dict[str, float | None]
    delta_week_pp: dict[str, float | None]
    volume_delta_day_before: int
    volume_delta_day_before_pct: float | None
    volume_vs_week_pct: float | None
    alert: bool
    themes: list[Theme] = Field(default_factory=list)
    reviews: ReviewStats | None = None

    @property
    def labelled(self) -> int:
        return self.counts.total - self.counts.failed


class Digest(BaseModel):
    day: date
    timezone: str
    lang: Lang
    generated_at: datetime
    partial: bool = False  # the day is not over yet ("today so far")
    threshold: float
    empty: bool
    total: Section
    channels: list[Section] = Field(default_factory=list)
    more_channels: int = 0
    trend: list[DayMix] = Field(default_factory=list)
    chart_id: str | None = None
    # Labels people set in the 30 days up to `day` against the labeller's (None: nobody set any).
    people_agreement: LabelAgreement | None = None

    @property
    def alert(self) -> bool:
        return self.total.alert or any(section.alert for section in self.channels)


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


def _themes(store: Store, *, day: date, channel: str | None, negatives: int, top: int) -> list[Theme]:
    lists = store.stats.negative_keyword_lists(
        day=day.isoformat(), channel=channel, limit=THEME_SAMPLE, expected=negatives
    )
    themes = group_themes(lists, top=top)
    factor = negatives / len(lists) if lists and negatives > len(lists) else 1.0
    for theme in themes:
        if factor > 1:
            theme.count, theme.estimated = round(theme.count * factor), True
        theme.share = round(theme.count / negatives, 4) if negatives else 0.0
    return themes


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


def _labelled(s: Summary) -> int:
    return s.positive + s.negative + s.neutral


def _shares(s: Summary) -> dict[str, float]:
    return {label: s.share(label) for label in LABELS}


def _pp(now: Summary, then: Summary) -> dict[str, float | None]:
    if not _labelled(then) or not _labelled(now):
        return dict.fromkeys(LABELS)
    return {label: round((now.share(label) - then.share(label)) * 100, 2) for label in LABELS}


def is_alert(counts: Summary, threshold: Fraction) -> bool:
    """Negative share strictly above the threshold, compared exactly."""
    labelled = _labelled(counts)
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
    labelled, labelled_before = _labelled(counts), _labelled(before)
    week_avg = _labelled(week) / WEEK
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


# -- themes -----------------------------------------------------------------------------------


# A keyword made only of these says how strongly, not what about ("没有", "都不", "not really"):
# a lead cannot act on it as a theme.
_ZH_FILLER = frozenset("不没有无别都也还又就才很太挺真好是了的得地着过吧吗呢啊呀么这那个些我你他她它们在")
_EN_FILLER = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nothing",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "can't",
        "won't",
        "very",
        "too",
        "so",
        "really",
        "just",
        "at",
        "all",
        "the",
        "a",
        "an",
        "is",
        "was",
        "are",
        "it",
        "this",
        "that",
        "i",
        "you",
        "we",
        "they",
        "my",
        "your",
        "even",
        "still",
    ]
)


def normalise_keyword(keyword: str) -> str:
    """NFKC (full-width → ASCII), case folded, whitespace collapsed, punctuation trimmed; empty
    when the keyword is only negation, degree or function words (no theme in it)."""
    text = " ".join(unicodedata.normalize("NFKC", keyword).casefold().split()).strip(_PUNCT)
    if _has_cjk(text):
        return "" if set(text.replace(" ", "")) <= _ZH_FILLER else text
    return "" if set(text.split()) <= _EN_FILLER else text


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def related(a: str, b: str) -> bool:
    """Same normalised keyword, or one contained in the other (see the module docstring)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if _has_cjk(short):
        return len(short) >= 2 and short in long
    return len(short) >= 3 and f" {short} " in f" {long} "


def group_themes(keyword_lists: list[list[str]], *, top: int = TOP_THEMES) -> list[Theme]:
    """Top themes of negative items: keywords grouped as `related`, counted by items."""
    items = [{k for k in map(normalise_keyword, keywords) if k} for keywords in keyword_lists]
    freq: Counter[str] = Counter(k for keywords in items for k in keywords)
    groups: list[list[str]] = []
    for keyword in sorted(freq, key=lambda k: (-freq[k], len(k), k)):
        home = next((g for g in groups if any(related(keyword, member) for member in g)), None)
        if home is None:
            groups.append([keyword])
        else:
            home.append(keyword)
    themes = [
        Theme(keyword=g[0], count=sum(1 for keywords in items if keywords.intersection(g)), variants=g[1:])
        for g in groups
    ]
    themes.sort(key=lambda t: (-t.count, t.keyword))
    return themes[:top]


# -- rendering --------------------------------------------------------------------------------


def _t(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


_WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


def format_pp(value: float | None, lang: Lang) -> str:
    """`▲12.0 pp` / `▼3.5 pp` / `±0.0 pp`; `—` when there is nothing to compare with."""
    if value is None:
        return "—"
    unit = " 个百分点" if lang == "zh" else " pp"
    if abs(value) < 0.05:
        return f"±0.0{unit}"
    return f"{'▲' if value > 0 else '▼'}{abs(value):.1f}{unit}"


def _format_count_delta(delta: int, pct: float | None) -> str:
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "±"
    text = f"{arrow}{abs(delta)}"
    return f"{text} ({pct:+.0f}%)" if pct is not None else text


def format_age(hours: float, lang: Lang) -> str:
    if hours < 48:
        return _t(lang, f"{hours:.0f} 小时", f"{hours:.0f} h")
    return _t(lang, f"{hours / 24:.0f} 天", f"{hours / 24:.0f} days")


def channel_name(channel: str | None, lang: Lang) -> str:
    if channel is None:
        return _t(lang, "（未指定频道）", "(no channel)")
    return channel if channel.startswith("#") else f"#{channel}"


def _themes_text(themes: list[Theme], lang: Lang) -> str:
    parts = []
    for theme in themes:
        variants = f" ({', '.join(theme.variants[:3])})" if theme.variants else ""
        if lang == "zh" and variants:
            variants = f"（{'、'.join(theme.variants[:3])}）"
        count = f"≈{theme.count}" if theme.estimated else f"×{theme.count}"
        parts.append(f"{theme.keyword} {count}{variants}")
    return " · ".join(parts)


def _alert_line(section: Section, threshold: float, lang: Lang) -> str:
    share = f"{label_percentages(section.counts)['negative']}%"  # as in the mix: parts add up to 100
    n, labelled = section.counts.negative, section.labelled
    if section.is_total:
        return _t(
            lang,
            f"🚨 负面占比 {share}（{labelled} 条中 {n} 条），超过告警阈值 {threshold:.0%}",
            f"🚨 Negative share {share} ({n} of {labelled}) is above the {threshold:.0%} alert threshold",
        )
    name = channel_name(section.channel, lang)
    return _t(
        lang,
        f"🚨 {name}：负面占比 {share}（{labelled} 条中 {n} 条），超过 {threshold:.0%}",
        f"🚨 {name}: negative share {share} ({n} of {labelled}) is above {threshold:.0%}",
    )


def _delta_line(deltas: dict[str, float | None], lang: Lang, *, prefix: str) -> str:
    parts = [
        f"{LABEL_EMOJI[label]} {format_pp(deltas[label], lang)}"
        for label in ("positive", "neutral", "negative")
    ]
    return prefix + " · ".join(parts)


def _reviews_line(r: ReviewStats, lang: Lang, *, partial: bool) -> str:
    if not r.opened and not r.open:
        return _t(lang, "🚩 没有待审对话", "🚩 No conversation waiting for review")
    today = _t(lang, "今日", "today") if partial else _t(lang, "当日", "that day")
    line = _t(
        lang,
        f"🚩 待审：{today}新增 {r.opened} 个（仍未处理 {r.opened_still_open} 个）"
        f"· 队列中共 {r.open} 个未处理",
        f"🚩 Reviews: {r.opened} flagged {today} ({r.opened_still_open} still open)"
        f" · {r.open} open in the queue",
    )
    if r.oldest_open_hours is not None:
        line += _t(
            lang,
            f"，最久的已等待 {format_age(r.oldest_open_hours, lang)}",
            f", oldest waiting {format_age(r.oldest_open_hours, lang)}",
        )
    return line


def _title(digest: Digest, lang: Lang) -> str:
    weekday = _WEEKDAYS[lang][digest.day.weekday()]
    mark = "🚨" if digest.alert else "📊"
    if digest.partial:
        until = digest.generated_at.astimezone(ZoneInfo(digest.timezone)).strftime("%H:%M")
        head = _t(
            lang,
            f"{mark} 今日截至 {until} 的日报 · {digest.day}（{weekday}）",
            f"{mark} Today so far (until {until}) · {digest.day} ({weekday})",
        )
    else:
        head = _t(
            lang,
            f"{mark} 日报 · {digest.day}（{weekday}）",
            f"{mark} Daily digest · {digest.day} ({weekday})",
        )
    if digest.alert:
        head += _t(lang, " · 负面占比告警", " · negative-rate alert")
    return head


def digest_lines(digest: Digest, lang: Lang) -> list[str]:
    t = digest.total
    lines: list[str] = []
    alerts = [s for s in [t, *digest.channels] if s.alert]
    lines += [_alert_line(s, digest.threshold, lang) for s in alerts]
    if digest.empty:
        lines.append(
            _t(
                lang,
                f"{digest.day} 没有标注任何消息{'（到目前为止）' if digest.partial else ''}。",
                f"Nothing was labelled on {digest.day}{' so far' if digest.partial else ''}.",
            )
        )
        if t.day_before.total:
            lines.append(
                _t(
                    lang,
                    f"前一天：{_labelled(t.day_before)} 条 · 前 7 天日均 {t.week_avg_labelled:g} 条",
                    f"The day before: {_labelled(t.day_before)} · 7-day average {t.week_avg_labelled:g}/day",
                )
            )
        if t.reviews and (t.reviews.open or t.reviews.opened):
            lines.append(_reviews_line(t.reviews, lang, partial=digest.partial))
        return lines

    failed = (
        _t(lang, f"（另有 {t.counts.failed} 条标注失败）", f" (+{t.counts.failed} failed)")
        if t.counts.failed
        else ""
    )
    volume = _t(lang, f"📨 已标注 {t.labelled} 条{failed}", f"📨 {t.labelled} messages labelled{failed}")
    comparisons = []
    if t.day_before.total:
        change = _format_count_delta(t.volume_delta_day_before, t.volume_delta_day_before_pct)
        comparisons.append(_t(lang, f"较前一天 {change}", f"{change} vs the day before"))
    if t.volume_vs_week_pct is not None:
        comparisons.append(
            _t(
                lang,
                f"较前 7 天日均（{t.week_avg_labelled:g} 条）{t.volume_vs_week_pct:+.0f}%",
                f"{t.volume_vs_week_pct:+.0f}% vs the 7-day average ({t.week_avg_labelled:g}/day)",
            )
        )
    lines.append(" · ".join([volume, *comparisons]))
    lines.append(summary_line(t.counts, lang))
    if any(v is not None for v in t.delta_day_before_pp.values()):
        lines.append(
            _delta_line(t.delta_day_before_pp, lang, prefix=_t(lang, "较前一天：", "vs the day before: "))
        )
    if any(v is not None for v in t.delta_week_pp.values()):
        lines.append(
            _delta_line(t.delta_week_pp, lang, prefix=_t(lang, "较前 7 天：", "vs the 7-day average: "))
        )
    if t.themes:
        lines.append(_t(lang, "负面主题：", "Top negative themes: ") + _themes_text(t.themes, lang))
    elif t.counts.negative:
        lines.append(
            _t(
                lang,
                "负面主题：负面消息没有关键词。",
                "Top negative themes: the negatives carry no keywords.",
            )
        )
    if t.reviews:
        lines.append(_reviews_line(t.reviews, lang, partial=digest.partial))
    if digest.people_agreement:
        lines.append(agreement_words(digest.people_agreement, lang))
    if digest.channels:
        lines.append(_t(lang, "分频道：", "By channel:"))
        for s in digest.channels:
            parts = [
                channel_name(s.channel, lang),
                _t(lang, f"{s.labelled} 条", f"{s.labelled} msgs"),
                f"{LABEL_EMOJI['negative']} {label_percentages(s.counts)['negative']}%"
                + (
                    _t(
                        lang,
                        f"（较前一天 {format_pp(s.delta_day_before_pp['negative'], lang)}）",
                        f" ({format_pp(s.delta_day_before_pp['negative'], lang)} vs the day before)",
                    )
                    if s.delta_day_before_pp["negative"] is not None
                    else ""
                ),
            ]
            if s.themes:
                parts.append(
                    _t(lang, "主题：", "themes: ") + _t(lang, "、", ", ").join(th.keyword for th in s.themes)
                )
            if s.reviews and s.reviews.open:
                parts.append(_t(lang, f"🚩 {s.reviews.open} 个待审", f"🚩 {s.reviews.open} open reviews"))
            lines.append(("🚨 " if s.alert else "• ") + " · ".join(parts))
        if digest.more_channels:
            lines.append(
                _t(lang, f"…另有 {digest.more_channels} 个频道", f"…and {digest.more_channels} more channels")
            )
    return lines


def digest_reply(digest: Digest, *, lang: Lang | None = None, public_url: str | None = None) -> Reply:
    """The digest as a platform-neutral Reply (kind "digest"): alert first, then the numbers."""
    lang = lang or digest.lang
    return Reply(
        kind="digest",
        lang=lang,
        title=_title(digest, lang),
        lines=digest_lines(digest, lang),
        summary=digest.total.counts,
        chart_id=digest.chart_id,
        link=f"{public_url.rstrip('/')}/digests/{digest.day}" if public_url else None,
    )


def _section_json(s: Section) -> dict[str, Any]:
    return {
        "channel": s.channel,
        "counts": s.counts.model_dump(),
        "labelled": s.labelled,
        "shares": {k: round(v, 4) for k, v in s.shares.items()},
        "alert": s.alert,
        "day_before": {"counts": s.day_before.model_dump(), "delta_pp": s.delta_day_before_pp},
        "week": {
            "counts": s.week.model_dump(),
            "avg_labelled_per_day": s.week_avg_labelled,
            "delta_pp": s.delta_week_pp,
        },
        "volume_change": {
            "vs_day_before": s.volume_delta_day_before,
            "vs_day_before_pct": s.volume_delta_day_before_pct,
            "vs_week_avg_pct": s.volume_vs_week_pct,
        },
        "themes": [theme.model_dump() for theme in s.themes],
        "reviews": s.reviews.model_dump(mode="json") if s.reviews else None,
    }


def digest_json(digest: Digest, *, public_url: str | None = None) -> dict[str, Any]:
    """The digest for the web `/digests/{date}` page and API (stable keys, plain JSON types)."""
    chart_url = (
        f"{public_url.rstrip('/')}/charts/{digest.chart_id}.png" if public_url and digest.chart_id else None
    )
    return {
        "date": digest.day.isoformat(),
        "timezone": digest.timezone,
        "lang": digest.lang,
        "generated_at": digest.generated_at.isoformat(timespec="seconds"),
        "partial": digest.partial,
        "empty": digest.empty,
        "alert": digest.alert,
        "threshold": digest.threshold,
        "total": _section_json(digest.total),
        "channels": [_section_json(s) for s in digest.channels],
        "more_channels": digest.more_channels,
        "trend": [
            {**m.model_dump(mode="json"), "negative_share": round(m.negative_share, 4)} for m in digest.trend
        ],
        "chart_id": digest.chart_id,
        "chart_url": chart_url,
    }


def digest_lang(store: Store, *, day: date, settings: Settings) -> Lang:
    """The language most of that day's runs were answered in; English when there were none.

    A scheduled digest has no user message to take a language from, so it follows the team's.
    """
    start, end = _bounds_utc(day, ZoneInfo(settings.timezone))
    langs = store.stats.run_langs(created_from=start, created_to=end)
    return "zh" if langs.get("zh", 0) > langs.get("en", 0) else "en"


def local_today(settings: Settings, *, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(settings.timezone)).date()


async def today_digest_reply(
    store: Store, *, settings: Settings, lang: Lang, now: datetime | None = None
) -> Reply:
    """The in-chat "digest" / "日报" answer: today's digest so far, in the asker's language."""
    digest = await build_digest(
        store, day=local_today(settings, now=now), settings=settings, lang=lang, now=now
    )
    return digest_reply(digest, public_url=settings.public_url)
