"""The adaptive concurrency limit against stand-in servers of each kind, over real HTTP.

No timing asserts: each test checks what the server saw (requests in flight, 429s) and what the
limiter learned, after jobs big enough for the behaviour to show.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.labelers.adaptive_limit import AdaptiveLimit, forget_shared_limits
from bot.labelers.qwen import QwenLabeler
from domain.models import LimitState, TextIn
from storage import Store
from tests.standins.llm_server import StandinLLMServer


def settings_for(server: StandinLLMServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_base_url": server.base_url,
        "llm_model": "Qwen3-1.7B",
        "llm_flavor_setting": "vllm",
        "llm_batch_size": 2,
        "llm_timeout_s": 30.0,
    }
    values.update(overrides)
    return Settings(**values)


def comments(count: int) -> list[TextIn]:
    return [TextIn(id=n, text=f"comment {n}: the delivery was great") for n in range(count)]


async def label(settings: Settings, count: int, store: Store | None = None) -> QwenLabeler:
    labeler = QwenLabeler(
        settings=settings,
        memory=store.llm_limits if store else None,
        retry_wait_s=0.01,
        retry_wait_max_s=0.05,
    )
    try:
        result = await labeler.label(comments(count))
    finally:
        await labeler.aclose()
    assert [item.status for item in result.items] == ["ok"] * count, {i.error for i in result.items}
    return labeler


async def test_the_limit_grows_above_8_on_a_64_slot_server(
    llm_server: StandinLLMServer, tmp_path: Path
) -> None:
    # A second per request keeps the stand-in's own CPU time (it shares this process, and the
    # machine) small beside the time it models, so the limiter reads the server, not the machine.
    llm_server.configure(latency_s=1.0, max_concurrency=64)
    store = Store(tmp_path / "s.db")
    settings = settings_for(llm_server, llm_batch_size=1)
    store.llm_limits.save(settings.llm_base_url or "", "Qwen3-1.7B", LimitState(limit=4))  # learned small
    labeler = await label(settings, 60, store)
    assert labeler.limiter.limit > 8
    assert llm_server.stats().peak_in_flight > 8
    remembered = store.llm_limits.get(settings.llm_base_url or "", "Qwen3-1.7B")
    # What is remembered is the server's estimated slots (`state()`); the live limit can sit one
    # above them while a probe is out, so it is not the thing to compare with.
    assert remembered is not None and remembered.limit == labeler.limiter.state().limit > 8
    store.close()


async def test_a_4_slot_server_is_not_kept_flooded(llm_server: StandinLLMServer) -> None:
    # A second per answer: a queued answer (2 s and more) stands out from CPU noise on a busy machine.
    llm_server.configure(latency_s=1.0, max_concurrency=4)
    settings = settings_for(llm_server, llm_batch_size=1)
    labeler = await label(settings, 40)  # starts at vLLM's 32: a queue of 28 at the server
    assert not labeler.limiter.state().probing  # it saw the queue and stopped doubling
    assert labeler.limiter.limit < 64


async def test_an_ollama_like_single_slot_server_gets_a_few_at_a_time(llm_server: StandinLLMServer) -> None:
    llm_server.configure(latency_s=0.1, max_concurrency=1, reasoning="reasoning")
    settings = settings_for(llm_server, llm_flavor_setting="ollama", llm_batch_size=1)
    await label(settings, 40)  # learning
    llm_server.reset_stats()
    labeler = await label(settings, 30)  # after learning
    assert labeler.limiter.limit <= 5
    assert llm_server.stats().peak_in_flight <= 5


async def test_a_quota_server_is_not_flooded_after_learning(
    llm_server: StandinLLMServer, tmp_path: Path
) -> None:
    # DashScope-like: 429 at once past 8 in flight; thinking requests must stream.
    llm_server.configure(latency_s=1.0, quota=8, thinking_needs_stream=True)
    store = Store(tmp_path / "s.db")
    settings = settings_for(llm_server, llm_flavor_setting="dashscope", llm_batch_size=1)
    first = await label(settings, 40, store)  # slow start runs into the quota and learns it
    assert llm_server.stats().rate_limited > 0
    assert first.limiter.state().ceiling is not None and first.limiter.state().ceiling <= 8

    forget_shared_limits()  # a new process: only the database remembers
    llm_server.reset_stats()
    llm_server.configure(quota=None)  # the server now counts, the test tells if 8 were exceeded
    await label(settings, 30, store)
    assert llm_server.stats().peak_in_flight <= 8
    store.close()


async def test_a_timeout_cuts_the_limit(llm_server: StandinLLMServer) -> None:
    llm_server.configure(hang_s=3600.0)
    settings = settings_for(llm_server, llm_timeout_s=0.3)
    labeler = QwenLabeler(settings=settings, retry_wait_s=0.01)
    before = labeler.limiter.limit
    llm_server.inject("hang", times=1)
    result = await labeler.label(comments(2)[:1])
    await labeler.aclose()
    assert result.items[0].status == "ok"  # retried after the timeout
    assert labeler.limiter.limit < before
    assert not labeler.limiter.state().probing


async def test_every_caller_in_the_process_shares_one_limit(llm_server: StandinLLMServer) -> None:
    llm_server.configure(latency_s=0.05, max_concurrency=64)
    settings = settings_for(llm_server, llm_concurrency=5, llm_batch_size=1)
    web, slack = QwenLabeler(settings=settings), QwenLabeler(settings=settings)
    assert web.limiter is slack.limiter
    await asyncio.gather(web.label(comments(30)), slack.label(comments(30)))
    await web.aclose()
    await slack.aclose()
    assert llm_server.stats().peak_in_flight == 5  # the cap holds across both callers


async def test_another_server_or_model_is_learned_from_scratch(
    llm_server: StandinLLMServer, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.db")
    url = llm_server.base_url
    store.llm_limits.save(url, "Qwen3-1.7B", LimitState(limit=7, ceiling=7, probing=False, samples=50))
    same = QwenLabeler(settings=settings_for(llm_server), memory=store.llm_limits)
    assert (same.limiter.limit, same.limiter.state().ceiling) == (7, 7)
    other_model = QwenLabeler(
        settings=settings_for(llm_server, llm_model="Qwen3-8B"), memory=store.llm_limits
    )
    assert other_model.limiter.limit == 32 and other_model.limiter.state().ceiling is None
    await same.aclose()
    await other_model.aclose()
    store.close()


async def test_a_cancelled_waiter_gives_its_slot_back() -> None:
    limiter = AdaptiveLimit(initial=1, max_limit=1)
    held = await limiter.acquire()
    waiter = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    limiter.release(held, "ignored")
    await asyncio.gather(waiter, return_exceptions=True)
    assert limiter.in_flight == 0
    again = await limiter.acquire()  # the slot is free, not leaked to the cancelled waiter
    assert limiter.in_flight == 1
    limiter.release(again, "ignored")


async def test_a_burst_of_429s_cuts_the_limit_once_per_round_trip() -> None:
    limiter = AdaptiveLimit(initial=20, max_limit=256)
    tickets = [await limiter.acquire() for _ in range(12)]
    for ticket in tickets[9:]:
        limiter.release(ticket, "rate_limited")
    assert limiter.limit == 9  # once: the ceiling of what was fine (10th refused → 9), not 20×0.9³
    assert limiter.state().ceiling == 9


# --- the same kinds of server in virtual time: where the limit settles, deterministically ----------


class _Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


CLOCK = _Clock()
"""The simulation's virtual time, which the limiters below read."""


