"""The adaptive limit against each kind of server, in virtual time (`limit_sim`): no sleeps, no clocks.

The kinds of issue 14: a vLLM-like server with N slots (first come, first served, the rest queued),
an Ollama-like server with one slot and a short queue (503 past it), a DashScope-like server that
answers 429 at once past its quota (also with the race a streamed answer has with the next
request). Each test asserts what the limiter does — how fast it fills the slots, where it
settles, how often it is refused — not how long anything took.
"""

from __future__ import annotations

import itertools

import pytest

from bot.labelers.adaptive_limit import AdaptiveLimit, initial_limit
from domain.models import LimitState
from tests.bot.labelers.limit_sim import Clock, Job, Server
from tests.bot.labelers.limit_sim import run_job as run_on

CLOCK = Clock()
"""Virtual time, shared by every limiter and job of a test (it only moves forward)."""


def limit(initial: int = 32, state: LimitState | None = None) -> AdaptiveLimit:
    return AdaptiveLimit(initial=initial, max_limit=256, state=state, clock=CLOCK)


def fresh(flavor: str = "vllm") -> AdaptiveLimit:
    return limit(initial_limit(flavor))


def new_process(limiter: AdaptiveLimit, *, refuses: bool = False) -> AdaptiveLimit:
    """What a new process starts from: only what the database remembers."""
    return AdaptiveLimit(
        initial=32, max_limit=256, state=limiter.state(), clock=CLOCK, refuses_excess=refuses
    )


def run_job(limiter: AdaptiveLimit, server: Server, comments: int, **kwargs: int) -> Job:
    return run_on(limiter, server, comments, clock=CLOCK, **kwargs)


