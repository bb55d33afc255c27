"""Times in exports: ISO 8601, spreadsheet forms, epoch s/ms; naive ones in SENTIBOT_TIMEZONE."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.imports.timestamps import BadTime, parse_time

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 28, 2, 5, tzinfo=UTC)  # 10:05 in Shanghai


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-28T10:05:00+08:00",
        "2026-11-28T02:05:00Z",
        "2026-11-28T10:05",
        "2026-11-28 10:05:00",
        "2026/11/28 10:05",
        "2026.11.28 10:05:00",
        "2026年11月28日 10:05",
        "1795831500",
        1795831500,
        "1795831500000",
        datetime(2026, 11, 28, 10, 5),
    ],
)
def test_every_accepted_form_reads_as_the_same_moment(value: object) -> None:
    assert parse_time(value, SH) == AT


def test_a_date_alone_is_local_midnight_and_a_spreadsheet_serial_is_a_day_count() -> None:
    assert parse_time("2026/11/28", SH) == datetime(2026, 11, 28, tzinfo=SH)
    assert parse_time(46354.5, SH) == datetime(2026, 11, 28, 12, tzinfo=SH)


@pytest.mark.parametrize("value", ["", "yesterday", "2026/13/01 10:00", "12", "28/11/2026"])
def test_what_is_not_a_time_says_so(value: str) -> None:
    with pytest.raises(BadTime):
        parse_time(value, SH)
