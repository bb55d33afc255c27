"""Telling questions about the history from comments to label, and what each question asks."""

from __future__ import annotations

from datetime import date

import pytest

from bot.ask.questions import question_text, understand

TODAY = date(2026, 11, 28)  # a Saturday

QUESTIONS = [
    "ask how many negative messages today",
    "问 今天有多少条消息",
    "问：物流怎么样",
    "这周客户主要投诉什么？",
    "为什么昨天负面多了？",
    "最近7天负面占比多少",
    "给我看昨天最差的会话",
    "和昨天比有什么变化？",
    "what are enterprise customers unhappy about this month?",
    "show me the worst conversations yesterday",
    "why did negative go up yesterday?",
    "how many complaints about delivery last week?",
    "what changed in sentiment since yesterday?",
    "What do customers complain about?",
]
COMMENTS = [
    "为什么我的快递还没到？",
    "why is my order late?",
    "物流太慢了，客服也不理人",
    "我要投诉，你们的客服太差了！",
    "Why is the customer service so slow?",
    "The worst customer service ever!",
    "Great product, thanks!",
    "请问什么时候发货？",
    "Can I get a refund for this?",
    "客户: 我的订单呢\n客服: 马上查",
    "The app keeps crashing when I log in",
    "问题很多，质量很差",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_are_asked(text: str) -> None:
    assert question_text(text), text


@pytest.mark.parametrize("text", COMMENTS)
def test_comments_are_labelled(text: str) -> None:
    assert question_text(text) is None, text


def test_ask_prefix_always_asks_and_is_removed() -> None:
    assert question_text("ask why is my order late?") == "why is my order late?"
    assert question_text("问 为什么我的快递还没到？") == "为什么我的快递还没到？"


KINDS = [
    ("这周客户主要投诉什么？", "complaints", "zh", (date(2026, 11, 23), date(2026, 11, 28)), None),
    (
        "What do customers complain about last week?",
        "complaints",
        "en",
        (date(2026, 11, 16), date(2026, 11, 22)),
        None,
    ),
    ("为什么昨天负面多了？", "trend", "zh", (date(2026, 11, 27),) * 2, (date(2026, 11, 26),) * 2),
    (
        "why did negative go up yesterday?",
        "trend",
        "en",
        (date(2026, 11, 27),) * 2,
        (date(2026, 11, 26),) * 2,
    ),
    (
        "compare this week vs last week",
        "trend",
        "en",
        (date(2026, 11, 23), date(2026, 11, 28)),
        (date(2026, 11, 16), date(2026, 11, 22)),
    ),
    (
        "上周和本周的情绪对比",
        "trend",
        "zh",
        (date(2026, 11, 23), date(2026, 11, 28)),
        (date(2026, 11, 16), date(2026, 11, 22)),
    ),
    ("给我看昨天最差的会话", "worst", "zh", (date(2026, 11, 27),) * 2, None),
    (
        "show me the flagged conversations this week",
        "worst",
        "en",
        (date(2026, 11, 23), date(2026, 11, 28)),
        None,
    ),
    ("最近7天负面占比多少", "counts", "zh", (date(2026, 11, 22), date(2026, 11, 28)), None),
    ("how many messages in November 1 to 28?", "counts", "en", (date(2026, 11, 1), date(2026, 11, 28)), None),
    ("和昨天比有什么变化？", "changes", "zh", (TODAY, TODAY), (date(2026, 11, 27),) * 2),
    ("what changed since yesterday?", "changes", "en", (TODAY, TODAY), (date(2026, 11, 27),) * 2),
]


@pytest.mark.parametrize(("text", "kind", "lang", "period", "compare"), KINDS)
def test_kind_period_and_language(
    text: str, kind: str, lang: str, period: tuple[date, date], compare: tuple[date, date] | None
) -> None:
    q = understand(text, today=TODAY)
    assert q is not None
    assert (q.kind, q.lang) == (kind, lang)
    assert (q.period.first, q.period.last) == period
    assert ((q.compare_to.first, q.compare_to.last) if q.compare_to else None) == compare


def test_filters() -> None:
    q = understand(
        "what are enterprise customers unhappy about this month?", today=TODAY, channels=["web", "enterprise"]
    )
    assert q and (q.kind, q.channel, q.period.first) == ("complaints", "enterprise", date(2026, 11, 1))
    q = understand("上周物流的负面有多少？", today=TODAY)
    assert q and (q.kind, q.aspect, q.label) == ("counts", "delivery", "negative")
    q = understand("how many refund complaints in #vip?", today=TODAY, channels=["vip"])
    assert q and (q.aspect, q.channel, q.period_named) == ("billing", "vip", False)
    assert (q.period.first, q.period.last) == (date(2026, 11, 22), TODAY)  # last 7 days by default


@pytest.mark.parametrize("text", ["hello", "你好", "what can you do"])
def test_nothing_answerable(text: str) -> None:
    assert understand(text, today=TODAY) is None
