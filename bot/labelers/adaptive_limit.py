"""How many requests the model server serves well at once, found from its own behaviour.

A Vegas-style limiter in the manner of Netflix's concurrency-limits (`VegasLimit`, with the
`AIMDLimit` back-off on drops), adapted to LLM requests whose latency grows with the comments in
them:

- **Latency against the best seen.** Each answered request is a sample `(latency, items)`. The
  no-load latency for that many items is the best latency seen for that size, or a lower bound
  from other sizes (more items never take less time; fewer items take at least their share), so
  a size first seen while queued cannot fake a fast baseline. The estimated queue at the server is
  `limit × (1 − no_load / latency)`.
  The latency ratio is smoothed over about one round trip of samples.
- **Slow start.** Until answers take 2× the best seen, or a drop, every clean sample adds one
  (the limit doubles per round trip), so a big server is filled within a few round trips.
- **Vegas.** After that, a queue below `alpha = 2·log10(limit)` (at least 1, and 25 % of the limit) grows
  the limit by about `alpha` per round trip, a queue above `beta = 4·log10(limit)` (at least 2,
  and 50 %)
  shrinks it by the excess per round trip. (Netflix uses 3· and 6·log10; an LLM request waits
  seconds in a queue, not milliseconds, so the bounds here are tighter.)
- **Drops.** A 429 or a timeout cuts the limit to 90 % (once per round trip: requests started
  before the last cut do not cut again). A 429 also sets a **ceiling** at the concurrency that was
  still fine; growth stops there and probes one above only after `PROBE_AFTER_ROUNDS` clean round
  trips, so a quota server sees a 429 rarely instead of once per round trip.
- **App-limited.** The limit only grows while at least half of it is in use, so a quiet bot does
  not talk itself into a limit it never tried.

The limit never leaves `[1, max_limit]` (`SENTIBOT_LLM_CONCURRENCY` when it is a number, else
`MAX_AUTO_LIMIT`). One limiter serves a whole process per server (`shared_limit`), whatever event
loop a caller runs on; its learned state (`LimitState`) is what the database remembers.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from domain.models import LimitState

__all__ = [
    "MAX_AUTO_LIMIT",
    "AdaptiveLimit",
    "LimitMemory",
    "Outcome",
    "Ticket",
    "forget_shared_limits",
    "initial_limit",
    "shared_limit",
]

MAX_AUTO_LIMIT = 256
"""The most requests in flight when `SENTIBOT_LLM_CONCURRENCY=auto`."""
BACKOFF = 0.9
"""Netflix AIMD's back-off: a drop keeps 90 % of the limit."""
PROBE_AFTER_ROUNDS = 32
"""Clean round trips at the ceiling before one request more is tried."""
SLOW_START_EXIT = 2.0
"""Slow start ends once answers take twice the best seen (Gradient2 tolerates 1.5–2×; answers
from a loaded client machine wobble by more than 1.5×)."""
GROW_BELOW = 0.25
SHRINK_ABOVE = 0.5
"""Vegas's queue bounds are at least these shares of the limit, so latency noise on a big limit
is not read as a queue: grow below a queue of 25 % of the limit (answers < 1.33× the best),
shrink above 50 % (> 2×). Token generation varies from answer to answer far more than a
network round trip does, so the bands are wider than Netflix's."""

Outcome = Literal["ok", "dropped", "rate_limited", "ignored"]
"""`ok`: an answer came (its latency is a sample); `rate_limited`: a 429; `dropped`: a timeout;
`ignored`: anything that says nothing about load (a 400, a refused connection, a cancellation)."""


class LimitMemory(Protocol):
    """Where learned limits are kept between runs (the database: `storage.llm_limits`)."""

    def get(self, base_url: str, model: str) -> LimitState | None: ...

    def save(self, base_url: str, model: str, state: LimitState) -> None: ...


def initial_limit(flavor: str) -> int:
    """Where a never-seen server starts, by what its kind is documented to serve.

    vLLM and SGLang batch many sequences (vLLM's `max_num_seqs` defaults to 256), so 32 is safe
    anywhere and a small deployment is backed off within a round trip. Ollama serves
    `OLLAMA_NUM_PARALLEL` requests (1–4 by default) and queues the rest; DashScope answers 429
    past its quota.
    """
    return {"ollama": 2, "dashscope": 4}.get(flavor, 32)


