"""How many requests the model server serves well at once, found from its own behaviour.

A gradient/Vegas-style limiter in the manner of Netflix's concurrency-limits (`Gradient2Limit`,
`VegasLimit`, `AIMDLimit`) and TCP slow start, adapted to LLM requests, which differ from RPCs in
two ways: a request's latency grows with the comments in it, and a request queued at the server
waits for a whole answer to finish (seconds), so queueing shows as a jump in latency, not a drift.

- **Answered at once, or queued.** Each answer is a sample: its latency, its size (comments),
  when it was sent and answered. Its latency is compared with the no-load latency for that size
  (the best seen for that size; for a size not seen yet, bounds from the sizes seen: more
  comments never take less time, and never more than proportionally longer). Within `TOLERANCE`
  (1.5×) the server answered at once; beyond `QUEUED` (1.75×) the request queued (behind an
  answer of its own size it takes 2×); in between, it was slowed (batched decoding slows as the
  server fills, yet serves more) but not queued. The most answers given at once that were in
  flight together (their lives overlapping, hand-over moments aside) is how many requests the
  server was seen to serve at once.
- **Slow start** (TCP, and the fast start Gradient2 lacks). While nothing has queued, every
  answer given at once adds one to the limit, so it doubles per round trip, as long as the limit
  is in use (it never exceeds twice the most requests that were in flight). A big server is filled
  within a few round trips. It ends at the first round trip with queued answers (two, so one slow
  answer on a busy client is not read as a queue) or a drop.
- **Gradient, per round trip.** A round trip ends when an answer comes back to a request sent
  after the previous one ended. If answers queued in it, the server's slots are estimated as the
  most answers given at once together (`parallel`), and the limit becomes
  that plus one waiting request (`HEADROOM`), so the server is never idle between answers and
  its queue stays at one. If nothing queued and the limit was in use (as many requests as the limit
  were answered at once together), the server has room: the limit grows by one, then by twice as
  much after each further such round trip (probing upward while the server keeps up), by one at
  a time within reach of a known ceiling.
- **Drops.** A timeout cuts the limit to 90 % (AIMD). A 429 (or 503: the server's queue is full)
  cuts it multiplicatively too and sets a **ceiling** one below the requests in flight when it
  came: the limit climbs back by one per round trip and stays at the ceiling; one above is
  probed only after `PROBE_AFTER_ROUNDS` clean round trips at the ceiling, and twice as long
  after each probe that was refused, so a quota server sees a 429 rarely. Back-offs happen once
  per round trip: requests sent before the last cut do not cut again.

The limit never leaves `[1, max_limit]` (`SENTIBOT_LLM_CONCURRENCY` when it is a number, else
`MAX_AUTO_LIMIT`). `parallel` (the server's slots, the limit while still in slow start) is what the
batcher plans whole rounds of requests for. One limiter serves a whole process per server
(`shared_limit`), whatever event loop a caller runs on; its learned state (`LimitState`: the
server's slots, the ceiling, whether still in slow start) is what the database remembers.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
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
    "refuses_excess",
    "shared_limit",
]

MAX_AUTO_LIMIT = 256
"""The most requests in flight when `SENTIBOT_LLM_CONCURRENCY=auto`."""
BACKOFF = 0.9
"""Netflix AIMD's back-off: a drop keeps 90 % of the limit."""
TOLERANCE = 1.5
"""An answer within 1.5× the no-load latency was answered at once (Gradient2's `rttTolerance`)."""
QUEUED = 1.75
"""An answer beyond 1.75× the no-load latency queued: it waited for an answer ahead of it to
finish (behind one of its own size it takes 2×). In between, the server answered at once but
slower (batched decoding slows as it fills, while its throughput still grows), or the client was
busy: neither a reason to cut nor proof of room."""
HEADROOM = 1
"""Requests kept waiting at the server beyond its slots, so a freed slot is filled at once."""
IN_USE = 0.9
"""The limit is in use (and may grow) when the server was seen serving 90 % of it together."""
OVERLAP_TRIM = 0.05
"""Share of a request's life cut from each end before counting which requests ran together."""
SLOW_START_QUEUED = 2
"""Queued answers in one round trip that end slow start."""
PROBE_AFTER_ROUNDS = 16
"""Clean round trips at a 429 ceiling before one request more is tried (doubled after a refusal)."""

Outcome = Literal["ok", "dropped", "rate_limited", "ignored"]
"""`ok`: an answer came (its latency is a sample); `rate_limited`: a 429 (or a 503 for a full
queue); `dropped`: a timeout; `ignored`: anything that says nothing about load (a 400, a refused
connection, a cancellation)."""


