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


def test_with_the_servers_slots_known_requests_come_in_whole_rounds() -> None:
    def planned(count: int, slots: int, batch_size: int = 8) -> list[int]:
        batches = plan_batches(list(range(count)), batch_size=batch_size, free_slots=slots, slots=slots)
        return [len(b) for b in batches]

    assert len(planned(500, 64)) == 64  # 63 batches of 8 would leave a slot idle: one round of 64
    assert len(planned(500, 53)) == 106  # two full rounds, not 53 + 10
    assert planned(20, 64) == [1] * 20  # a short list still goes one comment per request
    assert len(planned(10_000, 64)) == 1280 and max(planned(10_000, 64)) <= 8
    assert planned(10, 1) == [5, 5]


def test_a_busy_server_gets_full_batches_not_rounds_of_single_comments() -> None:
    # The watch sends micro-batches of 8 while 16 requests are already in flight: each stays one
    # request of 8 (cut into 8 requests of 1 it would label 8 times fewer comments per request).
    assert [len(b) for b in plan_batches(list(range(8)), batch_size=8, free_slots=0, slots=16)] == [8]
    # Two slots free: the list is spread over them, no more.
    assert [len(b) for b in plan_batches(list(range(8)), batch_size=8, free_slots=2, slots=16)] == [4, 4]
