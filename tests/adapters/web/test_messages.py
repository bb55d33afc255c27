"""The history over HTTP: helpdesk posts (token or HMAC), idempotent, 202 then labelled, 429 when
full; browsing messages with filters and a cursor; a conversation with its messages."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.web.main import create_app
from bot.config import Settings
from bot.core import Sentibot
from tests.adapters.web.helpers import KeywordLabeler
from tests.standins.llm_server import StandinLLMServer

SECRET = "whsec-test-0123456789"


@asynccontextmanager
async def running(
    tmp_path: Path, *, labeler: Any = None, **extra: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Sentibot]]:
    settings = Settings(SENTIBOT_DB=str(tmp_path / "web.db"), **extra)
    core = Sentibot(settings=settings, labeler=labeler)
    app = create_app(core=core)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client, core
    finally:
        await core.aclose()


def signed(body: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Sentibot-Signature": f"sha256={digest}", "Content-Type": "application/json"}


TICKETS = {
    "source": "zendesk",
    "messages": [
        {
            "id": "c1",
            "conversation_id": "4711",
            "role": "customer",
            "author": "ann",
            "text": "My refund is still not here, this is bad",
            "created_at": "2026-11-27T09:00:00+08:00",
            "channel": "email",
        },
        {
            "id": "c2",
            "conversation_id": "4711",
            "role": "agent",
            "author": "bo",
            "text": "Sorry, I have escalated it",
            "created_at": "2026-11-27T09:05:00+08:00",
            "channel": "email",
        },
        {
            "id": "c3",
            "conversation_id": "4711",
            "role": "customer",
            "author": "ann",
            "text": "Thanks, great help",
            "created_at": "2026-11-27T10:00:00+08:00",
            "channel": "email",
        },
        {"id": "c4", "text": "   "},
        {"id": "c5", "text": "when?", "created_at": "last tuesday"},
    ],
}


async def test_a_signed_post_is_stored_at_once_labelled_behind_and_idempotent(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler(), SENTIBOT_INGEST_SECRET=SECRET) as (client, core):
        raw, headers = signed(TICKETS)
        first = await client.post("/api/messages", content=raw, headers=headers)
        assert first.status_code == 202, first.text
        answer = first.json()
        assert (answer["accepted"], answer["duplicates"]) == (3, 0)
        assert [r["index"] for r in answer["rejected"]] == [3, 4]
        assert "created_at" in answer["rejected"][1]["error"]

        again = await client.post("/api/messages", content=raw, headers=headers)  # the helpdesk retries
        assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 3)

        await core.ingest.drained()
        page = (await client.get("/api/messages", params={"conversation_id": "4711"})).json()
        assert [(m["external_id"], m["label"], m["status"]) for m in page["messages"]] == [
            ("c3", "positive", "ok"),
            ("c2", "neutral", "ok"),
            ("c1", "negative", "ok"),
        ]
        assert page["messages"][2]["created_at"] == "2026-11-27T01:00:00Z"
        conversation = (await client.get("/api/conversations/4711")).json()
        assert [m["role"] for m in conversation["messages"]] == ["customer", "agent", "customer"]
        assert conversation["verdict"] is None
        stats = (await client.get("/api/stats", params={"days": 7})).json()
        assert stats["summary"]["total"] >= 0  # counted by created_at (27 Nov), see the range test


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Sentibot-Signature": "sha256=" + "0" * 64},
        {"X-Sentibot-Signature": "md5=abc"},
        {},  # unsigned, no token
        {"Authorization": "Bearer guessed"},
    ],
)
async def test_a_bad_signature_is_401_and_nothing_is_stored(tmp_path: Path, headers: dict[str, str]) -> None:
    async with running(tmp_path, labeler=KeywordLabeler(), SENTIBOT_INGEST_SECRET=SECRET) as (client, core):
        raw, _ = signed(TICKETS)
        tampered = raw.replace(b"bad", b"good")
        response = await client.post(
            "/api/messages", content=tampered, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 401
        assert "error" in response.json()
        assert core.store.messages.count() == 0
        # The same body signed with the secret goes in.
        raw, good = signed(TICKETS)
        assert (await client.post("/api/messages", content=raw, headers=good)).status_code == 202


async def test_the_web_token_also_lets_a_tool_post(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler(), SENTIBOT_WEB_TOKEN="t0ken-long-enough") as (
        client,
        _,
    ):
        assert (await client.post("/api/messages", json=TICKETS)).status_code == 401
        ok = await client.post(
            "/api/messages", json=TICKETS, headers={"Authorization": "Bearer t0ken-long-enough"}
        )
        assert ok.status_code == 202 and ok.json()["accepted"] == 3
        assert (await client.get("/api/messages")).status_code == 401


class GatedLabeler(KeywordLabeler):
    """Labels only once the test opens the gate (the model is slow)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def label(self, items: Any, *, on_progress: Any = None) -> Any:
        await self.gate.wait()
        return await super().label(items, on_progress=on_progress)


