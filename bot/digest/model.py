"""What a digest holds (built by build.py, shown by render.py)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from bot.corrections import LabelAgreement
from bot.stats import DayMix
from domain.models import Lang, Summary

WEEK = 7
MAX_CHANNELS = 10

# -- the digest's data -----------------------------------------------------------------------


class Theme(BaseModel):
    """A group of near-duplicate keywords of negative items."""

    keyword: str
    count: int  # negative items mentioning it (scaled up from the sample when `estimated`)
    variants: list[str] = Field(default_factory=list)
    share: float = 0.0  # of the day's negative items
    estimated: bool = False  # more negatives than THEME_SAMPLE: counted on an even sample


class AspectTheme(BaseModel):
    """What the day's negative messages were about (the contract's aspects), with one example."""

    aspect: str
    count: int  # negative messages with this aspect
    share: float = 0.0  # of the day's negative messages
    example: str | None = None  # the most confident such message, shortened
    example_id: int | None = None


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
    aspects: list[AspectTheme] = Field(default_factory=list)
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


def labelled_count(s: Summary) -> int:
    """Messages with a label (failed ones never count in a share)."""
    return s.positive + s.negative + s.neutral
