"""Socket Mode wiring: the same bolt app and listeners as HTTP mode, driven without a live socket."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from adapters.background import BackgroundWork
from adapters.slack import http as slack_http
from adapters.slack.app import SlackNotConfigured, build_slack_app
from adapters.slack.http import slack_router
from adapters.slack.socket_mode import build_socket_mode_handler
from bot.config import Settings
from bot.core import Sentibot
from tests.standins.slack_fixtures import LEAD_ID, KeywordLabeler, event_body, sign, slack_settings
from tests.standins.slack_server import StandinSlackServer


class _FakeSocketClient:
    """Stands in for the WebSocket client: collects the envelope acks the handler sends."""

    def __init__(self, logger: Any) -> None:
        self.logger = logger
        self.sent: list[SocketModeResponse] = []

    async def send_socket_mode_response(self, response: SocketModeResponse) -> None:
        self.sent.append(response)


def _listeners(app: AsyncApp) -> list[str]:
    return sorted(listener.ack_function.__name__ for listener in app._async_listeners)


async def test_socket_mode_serves_the_same_app_and_answers_a_dm(
    tmp_path: Path, slack_server: StandinSlackServer
) -> None:
    settings = slack_settings(tmp_path, slack_server, SLACK_APP_TOKEN="xapp-1-standin")
    core = Sentibot(settings=settings, labeler=KeywordLabeler())
    work = BackgroundWork()
    handler = build_socket_mode_handler(core, work=work)
    try:
        assert isinstance(handler.app, AsyncApp)
        assert handler.app_token == "xapp-1-standin"
        assert handler.client.web_client is handler.app.client
        assert _listeners(handler.app) == _listeners(build_slack_app(core, work=work))
        assert _listeners(handler.app) == sorted(
            [
                "on_app_mention",
                "on_channel_message",  # the watch (adapters/slack/listeners/watch.py)
                "on_message",
                "on_review_action",
                "on_review_action",
                "on_sentiment",
            ]
        )

        ts = slack_server.next_ts()
        event = {
            "type": "message",
            "channel": "D0LEAD",
            "channel_type": "im",
            "user": LEAD_ID,
            "text": "the app keeps crashing, terrible",
            "ts": ts,
            "event_ts": ts,
        }
        body = event_body(event, team_id=slack_server.team_id, bot_user_id=slack_server.bot_user_id)
        fake = _FakeSocketClient(handler.app.logger)
        # No signature in Socket Mode: the envelope came over the authenticated socket.
        await handler.handle(fake, SocketModeRequest(type="events_api", envelope_id="env-1", payload=body))
        # A redelivery over the socket (retry_attempt) is acked and dropped.
        await handler.handle(
            fake, SocketModeRequest(type="events_api", envelope_id="env-2", payload=body, retry_attempt=1)
        )
        assert [r.envelope_id for r in fake.sent] == ["env-1", "env-2"]

        for _ in range(100):
            await asyncio.sleep(0.02)
            await work.drain()
            if slack_server.bot_messages("D0LEAD"):
                break
        [reply] = slack_server.bot_messages("D0LEAD")
        assert reply["text"].startswith("🔴 negative")
        assert json.dumps(reply["blocks"])
    finally:
        await work.drain()
        await handler.close_async()
        await core.aclose()


def test_socket_mode_needs_an_app_token(tmp_path: Path) -> None:
    core = Sentibot(
        settings=Settings(SENTIBOT_DB=str(tmp_path / "db.sqlite"), SLACK_BOT_TOKEN="xoxb-1"),
        labeler=KeywordLabeler(),
    )
    with pytest.raises(SlackNotConfigured, match="SLACK_APP_TOKEN"):
        build_socket_mode_handler(core, work=BackgroundWork())
    core.store.close()


async def test_http_endpoint_says_what_to_set_when_slack_is_off(tmp_path: Path) -> None:
    core = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "db.sqlite")), labeler=KeywordLabeler())
    app = FastAPI()
    app.include_router(slack_router(core, work=BackgroundWork()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.post("/slack/events", content=b"{}")
    assert response.status_code == 503
    assert "SLACK_SIGNING_SECRET" in response.json()["error"]
    await core.aclose()


async def test_router_builds_one_bolt_app_for_the_core_it_is_given(
    tmp_path: Path, slack_server: StandinSlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each router serves the core and work it was built with; its bolt app is built once."""
    built: list[tuple[Sentibot, BackgroundWork]] = []

    def build(core: Sentibot, *, work: BackgroundWork) -> AsyncApp:
        built.append((core, work))
        return build_slack_app(core, work=work)

    monkeypatch.setattr(slack_http, "build_slack_app", build)
    cores = []
    for n in range(2):
        core = Sentibot(settings=slack_settings(tmp_path / str(n), slack_server), labeler=KeywordLabeler())
        work = BackgroundWork()
        app = FastAPI()
        app.include_router(slack_router(core, work=work))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            for attempt in range(2):
                body = json.dumps({"token": "t", "challenge": f"c{n}{attempt}", "type": "url_verification"})
                response = await http.post(
                    "/slack/events", content=body, headers={"Content-Type": "application/json", **sign(body)}
                )
                assert response.status_code == 200 and response.json() == {"challenge": f"c{n}{attempt}"}
        assert built[-1] == (core, work)
        cores.append(core)
        await core.aclose()
    assert len(built) == 2 and built[0][0] is cores[0] and built[1][0] is cores[1]
