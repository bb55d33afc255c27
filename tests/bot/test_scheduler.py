"""Digest delivery exactly once per (date, target), catch-up after downtime, retries; targets and
review announcements."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from pydantic import ValidationError

from bot.config import Settings
from bot.errors import InputError
from bot.notify import Notifiers, Target, TargetError, announce_review, parse_target, parse_targets
from bot.replies import Reply, review_buttons
from bot.scheduler import DigestScheduler, due_day, next_send_at, send_digest
from storage import Store
from tests.bot.test_digest import TZ, at, seed

D = date(2024, 5, 10)
TARGETS = "slack:C0DIGEST,dingtalk:cidGroup1==,web"


class Recorder:
    """A fake platform: records what it was asked to post; fails the first `fail` sends."""

    def __init__(self, *, fail: int = 0, delay: float = 0.0) -> None:
        self.fail = fail
        self.delay = delay
        self.sent: list[tuple[str, Reply, bytes | None]] = []
        self.attempts = 0
        self._lock = threading.Lock()

    async def send(self, *, target: Target, reply: Reply, chart_png: bytes | None) -> None:
        await asyncio.sleep(self.delay)
        with self._lock:
            self.attempts += 1
            if self.fail:
                self.fail -= 1
                raise RuntimeError("channel_not_found")
            self.sent.append((str(target), reply, chart_png))

    def days(self) -> list[tuple[str, str]]:
        return [(t, (r.link or "").rsplit("/", 1)[-1]) for t, r, _ in self.sent]


def notifiers(slack: Recorder, dingtalk: Recorder | None = None) -> Notifiers:
    n = Notifiers()
    n.register("slack", slack)
    n.register("dingtalk", dingtalk or slack)
    return n


def settings_for(path: Path) -> Settings:
    return Settings(
        db=path,
        timezone="Asia/Shanghai",
        digest_time="09:00",
        digest_targets=TARGETS,
        public_url="http://bot",
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sched.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store(db_path)
    yield s
    s.close()


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


def scheduler(store: Store, rec: Recorder, **kw: object) -> DigestScheduler:
    options: dict[str, object] = {"sleep": no_sleep, "chart": False, **kw}
    settings = settings_for(store.database.path)
    return DigestScheduler(store=store, settings=settings, notifiers=notifiers(rec), **options)  # type: ignore[arg-type]


# -- targets ----------------------------------------------------------------------------------


def test_parse_targets() -> None:
    assert parse_targets(TARGETS + ", dingtalk-webhook, web") == [
        Target("slack", "C0DIGEST"),
        Target("dingtalk", "cidGroup1=="),
        Target("web"),
        Target("dingtalk-webhook"),
    ]
    assert str(parse_target("slack:C0DIGEST")) == "slack:C0DIGEST"
    assert parse_targets("") == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("teams:abc", "unknown target"),
        ("slack", "needs a channel id"),
        ("slack:#general", "channel id"),
        ("dingtalk:", "needs an open conversation id"),
        ("web:x", "takes no address"),
        ("dingtalk-webhook:https://x", "takes no address"),
    ],
)
def test_bad_targets(entry: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        parse_target(entry)


def test_bad_target_is_refused_with_the_right_syntax(store: Store) -> None:
    # Checked when the settings load, so `serve`/`digest` exit 2 before doing anything.
    with pytest.raises(ValidationError, match=r"needs a channel id: slack:C0123ABCD"):
        Settings(db=store.database.path, digest_targets="slack")


# -- when -------------------------------------------------------------------------------------


def test_due_day_and_next_send(tmp_path: Path) -> None:
    s = settings_for(tmp_path / "x.db")
    assert due_day(s, now=at(D, 8, 59)) == D - timedelta(days=2)
    assert due_day(s, now=at(D, 9, 0)) == D - timedelta(days=1)
    assert due_day(s, now=at(D, 23, 59)) == D - timedelta(days=1)
    assert next_send_at(s, now=at(D, 8, 0)) == at(D, 9).astimezone(UTC)
    assert next_send_at(s, now=at(D, 9, 0)) == at(D + timedelta(days=1), 9).astimezone(UTC)


# -- exactly once -----------------------------------------------------------------------------


async def test_sends_previous_day_once_per_target(store: Store) -> None:
    seed(store, day=D, channel="support", labels=["positive", "negative", "negative"])
    rec = Recorder()
    with time_machine.travel(at(D + timedelta(days=1), 9, 0) + timedelta(seconds=5), tick=False):
        results = await scheduler(store, rec, chart=True).run_once()
        again = await scheduler(store, rec).run_once()
    assert [(r.target, r.status) for r in results] == [
        ("slack:C0DIGEST", "sent"),
        ("dingtalk:cidGroup1==", "sent"),
        ("web", "sent"),
    ]
    assert {r.status for r in again} == {"skipped"}
    assert (again[0].detail or "").startswith("already sent at 2024-05-11T01:00:05")
    assert rec.days() == [("slack:C0DIGEST", "2024-05-10"), ("dingtalk:cidGroup1==", "2024-05-10")]
    _, reply, png = rec.sent[0]
    assert reply.kind == "digest" and reply.title.startswith("🚨 Daily digest · 2024-05-10")
    assert png is not None and png.startswith(b"\x89PNG")
    row = store.digests.get(date="2024-05-10", target="web")
    assert row is not None and row["status"] == "sent"


async def test_two_schedulers_racing_send_once(db_path: Path) -> None:
    """Two instances on two Store objects (two connections) on one file, run concurrently."""
    rec = Recorder(delay=0.01)
    first, second = Store(db_path), Store(db_path)
    try:
        with time_machine.travel(at(D + timedelta(days=1), 9, 0) + timedelta(seconds=1), tick=False):
            a, b = await asyncio.gather(scheduler(first, rec).run_once(), scheduler(second, rec).run_once())
    finally:
        first.close()
        second.close()
    assert sorted(rec.days()) == [("dingtalk:cidGroup1==", "2024-05-10"), ("slack:C0DIGEST", "2024-05-10")]
    statuses = sorted(r.status for r in [*a, *b])
    assert statuses == ["sent"] * 3 + ["skipped"] * 3


def test_two_processes_racing_send_once(db_path: Path) -> None:
    """The same race with real parallelism: two threads, two event loops, two connections."""
    rec = Recorder(delay=0.005)
    Store(db_path).close()  # schema first, as `serve` would have it
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        store = Store(db_path)
        try:
            barrier.wait()
            asyncio.run(scheduler(store, rec).run_once())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            store.close()

    with time_machine.travel(at(D + timedelta(days=1), 9, 30), tick=False):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert not errors
    assert sorted(rec.days()) == [("dingtalk:cidGroup1==", "2024-05-10"), ("slack:C0DIGEST", "2024-05-10")]


async def test_restart_after_missed_send_time_sends_once(db_path: Path) -> None:
    rec = Recorder()
    # The bot was down at 09:00 on D+1 and comes back at 13:00: the digest of D goes out now.
    with time_machine.travel(at(D + timedelta(days=1), 13), tick=False):
        store = Store(db_path)
        results = await scheduler(store, rec).run_once()
        store.close()
        # Restarted again an hour later: nothing more.
        store = Store(db_path)
        again = await scheduler(store, rec).run_once()
        store.close()
    assert [r.status for r in results] == ["sent"] * 3
    assert [r.status for r in again] == ["skipped"] * 3
    # Next morning before 09:00 the due digest is still D's: nothing either.
    with time_machine.travel(at(D + timedelta(days=2), 8, 30), tick=False):
        store = Store(db_path)
        assert {r.status for r in await scheduler(store, rec).run_once()} == {"skipped"}
        store.close()
    assert rec.days() == [("slack:C0DIGEST", "2024-05-10"), ("dingtalk:cidGroup1==", "2024-05-10")]


async def test_failed_send_retried_then_reported_then_sent_at_next_start(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    slack = Recorder(fail=99)
    ok = Recorder()
    n = Notifiers()
    n.register("slack", slack)
    n.register("dingtalk", ok)
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    settings = settings_for(store.database.path)
    with time_machine.travel(at(D + timedelta(days=1), 9, 0), tick=False), caplog.at_level(logging.WARNING):
        results = await DigestScheduler(
            store=store, settings=settings, notifiers=n, sleep=sleep, chart=False, retries=3, backoff_s=5
        ).run_once()
    by_target = {r.target: r for r in results}
    assert by_target["slack:C0DIGEST"].status == "failed"
    assert by_target["slack:C0DIGEST"].attempts == 3
    assert by_target["slack:C0DIGEST"].error == "RuntimeError: channel_not_found"
    assert by_target["dingtalk:cidGroup1=="].status == "sent"
    assert slack.attempts == 3 and delays == [5, 20]  # exponential backoff between attempts
    row = store.digests.get(date="2024-05-10", target="slack:C0DIGEST")
    assert row is not None and row["status"] == "failed" and "channel_not_found" in row["error"]
    assert any("FAILED after 3 attempts" in r.getMessage() for r in caplog.records)

    # The next start (Slack fixed) sends it; the others are not sent twice.
    slack.fail = 0
    with time_machine.travel(at(D + timedelta(days=1), 10), tick=False):
        again = await DigestScheduler(
            store=store, settings=settings, notifiers=n, sleep=sleep, chart=False
        ).run_once()
    assert [(r.target, r.status) for r in again] == [
        ("slack:C0DIGEST", "sent"),
        ("dingtalk:cidGroup1==", "skipped"),
        ("web", "skipped"),
    ]
    assert len(slack.sent) == 1 and len(ok.sent) == 1
    assert store.digests.get(date="2024-05-10", target="slack:C0DIGEST")["attempts"] == 2  # type: ignore[index]


async def test_missing_notifier_is_a_failed_delivery(store: Store) -> None:
    settings = settings_for(store.database.path)
    with time_machine.travel(at(D + timedelta(days=1), 9, 5), tick=False):
        results = await send_digest(
            store=store,
            settings=settings,
            notifiers=Notifiers(),  # Slack/DingTalk not configured in this process
            day=D,
            targets=parse_targets("slack:C1,web"),
            sleep=no_sleep,
            chart=False,
        )
    assert [(r.target, r.status) for r in results] == [("slack:C1", "failed"), ("web", "sent")]
    assert "no sender for slack" in (results[0].error or "")


async def test_a_day_not_over_cannot_be_sent(store: Store) -> None:
    with time_machine.travel(at(D, 18), tick=False), pytest.raises(InputError, match="not over yet"):
        await send_digest(
            store=store,
            settings=settings_for(store.database.path),
            notifiers=Notifiers(),
            day=D,
            targets=parse_targets("web"),
        )
    assert store.digests.get(date="2024-05-10", target="web") is None


async def test_stale_claim_of_a_crashed_worker_is_taken_over(store: Store) -> None:
    with time_machine.travel(at(D + timedelta(days=1), 9, 0), tick=False):
        assert store.digests.claim(date="2024-05-10", target="web", worker="crashed")
    with time_machine.travel(at(D + timedelta(days=1), 9, 5), tick=False):
        assert not store.digests.claim(date="2024-05-10", target="web", worker="other")
    with time_machine.travel(at(D + timedelta(days=1), 9, 11), tick=False):
        assert store.digests.claim(date="2024-05-10", target="web", worker="other")


class Stop(Exception):
    pass


async def test_run_loop_catches_up_then_sends_at_send_time(store: Store) -> None:
    rec = Recorder()
    with time_machine.travel(at(D + timedelta(days=1), 8, 58), tick=False) as clock:

        async def sleep(seconds: float) -> None:
            if len(rec.sent) >= 4:
                raise Stop
            clock.shift(timedelta(seconds=seconds))

        task = scheduler(store, rec, sleep=sleep).run()
        with pytest.raises(Stop):
            await asyncio.wait_for(task, 10)
    # Started at 08:58: the digest due then (D-1's, sent on D) goes out at once; D's at 09:00.
    assert rec.days() == [
        ("slack:C0DIGEST", "2024-05-09"),
        ("dingtalk:cidGroup1==", "2024-05-09"),
        ("slack:C0DIGEST", "2024-05-10"),
        ("dingtalk:cidGroup1==", "2024-05-10"),
    ]
    sent_at = store.digests.get(date="2024-05-10", target="slack:C0DIGEST")["sent_at"]  # type: ignore[index]
    assert datetime.fromisoformat(sent_at).astimezone(TZ) == at(D + timedelta(days=1), 9)


# -- review announcements -----------------------------------------------------------------------


def conversation_reply(review_id: int | None = 7) -> Reply:
    return Reply(
        kind="conversation",
        lang="en",
        title="🚩 Customer felt negative overall · not resolved",
        lines=["agent was rude"],
        review_id=review_id,
        buttons=review_buttons(review_id or 0, "en"),
        link="http://bot/reviews#review-7",
    )


async def test_announce_new_review_to_review_targets(caplog: pytest.LogCaptureFixture) -> None:
    slack, dingtalk = Recorder(), Recorder(fail=1)
    n = notifiers(slack, dingtalk)
    targets = parse_targets("slack:C0REVIEW,slack:C0THREAD,dingtalk:cidReviews,web")
    with caplog.at_level(logging.ERROR):
        results = await announce_review(
            reply=conversation_reply(),
            created=True,
            targets=targets,
            notifiers=n,
            origin=Target("slack", "C0THREAD"),
        )
    assert [(r.target, r.ok) for r in results] == [
        ("slack:C0REVIEW", True),
        ("dingtalk:cidReviews", False),  # logged, not raised
        ("web", True),
    ]
    assert any("announcing review #7 to dingtalk:cidReviews failed" in r.getMessage() for r in caplog.records)
    target, reply, _ = slack.sent[0]
    assert target == "slack:C0REVIEW"
    assert reply.title == "🚩 New conversation to review #7"
    assert reply.lines[0] == "🚩 Customer felt negative overall · not resolved"
    assert [b.action for b in reply.buttons] == ["review_resolve", "review_wrong"]
    assert reply.link == "http://bot/reviews#review-7"


async def test_no_announcement_unless_new_review() -> None:
    rec = Recorder()
    n = notifiers(rec)
    targets = parse_targets("slack:C0REVIEW")
    assert (
        await announce_review(reply=conversation_reply(), created=False, targets=targets, notifiers=n) == []
    )
    assert (
        await announce_review(reply=conversation_reply(None), created=True, targets=targets, notifiers=n)
        == []
    )
    stats = Reply(kind="stats", lang="en", title="x", review_id=3)
    assert await announce_review(reply=stats, created=True, targets=targets, notifiers=n) == []
    assert rec.sent == []
