"""How a list is cut into requests: fill the server's slots in whole rounds, never past the batch size.

A request's latency grows with the comments in it, and a server with free slots answers many
small requests in the time of one. So a list goes out as at least as many requests as there are
free slots (down to one comment each), and as few as the batch size allows when the list is
long: 20 comments with 64 free slots are 20 requests of one; 10 000 comments are batches of
about `batch_size` whatever the slots. Items are spread evenly: 10 comments at size 8 go as 5 + 5
(done in the time of 5) rather than 8 + 2 (done in the time of 8).

When the server's slots are known (`slots`, the adaptive limit's estimate) and all of them are
free (nothing else of this process is in flight), the requests are also a whole number of rounds
of them: 500 comments in batches of 8 are 63 requests, which on 64
slots go as 64 requests (one round, every slot busy), and on 53 slots as 106 smaller requests
(two full rounds) rather than 53 + 10 (a second round with 43 slots idle). A busy server gets
no such rounding: the watch's micro-batches arrive while others are in flight, and cutting each
into single comments to fill slots that are already taken would multiply the requests and cut
the throughput by the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

__all__ = ["plan_batches", "request_count"]

T = TypeVar("T")


def request_count(items: int, *, batch_size: int, free_slots: int, slots: int | None = None) -> int:
    """How many requests `items` comments go out as (see the module's doc)."""
    if items <= 0:
        return 0
    count = max(-(-items // max(1, batch_size)), min(items, max(1, free_slots)))
    if slots is not None and 0 < slots <= free_slots:
        rounds = -(-count // slots)
        count = min(items, rounds * slots)
    return count


def plan_batches(
    items: Sequence[T], *, batch_size: int, free_slots: int, slots: int | None = None
) -> list[list[T]]:
    """Consecutive, evenly filled batches of at most `batch_size` items, at least `free_slots` of
    them, and whole rounds of `slots` when given."""
    count = request_count(len(items), batch_size=batch_size, free_slots=free_slots, slots=slots)
    if not count:
        return []
    base, extra = divmod(len(items), count)
    batches: list[list[T]] = []
    start = 0
    for index in range(count):
        end = start + base + (1 if index < extra else 0)
        batches.append(list(items[start:end]))
        start = end
    return batches