@pytest.mark.parametrize("slots", [4, 16, 64, 128])
def test_an_n_slot_server_is_filled_within_a_few_round_trips(slots: int) -> None:
    limiter = limit(4)
    job = run_job(limiter, Server(slots=slots, latency=1.0, per_item=0.0), 30 * slots, batch_size=1)
    reached = next(i for i, value in enumerate(job.limits) if value >= 0.8 * slots)
    # Slow start doubles the limit per round trip: from 4 to 0.8·N in about 2·0.8·N answers.
    assert reached <= 2 * slots, (slots, reached)
    assert slots <= limiter.parallel <= slots + 1
    # It settles: one request kept waiting at the server, a few more while probing upward.
    settled = job.limits[len(job.limits) // 2 :]
    assert max(settled) <= slots + max(2, slots // 4), (slots, max(settled))
    assert sum(settled) / len(settled) <= slots + 2


@pytest.mark.parametrize("slots", [4, 16, 64])
def test_after_a_short_first_job_a_500_comment_job_fills_n_slots(slots: int) -> None:
    server = Server(slots=slots)
    short = fresh()
    run_job(short, server, 100)
    limiter = new_process(short)
    job = run_job(limiter, server, 500)
    assert job.capacity >= 0.9, (slots, job.capacity, job.requests)
    assert job.refused == 0


def test_a_short_first_job_on_a_big_server_teaches_twice_what_it_sent() -> None:
    # 100 comments go as 32 requests at once (the fresh limit): all answered at once, so the limit
    # doubles to 64 while they were all in flight, whatever order they come back in.
    limiter = fresh()
    run_job(limiter, Server(slots=64, latency=6.4, per_item=0.64), 100)
    assert limiter.state().limit == 64 and limiter.state().probing


def test_64_slots_are_filled_in_one_round_when_the_list_allows() -> None:
    limiter = limit(32, LimitState(limit=64, probing=True))
    job = run_job(limiter, Server(slots=64), 500)
    assert job.requests == 64  # 500 comments in batches of at most 8, as one round of 64
    assert job.peak_in_flight == 64


def test_a_slot_estimate_between_rounds_plans_whole_rounds() -> None:
    limiter = limit(32, LimitState(limit=53, probing=False))
    job = run_job(limiter, Server(slots=53), 500)
    assert job.requests == 106  # two full rounds, not 53 + a second round of 10
    assert job.capacity >= 0.95


def test_an_ollama_like_server_gets_one_at_a_time_and_no_503() -> None:
    server = Server(slots=1, max_queue=2)
    limiter = fresh("ollama")
    first = run_job(limiter, server, 200)
    limiter = new_process(limiter)
    after = run_job(limiter, server, 200)
    assert limiter.parallel == 1 and limiter.limit <= 2
    assert first.refused == 0 and after.refused == 0
    assert after.peak_in_flight <= 2
    assert after.requests == 25  # a single slot gets throughput-sized batches (200 / 8)


def test_batched_decoding_that_slows_as_it_fills_is_not_read_as_a_queue() -> None:
    # Each answer up to ~2× slower at full load, but throughput still grows with every slot used.
    server = Server(slots=16, load_slowdown=0.9)
    limiter = fresh()
    run_job(limiter, server, 100)
    limiter = new_process(limiter)
    job = run_job(limiter, server, 500)
    assert limiter.parallel >= 14
    assert job.capacity >= 0.85


def test_a_slow_start_that_never_reached_the_quota_does_not_teach_a_flood() -> None:
    # What a short first job leaves on a quota server it never filled (measured on the stand-in:
    # 16 requests, the slow start's limit at 20, twice what was in flight). The next job on a
    # server that refuses the excess resumes from what was answered, not from the guess.
    learned = LimitState(limit=20, probing=True)
    queueing = AdaptiveLimit(initial=4, max_limit=256, state=learned, clock=CLOCK)
    refusing = AdaptiveLimit(initial=4, max_limit=256, state=learned, clock=CLOCK, refuses_excess=True)
    assert (queueing.limit, refusing.limit) == (20, 10)
    after = run_job(refusing, Server(slots=64, quota=8), 500)
    assert after.refused_share <= 0.05
    assert refusing.limit <= 8


def test_a_quota_server_backs_off_on_429_and_stays_below_the_quota() -> None:
    server = Server(slots=64, quota=8)
    limiter = fresh("dashscope")
    first = run_job(limiter, server, 500)
    assert first.refused > 0  # slow start ran into the quota
    ceiling = limiter.state().ceiling
    assert ceiling is not None and ceiling <= 8
    assert limiter.limit <= ceiling
    limiter = new_process(limiter, refuses=True)
    after = run_job(limiter, server, 500)
    assert after.refused_share <= 0.05
    assert max(after.limits) <= 9  # at most one above the ceiling (a probe)


def test_when_a_streamed_answer_races_the_next_request_the_ceiling_drops_below_the_quota() -> None:
    # The server counts an answered request a moment longer than the client: at exactly the
    # quota, the next request is refused. The ceiling goes one below, and refusals stop.
    server = Server(slots=64, quota=8, linger=0.01, jitter=0.2, seed=3)
    limiter = limit(32, LimitState(limit=8, ceiling=8, probing=False))
    run_job(limiter, server, 300)
    ceiling = limiter.state().ceiling
    assert ceiling is not None and ceiling < 8
    limiter = new_process(limiter, refuses=True)
    after = run_job(limiter, server, 500)
    assert after.refused_share <= 0.05


def test_a_429_cuts_multiplicatively_then_the_limit_climbs_one_per_round_trip_to_the_ceiling() -> None:
    limiter = limit(32, LimitState(limit=40, probing=False))
    assert limiter.limit == 41  # the server's 40 slots and one request waiting
    tickets = [limiter.try_acquire() for _ in range(41)]
    assert all(tickets)
    refused = tickets[-1]
    assert refused is not None
    limiter.release(refused, "rate_limited")  # refused as the 41st at once: 40 were fine
    assert limiter.state().ceiling == 40
    assert limiter.limit == 36  # 41 × 0.9: multiplicative
    CLOCK.now += 1.0
    for ticket in tickets[:-1]:  # the rest of that burst comes back answered
        assert ticket is not None
        limiter.release(ticket, "ok", latency_s=1.0)
    # Round trips on a server that serves everything at once: back to the ceiling one at a time,
    # and held there.
    seen = [round_trip(limiter, refuse_above=None) for _ in range(10)]
    assert seen == [37, 38, 39, 40, 40, 40, 40, 40, 40, 40]


def test_a_burst_of_429s_cuts_the_limit_once_and_sets_the_ceiling_below_the_first_refused() -> None:
    limiter = limit(40, LimitState(limit=40, probing=False))
    tickets = [limiter.try_acquire() for _ in range(41)]
    for ticket in tickets[30:]:  # the 31st and later refused at once
        assert ticket is not None
        limiter.release(ticket, "rate_limited")
    assert limiter.state().ceiling == 30
    assert limiter.limit == 30  # min(41 × 0.9, the ceiling), once for the whole burst


def test_above_a_ceiling_probes_are_rare_and_grow_further_apart_when_refused() -> None:
    limiter = limit(8, LimitState(limit=8, ceiling=8, probing=False))
    probes = [n for n in range(200) if round_trip(limiter, refuse_above=8) is None]
    assert limiter.state().ceiling == 8
    assert 2 <= len(probes) <= 5  # 200 round trips of 8: one refusal per 300+ requests at most
    gaps = [b - a for a, b in itertools.pairwise(probes)]
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]


def test_a_raised_quota_is_found_by_probing() -> None:
    limiter = limit(8, LimitState(limit=8, ceiling=8, probing=False))
    run_job(limiter, Server(slots=64, quota=12, latency=1.0, per_item=0.0), 4000, batch_size=1)
    ceiling = limiter.state().ceiling
    assert ceiling is not None and ceiling > 8


def round_trip(limiter: AdaptiveLimit, *, refuse_above: int | None) -> int | None:
    """As many requests as the limit, sent together and answered together a second later, the
    ones past `refuse_above` in flight refused at once (429). The limit after, None if refused."""
    burst = [limiter.try_acquire() for _ in range(limiter.limit)]
    tickets = [ticket for ticket in burst if ticket is not None]
    refused = [t for t in tickets if refuse_above is not None and t.in_flight > refuse_above]
    for ticket in refused:
        limiter.release(ticket, "rate_limited")
    CLOCK.now += 1.0
    for ticket in tickets:
        if ticket not in refused:
            limiter.release(ticket, "ok", latency_s=1.0)
    return None if refused else limiter.limit


def test_slow_start_does_not_grow_a_limit_that_is_not_used() -> None:
    limiter = limit(32)
    for _ in range(50):  # one request at a time, answered at once
        ticket = limiter.try_acquire()
        assert ticket is not None
        CLOCK.now += 1.0
        limiter.release(ticket, "ok", latency_s=1.0)
    assert limiter.limit == 32


def test_a_timeout_cuts_the_limit_and_ends_slow_start() -> None:
    limiter = limit(20)
    ticket = limiter.try_acquire()
    assert ticket is not None
    limiter.release(ticket, "dropped")
    assert limiter.limit == 18 and not limiter.state().probing
