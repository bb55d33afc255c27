"""Negative-share alerts: once at the threshold, not again until the share has fallen back and
risen again; exactly once when `serve` and `connect` (two cores, one database) both look."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from adapters.notifiers import register_notifiers
from bot.config import Settings
from bot.core import Sentibot
from bot.watch.observed import ObservedMessage
from tests.standins.slack_events import SlackEvents
from tests.standins.slack_fixtures import (
    BOT_TOKEN,
    CUSTOMER_ID,
    HarnessFactory,
    KeywordLabeler,
    SlackHarness,
)
from tests.standins.slack_server import StandinSlackServer

WATCHED = "C0WATCHED"
REVIEWS = "C0REVIEWS"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALERT_SETTINGS = {
    "SENTIBOT_WATCH_CHANNELS": f"slack:{WATCHED}",
    "SENTIBOT_REVIEW_TARGETS": f"slack:{REVIEWS}",
    "SENTIBOT_ALERT_WINDOW_MINUTES": "60",
    "SENTIBOT_ALERT_MIN_MESSAGES": "4",
    "SENTIBOT_NEGATIVE_ALERT_RATIO": "0.5",
}


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def alerts_posted(slack: SlackHarness) -> list[dict]:
    return [m for m in slack.server.bot_messages(REVIEWS) if "Negative spike" in m["text"]]


async def say(slack: SlackHarness, events: SlackEvents, *texts: str) -> None:
    for text in texts:
        await slack.post_event(events.message(WATCHED, CUSTOMER_ID, text))
    await slack.settle()
    await slack.core.watcher.batcher.idle()


async def test_an_alert_fires_once_at_the_threshold_and_again_only_after_it_cleared(
    make_slack: HarnessFactory, clock: time_machine.Coordinates
) -> None:
    slack = await make_slack(**ALERT_SETTINGS)
    register_notifiers(slack.core)
    slack.core.watcher.batcher.max_wait_s = 0.01
    slack.core.watcher.batcher.batch_size = 1  # the window is looked at after every message
    events = SlackEvents()

    await say(slack, events, "thanks, great", "terrible delivery", "awful, so slow")
    assert alerts_posted(slack) == []  # 2 of 3 negative, but fewer than 4 messages
    await say(slack, events, "the refund is late and the app is broken")
    [alert] = alerts_posted(slack)  # 3 of 4 = 75 % > 50 %
    assert "75% negative" in alert["text"] and "3 of 4" in alert["text"]
    assert "terrible delivery" in alert["text"]
    assert "http://sentibot.test/messages?conversation_id=" in alert["text"]
    assert slack.server.bot_messages(WATCHED) == []

    await say(slack, events, "worst experience", "still angry")
    assert len(alerts_posted(slack)) == 1  # still above: no second alert
    await say(slack, events, *["thanks, perfect"] * 4)  # 5 of 10: at the threshold, cleared
    assert len(alerts_posted(slack)) == 1
    await say(slack, events, "awful again", "terrible again")
    assert len(alerts_posted(slack)) == 2  # rose above once more: a new alert

    clock.shift(timedelta(minutes=61))  # the window moved on: old messages no longer count
    await say(slack, events, "terrible", "awful", "slow")
    assert len(alerts_posted(slack)) == 2  # 3 messages: under the minimum, no alert


async def test_serve_and_connect_on_one_database_alert_once(
    tmp_path: Path, slack_server: StandinSlackServer, clock: time_machine.Coordinates
) -> None:
    settings = Settings(
        SENTIBOT_DB=str(tmp_path / "shared.db"),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SENTIBOT_SLACK_API_URL=slack_server.api_url,
        SENTIBOT_PUBLIC_URL="http://sentibot.test",
        **ALERT_SETTINGS,
    )
    serve, connect = (Sentibot(settings=settings, labeler=KeywordLabeler()) for _ in range(2))
    try:
        for core in (serve, connect):
            register_notifiers(core)
            core.watcher.batcher.max_wait_s = 0.01
        events = SlackEvents()
        for index, text in enumerate(["terrible", "awful", "slow", "broken", "thanks"]):
            event = events.message(WATCHED, CUSTOMER_ID, text)
            # Messages reach either process; both look at the channel after every one.
            core = (serve, connect)[index % 2]
            core.watch_event(
                ObservedMessage(
                    source="slack",
                    channel=WATCHED,
                    external_id=f"T0SENTI:{WATCHED}:{event['ts']}",
                    conversation_id=f"slack:T0SENTI:{WATCHED}:{event['ts']}",
                    author=CUSTOMER_ID,
                    text=text,
                    created_at=datetime.fromtimestamp(float(event["ts"]), tz=UTC),
                )
            )
            await core.watcher.batcher.idle()
            await asyncio.gather(serve.watcher.alerts.check(WATCHED), connect.watcher.alerts.check(WATCHED))
        posted = [m for m in slack_server.bot_messages(REVIEWS) if "Negative spike" in m["text"]]
        assert len(posted) == 1
        assert len(serve.store.watch_alerts.history(WATCHED)) == 1
    finally:
        await serve.aclose()
        await connect.aclose()