async def test_a_full_queue_answers_429_with_retry_after_and_stores_nothing(tmp_path: Path) -> None:
    labeler = GatedLabeler()
    async with running(tmp_path, labeler=labeler) as (client, core):
        core.ingest.capacity = 4
        four = {"source": "crm", "messages": [{"id": str(i), "text": f"order {i} is slow"} for i in range(4)]}
        one = {"source": "crm", "messages": [{"id": "x", "text": "another one"}]}
        assert (await client.post("/api/messages", json=four)).status_code == 202
        full = await client.post("/api/messages", json=one)
        assert full.status_code == 429
        assert int(full.headers["Retry-After"]) >= 1 and "nothing was stored" in full.json()["error"]
        assert core.store.messages.count() == 4
        labeler.gate.set()
        await core.ingest.drained()
        assert (await client.post("/api/messages", json=one)).status_code == 202
        await core.ingest.drained()
        assert core.store.messages.count() == 5


async def test_a_thousand_messages_are_accepted_then_all_labelled_by_the_model(
    tmp_path: Path, llm_server: StandinLLMServer
) -> None:
    llm_server.configure(latency_s=0.01, per_item_s=0.001)
    async with running(
        tmp_path, SENTIBOT_LLM_BASE_URL=llm_server.base_url, SENTIBOT_LLM_THINKING="false"
    ) as (client, core):
        body = {
            "source": "freshdesk",
            "messages": [
                {
                    "id": i,
                    "text": f"ticket {i}: the refund is late" if i % 2 else f"ticket {i}: thanks, great",
                    "created_at": 1795831500 + i,
                }
                for i in range(1000)
            ],
        }
        response = await client.post("/api/messages", json=body)
        assert response.status_code == 202
        assert response.json() == {"accepted": 1000, "duplicates": 0, "rejected": []}
        await core.ingest.drained()
        labelled = core.store.messages.daily_counts(first_day="2026-01-01", last_day="2026-12-31")
        counts = {r["bucket"]: r["n"] for r in labelled}
        assert sum(counts.values()) == 1000 and "pending" not in counts and "failed" not in counts


async def test_browsing_filters_and_errors(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, core):
        await client.post("/api/messages", json=TICKETS)
        await core.ingest.drained()
        got = (
            await client.get(
                "/api/messages",
                params={"label": "negative", "from": "2026-11-27", "to": "2026-11-27", "q": "refund"},
            )
        ).json()
        assert [m["external_id"] for m in got["messages"]] == ["c1"]
        first = (await client.get("/api/messages", params={"limit": 2})).json()
        second = (
            await client.get("/api/messages", params={"limit": 2, "cursor": first["next_cursor"]})
        ).json()
        assert len(first["messages"]) == 2 and len(second["messages"]) == 1 and second["next_cursor"] is None
        for params, says in [
            ({"label": "angry"}, "label"),
            ({"from": "27/11/2026"}, "YYYY-MM-DD"),
            ({"cursor": "zzz"}, "cursor"),
            ({"aspect": "weather"}, "aspect"),
        ]:
            bad = await client.get("/api/messages", params=params)
            assert bad.status_code == 400 and says in bad.json()["error"]
        assert (await client.get("/api/conversations/nope")).status_code == 404
        body = await client.post("/api/messages", json={"source": "", "messages": []})
        assert body.status_code == 400 and "source" in body.json()["error"]
        too_many = await client.post(
            "/api/messages", json={"source": "x", "messages": [{"text": "a"}] * 1001}
        )
        assert too_many.status_code == 400 and "1000" in too_many.json()["error"]
