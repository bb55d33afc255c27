"""For the Slack and DingTalk drill-down tests: a stats reply from a real core over stored messages,
and what a link of it lists when opened on the web app's `/messages` page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from bot.commands import parse_command
from bot.core import MessageContext
from bot.replies import Reply
from tests.adapters.web.helpers import KeywordLabeler
from tests.adapters.web.test_history_pages import HTML, TICKETS, _texts
from tests.adapters.web.test_messages import running

PUBLIC_URL = "https://sentibot.example/"

# Chinese comments the offline labeller finds aspects in (delivery twice, service once).
CHINESE_TICKETS = {
    "source": "zendesk",
    "messages": [
        {"id": "z1", "text": "物流太慢了，等了一周还没到", "created_at": "2026-11-20T09:00:00+08:00"},
        {"id": "z2", "text": "客服态度很好，谢谢", "created_at": "2026-11-21T09:00:00+08:00"},
        {"id": "z3", "text": "快递很快", "created_at": "2026-11-22T09:00:00+08:00"},
    ],
}


@asynccontextmanager
async def stats_in_web_app(
    tmp_path: Path, command: str, *, chinese: bool = False
) -> AsyncIterator[tuple[httpx.AsyncClient, Reply]]:
    """The web app (its client) holding labelled tickets of 2026-11-20..22 — the four of the web's
    history tests (two negative), or with `chinese` three Chinese ones labelled by the offline
    labeller (with aspects) — and the stats reply `command` gets in a chat."""
    labeler: Any = None if chinese else KeywordLabeler()
    async with running(tmp_path, labeler=labeler, SENTIBOT_PUBLIC_URL=PUBLIC_URL) as (client, core):
        answer = await client.post("/api/messages", json=CHINESE_TICKETS if chinese else TICKETS)
        assert answer.status_code == 202, answer.text
        await core.ingest.drained()
        parsed = parse_command(command)
        assert parsed is not None
        reply = await core.run_command(parsed, context=MessageContext(source="chat"))
        assert reply.kind == "stats" and reply.drill
        yield client, reply


async def listed(client: httpx.AsyncClient, url: str) -> list[str]:
    """The texts of the messages the history page at `url` (under PUBLIC_URL) lists."""
    assert url.startswith(PUBLIC_URL.rstrip("/") + "/messages?"), url
    page = await client.get(url.removeprefix(PUBLIC_URL.rstrip("/")), headers=HTML)
    assert page.status_code == 200, page.text
    return _texts(page.text)
