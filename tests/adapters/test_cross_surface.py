"""Across surfaces, on the real app of `sentibot serve` (`create_app`, not a minimal one):

* a flagged Slack thread becomes ONE review, analysing it again updates that review, the Slack
  "Mark reviewed" button resolves it, and the web API and `/reviews` page see it resolved by
  that Slack user;
* new flags from Slack, the web chat and the API are announced once to the review channel
  (SENTIBOT_REVIEW_TARGETS=slack:CREVIEW, with the buttons), never again when re-analysed;
* `create_app(settings, scheduler=True)` started after 09:00 marks yesterday's `web` digest sent
  exactly once, also with two instances starting together and after a restart.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from fastapi import FastAPI

from adapters.web.main import create_app
from bot import scheduler as scheduler_mod
from bot.config import Settings
from bot.core import Sentibot
from bot.scheduler import DeliveryResult
from storage import Store
from tests.bot.test_digest import D, at, seed
from tests.standins.slack_fixtures import (
    AGENT_ID,
    CUSTOMER_ID,
    LEAD_ID,
    KeywordLabeler,
    SlackHarness,
    slack_settings,
)
from tests.standins.slack_server import StandinSlackServer

CHANNEL = "C0SUPPORT"
REVIEW_CHANNEL = "CREVIEW"
TRANSCRIPT = (
    "Customer: My blender arrived broken, I want a refund\n"
    "Agent: Sorry about that, we are checking\n"
    "Customer: This is terrible service, still no refund"
)


@pytest.fixture
async def surfaces(tmp_path: Path, slack_server: StandinSlackServer) -> AsyncIterator[SlackHarness]:
    """The real web app (Slack mounted by create_app), driven like Slack and a browser would."""
    settings = slack_settings(tmp_path, slack_server, SENTIBOT_REVIEW_TARGETS=f"slack:{REVIEW_CHANNEL}")
    core = Sentibot(settings=settings, labeler=KeywordLabeler())
    app = create_app(settings, core=core)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sentibot.test")
    harness = SlackHarness(server=slack_server, core=core, work=app.state.background, app=app, http=http)
    async with app.router.lifespan_context(app):
        yield harness
        await harness.settle()
    await http.aclose()
    await core.aclose()


def _all_text(message: dict[str, Any]) -> str:
    return message["text"] + "\n" + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def _actions(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message.get("blocks") or [] if b["type"] == "actions"]


def _verdicts(server: StandinSlackServer, root: str) -> list[dict[str, Any]]:
    return [m for m in server.bot_messages(CHANNEL, thread_ts=root) if m.get("subtype") != "file_share"]


def _announcements(server: StandinSlackServer) -> list[dict[str, Any]]:
    return [m for m in server.bot_messages(REVIEW_CHANNEL) if m.get("subtype") != "file_share"]


async def _mention(slack: SlackHarness, root: str) -> None:
    """The lead @-mentions the bot in the thread (the mention is part of the thread, as in Slack)."""
    server = slack.server
    text = f"<@{server.bot_user_id}> how is this one going?"
    ts = server.seed_reply(CHANNEL, root, {"user": LEAD_ID, "text": text})
    event = {
        "type": "app_mention",
        "user": LEAD_ID,
        "text": text,
        "ts": ts,
        "thread_ts": root,
        "channel": CHANNEL,
        "event_ts": ts,
        "team": server.team_id,
    }
    response = await slack.post_event(event)
    assert response.status_code == 200
    await slack.settle()


async def test_slack_thread_to_one_review_resolved_by_button_seen_on_the_web(surfaces: SlackHarness) -> None:
    slack, server, http = surfaces, surfaces.server, surfaces.http
    root = server.seed_thread(
        CHANNEL,
        [
            {"user": CUSTOMER_ID, "text": "My blender arrived broken, I want a refund"},
            {"user": AGENT_ID, "text": "Sorry about that! Could you send a photo?"},
            {"user": CUSTOMER_ID, "text": "This is terrible service, still no refund"},
        ],
    )

    # The thread is judged and flagged: one review, announced once to the review channel.
    await _mention(slack, root)
    [verdict] = _verdicts(server, root)
    assert "Flagged for review" in _all_text(verdict) and _actions(verdict)
    reviews = (await http.get("/api/reviews", params={"status": "open"})).json()["reviews"]
    [review] = reviews
    assert review["platform"] == "slack" and review["channel"] == CHANNEL
    [announced] = _announcements(server)
    assert f"New conversation to review #{review['id']}" in _all_text(announced)
    [actions] = _actions(announced)
    assert {e["action_id"] for e in actions["elements"]} == {"review_resolve", "review_wrong"}
    assert not [m for m in server.messages(REVIEW_CHANNEL) if m.get("thread_ts")]

    # Analysed again (the customer wrote more): the same review, updated; no second announcement.
    server.seed_reply(CHANNEL, root, {"user": CUSTOMER_ID, "text": "Still broken. Worst shop ever"})
    await _mention(slack, root)
    assert len(_verdicts(server, root)) == 2
    everything = (await http.get("/api/reviews", params={"status": "all"})).json()["reviews"]
    assert [r["id"] for r in everything] == [review["id"]]
    updated = (await http.get(f"/api/reviews/{review['id']}")).json()
    assert updated["run_id"] != review["run_id"] and updated["status"] == "open"
    assert len(_announcements(server)) == 1

    # "Mark reviewed" on the latest verdict in the thread.
    latest = _verdicts(server, root)[-1]
    [block] = _actions(latest)
    button = next(e for e in block["elements"] if e["action_id"] == "review_resolve")
    response = await slack.press(
        latest,
        channel=CHANNEL,
        action={
            "type": "button",
            "action_id": button["action_id"],
            "block_id": block.get("block_id") or f"review:{review['id']}",
            "value": button["value"],
            "text": button["text"],
        },
    )
    assert response.status_code == 200
    await slack.settle()

    # The web sees it: gone from the open queue, resolved by that Slack user on /reviews.
    still_open = (await http.get("/api/reviews", params={"status": "open"})).json()
    assert review["id"] not in [r["id"] for r in still_open["reviews"]] and still_open["count"] == 0
    page = await http.get("/reviews")
    assert page.status_code == 200
    open_part, resolved_part = page.text.split('id="resolved-h"', 1)
    assert f'id="review-{review["id"]}"' not in open_part
    card = re.search(
        rf'<details class="card review resolved" id="review-{review["id"]}".*?</details>', resolved_part, re.S
    )
    assert card is not None
    assert "✓ by lead.anna" in card.group(0)
    assert "resolved by lead.anna" in card.group(0)  # the history keeps who did it
    after = next(m for m in server.messages(CHANNEL) if m["ts"] == latest["ts"])
    assert f"Marked reviewed by <@{LEAD_ID}>" in _all_text(after)


async def test_web_flags_are_announced_once_to_the_review_channel(surfaces: SlackHarness) -> None:
    slack, server, http = surfaces, surfaces.server, surfaces.http

    # A transcript pasted in the web chat.
    first = (await http.post("/api/chat", json={"text": TRANSCRIPT})).json()
    await slack.settle()
    run = (await http.get(f"/api/runs/{first['run']['run_id']}")).json()
    assert run["conversation"]["flagged"] is True
    [review] = (await http.get("/api/reviews")).json()["reviews"]
    assert review["platform"] == "web"
    [announced] = _announcements(server)
    text = _all_text(announced)
    assert f"New conversation to review #{review['id']}" in text
    assert {e["action_id"] for e in _actions(announced)[0]["elements"]} == {"review_resolve", "review_wrong"}
    assert "http://sentibot.test/reviews" in text  # the link to the queue

    # The same transcript again: the same review, no second announcement.
    await http.post("/api/chat", json={"text": TRANSCRIPT})
    await slack.settle()
    assert [r["id"] for r in (await http.get("/api/reviews")).json()["reviews"]] == [review["id"]]
    assert len(_announcements(server)) == 1

    # A conversation sent to the API is announced the same way, once.
    body = {
        "conversation": [
            {"author": "ana", "role": "customer", "text": "The app is awful, it crashed again"},
            {"author": "bo", "role": "agent", "text": "Have you tried reinstalling?"},
            {"author": "ana", "role": "customer", "text": "Worst support ever, I am angry"},
        ],
        "channel": "api-tests",
    }
    answer = (await http.post("/api/analyze", json=body)).json()
    assert answer["conversation"]["flagged"] is True
    await slack.settle()
    assert len(_announcements(server)) == 2
    assert "New conversation to review #" in _all_text(_announcements(server)[-1])
    await http.post("/api/analyze", json=body)
    await slack.settle()
    assert len(_announcements(server)) == 2
    assert len((await http.get("/api/reviews")).json()["reviews"]) == 2

    # A conversation that is not flagged is never announced.
    calm = {"text": "Customer: where is my parcel?\nAgent: It arrives tomorrow\nCustomer: great, thanks"}
    await http.post("/api/chat", json=calm)
    await slack.settle()
    assert len(_announcements(server)) == 2


# -- the digest scheduler inside the app ----------------------------------------------------------


@pytest.fixture
def scheduler_passes(monkeypatch: pytest.MonkeyPatch) -> asyncio.Queue[list[DeliveryResult]]:
    """The results of every `run_once` pass of the schedulers the app starts, as they end.

    The app builds its `DigestScheduler` in its lifespan; this one reports each pass (or the
    exception that ended it), so a test awaits the passes themselves instead of sleeping.
    """
    passes: asyncio.Queue[list[DeliveryResult]] = asyncio.Queue()

    class ObservedScheduler(scheduler_mod.DigestScheduler):
        async def run_once(self) -> list[DeliveryResult]:
            try:
                results = await super().run_once()
            except BaseException as exc:
                passes.put_nowait([DeliveryResult(D, "error", "failed", error=repr(exc))])
                raise
            passes.put_nowait(results)
            return results

    monkeypatch.setattr(scheduler_mod, "DigestScheduler", ObservedScheduler)
    return passes


async def _next_passes(passes: asyncio.Queue[list[DeliveryResult]], count: int) -> list[DeliveryResult]:
    """The next `count` finished passes, flattened. The bound only turns a hang into a failure."""
    done = await asyncio.wait_for(asyncio.gather(*(passes.get() for _ in range(count))), timeout=60)
    return [result for results in done for result in results]


async def test_app_scheduler_sends_yesterdays_web_digest_once(
    tmp_path: Path, scheduler_passes: asyncio.Queue[list[DeliveryResult]]
) -> None:
    db = tmp_path / "sentibot.db"
    store = Store(db)
    seed(store, day=D, channel="support", labels=["positive", "negative", "negative", "neutral"])
    seed(store, day=D - timedelta(days=1), channel="support", labels=["positive"])
    settings = Settings(
        SENTIBOT_DB=str(db),
        SENTIBOT_DIGEST_TARGETS="web",
        SENTIBOT_TIMEZONE="Asia/Shanghai",
        SENTIBOT_DIGEST_TIME="09:00",
    )

    def row() -> dict[str, Any] | None:
        return store.digests.get(date=D.isoformat(), target="web")

    try:
        with time_machine.travel(at(D + timedelta(days=1), 9, 20), tick=False):
            # Two instances on one database start together (e.g. a rolling restart): one sends.
            apps: list[FastAPI] = [create_app(settings, scheduler=True) for _ in range(2)]
            async with AsyncExitStack() as stack:
                for app in apps:
                    await stack.enter_async_context(app.router.lifespan_context(app))
                # Both schedulers' start-up passes, to their end: one sent, the other stood aside.
                both = await _next_passes(scheduler_passes, 2)
            assert sorted((r.day, r.target, r.status) for r in both) == [
                (D, "web", "sent"),
                (D, "web", "skipped"),
            ]
            sent = row()
            assert sent is not None and sent["status"] == "sent" and sent["attempts"] == 1
            # The day before was due yesterday, and sent by nobody: not today's business.
            assert store.digests.get(date=(D - timedelta(days=1)).isoformat(), target="web") is None

            # A restart the same morning: its pass finds the digest sent and sends nothing.
            again = create_app(settings, scheduler=True)
            async with again.router.lifespan_context(again):
                [restarted] = await _next_passes(scheduler_passes, 1)
                http = httpx.AsyncClient(transport=httpx.ASGITransport(app=again), base_url="http://t")
                page = await http.get(f"/digests/{D}")
                data = (await http.get(f"/api/digests/{D}")).json()
                await http.aclose()
            assert restarted.status == "skipped" and (restarted.detail or "").startswith("already sent")
            assert row() == sent
            assert [(d["target"], d["status"]) for d in data["deliveries"]] == [("web", "sent")]
            assert page.status_code == 200 and 'data-target="web" data-status="sent"' in page.text
            assert scheduler_passes.empty()  # no other pass ran (the next one is tomorrow 09:00)
    finally:
        store.close()
