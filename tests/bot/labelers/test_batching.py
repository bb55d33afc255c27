"""Latency-aware batching: fill the free slots, never past the batch size, evenly."""

from __future__ import annotations

from bot.labelers.batching import plan_batches


def sizes(count: int, *, batch_size: int, free_slots: int) -> list[int]:
    return [len(b) for b in plan_batches(list(range(count)), batch_size=batch_size, free_slots=free_slots)]


def test_a_short_list_on_an_idle_server_goes_one_comment_per_request() -> None:
    assert sizes(20, batch_size=8, free_slots=64) == [1] * 20


def test_a_long_list_uses_throughput_sized_batches_whatever_the_slots() -> None:
    assert sizes(10_000, batch_size=8, free_slots=64) == [8] * 1250


def test_a_list_between_fills_the_free_slots_evenly() -> None:
    assert sizes(20, batch_size=8, free_slots=4) == [5, 5, 5, 5]
    assert sizes(10, batch_size=8, free_slots=1) == [5, 5]  # never 8 + 2
    assert sizes(7, batch_size=3, free_slots=0) == [3, 2, 2]


def test_order_is_kept_and_nothing_is_lost() -> None:
    items = list(range(37))
    batches = plan_batches(items, batch_size=8, free_slots=6)
    assert [i for batch in batches for i in batch] == items
    assert plan_batches([], batch_size=8, free_slots=6) == []
