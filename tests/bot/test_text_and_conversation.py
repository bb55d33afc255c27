"""Cleaning comments, reading pasted conversations and chat commands, and the offline verdict rule."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.commands import Command, parse_command
from bot.conversation import parse_transcript, rule_verdict
from bot.text import MAX_LABEL_CHARS, clean_text
from domain.models import LabeledItem


def test_cleaning_removes_noise_and_keeps_emoji() -> None:
    cleaned, note = clean_text(
        "  <@U024BE7LH> 物流太慢了 https://t.cn/x?y=1 @小王\x07\u200b 😡👍🏽\n\n  again  "
    )
    assert cleaned == "物流太慢了 😡👍🏽\nagain"
    assert note is None


def test_oversized_text_is_truncated_with_a_note() -> None:
    cleaned, note = clean_text("好" * (MAX_LABEL_CHARS + 10))
    assert len(cleaned) == MAX_LABEL_CHARS
    assert note == f"truncated from {MAX_LABEL_CHARS + 10} to {MAX_LABEL_CHARS} characters"


def test_transcript_prefixes_in_both_languages() -> None:
    turns = parse_transcript("客户：东西坏了\n客服: 抱歉\n补充一句\nCustomer: thanks")
    assert turns is not None
    assert [(t.role, t.text) for t in turns] == [
        ("customer", "东西坏了"),
        ("agent", "抱歉\n补充一句"),
        ("customer", "thanks"),
    ]
    assert parse_transcript("just one line") is None
    assert parse_transcript("Customer: a\nCustomer: b") is None  # no agent: a list, not a conversation
    assert parse_transcript("note: hello\nagent: hi") is None


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("stats 7d", Command("stats", 7)),
        ("统计 30天", Command("stats", 30, chinese=True)),
        ("STATS", Command("stats", 7)),
        ("review", Command("review")),
        ("待审", Command("review", chinese=True)),
        ("digest", Command("digest")),
        ("日报", Command("digest", chinese=True)),
        ("帮助", Command("help", chinese=True)),
        ("stats are terrible today", None),
        ("review the product please", None),
        ("the help desk was great", None),
    ],
)
def test_chat_commands(text: str, command: Command | None) -> None:
    assert parse_command(text) == command


def turn(idx: int, role: str, label: str | None) -> LabeledItem:
    status = "ok" if label else "failed"
    return LabeledItem(
        id=idx, text=f"t{idx}", role=role, label=label, confidence=0.9 if label else None, status=status
    )


@pytest.mark.parametrize(
    ("labels", "flagged", "resolved", "overall"),
    [
        (["negative", "neutral", "positive"], False, True, "positive"),  # recovered
        (["negative", "neutral", "negative"], True, False, "negative"),  # still angry at the end
        (["neutral", "neutral", "neutral"], False, True, "neutral"),  # a plain question
        (["negative", "neutral", "neutral"], True, False, "negative"),  # half negative, not happy at the end
    ],
)
def test_offline_rule_verdict(labels: list[str], flagged: bool, resolved: bool, overall: str) -> None:
    items = [turn(1, "customer", labels[0]), turn(2, "agent", labels[1]), turn(3, "customer", labels[2])]
    verdict = rule_verdict(items, lang="en")
    assert (verdict.flagged, verdict.resolved, verdict.label) == (flagged, resolved, overall)
    assert verdict.reason


def test_rule_verdict_with_no_labelled_customer_turn_concludes_nothing() -> None:
    verdict = rule_verdict([turn(1, "customer", None), turn(2, "agent", "neutral")], lang="zh")
    assert not verdict.flagged and "没有" in verdict.reason


def test_shared_conversations_parse(shared_data: Path) -> None:
    with (shared_data / "conversations.tsv").open(encoding="utf-8") as handle:
        names = [row["file"] for row in csv.DictReader(handle, delimiter="\t")]
    for name in names:
        turns = parse_transcript((shared_data / "conversations" / name).read_text(encoding="utf-8"))
        assert turns is not None, name
        assert turns[0].role == "customer"


async def test_offline_verdicts_on_the_shared_conversations(shared_data: Path, tmp_path: Path) -> None:
    """The offline labeller + rule agree with the expected flag and resolved on the sample set."""
    from bot.config import Settings
    from bot.core import MessageContext, Sentibot

    bot = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "c.db")))
    with (shared_data / "conversations.tsv").open(encoding="utf-8") as handle:
        expected = list(csv.DictReader(handle, delimiter="\t"))
    agree = 0
    for row in expected:
        text = (shared_data / "conversations" / row["file"]).read_text(encoding="utf-8")
        reply = await bot.handle_message(text, context=MessageContext(source="web"))
        verdict = reply.conversation
        assert verdict is not None, row["file"]
        agree += (verdict.flagged, verdict.resolved) == (row["flag"] == "yes", row["resolved"] == "yes")
        assert (reply.review_id is not None) == verdict.flagged  # every flag lands in the queue
    await bot.aclose()
    assert agree >= len(expected) - 1, f"{agree}/{len(expected)} conversations judged as expected"


def test_markup_is_not_sentiment_but_hearts_are_kept() -> None:
    assert clean_text("<img src=x onerror=alert(2)>great<br/>service")[0] == "great service"
    assert clean_text("<b>太差了</b>")[0] == "太差了"
    assert clean_text("I <3 this, a < b")[0] == "I <3 this, a < b"
