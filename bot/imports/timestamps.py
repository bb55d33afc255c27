"""Reading the times found in exports.

Accepted: ISO 8601 (`2026-11-28T10:05:00+08:00`, `…Z`, with or without seconds or offset),
`2026-11-28 10:05:00`, `2026/11/28 10:05`, `2026/11/28`, `2026.11.28 10:05`,
`2026年11月28日 10:05`, Unix epoch seconds or milliseconds (`1764295500`, `1764295500000`),
spreadsheet date cells (datetime objects) and spreadsheet serial day numbers (`46354.42`).
Times without an offset are read in the given zone (SENTIBOT_TIMEZONE).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

_SPREADSHEET_EPOCH = datetime(1899, 12, 30)
_CJK = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)$")
_SLASHED = re.compile(
    r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
)


class BadTime(ValueError):
    """The value is not a time this reader knows; the message says which value."""


def parse_time(value: object, zone: tzinfo) -> datetime:
    """An aware datetime for a cell value; BadTime when it cannot be read."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(float(value), zone, str(value))
    text = str(value).strip()
    if not text:
        raise BadTime("the time is empty")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _number(float(text), zone, text)
    cjk = _CJK.match(text)
    if cjk:
        year, month, day, rest = cjk.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}" + (f" {rest.strip()}" if rest.strip() else "")
    slashed = _SLASHED.match(text)
    if slashed:
        y, m, d, hh, mm, ss = slashed.groups()
        try:
            return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=zone)
        except ValueError as exc:
            raise BadTime(f"{text!r} is not a valid date ({exc})") from exc
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise BadTime(
            f"{text!r} is not a time (use ISO 8601, 2026-11-28 10:05:00, 2026/11/28 10:05 or epoch seconds)"
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _number(number: float, zone: tzinfo, shown: str) -> datetime:
    if 20_000 <= number < 80_000:  # a spreadsheet serial day (1954..2119)
        return (_SPREADSHEET_EPOCH + timedelta(days=number)).replace(tzinfo=zone)
    if 1e11 <= number < 1e14:  # epoch milliseconds
        number /= 1000
    if 1e8 <= number < 1e11:  # epoch seconds (1973..5138)
        return datetime.fromtimestamp(number, tz=UTC)
    raise BadTime(f"{shown!r} is not a time (a number should be epoch seconds or milliseconds)")