@dataclass(frozen=True)
class Ticket:
    """A granted slot: when it was taken and how busy the limiter was then."""

    epoch: int
    in_flight: int


class AdaptiveLimit:
    """A concurrency limit that adapts to the server; `acquire`/`release` around each request."""

    def __init__(self, *, initial: int, max_limit: int, state: LimitState | None = None) -> None:
        self._lock = threading.Lock()
        self._max = max(1, max_limit)
        if state is not None:
            self._limit = float(min(self._max, max(1, state.limit)))
            self._ceiling = state.ceiling
            self._slow_start = state.probing
            self._samples = state.samples
            self._drops = state.drops
        else:
            self._limit = float(min(self._max, max(1, initial)))
            self._ceiling = None
            self._slow_start = True
            self._samples = 0
            self._drops = 0
        self._in_flight = 0
        self._epoch = 0
        self._clean_at_ceiling = 0
        self._best: dict[int, float] = {}
        self._ratio: float | None = None
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Ticket]]] = []
        self.on_change: Callable[[], None] | None = None

    # --- reading ----------------------------------------------------------------------------------

    @property
    def limit(self) -> int:
        return max(1, int(self._limit))

    @property
    def max_limit(self) -> int:
        return self._max

    @max_limit.setter
    def max_limit(self, value: int) -> None:
        with self._lock:
            self._max = max(1, value)
            self._limit = min(self._limit, self._max)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def free(self) -> int:
        """Slots free right now (0 when every slot is taken)."""
        return max(0, self.limit - self._in_flight)

    def state(self) -> LimitState:
        """What to remember about this server between runs."""
        with self._lock:
            return LimitState(
                limit=self.limit,
                ceiling=self._ceiling,
                probing=self._slow_start,
                samples=self._samples,
                drops=self._drops,
            )

    # --- slots ------------------------------------------------------------------------------------

    def try_acquire(self) -> Ticket | None:
        """Take a slot if one is free and nobody is waiting for one; else None."""
        with self._lock:
            if self._in_flight < self.limit and not self._waiters:
                self._in_flight += 1
                return Ticket(epoch=self._epoch, in_flight=self._in_flight)
            return None

    async def acquire(self) -> Ticket:
        """Wait for a free slot (first come, first served) and take it."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._in_flight < self.limit and not self._waiters:
                self._in_flight += 1
                return Ticket(epoch=self._epoch, in_flight=self._in_flight)
            future: asyncio.Future[Ticket] = loop.create_future()
            self._waiters.append((loop, future))
        try:
            return await future  # resolved by `_wake` with a slot already reserved
        except asyncio.CancelledError:
            with self._lock:
                if (loop, future) in self._waiters:
                    self._waiters.remove((loop, future))
                else:
                    self._in_flight -= 1  # a slot was reserved for us: give it back
            self._wake()
            raise

    def release(self, ticket: Ticket, outcome: Outcome, *, latency_s: float = 0.0, size: int = 1) -> None:
        """Give the slot back and learn from how the request went."""
        with self._lock:
            self._in_flight -= 1
            before = (self.limit, self._ceiling, self._slow_start)
            if outcome == "ok":
                # Busy is judged over the request's life: how full it was when it started or ended.
                busy = max(ticket.in_flight, self._in_flight + 1)
                self._on_sample(busy, latency_s, max(1, size))
            elif outcome in ("dropped", "rate_limited"):
                self._on_drop(ticket, rate_limited=outcome == "rate_limited")
            changed = before != (self.limit, self._ceiling, self._slow_start)
        self._wake()
        if changed and self.on_change is not None:
            self.on_change()

    def _wake(self) -> None:
        """Hand free slots to the longest waiters (reserved here, under the lock)."""
        granted: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Ticket], Ticket]] = []
        with self._lock:
            while self._in_flight < self.limit and self._waiters:
                loop, future = self._waiters.pop(0)
                self._in_flight += 1
                granted.append((loop, future, Ticket(epoch=self._epoch, in_flight=self._in_flight)))
        for loop, future, ticket in granted:
            try:
                loop.call_soon_threadsafe(_resolve, future, ticket)
            except RuntimeError:  # that caller's loop is closed: nobody will take the slot
                with self._lock:
                    self._in_flight -= 1

    # --- learning ---------------------------------------------------------------------------------

    def _no_load_latency(self, size: int) -> float | None:
        """The best latency seen for `size` items, or a lower bound from the other sizes seen."""
        bounds = [best if other <= size else best * size / other for other, best in self._best.items()]
        return max(bounds) if bounds else None

    def _on_sample(self, busy: int, latency: float, size: int) -> None:
        self._samples += 1
        baseline = self._no_load_latency(size)
        if latency > 0:
            self._best[size] = min(self._best.get(size, latency), latency)
        ratio = 1.0 if baseline is None or latency <= 0 else max(1.0, latency / baseline)
        limit = self._limit
        # Smoothed over about one round trip of samples, so one slow answer is not a queue.
        weight = max(0.2, 2 / (limit + 1))
        self._ratio = ratio if self._ratio is None else self._ratio + weight * (ratio - self._ratio)
        queue = limit * (1 - 1 / self._ratio)
        app_limited = busy * 2 < limit
        log_limit = math.log10(max(limit, 1.0))
        alpha = max(1.0, 2 * log_limit, GROW_BELOW * limit)
        beta = max(2.0, 4 * log_limit, SHRINK_ABOVE * limit)
        if self._slow_start:
            # On the smoothed ratio, so one slow answer does not end it; a very slow one does.
            if self._ratio <= SLOW_START_EXIT and ratio <= 2 * SLOW_START_EXIT:
                # The first answer only sets the baseline (it also pays for connecting).
                if not app_limited and baseline is not None:
                    self._set(limit + 1)
                return
            self._slow_start = False
        if queue < alpha and not app_limited:
            self._set(limit + alpha / limit)  # about alpha more per round trip
        elif queue > beta:
            self._set(limit - (queue - beta) / limit)  # about the excess less per round trip

    def _set(self, value: float) -> None:
        ceiling = self._ceiling
        if ceiling is not None and value > ceiling:
            if self._limit >= ceiling:
                self._clean_at_ceiling += 1
                if self._clean_at_ceiling >= PROBE_AFTER_ROUNDS * ceiling:
                    self._ceiling = ceiling = ceiling + 1  # probe one above what was fine
                    self._clean_at_ceiling = 0
            value = min(value, ceiling)
        self._limit = float(min(self._max, max(1.0, value)))

    def _on_drop(self, ticket: Ticket, *, rate_limited: bool) -> None:
        self._slow_start = False
        if rate_limited:
            # The request that was refused was the ticket.in_flight-th at once: one fewer was fine.
            fine = max(1, ticket.in_flight - 1)
            self._ceiling = fine if self._ceiling is None else min(self._ceiling, max(fine, 1))
            self._clean_at_ceiling = 0
        if ticket.epoch != self._epoch:
            return  # this round trip already cut the limit
        self._epoch += 1
        self._drops += 1
        cut = self._limit * BACKOFF
        if self._ceiling is not None:
            cut = min(cut, self._ceiling)
        self._limit = float(max(1.0, math.floor(cut)))


def _resolve(future: asyncio.Future[Ticket], ticket: Ticket) -> None:
    if not future.done():
        future.set_result(ticket)


_shared: dict[tuple[str, str], AdaptiveLimit] = {}
_shared_lock = threading.Lock()


def shared_limit(
    base_url: str,
    model: str,
    *,
    initial: int,
    max_limit: int,
    load: Callable[[], LimitState | None] | None = None,
) -> AdaptiveLimit:
    """The process's one limiter for the server at `base_url` serving `model`.

    The first caller creates it (from `load()`, what the database remembers, if anything);
    later callers share it and may lower or raise its cap.
    """
    key = (base_url.rstrip("/"), model)
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = AdaptiveLimit(initial=initial, max_limit=max_limit, state=load() if load else None)
            _shared[key] = limiter
        elif limiter.max_limit != max_limit:
            limiter.max_limit = max_limit
        return limiter


def forget_shared_limits() -> None:
    """Drop every process-wide limiter (tests that restart a server on the same port)."""
    with _shared_lock:
        _shared.clear()
