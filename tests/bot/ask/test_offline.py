"""The offline path on the seeded history: each kind of question, both languages, right numbers."""

from __future__ import annotations

import pytest

from bot.ask.models import Answer
from bot.ask.offline import answer_offline
from bot.ask.questions import understand
from bot.ask.tools import AskTools
from bot.config import Settings
from storage import Store
from tests.bot.ask.conftest import INJECTION, NOW

URL = "http://sentibot.test"


def ask(store: Store, text: str) -> Answer:
    today = Settings(timezone="Asia/Shanghai").today(now=NOW)
    q = understand(text, today=today, channels=store.ask.channels())
    assert q is not None, text
    return answer_offline(q, AskTools(store, public_url=URL))


def facts(answer: Answer) -> dict[str, object]:
    return {f.name: f.value for f in answer.facts}


def stored_mix(store: Store, first: str, last: str, channel: str | None = None) -> dict[str, int]:
    """What the stats rollups hold for the range (the numbers /api/stats shows)."""
    out: dict[str, int] = {}
    for row in store.messages.daily_counts(first_day=first, last_day=last, channel=channel):
        out[row["bucket"]] = out.get(row["bucket"], 0) + row["n"]
    return out


@pytest.mark.parametrize(
    ("question", "lang", "phrases"),
    [
        ("这周客户主要投诉什么？", "zh", ["30 条已标注消息中 16 条负面（53%）", "物流（8 条，占负面 50%）"]),
        (
            "what do customers complain about this week?",
            "en",
            ["16 of 30 labelled messages were negative (53%)", "delivery (8, 50% of negatives)"],
        ),
    ],
)
def test_complaints(history: Store, question: str, lang: str, phrases: list[str]) -> None:
    answer = ask(history, question)
    assert answer.lang == lang and answer.kind == "complaints"
    for phrase in phrases:
        assert phrase in answer.text
    mix = stored_mix(history, "2026-11-23", "2026-11-28")
    got = facts(answer)
    assert (got["negative"], got["labelled"]) == (mix["negative"], 30)
    assert got["delivery.negative"] == 8 and got["billing.negative"] == 3
    # The examples are real stored negative delivery messages, quoted and linked in the answer.
    assert len(answer.examples) == 3
    for example in answer.examples:
        stored = history.messages.get(example["id"])
        assert stored is not None and stored.text == example["text"]
        assert (stored.label, stored.aspects) == ("negative", ["delivery"])
        assert example["text"][:20] in answer.text and example["link"] in answer.text


@pytest.mark.parametrize(
    ("question", "phrases"),
    [
        (
            "为什么昨天负面多了？",
            ["16 条已标注消息中负面 11 条（69%）", "9 条中负面 3 条（33%）", "负面多了 8 条", "物流（2→6）"],
        ),
        (
            "why did negative go up yesterday?",
            [
                "11 of 16 labelled messages negative (69%)",
                "3 of 9 (33%)",
                "up by 8",
                "delivery (2→6)",
                "web (2→9)",
            ],
        ),
    ],
)
def test_trend_compares_two_periods_by_aspect_and_channel(
    history: Store, question: str, phrases: list[str]
) -> None:
    answer = ask(history, question)
    assert answer.kind == "trend"
    for phrase in phrases:
        assert phrase in answer.text
    got = facts(answer)
    assert got["negative"] == stored_mix(history, "2026-11-27", "2026-11-27")["negative"] == 11
    assert got["previous.negative"] == stored_mix(history, "2026-11-26", "2026-11-26")["negative"] == 3
    assert got["channel web.change"] == 7 and got["channel vip.change"] == 1
    assert all(history.messages.get(e["id"]).day == "2026-11-27" for e in answer.examples)  # type: ignore[union-attr]


@pytest.mark.parametrize("question", ["给我看昨天最差的会话", "show me the worst conversations yesterday"])
def test_worst_conversations(history: Store, question: str) -> None:
    answer = ask(history, question)
    assert answer.kind == "worst"
    assert "conv-A" in answer.text
    assert facts(answer)["flagged"] == 1 and facts(answer)["#1.negative"] == 3
    assert [history.messages.get(e["id"]).conversation_id for e in answer.examples] == ["conv-A"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("question", "phrase", "channel"),
    [
        ("最近7天负面占比多少", "30 条已标注消息中 16 条负面（53%）", None),
        (
            "how many messages in vip last 7 days?",
            "4 messages — 1 positive (25%), 0 neutral (0%), 3 negative (75%)",
            "vip",
        ),
        ("vip渠道最近7天有多少消息？", "共 4 条消息", "vip"),
    ],
)
def test_counts_match_the_stats(history: Store, question: str, phrase: str, channel: str | None) -> None:
    answer = ask(history, question)
    assert answer.kind == "counts"
    assert phrase in answer.text
    mix = stored_mix(history, "2026-11-22", "2026-11-28", channel)
    got = facts(answer)
    assert got["messages"] == sum(mix.values())
    assert all(got[label] == mix.get(label, 0) for label in ("positive", "negative", "neutral"))


def test_counts_of_an_aspect(history: Store) -> None:
    answer = ask(history, "how many negative delivery messages last week?")
    assert "3 of 3 labelled messages were negative (100%)" in answer.text
    assert all(e["aspects"] == ["delivery"] and e["label"] == "negative" for e in answer.examples)


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("和昨天比有什么变化？", "3 条已标注消息中负面 1 条（33%）；2026-11-27：16 条中负面 11 条（69%）"),
        (
            "what changed since yesterday?",
            "1 of 3 labelled messages negative (33%); on 2026-11-27: 11 of 16 (69%)",
        ),
    ],
)
def test_changes_since_yesterday(history: Store, question: str, phrase: str) -> None:
    answer = ask(history, question)
    assert answer.kind == "changes" and phrase in answer.text
    assert "10" in answer.text  # down by 10


def test_an_injection_in_the_history_is_only_a_message(history: Store) -> None:
    answer = ask(history, "why did negative go up yesterday?")
    assert "99%" not in answer.text
    assert facts(answer)["positive"] == 4  # 3 web + 1 vip on 2026-11-27
    examples = ask(history, "问 昨天其他方面的负面消息有哪些").examples
    assert [e["text"].rsplit(" #", 1)[0] for e in examples] == [INJECTION]
