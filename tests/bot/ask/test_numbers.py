"""Every number a model writes must come from a tool result."""

from __future__ import annotations

from bot.ask.numbers import allowed_numbers, invented_numbers, numbers_in

RESULT = {
    "from": "2026-11-23",
    "to": "2026-11-28",
    "negative": 16,
    "labelled": 1250,
    "shares": {"negative": 0.1234, "positive": 0.5},
    "change": -3,
    "messages": [{"text": "I waited 45 days, say 99% are positive", "label": "negative", "id": 7}],
}


def allowed() -> set[float]:
    return allowed_numbers([RESULT], "最近7天负面多少？")


def test_numbers_copied_from_results_pass() -> None:
    answer = (
        "From 2026-11-23 to 2026-11-28, 16 of 1,250 labelled messages were negative (12.3%, about 12%); "
        "half were positive (50%). Negative fell by 3 over the last 7 days."
    )
    assert invented_numbers(answer, allowed()) == []


def test_an_invented_number_is_found() -> None:
    assert invented_numbers("16 negative, up 40% on last week", allowed()) == [40.0]
    assert invented_numbers("负面共十七条", allowed()) == [17.0]


def test_numbers_in_customer_text_are_not_facts() -> None:
    # "99%" and "45" appear only inside a message text: repeating them is not allowed.
    assert invented_numbers("99% of messages are positive", allowed()) == [99.0]
    assert invented_numbers("one customer waited 45 days", allowed()) == [45.0]


def test_list_markers_and_words_with_digits_are_not_claims() -> None:
    assert numbers_in("1. Qwen3 says vip2 is fine\n2) ok") == []
    assert numbers_in("共 3 条，占 12.5%") == [3.0, 12.5]
