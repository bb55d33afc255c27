"""Labelling jobs against model servers of each kind in virtual time: deterministic, no sleeps.

The same parts as `QwenLabeler.label` — `plan_batches` cuts the list with the limiter's free and
estimated slots, every request takes a slot of the `AdaptiveLimit` (first come, first served) and
releases it with its outcome — against a discrete-event model of the server that mirrors
`tests/standins/llm_server.py`: `slots` requests served at once, first come first served, each
taking `latency + per_item × comments` (± `jitter`, × `1 + load_slowdown × (active − 1) / slots`);
`quota` answers 429 at once past that many in flight (counting an answered request for `linger`
seconds more, the race a streamed answer has with the next request); `max_queue` answers 503
when that many already wait. A refused request is sent again after `retry_s`.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from dataclasses import dataclass, field

from bot.labelers.adaptive_limit import AdaptiveLimit, Ticket
from bot.labelers.batching import plan_batches


@dataclass
class Server:
    slots: int = 16
    latency: float = 3.2
    per_item: float = 0.32
    jitter: float = 0.0
    load_slowdown: float = 0.0
    quota: int | None = None
    linger: float = 0.0
    max_queue: int | None = None
    seed: int = 0


@dataclass
class Job:
    wall: float
    requests: int
    refused: int
    busy: float
    slots: int
    peak_in_flight: int
    limits: list[int] = field(default_factory=list)
    """The limit after each answer, in order."""

    @property
    def capacity(self) -> float:
        return self.busy / (self.slots * self.wall) if self.wall > 0 else 0.0

    @property
    def refused_share(self) -> float:
        return self.refused / self.requests if self.requests else 0.0


class Clock:
    """The simulation's virtual time, for `AdaptiveLimit(clock=...)`."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_job(
    limiter: AdaptiveLimit,
    server: Server,
    comments: int,
    *,
    clock: Clock,
    batch_size: int = 8,
    retry_s: float = 0.5,
) -> Job:
    """One labelling job of `comments` comments, all planned at once as `QwenLabeler.label` does.

    `clock` is the limiter's; the job starts where the clock is.
    """
    rng = random.Random(server.seed)
    order = itertools.count()
    events: list[tuple[float, int, str, object]] = []
    sizes = [
        len(batch)
        for batch in plan_batches(
            list(range(comments)), batch_size=batch_size, free_slots=limiter.free, slots=limiter.parallel
        )
    ]
    waiting: deque[int] = deque(sizes)  # requests waiting for a slot of the limiter, by size
    queue: deque[tuple[Ticket, int, float]] = deque()  # at the server, waiting for a slot
    active = 0
    at_server = 0
    lingering: list[float] = []  # when answered requests stop counting toward the quota
    busy = 0.0
    requests = refused = peak = 0
    limits: list[int] = []
    began = now = clock.now

    def start(ticket: Ticket, size: int, sent: float) -> None:
        nonlocal active, busy
        active += 1
        factor = 1 + server.load_slowdown * (active - 1) / server.slots
        noise = 1 + rng.uniform(-server.jitter, server.jitter) if server.jitter else 1.0
        service = (server.latency + server.per_item * size) * noise * factor
        busy += service
        heapq.heappush(events, (now + service, next(order), "done", (ticket, size, sent)))

    def send() -> None:
        nonlocal at_server, requests, refused, peak
        while waiting and (ticket := limiter.try_acquire()) is not None:
            size = waiting.popleft()
            requests += 1
            lingering[:] = [t for t in lingering if t > now]
            counted = at_server + 1 + len(lingering)
            if server.quota is not None and counted > server.quota:
                refused += 1
                heapq.heappush(events, (now, next(order), "refused", (ticket, size, now)))
                continue
            if server.max_queue is not None and active >= server.slots and len(queue) >= server.max_queue:
                refused += 1
                heapq.heappush(events, (now, next(order), "refused", (ticket, size, now)))
                continue
            at_server += 1
            peak = max(peak, at_server)
            if active < server.slots:
                start(ticket, size, now)
            else:
                queue.append((ticket, size, now))

    send()
    while events:
        now, _, kind, payload = heapq.heappop(events)
        clock.now = now
        if kind == "retry":
            assert isinstance(payload, int)
            waiting.append(payload)
            send()
            continue
        ticket, size, sent = payload  # type: ignore[misc]
        if kind == "refused":
            limiter.release(ticket, "rate_limited")
            heapq.heappush(events, (now + retry_s, next(order), "retry", size))
        else:
            active -= 1
            at_server -= 1
            if server.linger:
                lingering.append(now + server.linger)
            limiter.release(ticket, "ok", latency_s=now - sent, size=size)
            if queue:
                start(*queue.popleft())
        limits.append(limiter.limit)
        send()
    return Job(
        wall=now - began,
        requests=requests,
        refused=refused,
        busy=busy,
        slots=server.slots,
        peak_in_flight=peak,
        limits=limits,
    )
