"""The answer parser on the raw strings real Qwen3 servers produce."""

from __future__ import annotations

import json

import pytest

from bot.labelers.answer_parsing import (
    AnswerError,
    normalize_label,
    parse_answer,
    split_reasoning,
)

ANSWER = {
    "items": [
        {
            "id": 1,
            "label": "negative",
            "confidence": 0.92,
            "explanation": "物流慢。",
            "keywords": ["物流", "慢"],
        },
        {"id": 2, "label": "positive", "confidence": 0.8, "explanation": "Loved it.", "keywords": ["love"]},
    ],
    "summary": "Delivery speed drives the sentiment.",
}
PLAIN = json.dumps(ANSWER, ensure_ascii=False)


def labels(content: str, ids: list[int] | None = None, **kwargs: object) -> dict[int, str]:
    parsed = parse_answer(content, expected_ids=ids or [1, 2], **kwargs)  # type: ignore[arg-type]
    return {i: item.label for i, item in parsed.items.items()}


@pytest.mark.parametrize(
    "content",
    [
        PLAIN,
        f"```json\n{PLAIN}\n```",
        f"```\n{PLAIN}\n```",
        f"Sure! Here is the result:\n{PLAIN}\nHope this helps.",
        f"<think>\nitem 1 is about slow delivery {{not json}}\n</think>\n\n{PLAIN}",
        f"item 1 is slow, item 2 is nice\n</think>\n\n{PLAIN}",  # template opened <think> in the prompt
        f"<think></think>{PLAIN}",
        f"{PLAIN}\n\nNote: the format was {{\"items\": []}}",  # a smaller echo after the answer
        'Example: {"items": [{"id": 1, "label": "neutral"}]}\nAnswer: ' + PLAIN,  # example echoed first
        PLAIN.replace("}]", "},]"),  # trailing comma
    ],
    ids=["plain", "fenced", "fence-no-lang", "prose", "think", "close-only", "empty-think", "echo-after",
         "echo-before", "trailing-comma"],
)  # fmt: skip
def test_every_wrapping_parses_to_the_same_labels(content: str) -> None:
    assert labels(content) == {1: "negative", 2: "positive"}


def test_reasoning_from_the_field_and_inline_are_both_kept() -> None:
    parsed = parse_answer(
        f"<think>inline thoughts</think>{PLAIN}", expected_ids=[1, 2], reasoning="field thoughts"
    )
    assert parsed.reasoning is not None
    assert "field thoughts" in parsed.reasoning and "inline thoughts" in parsed.reasoning
    assert parsed.summary == "Delivery speed drives the sentiment."


def test_split_reasoning_cases() -> None:
    assert split_reasoning("<think>a</think>b") == ("b", "a")
    assert split_reasoning("a</think>b") == ("b", "a")
    assert split_reasoning("<think>a</think>x<think>c</think>y") == ("xy", "a\n\nc")
    assert split_reasoning("<think>never closed") == ("", "never closed")
    assert split_reasoning("no reasoning", None) == ("no reasoning", None)
    assert split_reasoning("answer", "from field") == ("answer", "from field")


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("正面", "positive"), ("负面", "negative"), ("中性", "neutral"), ("积极", "positive"),
        ("消极", "negative"), ("Positive", "positive"), ("NEGATIVE", "negative"),
        (" neutral. ", "neutral"), ("mixed", None), (3, None),
    ],
)  # fmt: skip
def test_label_words(word: object, label: str | None) -> None:
    assert normalize_label(word) == label


