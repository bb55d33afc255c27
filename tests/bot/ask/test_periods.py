"""Periods in words, both languages, relative to an injected "now" in SENTIBOT_TIMEZONE."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.ask.periods import Period, find_periods, parse_period, zh_number
from bot.config import Settings

# Saturday 28 November 2026 in Shanghai.
TODAY = date(2026, 11, 28)
D = date


CASES = [
    ("今天负面多少", D(2026, 11, 28), D(2026, 11, 28)),
    ("today", D(2026, 11, 28), D(2026, 11, 28)),
    ("昨天", D(2026, 11, 27), D(2026, 11, 27)),
    ("what about yesterday?", D(2026, 11, 27), D(2026, 11, 27)),
    ("前天", D(2026, 11, 26), D(2026, 11, 26)),
    ("本周主要投诉什么", D(2026, 11, 23), D(2026, 11, 28)),
    ("这周", D(2026, 11, 23), D(2026, 11, 28)),
    ("this week", D(2026, 11, 23), D(2026, 11, 28)),
    ("上周", D(2026, 11, 16), D(2026, 11, 22)),
    ("last week", D(2026, 11, 16), D(2026, 11, 22)),
    ("这个月", D(2026, 11, 1), D(2026, 11, 28)),
    ("本月", D(2026, 11, 1), D(2026, 11, 28)),
    ("this month", D(2026, 11, 1), D(2026, 11, 28)),
    ("上个月", D(2026, 10, 1), D(2026, 10, 31)),
    ("last month", D(2026, 10, 1), D(2026, 10, 31)),
    ("最近7天", D(2026, 11, 22), D(2026, 11, 28)),
    ("最近七天", D(2026, 11, 22), D(2026, 11, 28)),
    ("近三十天", D(2026, 10, 30), D(2026, 11, 28)),
    ("过去 14 天", D(2026, 11, 15), D(2026, 11, 28)),
    ("最近一周", D(2026, 11, 22), D(2026, 11, 28)),
    ("last 7 days", D(2026, 11, 22), D(2026, 11, 28)),
    ("in the past 30 days", D(2026, 10, 30), D(2026, 11, 28)),
    ("the last seven days", D(2026, 11, 22), D(2026, 11, 28)),
    ("since Monday", D(2026, 11, 23), D(2026, 11, 28)),
    ("since thursday", D(2026, 11, 26), D(2026, 11, 28)),
    ("周一以来", D(2026, 11, 23), D(2026, 11, 28)),
    ("从周三开始", D(2026, 11, 25), D(2026, 11, 28)),
    ("11月1日到11月28日", D(2026, 11, 1), D(2026, 11, 28)),
    ("11月1号至28号", D(2026, 11, 1), D(2026, 11, 28)),
    ("2025年12月1日到2025年12月3日", D(2025, 12, 1), D(2025, 12, 3)),
    ("11月5日", D(2026, 11, 5), D(2026, 11, 5)),
    ("Nov 1 to Nov 28", D(2026, 11, 1), D(2026, 11, 28)),
    ("from November 1 to 28", D(2026, 11, 1), D(2026, 11, 28)),
    ("between 3 Nov and 9 Nov", D(2026, 11, 3), D(2026, 11, 9)),
    ("on Nov 5th", D(2026, 11, 5), D(2026, 11, 5)),
    ("2026-11-01 to 2026-11-28", D(2026, 11, 1), D(2026, 11, 28)),
    ("2026-11-01..2026-11-07", D(2026, 11, 1), D(2026, 11, 7)),
    ("2026-11-03", D(2026, 11, 3), D(2026, 11, 3)),
    ("2026-11-28 to 2026-11-01", D(2026, 11, 1), D(2026, 11, 28)),
    # Without a year, a date after today is last year's.
    ("Dec 20 to Dec 31", D(2025, 12, 20), D(2025, 12, 31)),
    ("12月20日到12月31日", D(2025, 12, 20), D(2025, 12, 31)),
    ("Dec 20 to Jan 5", D(2025, 12, 20), D(2026, 1, 5)),
]


@pytest.mark.parametrize(("text", "first", "last"), CASES)
def test_period_words(text: str, first: date, last: date) -> None:
    period = parse_period(text, today=TODAY)
    assert period is not None, text
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize(
    "text",
    ["为什么我的快递还没到", "why is my order late?", "11月31日", "2026-02-30", "last 0 days", ""],
)
def test_no_period(text: str) -> None:
    assert parse_period(text, today=TODAY) is None


def test_today_follows_the_time_zone() -> None:
    # 20:30 UTC on the 27th is already the 28th in Shanghai, still the 27th in New York.
    now = datetime(2026, 11, 27, 20, 30, tzinfo=UTC)
    assert Settings(timezone="Asia/Shanghai").today(now=now) == D(2026, 11, 28)
    assert Settings(timezone="America/New_York").today(now=now) == D(2026, 11, 27)


def test_two_periods_in_order() -> None:
    assert find_periods("this week vs last week", today=TODAY) == [
        Period(D(2026, 11, 23), D(2026, 11, 28), "week"),
        Period(D(2026, 11, 16), D(2026, 11, 22), "week"),
    ]
    assert [p.first for p in find_periods("比较上周和本周", today=TODAY)] == [
        D(2026, 11, 16),
        D(2026, 11, 23),
    ]


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        (Period(D(2026, 11, 27), D(2026, 11, 27), "day"), D(2026, 11, 26), D(2026, 11, 26)),
        (Period(D(2026, 11, 23), D(2026, 11, 28), "week"), D(2026, 11, 16), D(2026, 11, 21)),
        (Period(D(2026, 11, 1), D(2026, 11, 28), "month"), D(2026, 10, 1), D(2026, 10, 28)),
        (Period(D(2026, 3, 1), D(2026, 3, 31), "month"), D(2026, 2, 1), D(2026, 2, 28)),
        (Period(D(2026, 11, 22), D(2026, 11, 28), "span"), D(2026, 11, 15), D(2026, 11, 21)),
    ],
)
def test_previous_period(period: Period, first: date, last: date) -> None:
    before = period.previous()
    assert (before.first, before.last) == (first, last)


def test_chinese_numerals() -> None:
    assert [zh_number(t) for t in ("七", "十", "十四", "三十", "二十一", "7", "abc")] == [
        7,
        10,
        14,
        30,
        21,
        7,
        None,
    ]
