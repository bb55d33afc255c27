"""Periods said in words, in Chinese or English, turned into calendar-day ranges.

Rules (all relative to `today`, a date in SENTIBOT_TIMEZONE that the caller computes from an
injectable "now", see `Settings.today`):
- today / 今天, yesterday / 昨天, 前天;
- this week / 本周 / 这周: Monday to today; last week / 上周: the Monday-to-Sunday before;
- this month / 本月 / 这个月: the 1st to today; last month / 上个月: the whole month before;
- last N days / past N days / 最近N天 / 近N天 / 过去N天 (N in digits or Chinese numerals, also
  "last week"-free forms such as 最近一周 = 7 days): N days ending today;
- since Monday … since Sunday / 周一以来 / 自周一 / 从周一: that weekday of this week (or of last week
  when today is before it) to today;
- Nov 1 to Nov 28 / November 1 - 28 / 11月1日到11月28日 / 11月1号至28号 / 2026-11-01 to 2026-11-28 /
  2026-11-01..2026-11-28: both ends included. A date without a year is in the current year unless
  that puts it after today, then in the year before. A single date (Nov 5, 11月5日, 2026-11-05) is
  that one day. A range given end first is read the right way round.

`find_period` returns the first period in a text and where it was found, so the question parser
can look for a second one ("this week vs last week").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Unit = Literal["day", "week", "month", "span"]

MAX_DAYS = 366

_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS_EN = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


@dataclass(frozen=True)
class Period:
    """Calendar days `first`..`last`, both included, in the configured time zone."""

    first: date
    last: date
    unit: Unit = "span"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period to compare with: the same stretch one unit earlier.

        A (partial) week is compared with the same weekdays of the week before, a (partial) month
        with the same days of the month before, anything else with the same number of days just
        before it.
        """
        if self.unit == "week":
            return Period(self.first - timedelta(days=7), self.last - timedelta(days=7), "week")
        if self.unit == "month":
            first = (self.first.replace(day=1) - timedelta(days=1)).replace(day=1)
            last_day_of_prev = self.first.replace(day=1) - timedelta(days=1)
            offset = (self.last - self.first).days
            last = min(first + timedelta(days=offset), last_day_of_prev)
            return Period(first, last, "month")
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.unit)

    def label(self) -> str:
        """`2026-11-23` or `2026-11-23..2026-11-29` (for facts and links)."""
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def zh_number(text: str) -> int | None:
    """`7`, `七`, `十四`, `三十`, `二十一` → int; None when it is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _ZH_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        value = 0
        for ch in text:
            value = value * 10 + _ZH_DIGITS[ch]
        return value
    tens, _, ones = text.partition("十")
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _no_year(month: int, day: int, today: date) -> date | None:
    """A month and day in the current year, or last year's when that would be after today."""
    found = _safe_date(today.year, month, day)
    if found and found > today:
        found = _safe_date(today.year - 1, month, day)
    return found


def _range(first: date | None, last: date | None) -> Period | None:
    if first is None or last is None:
        return None
    first, last = min(first, last), max(first, last)
    return Period(first, last, "day" if first == last else "span")


def _last_days(n: int | None, today: date) -> Period | None:
    if n is None or not 1 <= n <= MAX_DAYS:
        return None
    return Period(today - timedelta(days=n - 1), today, "day" if n == 1 else "span")


def _since_weekday(weekday: int, today: date) -> Period:
    back = (today.weekday() - weekday) % 7
    return Period(today - timedelta(days=back), today, "span")


_NUM = r"(\d{1,3}|[零〇一二两三四五六七八九十]{1,3})"
_ISO = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_EN_DATE = rf"(?:({_MONTH_NAMES})\.?\s+(\d{{1,2}}){_ORD}|(\d{{1,2}}){_ORD}\s+({_MONTH_NAMES})\b\.?)"
_TO = r"\s*(?:to|until|till|through|thru|-|–|—|~|\.\.)\s*"
_ZH_DATE = r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?"
_ZH_TO = r"\s*(?:到|至|-|–|—|~)\s*"


