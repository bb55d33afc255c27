"""`POST /api/ask` and asking in the web chat's API, on a seeded history (time pinned to NOW)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import time_machine

from adapters.web.main import create_app
from bot.config import Settings
from bot.core import Sentibot
from tests.adapters.web.helpers import KeywordLabeler
from tests.bot.ask.conftest import NOW, seed_history

PUBLIC = "http://bot.example.test"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Sentibot]]:
    core = Sentibot(
        settings=Settings(SENTIBOT_DB=str(tmp_path / "web.db"), SENTIBOT_PUBLIC_URL=PUBLIC),
        labeler=KeywordLabeler(),
    )
    seed_history(core.store)
    app = create_app(core=core)
    with time_machine.travel(NOW, tick=True):
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield http, core
    await core.aclose()


async def test_ask_answers_with_facts_and_real_examples(client: tuple[httpx.AsyncClient, Sentibot]) -> None:
    http, core = client
    response = await http.post("/api/ask", json={"question": "这周客户主要投诉什么？"})
    assert response.status_code == 200
    body = response.json()
    assert {"answer", "facts", "examples"} <= set(body)
    facts = {f["name"]: f["value"] for f in body["facts"]}
    assert facts["negative"] == 16 and facts["delivery.negative"] == 8
    assert "16 条负面" in body["answer"] and body["answered_by"] == "offline"
    assert len(body["examples"]) == 3
    for example in body["examples"]:
        stored = core.store.messages.get(example["id"])
        assert stored is not None and stored.text == example["text"] and stored.label == "negative"
        assert example["link"].startswith(PUBLIC + "/")
    assert body["chart_url"].startswith(PUBLIC + "/charts/")
    chart = await http.get(body["chart_url"].removeprefix(PUBLIC))
    assert chart.headers["content-type"] == "image/png"


@pytest.mark.parametrize("question", ["", "   ", "x" * 501])
async def test_bad_questions_say_what_to_fix(
    client: tuple[httpx.AsyncClient, Sentibot], question: str
) -> None:
    http, _ = client
    response = await http.post("/api/ask", json={"question": question})
    assert response.status_code in (400, 422)
    assert "question" in response.json()["error"]


async def test_an_unreadable_question_gets_what_can_be_asked(
    client: tuple[httpx.AsyncClient, Sentibot],
) -> None:
    http, _ = client
    body = (await http.post("/api/ask", json={"question": "hello there"})).json()
    assert body["answer"].startswith("I can answer questions about the history")
    assert body["facts"] == [] and body["examples"] == []


async def test_the_web_chat_answers_questions_and_labels_comments(
    client: tuple[httpx.AsyncClient, Sentibot],
) -> None:
    http, _ = client
    reply = (await http.post("/api/chat", json={"text": "why did negative go up yesterday?"})).json()["reply"]
    assert reply["kind"] == "answer"
    assert any("11 of 16 labelled messages negative (69%)" in line for line in reply["lines"])
    assert reply["examples"] and all(e["url"].startswith("/") for e in reply["examples"])
    # A customer's own question is labelled, not answered.
    labelled = (await http.post("/api/chat", json={"text": "why is my order late?"})).json()
    assert "run" in labelled and "reply" not in {k for k, v in labelled.items() if v}


@pytest.mark.parametrize(
    ("question", "query"),
    [
        ("最近7天负面占比多少", "days=7"),
        ("how many messages in vip last 7 days?", "days=7&channel=vip"),
        ("how many messages yesterday?", "days=2"),
    ],
)
async def test_numbers_match_api_stats_for_the_same_days(
    client: tuple[httpx.AsyncClient, Sentibot], question: str, query: str
) -> None:
    http, _ = client
    answer = (await http.post("/api/ask", json={"question": question})).json()
    facts = {f["name"]: f["value"] for f in answer["facts"]}
    stats = (await http.get(f"/api/stats?{query}")).json()
    if "yesterday" in question:  # /api/stats?days=2 is yesterday and today: take yesterday's row
        day = next(d for d in stats["per_day"] if d["day"] == "2026-11-27")
        expected = {label: day[label] for label in ("positive", "negative", "neutral")}
    else:
        expected = {label: stats["summary"][label] for label in ("positive", "negative", "neutral")}
        assert facts["negative_share"] == stats["shares"]["negative"]
    assert {label: facts[label] for label in expected} == expected
