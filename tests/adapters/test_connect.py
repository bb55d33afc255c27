"""`sentibot connect` end to end: DingTalk Stream mode through the real wiring, one core, and the
background jobs (the daily digest) that run with it, with `serve`, or with both."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from adapters.connect import run_connect
from adapters.web.main import create_app
from bot import scheduler as scheduler_mod
from bot.core import Sentibot
from bot.scheduler import DeliveryResult
from storage import Store
from tests.bot.test_digest import D, at
from tests.standins.dingtalk_fixtures import dingtalk_settings, robot_message
from tests.standins.dingtalk_server import DingTalkStandin


async def test_connect_answers_a_stream_message_and_stops_cleanly(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    settings = dingtalk_settings(tmp_path, dingtalk_standin)
    connect = asyncio.create_task(run_connect(settings))
    await dingtalk_standin.wait_for(lambda: dingtalk_standin.connected, timeout=30)

    frame_id = dingtalk_standin.push_callback(
        robot_message(dingtalk_standin, text="物流太慢了，客服也不理人")
    )
    await dingtalk_standin.wait_for(
        lambda: len(dingtalk_standin.calls_to("/robot/sendBySession")) == 1, timeout=30
    )
    [ack] = dingtalk_standin.acks
    assert ack["headers"]["messageId"] == frame_id
    [reply] = dingtalk_standin.calls_to("/robot/sendBySession")
    assert "负面" in reply.json["markdown"]["text"]  # labelled by the offline labeller, in Chinese

    connect.cancel()  # Ctrl-C
    with pytest.raises(asyncio.CancelledError):
        await connect
    assert Path(settings.db).is_file()


# -- background jobs: the daily digest runs wherever the bot runs ------------------------------

DIGEST_TARGET = "dingtalk:cidDigestGroup=="


class Passes:
    """The digest scheduler(s) the cores start, observed: each start-up/send-time pass as it ends.

    Their sleep moves the frozen clock forward instead of waiting (so 09:00 comes at once), and
    after `passes_before_rest` passes it sleeps until cancelled: a test awaits passes, never time.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, clock: Any, *, passes_before_rest: int) -> None:
        self.results: asyncio.Queue[list[DeliveryResult]] = asyncio.Queue()
        self.schedulers = 0
        passes = self

        class Observed(scheduler_mod.DigestScheduler):
            def __init__(self, **kwargs: Any) -> None:
                super().__init__(**kwargs)
                passes.schedulers += 1
                self.done = 0

                async def sleep(seconds: float) -> None:
                    if self.done >= passes_before_rest:
                        await asyncio.Event().wait()  # until cancelled
                    clock.shift(timedelta(seconds=seconds))
                    await asyncio.sleep(0)

                self.sleep = sleep

            async def run_once(self) -> list[DeliveryResult]:
                results = await super().run_once()
                self.done += 1
                passes.results.put_nowait(results)
                return results

        monkeypatch.setattr(scheduler_mod, "DigestScheduler", Observed)

    async def next(self, count: int = 1) -> list[DeliveryResult]:
        """The next `count` finished passes, flattened (the bound only turns a hang into a failure)."""
        done = await asyncio.wait_for(asyncio.gather(*(self.results.get() for _ in range(count))), 60)
        return [result for results in done for result in results]


def digests_sent(standin: DingTalkStandin) -> list[str]:
    """The days of the digests the group received, in order."""
    days = []
    for call in standin.calls_to("/v1.0/robot/groupMessages/send"):
        assert call.json["openConversationId"] == "cidDigestGroup=="
        title = json.loads(call.json["msgParam"])["title"]
        days += re.findall(r"\d{4}-\d{2}-\d{2}", title)[:1]
    return days


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_connect_sends_the_daily_digest_once_at_digest_time(
    tmp_path: Path, dingtalk_standin: DingTalkStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dingtalk_settings(
        tmp_path, dingtalk_standin, SENTIBOT_DIGEST_TARGETS=DIGEST_TARGET, SENTIBOT_DIGEST_TIME="09:00"
    )
    with time_machine.travel(at(D + timedelta(days=1), 8, 59), tick=False) as clock:
        passes = Passes(monkeypatch, clock, passes_before_rest=2)
        connect = asyncio.create_task(run_connect(settings))
        # Started at 08:59: the digest due then (the day before D, normally sent on D) goes out.
        [catch_up] = await passes.next()
        assert (catch_up.day, catch_up.status) == (D - timedelta(days=1), "sent")
        assert digests_sent(dingtalk_standin) == [str(D - timedelta(days=1))]
        # 09:00: D's digest, once.
        [at_nine] = await passes.next()
        assert (at_nine.day, at_nine.target, at_nine.status) == (D, DIGEST_TARGET, "sent")
        assert digests_sent(dingtalk_standin) == [str(D - timedelta(days=1)), str(D)]
        store = Store(settings.db)
        sent_at = store.digests.get(date=str(D), target=DIGEST_TARGET)
        store.close()
        assert sent_at is not None
        assert datetime.fromisoformat(sent_at["sent_at"]).astimezone(at(D, 0).tzinfo) == at(
            D + timedelta(days=1), 9
        )
        await dingtalk_standin.wait_for(lambda: dingtalk_standin.connected, timeout=30)  # still chatting
        await stop(connect)
    assert passes.schedulers == 1


async def test_serve_and_connect_on_one_database_send_once(
    tmp_path: Path, dingtalk_standin: DingTalkStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dingtalk_settings(tmp_path, dingtalk_standin, SENTIBOT_DIGEST_TARGETS=DIGEST_TARGET)
    with time_machine.travel(at(D + timedelta(days=1), 9, 30), tick=False) as clock:
        passes = Passes(monkeypatch, clock, passes_before_rest=1)
        app = create_app(settings, scheduler=True)  # `sentibot serve` …
        async with app.router.lifespan_context(app):
            connect = asyncio.create_task(run_connect(settings))  # … and `sentibot connect`
            both = await passes.next(2)
            await stop(connect)
    assert sorted(result.status for result in both) == ["sent", "skipped"]
    assert digests_sent(dingtalk_standin) == [str(D)]


async def test_serve_and_connect_sharing_one_core_run_the_jobs_once(
    tmp_path: Path, dingtalk_standin: DingTalkStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dingtalk_settings(tmp_path, dingtalk_standin, SENTIBOT_DIGEST_TARGETS=DIGEST_TARGET)
    core = Sentibot(settings=settings)
    try:
        with time_machine.travel(at(D + timedelta(days=1), 9, 30), tick=False) as clock:
            passes = Passes(monkeypatch, clock, passes_before_rest=1)
            app = create_app(core=core, scheduler=True)
            async with app.router.lifespan_context(app):
                connect = asyncio.create_task(run_connect(settings, core=core))
                [result] = await passes.next()
                await dingtalk_standin.wait_for(lambda: dingtalk_standin.connected, timeout=30)
                assert core.jobs.running == ["digest", "watch"]
                await stop(connect)
                assert core.jobs.running == ["digest", "watch"]  # serve still runs: so do the jobs
            assert core.jobs.running == []
    finally:
        await core.aclose()
    assert passes.schedulers == 1
    assert (result.day, result.status) == (D, "sent")
    assert digests_sent(dingtalk_standin) == [str(D)]