def test_chinese_labels_string_ids_percent_confidence_and_comma_keywords() -> None:
    content = json.dumps(
        {
            "items": [
                {
                    "id": "1",
                    "label": "负面",
                    "confidence": "90%",
                    "explanation": "慢",
                    "keywords": "物流, 慢，太慢",
                },
                {"id": "#2", "label": "Positive", "confidence": "0.75", "keywords": ["good", "good", 7]},
            ]
        },
        ensure_ascii=False,
    )
    parsed = parse_answer(content, expected_ids=[1, 2])
    one, two = parsed.items[1], parsed.items[2]
    assert (one.label, one.confidence, one.keywords) == ("negative", 0.9, ["物流", "慢", "太慢"])
    assert (two.label, two.confidence, two.keywords) == ("positive", 0.75, ["good", "7"])
    assert parsed.missing == [] and parsed.invalid == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0.5, 0.5), ("0.9", 0.9), ("90%", 0.9), (85, 0.85), (-0.2, 0.0), ("150%", 1.0), (250, 1.0),
     ("high", None), (None, None), (True, None)],
)  # fmt: skip
def test_confidence_is_read_and_clamped(raw: object, expected: float | None) -> None:
    content = json.dumps({"items": [{"id": 1, "label": "neutral", "confidence": raw}]})
    confidence = parse_answer(content, expected_ids=[1]).items[1].confidence
    assert confidence == pytest.approx(expected) if expected is not None else confidence is None


def test_missing_invalid_and_unexpected_ids_are_reported() -> None:
    content = json.dumps(
        {
            "items": [
                {"id": 1, "label": "positive"},
                {"id": 2, "label": "angry"},
                {"id": 9, "label": "neutral"},
            ]
        }
    )
    parsed = parse_answer(content, expected_ids=[1, 2, 3])
    assert set(parsed.items) == {1}
    assert parsed.missing == [3]
    assert "angry" in parsed.invalid[2]
    assert parsed.unexpected_ids == [9]
    assert parsed.unanswered == [2, 3]


def test_repeated_id_keeps_the_first_answer() -> None:
    content = json.dumps({"items": [{"id": 1, "label": "positive"}, {"id": 1, "label": "negative"}]})
    assert labels(content, [1]) == {1: "positive"}


def test_bare_list_and_single_object_are_accepted() -> None:
    assert labels('[{"id": 1, "label": "negative"}, {"id": 2, "label": "中性"}]') == {
        1: "negative",
        2: "neutral",
    }
    assert labels('The answer: {"id": 1, "label": "positive", "confidence": 1}', [1]) == {1: "positive"}


def test_braces_inside_strings_do_not_confuse_the_scan() -> None:
    content = json.dumps({"items": [{"id": 1, "label": "negative", "explanation": "he wrote '}{' and left"}]})
    parsed = parse_answer("prefix { not closed " + content, expected_ids=[1])
    assert parsed.items[1].explanation == "he wrote '}{' and left"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("I'm sorry, I cannot help with that.", "no JSON"),
        ('{"answer": "positive"}', "no JSON"),
        ("<think>I was thinking and then the budget ran out", "inside its reasoning"),
        ('```json\n{"items": [{"id": 1, "label": "positive"\n```', "no JSON"),  # truncated
    ],
)
def test_garbage_raises_a_readable_error(content: str, reason: str) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer(content, expected_ids=[1])
    assert reason in caught.value.reason


def test_conversation_block_is_parsed_and_normalised() -> None:
    content = json.dumps(
        {
            "items": [{"id": 1, "label": "negative"}, {"id": 2, "label": "neutral"}],
            "conversation": {
                "label": "负面",
                "resolved": "false",
                "agent_issues": ["Slow", "wrong info", "sleepy"],
                "flag": True,
                "reason": "Customer still waiting.",
            },
        },
        ensure_ascii=False,
    )
    parsed = parse_answer(content, expected_ids=[1, 2], want_conversation=True)
    verdict = parsed.conversation
    assert verdict is not None
    assert (verdict.label, verdict.resolved, verdict.flagged) == ("negative", False, True)
    assert verdict.agent_issues == ["slow", "wrong_info"]
    assert verdict.reason == "Customer still waiting."


def test_missing_conversation_block_is_reported_not_invented() -> None:
    parsed = parse_answer(PLAIN, expected_ids=[1, 2], want_conversation=True)
    assert parsed.conversation is None
    assert parsed.conversation_error and "conversation" in parsed.conversation_error