class LimitMemory(Protocol):
    """Where learned limits are kept between runs (the database: `storage.llm_limits`)."""

    def get(self, base_url: str, model: str) -> LimitState | None: ...

    def save(self, base_url: str, model: str, state: LimitState) -> None: ...


def initial_limit(flavor: str) -> int:
    """Where a never-seen server starts, by what its kind is documented to serve.

    vLLM and SGLang batch many sequences (vLLM's `max_num_seqs` defaults to 256) and queue the
    rest, so 32 is safe anywhere and a small deployment is backed off within a round trip. Ollama
    serves `OLLAMA_NUM_PARALLEL` requests (1–4 by default) and queues the rest; DashScope answers
    429 past its quota.
    """
    return {"ollama": 2, "dashscope": 4}.get(flavor, 32)


def refuses_excess(flavor: str) -> bool:
    """Whether a server of this kind refuses requests past its capacity (429) instead of queueing
    them: DashScope does; vLLM, SGLang and Ollama queue (Ollama refuses only past its queue)."""
    return flavor == "dashscope"


@dataclass(eq=False)
class Ticket:
    """A granted slot: when it was taken, at which position, and the most in flight in its life."""

    epoch: int
    """Back-offs so far when it was sent: a drop cuts the limit once per round trip."""
    in_flight: int
    """Our requests at the server when it was sent, itself included (its place in a queue)."""
    round: int = 0
    """The round trip it was sent in."""
    peak: int = field(default=0)
    """The most requests in flight while it was: whether the limit was in use."""
    sent_at: float = 0.0
    """When it was sent (the limiter's clock)."""


@dataclass
class _Round:
    """What the answers of the current round trip showed."""

    answers: int = 0
    queued: int = 0