def _en_date(groups: tuple[str | None, ...], today: date) -> date | None:
    month_name, day1, day2, month_name2 = groups
    month = _MONTHS[(month_name or month_name2 or "").lower()]
    return _no_year(month, int(day1 or day2 or 0), today)


def _parsers(today: date) -> list[tuple[re.Pattern[str], object]]:
    """(pattern, builder) in the order they are tried; longer forms before their prefixes."""
    week_start = today - timedelta(days=today.weekday())
    month_start = _month_start(today)
    prev_month_last = month_start - timedelta(days=1)
    weekday_en = "|".join(sorted(_WEEKDAYS_EN, key=len, reverse=True))

    def iso_range(m: re.Match[str]) -> Period | None:
        a = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        b = _safe_date(int(m[4]), int(m[5]), int(m[6]))
        return _range(a, b)

    def iso_day(m: re.Match[str]) -> Period | None:
        return _range(*(2 * (_safe_date(int(m[1]), int(m[2]), int(m[3])),)))

    def en_range(m: re.Match[str]) -> Period | None:
        first = _en_date((m[1], m[2], m[3], m[4]), today)
        if m[5] or m[8]:
            last = _en_date((m[5], m[6], m[7], m[8]), today)
        else:  # "Nov 1 - 28": the month of the first date
            last = _safe_date(first.year, first.month, int(m[9])) if first else None
        if first and last and last < first and last.year == first.year and first.year == today.year:
            first = _safe_date(first.year - 1, first.month, first.day)  # "Dec 20 to Jan 5"
        return _range(first, last)

    def en_day(m: re.Match[str]) -> Period | None:
        day = _en_date((m[1], m[2], m[3], m[4]), today)
        return _range(day, day)

    def zh_range(m: re.Match[str]) -> Period | None:
        first = _safe_date(int(m[1]), int(m[2]), int(m[3])) if m[1] else _no_year(int(m[2]), int(m[3]), today)
        if m[5]:
            last_month = int(m[5])
            last = _safe_date(int(m[4]), last_month, int(m[6])) if m[4] else None
            if not m[4] and first:
                last = _safe_date(first.year, last_month, int(m[6]))
                if last and last < first:
                    last = _safe_date(first.year + 1, last_month, int(m[6]))
        else:  # 11月1日到28日
            last = _safe_date(first.year, first.month, int(m[6])) if first else None
        return _range(first, last)

    def zh_day(m: re.Match[str]) -> Period | None:
        day = _safe_date(int(m[1]), int(m[2]), int(m[3])) if m[1] else _no_year(int(m[2]), int(m[3]), today)
        return _range(day, day)

    one_day: Unit = "day"
    return [
        (re.compile(rf"{_ISO}(?:{_TO}|\s*/\s*|\s*(?:到|至)\s*){_ISO}"), iso_range),
        (re.compile(_ISO), iso_day),
        (
            re.compile(
                rf"(?:from\s+|between\s+)?{_EN_DATE}(?:{_TO}|\s+and\s+)(?:{_EN_DATE}|(\d{{1,2}})(?:st|nd|rd|th)?\b)",
                re.I,
            ),
            en_range,
        ),
        (re.compile(rf"{_ZH_DATE}{_ZH_TO}(?:(\d{{4}})年)?(?:(\d{{1,2}})月)?(\d{{1,2}})[日号]?"), zh_range),
        (re.compile(rf"(?:on\s+)?{_EN_DATE}", re.I), en_day),
        (re.compile(_ZH_DATE), zh_day),
        (
            re.compile(r"\b(?:in\s+)?(?:the\s+)?(?:last|past|previous)\s+(\d{1,3})\s*(?:days?|d)\b", re.I),
            lambda m: _last_days(int(m[1]), today),
        ),
        (
            re.compile(rf"(?:最近|近|过去|前)\s*{_NUM}\s*(?:天|日)"),
            lambda m: _last_days(zh_number(m[1]), today),
        ),
        (re.compile(r"(?:最近|近|过去)\s*(?:一|1)\s*(?:周|个?星期|个?礼拜)"), lambda m: _last_days(7, today)),
        (re.compile(r"(?:最近|近|过去)\s*(?:一|1)\s*个?月"), lambda m: _last_days(30, today)),
        (
            re.compile(r"\b(?:the\s+)?(?:last|past)\s+(?:7|seven)\s+days?\b", re.I),
            lambda m: _last_days(7, today),
        ),
        (
            re.compile(rf"\bsince\s+(?:last\s+)?({weekday_en})\b", re.I),
            lambda m: _since_weekday(_WEEKDAYS_EN[m[1].lower()], today),
        ),
        (
            re.compile(
                r"(?:自|从)?(?:本|这)?(?:周|星期|礼拜)([一二三四五六日天])(?:以来|开始|起|到现在|至今)"
            ),
            lambda m: _since_weekday(_WEEKDAYS_ZH[m[1]], today),
        ),
        (
            re.compile(r"(?:自|从)(?:本|这)?(?:周|星期|礼拜)([一二三四五六日天])"),
            lambda m: _since_weekday(_WEEKDAYS_ZH[m[1]], today),
        ),
        (re.compile(r"\btoday\b|今天|今日", re.I), lambda m: Period(today, today, one_day)),
        (
            re.compile(r"\byesterday\b|昨天|昨日", re.I),
            lambda m: Period(today - timedelta(days=1), today - timedelta(days=1), one_day),
        ),
        (
            re.compile(r"前天"),
            lambda m: Period(today - timedelta(days=2), today - timedelta(days=2), one_day),
        ),
        (
            re.compile(r"\b(?:this|current)\s+week\b|本周|这周|这个?(?:星期|礼拜)|本(?:星期|礼拜)", re.I),
            lambda m: Period(week_start, today, "week"),
        ),
        (
            re.compile(r"\b(?:last|previous|past)\s+week\b|上周|上个?(?:星期|礼拜)", re.I),
            lambda m: Period(week_start - timedelta(days=7), week_start - timedelta(days=1), "week"),
        ),
        (
            re.compile(r"\b(?:this|current)\s+month\b|本月|这个?月", re.I),
            lambda m: Period(month_start, today, "month"),
        ),
        (
            re.compile(r"\b(?:last|previous|past)\s+month\b|上个?月", re.I),
            lambda m: Period(_month_start(prev_month_last), prev_month_last, "month"),
        ),
    ]


def find_period(text: str, *, today: date) -> tuple[Period, int, int] | None:
    """The earliest period named in `text` with its (start, end) offsets, or None.

    Among patterns that match, the one starting first wins; at the same start the longer match
    wins (so "11月1日到11月28日" is one range, not the single day 11月1日).
    """
    best: tuple[Period, int, int] | None = None
    for pattern, build in _parsers(today):
        for match in pattern.finditer(text):
            period = build(match)  # type: ignore[operator]
            if period is None:
                continue
            start, end = match.span()
            if best is None or start < best[1] or (start == best[1] and end > best[2]):
                best = (period, start, end)
            break
    return best


def find_periods(text: str, *, today: date, limit: int = 2) -> list[Period]:
    """Up to `limit` periods in the order they appear ("this week vs last week")."""
    found: list[Period] = []
    rest, offset = text, 0
    while len(found) < limit:
        hit = find_period(rest, today=today)
        if hit is None:
            break
        period, _, end = hit
        found.append(period)
        offset = end
        rest = rest[offset:]
    return found


def parse_period(text: str, *, today: date) -> Period | None:
    """The first period in `text`, or None."""
    hit = find_period(text, today=today)
    return hit[0] if hit else None
