"""Bad input to the JSON API is a 4xx with `{"error": …}` that says what to fix, and nothing is
stored: invalid Unicode, out-of-range ids, an agent-only transcript, text that is empty once
cleaned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from adapters.web.main import create_app
from bot.config import Settings
from bot.core import Sentibot
from tests.adapters.web.helpers import KeywordLabeler


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Sentibot]]:
    core = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "web.db")), labeler=KeywordLabeler())
    app = create_app(core=core)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client, core
    finally:
        await core.aclose()


def stored(core: Sentibot) -> tuple[int, int]:
    runs = core.store.database.query("SELECT count(*) AS n FROM runs")[0]["n"]
    items = core.store.database.query("SELECT count(*) AS n FROM items")[0]["n"]
    return runs, items


SURROGATE = '"\\ud800"'


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/analyze", '{"text": ' + SURROGATE + "}", "text"),
        ("/api/analyze", '{"texts": ["fine", ' + SURROGATE + "]}", "texts"),
        ("/api/analyze", '{"text": "ok", "channel": ' + SURROGATE + "}", "channel"),
        (
            "/api/analyze",
            '{"conversation": [{"author": "a", "role": "customer", "text": "x\\udfff"}]}',
            "conversation[0].text",
        ),
        ("/api/chat", '{"text": ' + SURROGATE + "}", "text"),
        ("/api/chat", '{"text": "bad service \\ud83d"}', "text"),
    ],
)
async def test_lone_surrogate_is_a_422_and_nothing_is_stored(web, path: str, body: str, field: str) -> None:
    client, core = web
    response = await client.post(path, content=body.encode(), headers={"content-type": "application/json"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert f"`{field}`" in error and "surrogate" in error
    assert stored(core) == (0, 0)


@pytest.mark.parametrize("review_id", [2**63, 2**64, 10**30])
async def test_review_id_beyond_64_bits_is_a_4xx(web, review_id: int) -> None:
    client, _ = web
    for response in (
        await client.get(f"/api/reviews/{review_id}"),
        await client.post(f"/api/reviews/{review_id}/resolve", json={"reviewer": "ann"}),
        await client.post(f"/api/reviews/{review_id}/reopen", json={"reviewer": "ann"}),
    ):
        assert response.status_code == 422
        assert "review_id" in response.json()["error"]


async def test_review_id_out_of_range_is_not_found_in_the_core(web) -> None:
    """Slack buttons and the CLI reach the core without the route's bound."""
    from bot.errors import NotFound

    _, core = web
    with pytest.raises(NotFound):
        core.review(2**63)


async def test_agent_only_transcript_in_chat_is_refused_like_in_analyze(web) -> None:
    client, core = web
    text = "客服: 您好，请问有什么可以帮您？\n客服: 请提供订单号"
    chat = await client.post("/api/chat", json={"text": text})
    analyze = await client.post(
        "/api/analyze",
        json={"conversation": [{"role": "agent", "text": "hello"}, {"role": "agent", "text": "order id?"}]},
    )
    assert chat.status_code == analyze.status_code == 400
    assert "no customer turn" in chat.json()["error"]
    assert "no customer turn" in analyze.json()["error"]
    assert stored(core) == (0, 0)


@pytest.mark.parametrize(
    "text",
    [
        "\u200b\u200b\u200b",
        "\x00\x00",
        "\x01\x02\x7f",
        "@bob https://example.com/x?y=1",
        "<@U123> <#C1|general>",
    ],
)
async def test_text_empty_after_cleaning_is_refused_like_empty_input(web, text: str) -> None:
    client, core = web
    for path in ("/api/analyze", "/api/chat"):
        response = await client.post(path, json={"text": text})
        assert response.status_code == 400, (path, response.text)
        assert "nothing to label" in response.json()["error"]
    assert stored(core) == (0, 0)


async def test_list_keeps_its_other_items_and_the_empty_one_gets_a_reason(web) -> None:
    client, core = web
    response = await client.post(
        "/api/analyze",
        json={"texts": ["great support, thanks", "\u200b\x00", "@bob https://t.co/x", "slow refund"]},
    )
    assert response.status_code == 200
    body = response.json()
    labels = [item["label"] for item in body["items"]]
    assert labels == ["positive", None, None, "negative"]
    for item in body["items"][1:3]:
        assert item["status"] == "failed"
        assert "links, @mentions" in item["error"]
    assert body["summary"] == {"total": 4, "positive": 1, "negative": 1, "neutral": 0, "failed": 2}

    # Never counted in stats, never sent to the labeller, never picked up by relabel.
    stats = (await client.get("/api/stats?days=1")).json()
    assert stats["summary"]["total"] == 2
    assert stats["summary"]["failed"] == 0
    assert await core.analysis.relabel_failed() == []
