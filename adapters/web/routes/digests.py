"""The daily digest on the web: `/digests/{date}` (page) and `/api/digests/{date}` (JSON).

The numbers come from `bot.digest` (the same `build_digest` every surface renders); this module
only lays them out. The 7-day trend chart is drawn once per distinct trend and language and then
reused (a small cache in app state), so reloading the page does not store a new PNG each time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from adapters.web.deps import ApiAuth, CoreDep, PageAuth
from adapters.web.page_text import page_lang, page_text
from adapters.web.render import chart_path, full_chart_path
from adapters.web.routes.pages import page
from adapters.web.schemas import ErrorOut
from bot.core import Sentibot
from bot.digest import (
    Digest,
    Section,
    channel_name,
    digest_json,
    digest_lines,
    format_age,
    format_pp,
)
from bot.errors import InputError
from bot.i18n import LABEL_EMOJI, LABEL_WORDS
from bot.shares import label_percentages
from domain.models import ASPECT_NAMES_ZH, Lang

# How far back a digest can be asked for (the 7-day window reads a week more).
MAX_DAYS_BACK = 3660

page_router = APIRouter(dependencies=[PageAuth], include_in_schema=False)
api_router = APIRouter(
    prefix="/api",
    dependencies=[ApiAuth],
    responses={
        400: {"model": ErrorOut, "description": "bad date; `error` says what to send"},
        401: {"model": ErrorOut, "description": "SENTIBOT_WEB_TOKEN is set and was not sent"},
    },
)


# -- shared -------------------------------------------------------------------------------------


def parse_day(raw: str, core: Sentibot) -> date:
    """A YYYY-MM-DD local day that has started; InputError (400) saying what to send otherwise."""
    try:
        day = date.fromisoformat(raw)
        if len(raw) != 10:
            raise ValueError(raw)
    except ValueError:
        raise InputError(f"the date must be YYYY-MM-DD (like 2024-05-10), got {raw!r}") from None
    today = core.today()
    if day > today:
        raise InputError(f"{day} has not started yet in {core.settings.timezone} (today is {today})")
    if (today - day).days > MAX_DAYS_BACK:
        raise InputError(f"{day} is too far back; ask for a day within the last {MAX_DAYS_BACK} days")
    return day


async def load_digest(core: Sentibot, raw_day: str, *, lang: Lang | None, chart: bool) -> Digest:
    # Identical charts are stored once (content-addressed), so page views do not pile up PNGs.
    return await core.digest(parse_day(raw_day, core), lang=lang, chart=chart)


# -- JSON ---------------------------------------------------------------------------------------


@api_router.get("/digests/{day}", summary="The daily digest of one local day (SENTIBOT_TIMEZONE)")
async def digest_api(
    request: Request,
    day: str,
    core: CoreDep,
    lang: Annotated[Literal["en", "zh"] | None, Query(description="chart language")] = None,
    chart: Annotated[bool, Query(description="also draw the 7-day trend chart (chart_url)")] = False,
) -> dict[str, Any]:
    """Counts, shares, deltas against the day before and the 7-day average, the alert, themes,
    reviews and the 7-day trend; `partial` is true for today (so far). `deliveries` says where
    the digest was sent (one row per target of SENTIBOT_DIGEST_TARGETS)."""
    digest = await load_digest(core, day, lang=lang, chart=chart)
    data = digest_json(digest, public_url=core.settings.public_url)
    data["deliveries"] = core.digest_deliveries(digest.day)
    data["page_url"] = f"/digests/{digest.day}"
    return data


# -- the page -----------------------------------------------------------------------------------


@page_router.get("/digests")
async def latest_digest(core: CoreDep) -> RedirectResponse:
    """The latest day with labelled messages (today, so far, included); today when there is none
    (the page then says that nothing has been labelled yet)."""
    today = core.today()
    latest = core.latest_day_with_messages()
    return RedirectResponse(f"/digests/{latest or today}", status_code=302)


@page_router.get("/digests/{day}", response_class=HTMLResponse)
async def digest_page(
    request: Request,
    day: str,
    core: CoreDep,
    lang: Annotated[Literal["en", "zh"] | None, Query()] = None,
) -> HTMLResponse:
    # The page's language (the reader's switch or browser) unless `?lang=` asks for another.
    digest = await load_digest(core, day, lang=lang or page_lang(request), chart=True)
    today = core.today()
    lines = digest_lines(digest, digest.lang)
    alerts = []
    for line in lines:
        if not line.startswith("🚨"):
            break
        alerts.append(line)
    deliveries = core.digest_deliveries(digest.day)
    tz = ZoneInfo(digest.timezone)
    return page(
        request,
        "digest.html",
        core,
        d=digest,
        lang=digest.lang,
        t=page_text(digest.lang),  # one language on the page, also when `?lang=` asked for another
        words=LABEL_WORDS[digest.lang],
        emoji=LABEL_EMOJI,
        alerts=alerts,
        threshold=f"{digest.threshold:.0%}",
        total=_section_view(digest.total, digest.lang),
        channels=[_section_view(s, digest.lang) for s in digest.channels],
        trend=digest.trend,
        chart=chart_path(digest.chart_id),
        chart_full=full_chart_path(digest.chart_id),
        deliveries=deliveries,
        prev_day=digest.day - timedelta(days=1),
        next_day=digest.day + timedelta(days=1) if digest.day < today else None,
        is_today=digest.day == today,
        generated_local=_local(digest.generated_at, tz),
        json_url=f"/api/digests/{digest.day}",
        latest_day=core.latest_day_with_messages() if digest.empty else None,
    )


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _section_name(s: Section, lang: Lang) -> str:
    if s.is_total:
        return "全部频道" if lang == "zh" else "All channels"
    return channel_name(s.channel, lang)


def _section_view(s: Section, lang: Lang) -> dict[str, Any]:
    """What the template shows of one section, already formatted (the core's formatting)."""
    volume_vs_day_before = None
    if s.day_before.total:
        pct = s.volume_delta_day_before_pct
        arrow = "▲" if s.volume_delta_day_before > 0 else "▼" if s.volume_delta_day_before < 0 else "±"
        volume_vs_day_before = f"{arrow}{abs(s.volume_delta_day_before)}" + (
            f" ({pct:+.0f}%)" if pct is not None else ""
        )
    reviews = None
    if s.reviews:
        r = s.reviews
        reviews = {
            "opened": r.opened,
            "opened_still_open": r.opened_still_open,
            "open": r.open,
            "oldest_age": format_age(r.oldest_open_hours, lang) if r.oldest_open_hours is not None else None,
            "oldest_at": r.oldest_open_at.isoformat(timespec="minutes") if r.oldest_open_at else None,
        }
    return {
        "name": _section_name(s, lang),
        "slug": "total" if s.is_total else (s.channel or "no-channel"),
        "alert": s.alert,
        "counts": s.counts,
        "labelled": s.labelled,
        "failed": s.counts.failed,
        "shares": {label: f"{p}%" for label, p in label_percentages(s.counts).items()},
        "share_values": s.shares,
        "vs_day_before": {label: format_pp(v, lang) for label, v in s.delta_day_before_pp.items()},
        "vs_week": {label: format_pp(v, lang) for label, v in s.delta_week_pp.items()},
        "day_before_labelled": s.day_before.positive + s.day_before.neutral + s.day_before.negative,
        "week_avg": f"{s.week_avg_labelled:g}",
        "volume_vs_day_before": volume_vs_day_before,
        "volume_vs_week": f"{s.volume_vs_week_pct:+.0f}%" if s.volume_vs_week_pct is not None else None,
        "themes": s.themes,
        "aspects": [
            {
                "name": ASPECT_NAMES_ZH.get(a.aspect, a.aspect) if lang == "zh" else a.aspect,
                "aspect": a.aspect,
                "count": a.count,
                "share": f"{a.share:.0%}",
                "example": a.example,
            }
            for a in s.aspects
        ],
        "reviews": reviews,
    }
