"""Helpdesk messages (`POST /api/messages`, through the core) are watched like Slack threads: a
ticket is judged once quiet and flagged once, announced to the review channel; a channel's
negative spike raises one alert. Slack stand-in for the review channel, frozen time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from adapters.notifiers import register_notifiers
from tests.standins.slack_fixtures import HarnessFactory, SlackHarness

REVIEWS = "C0REVIEWS"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
IDLE_S = 600


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
async def helpdesk(
    make_slack: HarnessFactory, clock: time_machine.Coordinates
) -> AsyncIterator[SlackHarness]:
    harness = await make_slack(
        SENTIBOT_REVIEW_TARGETS=f"slack:{REVIEWS}",
        SENTIBOT_QA_IDLE_SECONDS=str(IDLE_S),
        SENTIBOT_ALERT_WINDOW_MINUTES="60",
        SENTIBOT_ALERT_MIN_MESSAGES="4",
        SENTIBOT_NEGATIVE_ALERT_RATIO="0.5",
    )
    register_notifiers(harness.core)
    harness.core.ingest.ensure_running()
    yield harness


async def post(slack: SlackHarness, *messages: dict) -> None:
    result = slack.core.ingest_messages(source="zendesk", messages=list(messages))
    assert result.accepted == len(messages), result
    await slack.core.ingest.drained()


def reviews_posted(slack: SlackHarness) -> list[dict]:
    return [m for m in slack.server.bot_messages(REVIEWS) if m.get("subtype") != "file_share"]


def ticket(n: int, role: str, text: str, *, ticket_id: str = "T-88", channel: str = "email") -> dict:
    return {
        "id": f"{ticket_id}-{n}",
        "conversation_id": ticket_id,
        "role": role,
        "author": "ann" if role == "customer" else "bo",
        "text": text,
        "created_at": (START + timedelta(seconds=n)).isoformat(),
        "channel": channel,
    }


async def test_a_ticket_turning_negative_is_judged_when_quiet_and_announced_once(
    helpdesk: SlackHarness, clock: time_machine.Coordinates
) -> None:
    await post(
        helpdesk,
        ticket(1, "customer", "Hi, my order has not arrived yet"),
        ticket(2, "agent", "Sorry to hear that, checking now"),
        ticket(3, "customer", "Still nothing. This is terrible and slow"),
    )
    assert await helpdesk.core.watcher.judge_due() == []  # not quiet long enough yet

    clock.shift(timedelta(seconds=IDLE_S + 1))
    [outcome] = await helpdesk.core.watcher.judge_due()
    assert outcome.flagged and outcome.announced and outcome.review_id is not None
    assert await helpdesk.core.watcher.judge_due() == []  # judged once
    [announcement] = reviews_posted(helpdesk)
    assert "Customer felt negative overall" in announcement["text"]
    assert [r["id"] for r in helpdesk.core.reviews()] == [outcome.review_id]
    assert helpdesk.core.store.messages.count() == 3  # judging stored no message twice

    # The same ticket id from another helpdesk is another conversation.
    result = helpdesk.core.ingest_messages(
        source="freshdesk", messages=[{**ticket(4, "customer", "all good, thanks"), "id": "F-1"}]
    )
    assert result.accepted == 1
    await helpdesk.core.ingest.drained()
    clock.shift(timedelta(seconds=IDLE_S + 1))
    outcomes = await helpdesk.core.watcher.judge_due()
    assert [o.flagged for o in outcomes] == [False]
    assert len(reviews_posted(helpdesk)) == 1


async def test_a_negative_spike_in_a_helpdesk_channel_alerts_once(helpdesk: SlackHarness) -> None:
    await post(
        helpdesk,
        ticket(1, "customer", "thanks, great", ticket_id="A"),
        ticket(2, "customer", "terrible delivery", ticket_id="B"),
        ticket(3, "customer", "awful, so slow", ticket_id="C"),
    )
    assert not [m for m in reviews_posted(helpdesk) if "Negative spike" in m["text"]]  # 3 < 4 messages
    await post(helpdesk, ticket(4, "customer", "the refund is late and the app is broken", ticket_id="D"))
    [alert] = [m for m in reviews_posted(helpdesk) if "Negative spike" in m["text"]]
    assert "3 of 4" in alert["text"] and "email" in alert["text"]
    await post(helpdesk, ticket(5, "customer", "still broken", ticket_id="E"))
    assert len([m for m in reviews_posted(helpdesk) if "Negative spike" in m["text"]]) == 1
