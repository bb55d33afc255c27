"""Watched Slack channels end to end, with the Slack stand-in and frozen time: every message is a
history message, threads are judged when quiet (or at once when a customer threatens), flags are
announced once to the review channel and never in the watched channel; edits relabel, deletions
remove the text, Slack Connect outsiders are the customers, retention forgets old words."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from adapters.notifiers import register_notifiers
from domain.messages import Message
from tests.standins.slack_events import OTHER_TEAM, SlackEvents
from tests.standins.slack_fixtures import AGENT_ID, CUSTOMER_ID, HarnessFactory, SlackHarness

WATCHED = "C0WATCHED"
REVIEWS = "C0REVIEWS"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
IDLE_S = 600


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
async def watched(make_slack: HarnessFactory, clock: time_machine.Coordinates) -> AsyncIterator[SlackHarness]:
    harness = await make_slack(
        SENTIBOT_WATCH_CHANNELS=f"slack:{WATCHED}",
        # The watched channel is a review target too: the bot must still stay silent there.
        SENTIBOT_REVIEW_TARGETS=f"slack:{REVIEWS},slack:{WATCHED}",
        SENTIBOT_QA_IDLE_SECONDS=str(IDLE_S),
    )
    register_notifiers(harness.core)
    harness.core.watcher.batcher.max_wait_s = 0.01
    yield harness


async def deliver(slack: SlackHarness, *events: dict, shared: bool = False) -> None:
    for event in events:
        assert (await slack.post_event(event, shared=shared)).status_code == 200
    await slack.settle()
    await slack.core.watcher.batcher.idle()


def posted(slack: SlackHarness, channel: str) -> list[dict]:
    """What the bot posted in a channel, charts (file shares) aside."""
    return [m for m in slack.server.bot_messages(channel) if m.get("subtype") != "file_share"]


def slack_silent(slack: SlackHarness) -> list[dict]:
    """Everything the bot put in the watched channel (messages and files): must stay empty."""
    return slack.server.bot_messages(WATCHED)


def conversation(slack: SlackHarness, root: dict) -> list[Message]:
    key = f"slack:{slack.server.team_id}:{WATCHED}:{root['ts']}"
    return slack.core.store.messages.conversation(key)


async def test_a_thread_turning_negative_is_judged_when_quiet_flagged_and_announced_once(
    watched: SlackHarness, clock: time_machine.Coordinates
) -> None:
    events = SlackEvents()
    root = events.message(WATCHED, CUSTOMER_ID, "Hi, my order 1234 has not arrived yet")
    await deliver(
        watched,
        root,
        events.message(WATCHED, AGENT_ID, "Sorry to hear that, checking now", thread_ts=root["ts"]),
        events.message(
            WATCHED, CUSTOMER_ID, "Still nothing. This is terrible and slow", thread_ts=root["ts"]
        ),
    )
    stored = conversation(watched, root)
    assert [(m.role, m.label) for m in stored] == [
        ("customer", "neutral"),
        ("agent", "neutral"),
        ("customer", "negative"),
    ]
    assert await watched.core.watcher.judge_due() == []  # not quiet long enough yet

    clock.shift(timedelta(seconds=IDLE_S + 1))
    [outcome] = await watched.core.watcher.judge_due()
    assert outcome.flagged and outcome.announced and outcome.review_id is not None
    assert await watched.core.watcher.judge_due() == []  # judged once
    assert watched.core.store.messages.count() == 3  # judging stored no message twice

    [announcement] = posted(watched, REVIEWS)
    thread_link = f"https://acme.slack.com/archives/{WATCHED}/p{root['ts'].replace('.', '')}"
    assert thread_link in announcement["text"]
    actions = [b for b in announcement["blocks"] if b["type"] == "actions"]
    assert actions and {e["type"] for e in actions[0]["elements"]} == {"button", "static_select"}
    assert slack_silent(watched) == []  # silent in the watched channel
    assert [r["id"] for r in watched.core.reviews()] == [outcome.review_id]

    # The conversation goes on: judged again once quiet, the same review, no second announcement.
    await deliver(watched, events.message(WATCHED, CUSTOMER_ID, "Still waiting, awful", thread_ts=root["ts"]))
    assert await watched.core.watcher.judge_due() == []
    clock.shift(timedelta(seconds=IDLE_S + 1))
    [again] = await watched.core.watcher.judge_due()
    assert again.review_id == outcome.review_id and not again.announced
    assert len(posted(watched, REVIEWS)) == 1
    assert slack_silent(watched) == []


async def test_a_threat_to_leave_is_judged_at_once(watched: SlackHarness) -> None:
    events = SlackEvents()
    root = events.message(WATCHED, CUSTOMER_ID, "Your product is broken and I will file a chargeback")
    await deliver(watched, root)
    [outcome] = await watched.core.watcher.judge_due()  # no idle wait
    assert outcome.flagged
    assert len(posted(watched, REVIEWS)) == 1


async def test_an_edit_is_labelled_again_and_a_delete_removes_the_text(watched: SlackHarness) -> None:
    events = SlackEvents()
    root = events.message(WATCHED, CUSTOMER_ID, "Thanks, great support")
    await deliver(watched, root)
    [message] = conversation(watched, root)
    assert message.label == "positive"

    await deliver(watched, events.changed(root, "Actually the refund never came, awful"))
    [message] = conversation(watched, root)
    assert message.text == "Actually the refund never came, awful"
    assert message.label == "negative" and message.status == "ok"

    await deliver(watched, events.deleted(root))
    [message] = conversation(watched, root)
    assert message.text is None and message.keywords == [] and message.explanation in ("", None)
    assert message.label == "negative"  # still counted


async def test_slack_connect_outsiders_are_customers_and_noise_is_ignored(watched: SlackHarness) -> None:
    events = SlackEvents()
    root = events.message(WATCHED, "UOUTSIDER", "The export is broken again", team=OTHER_TEAM)
    await deliver(
        watched,
        root,
        events.message(WATCHED, "UINSIDER", "We are on it", thread_ts=root["ts"]),
        events.joined(WATCHED, "UNEWBIE"),
        events.left(WATCHED, "UNEWBIE"),
        events.from_app(WATCHED, "Ticket #88 created", bot_id="B0HELPDESK"),
        events.from_app(WATCHED, "legacy integration says hi", bot_id="B0LEGACY", legacy=True),
        events.message(WATCHED, watched.bot_user_id, "my own words"),
        events.message(WATCHED, CUSTOMER_ID, f"<@{watched.bot_user_id}> stats 7d"),  # a request to me
        shared=True,
    )
    assert [(m.author, m.role) for m in conversation(watched, root)] == [
        ("UOUTSIDER", "customer"),
        ("UINSIDER", "agent"),  # the installing workspace's people are the agents
    ]
    assert watched.core.store.messages.count() == 2


async def test_slack_retries_and_unwatched_channels_store_nothing_twice(watched: SlackHarness) -> None:
    events = SlackEvents()
    root = events.message(WATCHED, CUSTOMER_ID, "Where is my parcel?")
    await watched.post_event(root, event_id="Ev0RETRY01")
    await watched.post_event(root, event_id="Ev0RETRY01", retry=1)
    await watched.post_event(root, event_id="Ev0RETRY01", retry=2)
    await deliver(watched, events.message("C0ELSEWHERE", CUSTOMER_ID, "not watched here"))
    assert watched.core.store.messages.count() == 1
    assert watched.server.calls("chat.postMessage") == []


async def test_retention_deletes_old_texts_and_keeps_their_counts(
    make_slack: HarnessFactory, clock: time_machine.Coordinates
) -> None:
    slack = await make_slack(SENTIBOT_WATCH_CHANNELS=f"slack:{WATCHED}", SENTIBOT_RETENTION_DAYS="30")
    slack.core.watcher.batcher.max_wait_s = 0.01
    events = SlackEvents()
    old = events.message(WATCHED, CUSTOMER_ID, "terrible service")
    await deliver(slack, old)
    clock.shift(timedelta(days=31))
    recent = events.message(WATCHED, CUSTOMER_ID, "thanks, all good now")
    await deliver(slack, recent)
    assert slack.core.watcher.apply_retention() == 1
    texts = {m.label: m.text for m in slack.core.store.messages.by_ids([1, 2])}
    assert texts == {"negative": None, "positive": "thanks, all good now"}
