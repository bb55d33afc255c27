"""A digest as words: the plain-text lines of the reply, the Reply itself and the JSON shape."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.corrections import agreement_words
from bot.digest.model import AspectTheme, Digest, ReviewStats, Section, Theme, labelled_count
from bot.i18n import LABEL_EMOJI, tr
from bot.replies import Reply, summary_line
from bot.shares import label_percentages
from domain.models import ASPECT_NAMES_ZH, Lang

# -- rendering --------------------------------------------------------------------------------


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
        return tr(lang, f"{hours:.0f} 小时", f"{hours:.0f} h")
    return tr(lang, f"{hours / 24:.0f} 天", f"{hours / 24:.0f} days")


def channel_name(channel: str | None, lang: Lang) -> str:
    if channel is None:
        return tr(lang, "（未指定频道）", "(no channel)")
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


def _aspects_text(aspects: list[AspectTheme], lang: Lang) -> str:
    parts = []
    for a in aspects:
        name = ASPECT_NAMES_ZH.get(a.aspect, a.aspect) if lang == "zh" else a.aspect
        share = f"{a.share:.0%}"
        example = tr(lang, f"，如“{a.example}”", f", e.g. “{a.example}”") if a.example else ""
        zh, en = f"{name} {a.count} 条（{share}{example}）", f"{name} {a.count} ({share}{example})"
        parts.append(tr(lang, zh, en))
    return " · ".join(parts)


def _alert_line(section: Section, threshold: float, lang: Lang) -> str:
    share = f"{label_percentages(section.counts)['negative']}%"  # as in the mix: parts add up to 100
    n, labelled = section.counts.negative, section.labelled
    if section.is_total:
        return tr(
            lang,
            f"🚨 负面占比 {share}（{labelled} 条中 {n} 条），超过告警阈值 {threshold:.0%}",
            f"🚨 Negative share {share} ({n} of {labelled}) is above the {threshold:.0%} alert threshold",
        )
    name = channel_name(section.channel, lang)
    return tr(
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
        return tr(lang, "🚩 没有待审对话", "🚩 No conversation waiting for review")
    today = tr(lang, "今日", "today") if partial else tr(lang, "当日", "that day")
    line = tr(
        lang,
        f"🚩 待审：{today}新增 {r.opened} 个（仍未处理 {r.opened_still_open} 个）"
        f"· 队列中共 {r.open} 个未处理",
        f"🚩 Reviews: {r.opened} flagged {today} ({r.opened_still_open} still open)"
        f" · {r.open} open in the queue",
    )
    if r.oldest_open_hours is not None:
        line += tr(
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
        head = tr(
            lang,
            f"{mark} 今日截至 {until} 的日报 · {digest.day}（{weekday}）",
            f"{mark} Today so far (until {until}) · {digest.day} ({weekday})",
        )
    else:
        head = tr(
            lang,
            f"{mark} 日报 · {digest.day}（{weekday}）",
            f"{mark} Daily digest · {digest.day} ({weekday})",
        )
    if digest.alert:
        head += tr(lang, " · 负面占比告警", " · negative-rate alert")
    return head


def digest_lines(digest: Digest, lang: Lang) -> list[str]:
    t = digest.total
    lines: list[str] = []
    alerts = [s for s in [t, *digest.channels] if s.alert]
    lines += [_alert_line(s, digest.threshold, lang) for s in alerts]
    if digest.empty:
        lines.append(
            tr(
                lang,
                f"{digest.day} 没有标注任何消息{'（到目前为止）' if digest.partial else ''}。",
                f"Nothing was labelled on {digest.day}{' so far' if digest.partial else ''}.",
            )
        )
        if t.day_before.total:
            lines.append(
                tr(
                    lang,
                    f"前一天：{labelled_count(t.day_before)} 条 · 前 7 天日均 {t.week_avg_labelled:g} 条",
                    f"The day before: {labelled_count(t.day_before)} · "
                    f"7-day average {t.week_avg_labelled:g}/day",
                )
            )
        if t.reviews and (t.reviews.open or t.reviews.opened):
            lines.append(_reviews_line(t.reviews, lang, partial=digest.partial))
        return lines

    failed = (
        tr(lang, f"（另有 {t.counts.failed} 条标注失败）", f" (+{t.counts.failed} failed)")
        if t.counts.failed
        else ""
    )
    volume = tr(lang, f"📨 已标注 {t.labelled} 条{failed}", f"📨 {t.labelled} messages labelled{failed}")
    comparisons = []
    if t.day_before.total:
        change = _format_count_delta(t.volume_delta_day_before, t.volume_delta_day_before_pct)
        comparisons.append(tr(lang, f"较前一天 {change}", f"{change} vs the day before"))
    if t.volume_vs_week_pct is not None:
        comparisons.append(
            tr(
                lang,
                f"较前 7 天日均（{t.week_avg_labelled:g} 条）{t.volume_vs_week_pct:+.0f}%",
                f"{t.volume_vs_week_pct:+.0f}% vs the 7-day average ({t.week_avg_labelled:g}/day)",
            )
        )
    lines.append(" · ".join([volume, *comparisons]))
    lines.append(summary_line(t.counts, lang))
    if any(v is not None for v in t.delta_day_before_pp.values()):
        lines.append(
            _delta_line(t.delta_day_before_pp, lang, prefix=tr(lang, "较前一天：", "vs the day before: "))
        )
    if any(v is not None for v in t.delta_week_pp.values()):
        lines.append(
            _delta_line(t.delta_week_pp, lang, prefix=tr(lang, "较前 7 天：", "vs the 7-day average: "))
        )
    if t.aspects:
        lines.append(tr(lang, "负面集中在：", "Negatives were about: ") + _aspects_text(t.aspects, lang))
    if t.themes:
        lines.append(tr(lang, "负面主题：", "Top negative themes: ") + _themes_text(t.themes, lang))
    elif t.counts.negative:
        lines.append(
            tr(
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
        lines.append(tr(lang, "分频道：", "By channel:"))
        for s in digest.channels:
            parts = [
                channel_name(s.channel, lang),
                tr(lang, f"{s.labelled} 条", f"{s.labelled} msgs"),
                f"{LABEL_EMOJI['negative']} {label_percentages(s.counts)['negative']}%"
                + (
                    tr(
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
                    tr(lang, "主题：", "themes: ") + tr(lang, "、", ", ").join(th.keyword for th in s.themes)
                )
            if s.reviews and s.reviews.open:
                parts.append(tr(lang, f"🚩 {s.reviews.open} 个待审", f"🚩 {s.reviews.open} open reviews"))
            lines.append(("🚨 " if s.alert else "• ") + " · ".join(parts))
        if digest.more_channels:
            lines.append(
                tr(lang, f"…另有 {digest.more_channels} 个频道", f"…and {digest.more_channels} more channels")
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
        "aspects": [a.model_dump() for a in s.aspects],
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