def simulate(
    limiter: AdaptiveLimit, *, slots: int, requests: int, quota: int | None = None, seed: int = 1
) -> tuple[int, int]:
    """An N-slot FIFO server (service 1 s ± 20 %) fed by the limiter; quota → 429 at once.

    Returns (most requests at the server at once, requests refused).
    """
    rng = random.Random(seed)
    order = itertools.count()
    events: list[tuple[float, int, str, Any, float]] = []
    slot_free = [0.0] * slots
    todo, at_server, peak, refused = requests, 0, 0, 0

    def send(now: float) -> None:
        nonlocal todo, at_server, peak, refused
        while todo and (ticket := limiter.try_acquire()) is not None:
            todo -= 1
            at_server += 1
            peak = max(peak, at_server)
            if quota is not None and at_server > quota:
                refused += 1
                heapq.heappush(events, (now + 0.01, next(order), "rate_limited", ticket, now))
                continue
            slot = min(range(slots), key=slot_free.__getitem__)
            done = max(now, slot_free[slot]) + rng.uniform(0.8, 1.2)
            slot_free[slot] = done
            heapq.heappush(events, (done, next(order), "ok", ticket, now))

    send(CLOCK.now)
    while events:
        now, _, outcome, ticket, sent = heapq.heappop(events)
        CLOCK.now = now
        at_server -= 1
        if outcome == "ok":
            limiter.release(ticket, "ok", latency_s=now - sent)
        else:
            limiter.release(ticket, "rate_limited")
            todo += 1  # asked again
        send(now)
    return peak, refused


def test_in_virtual_time_the_limit_settles_between_the_slots_and_twice_them() -> None:
    for slots, start in ((64, 4), (64, 32), (16, 32), (4, 32)):
        limiter = AdaptiveLimit(initial=start, max_limit=256, clock=CLOCK)
        simulate(limiter, slots=slots, requests=2000)
        assert slots <= limiter.limit <= 2 * slots, (slots, start, limiter.limit)


def test_in_virtual_time_an_ollama_like_server_gets_at_most_3() -> None:
    limiter = AdaptiveLimit(initial=2, max_limit=256, clock=CLOCK)
    peak, _ = simulate(limiter, slots=1, requests=500)
    assert limiter.limit <= 3 and peak <= 3


def test_in_virtual_time_a_quota_server_is_rarely_refused_after_learning() -> None:
    limiter = AdaptiveLimit(initial=4, max_limit=256, clock=CLOCK)
    simulate(limiter, slots=64, requests=300, quota=8)
    assert limiter.state().ceiling == 8
    peak, refused = simulate(limiter, slots=64, requests=1000, quota=8, seed=2)
    assert refused <= 1000 * 0.01  # a probe above the quota now and then, nothing more
    assert peak <= 9
