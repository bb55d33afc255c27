"""How a list is cut into requests: fill the server's free slots, never past the batch size.

A request's latency grows with the comments in it, and a server with free slots answers many
small requests in the time of one. So a list goes out as at least as many requests as there are
free slots (down to one comment each), and as few as the batch size allows when the list is
long: 20 comments with 64 free slots are 20 requests of one; 10 000 comments are batches of
`batch_size` whatever the slots. Items are spread evenly: 10 comments at size 8 go as 5 + 5
(done in the time of 5) rather than 8 + 2 (done in the time of 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

__all__ = ["plan_batches"]

T = TypeVar("T")


def plan_batches(items: Sequence[T], *, batch_size: int, free_slots: int) -> list[list[T]]:
    """Consecutive, evenly filled batches of at most `batch_size` items, at least `free_slots` of them."""
    if not items:
        return []
    count = max(-(-len(items) // max(1, batch_size)), min(len(items), max(1, free_slots)))
    base, extra = divmod(len(items), count)
    batches: list[list[T]] = []
    start = 0
    for index in range(count):
        end = start + base + (1 if index < extra else 0)
        batches.append(list(items[start:end]))
        start = end
    return batches
