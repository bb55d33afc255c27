"""Micro-batching: watched messages are labelled as they arrive, several to one model request.

Rules
- A message waits at most `max_wait_s` (≈2 s) for others to share its request; as soon as
  `batch_size` are waiting they go at once. Messages arriving close together therefore share
  one model request, and a lone message is labelled within about `max_wait_s` plus the model's
  own time.
- At most `concurrency` batches are with the model at once; the rest wait in the queue (the
  queue holds message ids only, the texts stay in the database).
- The batch function returns the ids it could not label (model down, garbage after the
  labeller's own retries — stored `failed`, never neutral). Those are queued again after a
  back-off that grows while the model keeps failing (`retry_s` doubling up to `max_retry_s`)
  and resets after a success, so a backlog built up during an outage drains by itself once the
  model is back, and nothing is dropped. Ids left unlabelled when the process stops stay
  pending/failed in the database and are queued again at the next start (`Watcher.resume`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

log = logging.getLogger(__name__)

LabelBatch = Callable[[list[int]], Awaitable[list[int]]]


class MicroBatcher:
    def __init__(
        self,
        label_batch: LabelBatch,
        *,
        batch_size: int,
        concurrency: int,
        max_wait_s: float = 2.0,
        retry_s: float = 5.0,
        max_retry_s: float = 30.0,
    ) -> None:
        self._label_batch = label_batch
        self.batch_size = max(1, batch_size)
        self.max_wait_s = max_wait_s
        self.retry_s = retry_s
        self.max_retry_s = max_retry_s
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._queued: set[int] = set()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._retry_tasks: set[asyncio.Task[None]] = set()
        self._parked: set[int] = set()  # failed, waiting for the retry timer (or a success)
        self._failures_in_a_row = 0
        self._unbatched = 0  # submitted, not yet in a batch handed to the model
        self._runner: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.requests = 0  # batches handed to the model (for logs and benchmarks)

    # -- input ------------------------------------------------------------------------------

    def submit(self, message_ids: Iterable[int]) -> None:
        """Queue messages for labelling (an id already waiting in the queue is not queued twice;
        one already with the model is queued again, since its text may have changed). Starts
        the batching loop if it is not running (it stops by itself when the queue stays empty)."""
        for message_id in message_ids:
            if message_id not in self._queued:
                self._queued.add(message_id)
                self._queue.put_nowait(message_id)
                self._unbatched += 1
                self._idle.clear()
        if not self._queue.empty() and (self._runner is None or self._runner.done()):
            self._runner = asyncio.get_running_loop().create_task(self.run(), name="watch-batcher")

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    async def idle(self) -> None:
        """Until nothing is queued, in flight or waiting for a retry."""
        await self._idle.wait()

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Form batches while messages come; each batch runs as its own task. Returns when the
        queue has stayed empty for `max_wait_s` (the next `submit` starts it again)."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    first = await asyncio.wait_for(self._queue.get(), max(self.max_wait_s, 0.05))
                except TimeoutError:
                    if self._queue.empty():  # checked with no await before returning
                        return
                    continue
                batch = [self._take(first)]
                deadline = loop.time() + self.max_wait_s
                while len(batch) < self.batch_size:
                    if self._queue.empty():
                        left = deadline - loop.time()
                        if left <= 0:
                            break
                        try:
                            batch.append(self._take(await asyncio.wait_for(self._queue.get(), left)))
                        except TimeoutError:
                            break
                    else:
                        batch.append(self._take(self._queue.get_nowait()))
                await self._slots.acquire()
                task = loop.create_task(self._run_batch(batch), name="watch-label-batch")
                self._in_flight.add(task)
                task.add_done_callback(self._batch_done)
                self._unbatched -= len(batch)
        finally:
            self._check_idle()

    async def _run_batch(self, batch: list[int]) -> None:
        try:
            self.requests += 1
            try:
                failed = await self._label_batch(batch)
            except Exception:  # a storage error: keep the ids, try again later
                log.exception("labelling %d watched message(s) failed", len(batch))
                failed = batch
        finally:
            self._slots.release()
        if failed:
            self._failures_in_a_row += 1
            self._parked.update(failed)
            if not self._retry_tasks:
                delay = min(self.max_retry_s, self.retry_s * 2 ** (self._failures_in_a_row - 1))
                log.warning("%d watched message(s) not labelled; trying again in %.0fs", len(failed), delay)
                retry = asyncio.get_running_loop().create_task(self._retry(delay), name="watch-retry")
                self._retry_tasks.add(retry)
                retry.add_done_callback(self._retry_done)
        else:
            self._failures_in_a_row = 0
            if self._parked:  # the model answers again: the backlog goes now, not at the timer
                for task in list(self._retry_tasks):
                    task.cancel()
                self._release_parked()

    def _take(self, message_id: int) -> int:
        # Taken into a batch: submitting it again now (an edit) queues a second labelling.
        self._queued.discard(message_id)
        return message_id

    def _batch_done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._check_idle()

    async def _retry(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self._release_parked()

    def _release_parked(self) -> None:
        parked, self._parked = sorted(self._parked), set()
        if parked:
            log.info("labelling %d watched message(s) again", len(parked))
            self.submit(parked)

    def _retry_done(self, task: asyncio.Task[None]) -> None:
        self._retry_tasks.discard(task)
        self._check_idle()

    def _check_idle(self) -> None:
        if not self._unbatched and not self._in_flight and not self._retry_tasks and not self._parked:
            self._idle.set()

    async def stop(self, *, timeout: float) -> None:
        """On shutdown: let batches already with the model finish (their labels are stored);
        what is still queued stays pending in the database for the next start."""
        for task in list(self._retry_tasks):
            task.cancel()
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=timeout)
