"""Slack test kit: signed payloads as Slack sends them, fake labellers, and a harness that runs the
Slack router in a small FastAPI app with the Web API pointed at the stand-in.

Load the fixtures with `pytest_plugins = ["tests.standins.slack_fixtures"]` in a test module.
(PYTEST_DONT_REWRITE: test modules import helpers from here before pytest loads it as a plugin.)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI

from adapters.background import BackgroundWork
from adapters.slack.http import slack_router
from bot.config import Settings
from bot.core import Sentibot
from bot.labelers import ProgressFn
from domain.models import LabelBatchResult, LabeledItem, TextIn
from tests.standins.slack_server import BOT_TOKEN, StandinSlackServer

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
AGENT_ID = "UAGENT01"
LEAD_ID = "ULEAD001"
CUSTOMER_ID = "UCUST001"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

_NEGATIVE = ("broken", "refund", "terrible", "slow", "awful", "worst", "angry", "差", "慢", "退款")
_POSITIVE = ("thanks", "great", "love", "perfect", "good", "满意", "好", "谢谢")

# -- labellers ------------------------------------------------------------------------------------


class KeywordLabeler:
    """Deterministic stand-in for a model: a negative word wins, else a positive one, else neutral.

    With a `gate` it is a model that has not answered yet: each call sets `started`, then waits
    until the test sets the gate. `down` makes every item fail the way a real labeller reports
    an unreachable server (failed items with one reason, never an exception).
    """

    name = "fake-keywords"
    model: str | None = None
    prompt_version: str | None = None

    def __init__(self, *, gate: asyncio.Event | None = None, down: bool = False) -> None:
        self.gate = gate
        self.started = asyncio.Event()
        self.down = down
        self.calls = 0

    async def label(self, items: list[TextIn], *, on_progress: ProgressFn | None = None) -> LabelBatchResult:
        self.calls += 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        out = [self._one(item) for item in items]
        if on_progress:
            on_progress(len(items), len(items))
        return LabelBatchResult(items=out)

    def _one(self, item: TextIn) -> LabeledItem:
        if self.down:
            return LabeledItem(
                id=item.id,
                text=item.text,
                labeler=self.name,
                status="failed",
                error="model server unreachable at http://127.0.0.1:9/v1 (connection refused)",
            )
        lower = item.text.lower()
        negative = [w for w in _NEGATIVE if w in lower]
        positive = [w for w in _POSITIVE if w in lower]
        label, words = (
            ("negative", negative) if negative else ("positive", positive) if positive else ("neutral", [])
        )
        explanation = f"mentions {', '.join(words)}" if words else "no clear sentiment"
        return LabeledItem(
            id=item.id,
            text=item.text,
            label=label,
            confidence=0.9 if words else 0.6,
            explanation=explanation,
            keywords=words[:3],
            labeler=self.name,
        )


# -- payloads -------------------------------------------------------------------------------------


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature headers for `body`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


_event_ids = itertools.count(1)


def event_body(event: dict[str, Any], *, team_id: str, bot_user_id: str, event_id: str | None = None) -> dict:
    """An Events API `event_callback` envelope."""
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": "A0SENTIBOT",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team_id, "user_id": bot_user_id, "is_bot": True}],
        "is_ext_shared_channel": False,
    }


@dataclass
class SlackHarness:
    """The Slack surface of sentibot, wired to the stand-in, driven over HTTP like Slack does."""

    server: StandinSlackServer
    core: Sentibot
    work: BackgroundWork
    app: FastAPI
    http: httpx.AsyncClient
    secret: str = SIGNING_SECRET

    @property
    def bot_user_id(self) -> str:
        return self.server.bot_user_id

    async def post(
        self, body: str, content_type: str, *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.http.post(
            "/slack/events",
            content=body.encode(),
            headers={"Content-Type": content_type, **sign(body, secret=self.secret), **(headers or {})},
        )

    async def post_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        shared: bool = False,
    ) -> httpx.Response:
        """Deliver `event` signed; `shared` marks a Slack Connect channel (`is_ext_shared_channel`)."""
        envelope = event_body(
            event, team_id=self.server.team_id, bot_user_id=self.bot_user_id, event_id=event_id
        )
        envelope["is_ext_shared_channel"] = shared
        body = json.dumps(envelope)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(body, "application/json", headers=headers)

    async def post_command(
        self, text: str, *, channel: str = "C0SUPPORT", user: str = LEAD_ID
    ) -> httpx.Response:
        form = {
            "token": "legacy-verification-token",
            "team_id": self.server.team_id,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "support",
            "user_id": user,
            "user_name": "lead.anna",
            "command": "/sentiment",
            "text": text,
            "api_app_id": "A0SENTIBOT",
            "response_url": self.server.response_url("command"),
            "trigger_id": f"{next(_event_ids)}.trigger",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def press(
        self, message: dict[str, Any], *, channel: str, action: dict[str, Any], user: str = LEAD_ID
    ) -> httpx.Response:
        """A block_actions payload for `action` on `message` (as the stand-in holds it)."""
        payload = {
            "type": "block_actions",
            "user": {
                "id": user,
                "username": "lead.anna",
                "name": "lead.anna",
                "team_id": self.server.team_id,
            },
            "api_app_id": "A0SENTIBOT",
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel,
                "is_ephemeral": False,
                "thread_ts": message.get("thread_ts"),
            },
            "trigger_id": f"{next(_event_ids)}.trigger",
            "team": {"id": self.server.team_id, "domain": "acme"},
            "channel": {"id": channel, "name": "support"},
            "message": message,
            "response_url": self.server.response_url("action"),
            "actions": [{"action_ts": f"{time.time():.6f}", **action}],
        }
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    async def settle(self, *, timeout: float = 30.0) -> None:
        """Let bolt's listener tasks hand their work over, then drain the background work."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
            if not others and not self.work.pending:
                return
            if self.work.pending:
                await self.work.drain(timeout=deadline - time.monotonic())
            elif others:
                await asyncio.wait(others, timeout=max(0.0, deadline - time.monotonic()))
        raise AssertionError("background work did not finish in time")