class AdaptiveLimit:
    """A concurrency limit that adapts to the server; `acquire`/`release` around each request."""

    def __init__(
        self,
        *,
        initial: int,
        max_limit: int,
        state: LimitState | None = None,
        clock: Callable[[], float] = time.monotonic,
        refuses_excess: bool = False,
    ) -> None:
        """`clock` tells when requests are sent and answered (tests pass a virtual one);
        `refuses_excess`: the server answers 429 past its capacity instead of queueing
        (`refuses_excess(flavor)`)."""
        self._lock = threading.Lock()
        self._max = max(1, max_limit)
        self._ceiling: int | None = None
        self._parallel: int | None = None
        if state is not None:
            self._ceiling = state.ceiling
            self._slow_start = state.probing
            self._samples = state.samples
            self._drops = state.drops
            learned = max(1, state.limit)
            if state.probing:
                # A slow start's limit is at most twice what was in flight. A server that queues
                # the excess resumes there (a burst past its slots only waits); one that refuses
                # it (429) resumes from half, what it was seen to answer.
                self._limit = float(max(1, -(-learned // 2)) if refuses_excess else learned)
            else:
                self._parallel = learned
                self._limit = float(learned + HEADROOM)
        else:
            self._limit = float(max(1, initial))
            self._slow_start = True
            self._samples = 0
            self._drops = 0
        if self._ceiling is not None:
            self._limit = min(self._limit, float(self._ceiling))
        self._limit = self._capped(self._limit)
        self._in_flight = 0
        self._epoch = 0
        self._round_no = 0
        self._round = _Round()
        self._clean_at_ceiling = 0
        self._probe_after = PROBE_AFTER_ROUNDS
        self._probing_ceiling = False
        self._step = 1
        self._best: dict[int, float] = {}
        self._clock = clock
        self._serving: deque[tuple[float, float]] = deque(maxlen=2 * MAX_AUTO_LIMIT)
        self._open: set[Ticket] = set()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Ticket]]] = []
        self._reserved: dict[asyncio.Future[Ticket], Ticket] = {}
        self.on_change: Callable[[], None] | None = None

    # --- reading ----------------------------------------------------------------------------------

    @property
    def limit(self) -> int:
        """Requests allowed in flight now."""
        return max(1, int(self._limit))

    @property
    def parallel(self) -> int:
        """How many requests the server is estimated to serve at once (the limit in slow start)."""
        if self._parallel is None or self._slow_start:
            return self.limit
        return max(1, min(self._parallel, self.limit))

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
        """What to remember about this server between runs: its slots (the limit in slow start)."""
        with self._lock:
            return LimitState(
                limit=self.parallel,
                ceiling=self._ceiling,
                probing=self._slow_start,
                samples=self._samples,
                drops=self._drops,
            )

    # --- slots ------------------------------------------------------------------------------------

    def _take(self) -> Ticket:
        """One more in flight (under the lock): the ticket, and every open ticket's peak."""
        self._in_flight += 1
        for other in self._open:
            other.peak = max(other.peak, self._in_flight)
        ticket = Ticket(
            epoch=self._epoch,
            in_flight=self._in_flight,
            round=self._round_no,
            peak=self._in_flight,
            sent_at=self._clock(),
        )
        self._open.add(ticket)
        return ticket

    def _give_back(self, ticket: Ticket) -> None:
        self._in_flight -= 1
        self._open.discard(ticket)

    def try_acquire(self) -> Ticket | None:
        """Take a slot if one is free and nobody is waiting for one; else None."""
        with self._lock:
            if self._in_flight < self.limit and not self._waiters:
                return self._take()
            return None

    async def acquire(self) -> Ticket:
        """Wait for a free slot (first come, first served) and take it."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._in_flight < self.limit and not self._waiters:
                return self._take()
            future: asyncio.Future[Ticket] = loop.create_future()
            self._waiters.append((loop, future))
        try:
            ticket = await future  # resolved by `_wake` with a slot already reserved
        except asyncio.CancelledError:
            with self._lock:
                if (loop, future) in self._waiters:
                    self._waiters.remove((loop, future))
                elif (reserved := self._reserved.pop(future, None)) is not None:
                    self._give_back(reserved)  # a slot was reserved for us: give it back
            self._wake()
            raise
        with self._lock:
            self._reserved.pop(future, None)
        return ticket

    def release(self, ticket: Ticket, outcome: Outcome, *, latency_s: float = 0.0, size: int = 1) -> None:
        """Give the slot back and learn from how the request went."""
        with self._lock:
            self._give_back(ticket)
            before = (self.limit, self._ceiling, self._slow_start)
            if outcome == "ok":
                self._on_sample(ticket, latency_s, max(1, size))
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
                ticket = self._take()
                self._reserved[future] = ticket
                granted.append((loop, future, ticket))
        for loop, future, ticket in granted:
            try:
                loop.call_soon_threadsafe(_resolve, future, ticket)
            except RuntimeError:  # that caller's loop is closed: nobody will take the slot
                with self._lock:
                    self._reserved.pop(future, None)
                    self._give_back(ticket)

    # --- learning ---------------------------------------------------------------------------------

    def _bounds(self, size: int) -> tuple[float, float] | None:
        """Lower and upper bounds of the no-load latency for `size` comments, from the sizes seen.

        More comments never take less time, and never more than proportionally longer (a request
        has a fixed cost): a size seen bounds every other size from both sides.
        """
        if not self._best:
            return None
        lower = max(best if seen <= size else best * size / seen for seen, best in self._best.items())
        upper = min(best if seen >= size else best * size / seen for seen, best in self._best.items())
        return lower, max(lower, upper)

    def _classify(self, ticket: Ticket, latency: float, size: int) -> bool | None:
        """True: answered at once; False: queued; None: cannot tell (slowed, or a size not seen yet).

        Also notes when the request held a server slot: all its life, or when queued, its last
        no-load latency.
        """
        bounds = self._bounds(size)
        done = self._clock()
        known = self._parallel if self._parallel is not None else 0
        if bounds is None or latency <= 0:
            verdict: bool | None = True  # the first answer sets the baseline
        elif latency <= TOLERANCE * bounds[0]:
            verdict = True
        elif latency > QUEUED * bounds[1]:
            verdict = False
        else:
            verdict = None
        if latency > 0 and (verdict or (verdict is None and ticket.in_flight <= known)):
            # A no-load latency: answered at once, or sent with no more in flight than the server serves.
            self._best[size] = min(self._best.get(size, latency), latency)
        start = ticket.sent_at
        if verdict is False and bounds is not None:
            start = max(start, done - bounds[1])
        # Without the first and last 5 %: requests handed over at the same moment (one answered,
        # the next sent) did not run together.
        trim = OVERLAP_TRIM * max(0.0, done - start)
        self._serving.append((start + trim, done - trim))
        return verdict

    def _on_sample(self, ticket: Ticket, latency: float, size: int) -> None:
        self._samples += 1
        at_once = self._classify(ticket, latency, size)
        current = self._round
        current.answers += 1
        if at_once is False:
            current.queued += 1
        if self._slow_start:
            if current.queued >= SLOW_START_QUEUED:
                self._slow_start = False
                self._end_round()
                return
            # The limit doubles per round trip while it is in use; never past twice what was in flight.
            if at_once and ticket.peak * 2 >= self._limit:
                self._set(min(self._limit + 1, 2.0 * ticket.peak))
        if ticket.round >= self._round_no:  # an answer to a request sent in this round trip
            self._end_round()

    def _end_round(self) -> None:
        """A round trip ended: estimate the server's slots, and move the limit toward them."""
        current = self._round
        self._round = _Round()
        self._round_no += 1
        served = self._served_together()
        if self._slow_start:
            if served:
                self._parallel = max(self._parallel or 0, served)
            return
        if current.queued:
            # Something queued: the most requests seen served together is what the server serves.
            if served:
                self._parallel = served
            elif self._parallel is None:
                self._parallel = max(1, self.limit // 2)
            self._probing_ceiling = False
            self._step = 1
            self._limit = self._capped(min(self._limit, self._parallel + HEADROOM))
            return
        if served and served >= math.ceil(IN_USE * self.limit):
            # About as many as the limit were served together, and none queued: the server has room.
            self._parallel = max(self._parallel or 0, served)
            self._grow()
        elif served:
            self._parallel = max(self._parallel or 0, served)

    def _served_together(self) -> int:
        """The most requests the server was seen serving together (of the last `2·limit` answers)."""
        recent = list(self._serving)[-max(8, 2 * self.limit) :]
        edges = sorted([(start, 1) for start, _ in recent] + [(end, -1) for _, end in recent])
        most = together = 0
        for _, step in edges:
            together += step
            most = max(most, together)
        return most

    def _grow(self) -> None:
        """One more after a clean round trip, twice as many after each further one (probing up
        while the server keeps answering at once); one at a time near a 429 ceiling."""
        ceiling = self._ceiling
        step = float(self._step)
        self._step = min(2 * self._step, max(1, self.limit // 2))
        if ceiling is None:
            self._set(self._limit + step)
            return
        if self._probing_ceiling:
            # The probe one above the ceiling was answered at once: the quota grew.
            self._ceiling = ceiling = ceiling + 1
            self._probe_after = PROBE_AFTER_ROUNDS
            self._probing_ceiling = False
        near = self._limit >= 0.8 * ceiling
        value = self._limit + (1.0 if near else step)
        if value > ceiling and self._limit >= ceiling:
            self._clean_at_ceiling += 1
            if self._clean_at_ceiling >= self._probe_after:
                self._clean_at_ceiling = 0
                self._probing_ceiling = True  # try one above what was fine, for a round trip
                self._limit = self._capped(ceiling + 1)
                return
        self._limit = self._capped(min(value, ceiling))

    def _set(self, value: float) -> None:
        if self._ceiling is not None:
            value = min(value, self._ceiling + (1 if self._probing_ceiling else 0))
        self._limit = self._capped(value)

    def _capped(self, value: float) -> float:
        return float(min(self._max, max(1.0, value)))

    def _on_drop(self, ticket: Ticket, *, rate_limited: bool) -> None:
        self._slow_start = False
        self._step = 1
        if rate_limited:
            # Refused as the ticket.in_flight-th at once: one fewer may be fine.
            fine = max(1, ticket.in_flight - 1)
            if self._probing_ceiling:
                self._probe_after *= 2  # the probe was refused: wait twice as long for the next
                self._probing_ceiling = False
            self._ceiling = fine if self._ceiling is None else min(self._ceiling, fine)
            self._clean_at_ceiling = 0
            if self._parallel is not None:
                self._parallel = min(self._parallel, fine)
        if ticket.epoch != self._epoch:
            return  # this round trip already cut the limit
        self._epoch += 1
        self._drops += 1
        cut = self._limit * BACKOFF
        if self._ceiling is not None:
            cut = min(cut, self._ceiling)
        self._limit = self._capped(math.floor(cut))
        if self._parallel is not None:
            self._parallel = min(self._parallel, self.limit)


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
    refuses: bool = False,
) -> AdaptiveLimit:
    """The process's one limiter for the server at `base_url` serving `model`.

    The first caller creates it (from `load()`, what the database remembers, if anything);
    later callers share it and may lower or raise its cap.
    """
    key = (base_url.rstrip("/"), model)
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = AdaptiveLimit(
                initial=initial, max_limit=max_limit, state=load() if load else None, refuses_excess=refuses
            )
            _shared[key] = limiter
        elif limiter.max_limit != max_limit:
            limiter.max_limit = max_limit
        return limiter


def forget_shared_limits() -> None:
    """Drop every process-wide limiter (tests that restart a server on the same port)."""
    with _shared_lock:
        _shared.clear()
