"""Micro-batching: messages close together share a request, a lone one is not held back, failures
come back after a back-off, and a backlog built up during an outage drains without dropping."""

from __future__ import annotations

import asyncio

from bot.watch.batcher import MicroBatcher


class Model:
    """Records each request's ids; fails every id while `down`; `gate` holds requests back."""

    def __init__(self) -> None:
        self.requests: list[list[int]] = []
        self.labelled: list[int] = []
        self.down = False
        self.gate: asyncio.Event | None = None

    async def __call__(self, ids: list[int]) -> list[int]:
        self.requests.append(list(ids))
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            return list(ids)
        self.labelled += ids
        return []


async def test_messages_arriving_together_share_one_request() -> None:
    model = Model()
    batcher = MicroBatcher(model, batch_size=8, concurrency=4, max_wait_s=5.0)
    batcher.submit(range(1, 9))  # a full batch goes at once, without waiting max_wait_s
    await batcher.idle()
    assert model.requests == [[1, 2, 3, 4, 5, 6, 7, 8]]


async def test_a_lone_message_goes_after_the_short_wait() -> None:
    model = Model()
    batcher = MicroBatcher(model, batch_size=8, concurrency=4, max_wait_s=0.01)
    batcher.submit([42])
    await batcher.idle()
    assert model.requests == [[42]]


async def test_a_full_queue_is_split_into_batches_and_kept_in_order() -> None:
    model = Model()
    batcher = MicroBatcher(model, batch_size=3, concurrency=2, max_wait_s=0.01)
    batcher.submit(range(1, 8))
    batcher.submit([3])  # already waiting: not queued twice
    await batcher.idle()
    assert model.requests == [[1, 2, 3], [4, 5, 6], [7]]
    assert sorted(model.labelled) == list(range(1, 8))


async def test_backlog_during_an_outage_drains_when_the_model_is_back() -> None:
    model = Model()
    model.down = True
    batcher = MicroBatcher(
        model, batch_size=4, concurrency=2, max_wait_s=0.01, retry_s=0.01, max_retry_s=0.02
    )
    batcher.submit(range(1, 11))
    while len(model.requests) < 6:  # every id failed at least once, some twice
        await asyncio.sleep(0.005)
    model.down = False
    await batcher.idle()
    assert sorted(model.labelled) == list(range(1, 11))  # nothing dropped, each labelled once


async def test_an_edit_while_the_model_works_is_labelled_again() -> None:
    model = Model()
    model.gate = asyncio.Event()
    batcher = MicroBatcher(model, batch_size=1, concurrency=1, max_wait_s=0.01)
    batcher.submit([7])
    while not model.requests:
        await asyncio.sleep(0.005)
    batcher.submit([7])  # edited meanwhile: the text sent to the model is outdated
    model.gate.set()
    await batcher.idle()
    assert model.requests == [[7], [7]]


async def test_at_most_concurrency_requests_in_flight() -> None:
    model = Model()
    model.gate = asyncio.Event()
    batcher = MicroBatcher(model, batch_size=1, concurrency=2, max_wait_s=0.01)
    batcher.submit([1, 2, 3])
    while len(model.requests) < 2:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)
    assert len(model.requests) == 2  # the third waits for a free slot
    model.gate.set()
    await batcher.idle()
    assert len(model.requests) == 3


async def test_the_first_success_after_an_outage_releases_the_backlog_at_once() -> None:
    model = Model()
    model.down = True
    batcher = MicroBatcher(model, batch_size=4, concurrency=2, max_wait_s=0.01, retry_s=3600)
    batcher.submit(range(1, 9))
    while len(model.requests) < 2:
        await asyncio.sleep(0.005)
    model.down = False
    batcher.submit([100])  # a new message: its request succeeds, the parked ones follow now
    await batcher.idle()  # long before the hour-long retry timer
    assert sorted(model.labelled) == [*range(1, 9), 100]