def slack_settings(tmp_path: Path, server: StandinSlackServer, **extra: str) -> Settings:
    return Settings(
        SENTIBOT_DB=str(tmp_path / "sentibot.db"),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SENTIBOT_SLACK_API_URL=server.api_url,
        SENTIBOT_AGENT_IDS=AGENT_ID,
        SENTIBOT_PUBLIC_URL="http://sentibot.test",
        **extra,
    )


def make_app(core: Sentibot, work: BackgroundWork) -> FastAPI:
    """What the lead's web app does for Slack: include the router."""
    app = FastAPI()
    app.include_router(slack_router(core, work=work))
    return app


HarnessFactory = Callable[..., Awaitable[SlackHarness]]


@pytest.fixture
def slack_server() -> Iterator[StandinSlackServer]:
    server = StandinSlackServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def make_slack(tmp_path: Path, slack_server: StandinSlackServer) -> AsyncIterator[HarnessFactory]:
    """`await make_slack(labeler=…)` → a harness; several may share the DB (a restart)."""
    opened: list[SlackHarness] = []

    async def factory(*, labeler: Any = None, **settings: str) -> SlackHarness:
        core = Sentibot(
            settings=slack_settings(tmp_path, slack_server, **settings), labeler=labeler or KeywordLabeler()
        )
        work = BackgroundWork()
        app = make_app(core, work)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sentibot.test")
        harness = SlackHarness(server=slack_server, core=core, work=work, app=app, http=http)
        opened.append(harness)
        return harness

    yield factory
    for harness in opened:
        await harness.work.drain(timeout=10)
        await harness.http.aclose()
        await harness.core.aclose()


@pytest.fixture
async def slack(make_slack: HarnessFactory) -> SlackHarness:
    return await make_slack()
