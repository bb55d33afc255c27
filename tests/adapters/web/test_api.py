"""The HTTP API against the real app (httpx over ASGI, lifespan run), as the contract says."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.web.main import MAX_BODY_BYTES, create_app
from adapters.web.security import COOKIE_NAME, check_bind
from bot.config import Settings
from bot.core import Sentibot
from bot.labelers.qwen import QwenLabeler
from tests.adapters.web.helpers import FLAGGED_CONVERSATION, DownLabeler, KeywordLabeler
from tests.standins.llm_server import StandinLLMServer

PUBLIC = "http://bot.example.test"
ITEM_KEYS = {
    "id",
    "text",
    "label",
    "confidence",
    "explanation",
    "keywords",
    "reasoning",
    "labeler",
    "status",
    "error",
}
TOP_KEYS = {"run_id", "items", "summary", "explanation", "chart_url", "conversation"}
CONVERSATION = [
    {"author": "Ann", "role": "customer", "text": "My parcel arrived broken."},
    {"author": "Bo", "role": "agent", "text": "Sorry about that, could you send a photo?"},
    {"author": "Ann", "role": "customer", "text": "I did, twice. This is ridiculous, I want a refund."},
]


def settings(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(SENTIBOT_DB=str(tmp_path / "web.db"), SENTIBOT_PUBLIC_URL=PUBLIC, **extra)


@asynccontextmanager
async def running(
    tmp_path: Path, *, labeler: Any = None, **extra: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Sentibot]]:
    core = Sentibot(settings=settings(tmp_path, **extra), labeler=labeler or KeywordLabeler())
    app = create_app(core=core)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client, core
    finally:
        await core.aclose()


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Sentibot]]:
    async with running(tmp_path) as pair:
        yield pair


def run_count(core: Sentibot) -> int:
    return core.store.database.query("SELECT count(*) AS n FROM runs")[0]["n"]


def item_count(core: Sentibot) -> int:
    return core.store.database.query("SELECT count(*) AS n FROM items")[0]["n"]


# -- the three input shapes ----------------------------------------------------------------------


async def test_one_text(api):
    client, _ = api
    r = await client.post("/api/analyze", json={"text": "物流太慢了，等了一周"})
    assert r.status_code == 200
    body = r.json()
    assert body.keys() >= TOP_KEYS
    assert body["summary"] == {"total": 1, "positive": 0, "negative": 1, "neutral": 0, "failed": 0}
    (item,) = body["items"]
    assert item.keys() >= ITEM_KEYS
    assert item["label"] == "negative" and item["status"] == "ok" and item["error"] is None
    assert 0 <= item["confidence"] <= 1 and item["keywords"] and item["reasoning"]
    assert body["conversation"] is None


async def test_list_of_texts_with_chart(api):
    client, _ = api
    texts = ["Great support, thanks!", "The app is slow and broken", "Delivered on Tuesday", "退款太慢了"]
    r = await client.post("/api/analyze", json={"texts": texts, "channel": "support"})
    assert r.status_code == 200
    body = r.json()
    assert [i["text"] for i in body["items"]] == texts
    assert [i["label"] for i in body["items"]] == ["positive", "negative", "neutral", "negative"]
    assert body["summary"] == {"total": 4, "positive": 1, "negative": 2, "neutral": 1, "failed": 0}
    assert body["explanation"]
    assert body["chart_url"].startswith(f"{PUBLIC}/charts/") and body["chart_url"].endswith(".png")
    png = await client.get(body["chart_url"].removeprefix(PUBLIC))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


async def test_conversation_verdict_and_review(api):
    client, core = api
    r = await client.post("/api/analyze", json={"conversation": CONVERSATION, "channel": "vip"})
    assert r.status_code == 200
    body = r.json()
    verdict = body["conversation"]
    assert {"label", "resolved", "flagged", "reason"} <= verdict.keys()
    assert verdict["label"] == "negative" and verdict["flagged"] is True and verdict["resolved"] is False
    assert verdict["reason"]
    assert [i["role"] for i in body["items"]] == ["customer", "agent", "customer"]
    assert body["chart_url"]
    review_id = body["review_id"]

    open_reviews = (await client.get("/api/reviews", params={"status": "open"})).json()
    assert [r["id"] for r in open_reviews["reviews"]] == [review_id]
    assert open_reviews["reviews"][0]["run_id"] == body["run_id"]

    one = (await client.get(f"/api/reviews/{review_id}")).json()
    assert one["events"][0]["action"] == "flagged"

    resolved = await client.post(
        f"/api/reviews/{review_id}/resolve",
        json={"reviewer": "Mia", "note": "called back", "label": "neutral"},
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved" and resolved.json()["corrected_label"] == "neutral"
    assert (await client.get("/api/reviews?status=open")).json()["reviews"] == []
    done = (await client.get("/api/reviews?status=resolved")).json()["reviews"]
    assert [(r["id"], r["resolved_by"], r["note"]) for r in done] == [(review_id, "Mia", "called back")]

    reopened = await client.post(f"/api/reviews/{review_id}/reopen", json={"reviewer": "Mia"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert core.review(review_id)["events"][-1]["action"] == "reopened"
    assert core.review(review_id)["events"][-1]["actor"] == "Mia"
    # `actor`, the old name, is still accepted.
    await client.post(f"/api/reviews/{review_id}/resolve", json={"reviewer": "Mia"})
    reopened = await client.post(f"/api/reviews/{review_id}/reopen", json={"actor": "Bo"})
    assert reopened.status_code == 200 and core.review(review_id)["events"][-1]["actor"] == "Bo"
    r = await client.post(f"/api/reviews/{review_id}/reopen", json={"reviewer": " "})
    assert r.status_code == 400 and "reviewer" in r.json()["error"]
    schema = (await client.get("/openapi.json")).json()
    assert set(schema["components"]["schemas"]["ReopenIn"]["properties"]) == {"reviewer", "note"}
    assert "409" in schema["paths"]["/api/reviews/{review_id}/reopen"]["post"]["responses"]


async def test_review_state_conflicts_are_409(api, monkeypatch):
    from bot.errors import Conflict

    client, core = api

    def already(*_args: Any, **_kwargs: Any) -> dict:
        raise Conflict("review #7 is already resolved")

    monkeypatch.setattr(core, "resolve_review", already)
    r = await client.post("/api/reviews/7/resolve", json={"reviewer": "Mia"})
    assert r.status_code == 409 and r.json() == {"error": "review #7 is already resolved"}


async def test_review_errors(api):
    client, _ = api
    body = (await client.post("/api/analyze", json={"conversation": CONVERSATION})).json()
    rid = body["review_id"]
    r = await client.post(f"/api/reviews/{rid}/resolve", json={"reviewer": "  ", "note": ""})
    assert r.status_code == 400 and "reviewer" in r.json()["error"]
    r = await client.post(f"/api/reviews/{rid}/resolve", json={"reviewer": "Mia", "label": "angry"})
    assert r.status_code == 422 and "label" in r.json()["error"]
    r = await client.post("/api/reviews/999/resolve", json={"reviewer": "Mia"})
    assert r.status_code == 404 and "999" in r.json()["error"]
    r = await client.get("/api/reviews?status=maybe")
    assert r.status_code == 422 and "status" in r.json()["error"]
    assert (await client.get("/api/reviews?status=open")).json()["count"] == 1


async def test_stats(api):
    client, _ = api
    await client.post("/api/analyze", json={"texts": ["great", "bad", "ok then"]})
    r = await client.get("/api/stats", params={"days": 7})
    assert r.status_code == 200
    body = r.json()
    assert body["days"] == 7 and len(body["per_day"]) == 7
    assert body["summary"] == {"total": 3, "positive": 1, "negative": 1, "neutral": 1, "failed": 0}
    assert body["chart_url"].startswith(f"{PUBLIC}/charts/")
    assert (await client.get(body["chart_url"].removeprefix(PUBLIC))).status_code == 200
    for bad in ("0", "400", "abc"):
        r = await client.get("/api/stats", params={"days": bad})
        assert r.status_code in (400, 422) and "days" in r.json()["error"]


async def test_unknown_chart_and_run(api):
    client, _ = api
    r = await client.get("/charts/doesnotexist123.png")
    assert r.status_code == 404 and "error" in r.json()
    r = await client.get("/api/runs/nope")
    assert r.status_code == 404 and "nope" in r.json()["error"]


# -- bad input: 4xx with a helpful error, nothing stored -----------------------------------------


BAD_BODIES = [
    ({}, "send exactly one"),
    ({"text": ""}, "empty"),
    ({"text": "   "}, "empty"),
    ({"texts": []}, "nothing to label"),
    ({"texts": ["fine", ""]}, "item 2 is empty"),
    ({"texts": ["ok"] * 2001}, "too many items"),
    ({"text": "x" * 20_001}, "20000"),
    ({"texts": ["ok", "y" * 20_001]}, "item 2"),
    ({"texts": ["ok", 3]}, "`texts[1]` must be a string"),
    ({"text": ["a list"]}, "`text` must be a string"),
    ({"texts": "one string"}, "`texts` must be a list"),
    ({"text": "hi", "texts": ["hi"]}, "exactly one"),
    ({"text": "hi", "colour": "red"}, "unknown field `colour`"),
    ({"conversation": []}, "empty"),
    ({"conversation": [{"role": "agent", "text": "hello"}]}, "no customer turn"),
    ({"conversation": [{"role": "boss", "text": "hello"}]}, "role"),
    ({"conversation": [{"role": "customer"}]}, "`conversation[0].text` is required"),
    ({"conversation": [{"role": "customer", "text": "x", "mood": 1}]}, "unknown field"),
    ({"text": "hi", "channel": 5}, "`channel` must be a string"),
    ([1, 2], "JSON object"),
    ("just a string", "JSON object"),
]


@pytest.mark.parametrize(("body", "says"), BAD_BODIES, ids=[str(i) for i in range(len(BAD_BODIES))])
async def test_bad_input_is_a_4xx_and_stores_nothing(api, body, says):
    client, core = api
    runs, items = run_count(core), item_count(core)
    r = await client.post("/api/analyze", json=body)
    assert 400 <= r.status_code < 500, r.text
    error = r.json()["error"]
    assert isinstance(error, str) and says in error
    assert (run_count(core), item_count(core)) == (runs, items)


async def test_not_json_and_oversized_bodies(api):
    client, core = api
    runs = run_count(core)
    r = await client.post("/api/analyze", content=b'{"text": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and "not valid JSON" in r.json()["error"]
    r = await client.post("/api/analyze", content=b"", headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500 and r.json()["error"]

    big = json.dumps({"texts": ["长" * 10_000] * 200}).encode()
    assert len(big) > MAX_BODY_BYTES
    r = await client.post("/api/analyze", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "MB" in r.json()["error"]

    async def chunks():  # no Content-Length: streamed (chunked) upload
        for start in range(0, len(big), 256 * 1024):
            yield big[start : start + 256 * 1024]

    r = await client.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]
    assert run_count(core) == runs


async def test_json_sent_as_text_plain_says_which_content_type(api):
    client, core = api
    runs = run_count(core)
    for content_type in ("text/plain", "text/plain; charset=utf-8", None):
        headers = {"content-type": content_type} if content_type else {}
        r = await client.post("/api/analyze", content=b'{"text": "great"}', headers=headers)
        assert r.status_code == 422 and "send Content-Type: application/json" in r.json()["error"]
    r = await client.post("/api/analyze", content=b"[1]", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "Content-Type" not in r.json()["error"]
    assert run_count(core) == runs


async def test_cjk_font_is_cached_for_good(api):
    client, _ = api
    r = await client.get("/fonts/cjk.otf")
    if r.status_code == 404:
        pytest.skip("no CJK font installed (mplfonts)")
    assert r.status_code == 200 and r.headers["content-type"] == "font/otf"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    css = (await client.get("/static/app.css")).text
    face = css[css.index("@font-face") : css.index("}", css.index("@font-face"))]
    assert "font-display: swap" in face and "U+4E00-9FFF" in face and "/fonts/cjk.otf" in face


async def test_chat_page_lists_recent_runs_with_a_preview(api):
    client, _ = api
    await client.post("/api/analyze", json={"texts": ["<b>bold</b> terrible " + "x" * 200, "great"]})
    page = (await client.get("/")).text
    sidebar = page[page.index('class="sidebar"') :]
    assert "&lt;b&gt;bold&lt;/b&gt; terrible" in sidebar and "<b>bold</b>" not in sidebar
    shown = sidebar.split('class="recent-preview"', 1)[1].split(">", 1)[1].split("</span>", 1)[0]
    assert shown.endswith("…") and len(shown) < 100  # shortened; the title attribute has more
    assert "1 negative" in sidebar and "1 positive" in sidebar and "2 items" in sidebar


async def test_chat_message_too_long_is_rejected(api):
    client, core = api
    runs = run_count(core)
    r = await client.post("/api/chat", json={"text": "\n".join(["ok"] * 2001)})
    assert r.status_code == 400 and "too many items" in r.json()["error"]
    r = await client.post("/api/chat", json={"text": "   \n  "})
    assert r.status_code == 400 and "empty" in r.json()["error"]
    r = await client.post("/api/chat", json={"message": "hi"})
    assert r.status_code == 422
    assert run_count(core) == runs


# -- the web chat's JSON: commands, quick runs, long runs with progress ---------------------------


async def test_chat_commands(api):
    client, _ = api
    r = (await client.post("/api/chat", json={"text": "help"})).json()
    assert r["run"] is None and r["reply"]["kind"] == "help" and r["reply"]["lines"]
    r = (await client.post("/api/chat", json={"text": "帮助"})).json()
    assert r["reply"]["lang"] == "zh"
    await client.post("/api/chat", json={"text": "good\nbad"})
    r = (await client.post("/api/chat", json={"text": "统计 7d"})).json()
    assert r["reply"]["kind"] == "stats" and r["reply"]["lang"] == "zh"
    assert r["reply"]["chart_url"].startswith("/charts/")
    r = (await client.post("/api/chat", json={"text": "review"})).json()
    assert r["reply"]["kind"] == "reviews" and r["reply"]["reviews"] == []


async def test_chat_conversation_is_judged_and_flagged(api):
    client, _ = api
    r = (await client.post("/api/chat", json={"text": FLAGGED_CONVERSATION})).json()
    run = r["run"]
    while run["status"] == "running":  # a busy machine can take longer than the quick wait
        await asyncio.sleep(0.05)
        run = (await client.get(f"/api/runs/{run['run_id']}")).json()
    assert run["status"] == "done" and run["kind"] == "conversation"
    assert run["conversation"]["flagged"] is True
    assert run["review_url"] == f"/reviews#review-{run['review_id']}"
    assert run["reply"]["kind"] == "conversation" and run["reply"]["title"]
    assert run["chart_path"].startswith("/charts/")


async def test_long_list_reports_progress_then_finishes(tmp_path):
    async with running(tmp_path, labeler=KeywordLabeler(delay_s=0.02)) as (client, core):
        text = "\n".join(f"comment {i} is {'great' if i % 3 else 'bad'}" for i in range(120))
        r = (await client.post("/api/chat", json={"text": text})).json()
        run = r["run"]
        assert run["status"] == "running" and run["progress"]["total"] == 120
        seen = [run["progress"]["done"]]
        for _ in range(200):
            polled = (await client.get(f"/api/runs/{run['run_id']}")).json()
            seen.append(polled["progress"]["done"])
            if polled["status"] != "running":
                break
            await asyncio.sleep(0.05)
        assert polled["status"] == "done" and polled["summary"]["total"] == 120
        assert polled["summary"]["failed"] == 0
        assert seen == sorted(seen) and len(set(seen)) > 0
        assert any(0 < n < 120 for n in seen), seen  # progress was visible mid-way
        assert core.analysis.result(run["run_id"]).status == "done"


async def test_run_page_csv_and_escaping(api):
    client, _ = api
    evil = "<script>window.__pwned=1</script> terrible"
    body = (await client.post("/api/analyze", json={"texts": [evil, '=HYPERLINK("x") good']})).json()
    page = await client.get(f"/runs/{body['run_id']}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "<script>window.__pwned" not in page.text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page.text
    csv_r = await client.get(f"/runs/{body['run_id']}.csv")
    assert csv_r.status_code == 200 and csv_r.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_r.headers["content-disposition"]
    lines = csv_r.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,role,author,text,label")
    assert len(lines) == 3
    assert "'=HYPERLINK" in lines[2]  # no spreadsheet formulas from comment text
    for path in ("/", "/reviews"):
        assert (await client.get(path)).status_code == 200


async def test_health_and_docs(api):
    client, _ = api
    r = await client.get("/healthz")
    assert r.json() == {"status": "ok", "labeler": "qwen3:fake", "db": "ok"}
    spec = (await client.get("/openapi.json")).json()
    assert {"/api/analyze", "/api/stats", "/api/reviews", "/api/reviews/{review_id}/resolve"} <= spec[
        "paths"
    ].keys()
    ok = spec["paths"]["/api/analyze"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/AnalyzeOut")
    assert (await client.get("/docs")).status_code == 200


# -- the token -----------------------------------------------------------------------------------


async def test_token_required_when_set(tmp_path):
    async with running(tmp_path, SENTIBOT_WEB_TOKEN="s3cret-token") as (client, _):
        assert (await client.get("/api/stats")).status_code == 401
        assert (await client.get("/api/stats")).json()["error"]
        r = await client.post("/api/analyze", json={"text": "hi"})
        assert r.status_code == 401
        assert (await client.get("/api/stats", headers={"Authorization": "Bearer nope"})).status_code == 401
        auth = {"Authorization": "Bearer s3cret-token"}
        assert (await client.get("/api/stats", headers=auth)).status_code == 200
        body = (await client.post("/api/analyze", json={"texts": ["good", "bad"]}, headers=auth)).json()

        # Pages redirect to the login form; health and chart images stay open.
        page = await client.get("/reviews")
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/reviews"
        for path in ("/", f"/runs/{body['run_id']}", f"/runs/{body['run_id']}.csv", "/docs", "/openapi.json"):
            assert (await client.get(path)).status_code in (303, 401), path
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get(body["chart_url"].removeprefix(PUBLIC))).status_code == 200
        assert (await client.get("/login")).status_code == 200

        wrong = await client.post("/login", data={"token": "guess", "next": "/reviews"})
        assert wrong.status_code == 401 and COOKIE_NAME not in wrong.cookies
        login = await client.post("/login", data={"token": "s3cret-token", "next": "/reviews"})
        assert login.status_code == 303 and login.headers["location"] == "/reviews"
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert "s3cret-token" not in cookie
        assert (await client.get("/reviews")).status_code == 200  # the client keeps the cookie
        assert (await client.get("/api/reviews")).status_code == 200
        assert (await client.post("/api/chat", json={"text": "help"})).status_code == 200

        await client.post("/logout")
        client.cookies.clear()
        assert (await client.get("/api/reviews")).status_code == 401


async def test_login_never_redirects_off_site(tmp_path):
    async with running(tmp_path, SENTIBOT_WEB_TOKEN="tok") as (client, _):
        for target in ("https://evil.example", "//evil.example", "/\\evil.example"):
            r = await client.post("/login", data={"token": "tok", "next": target})
            assert r.headers["location"] == "/"


def test_check_bind(tmp_path):
    open_settings = settings(tmp_path)
    with pytest.raises(ValueError, match="SENTIBOT_WEB_TOKEN") as raised:
        check_bind("0.0.0.0", open_settings)
    assert "\n" not in str(raised.value)
    for host in ("::", "192.168.1.20", "bot.example.com", ""):
        with pytest.raises(ValueError):
            check_bind(host, open_settings)
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        check_bind(host, open_settings)
    check_bind("0.0.0.0", settings(tmp_path, SENTIBOT_WEB_TOKEN="t"))


# -- model server down: stored failed, relabelled later --------------------------------------------


async def test_model_server_down_then_relabel(tmp_path):
    async with running(tmp_path, labeler=DownLabeler()) as (client, core):
        r = await client.post("/api/analyze", json={"texts": ["good service", "slow refund"]})
        assert r.status_code == 200
        body = r.json()
        assert body["summary"]["failed"] == 2 and body["status"] == "failed"
        for item in body["items"]:
            assert item["status"] == "failed" and item["label"] is None
            assert "unreachable" in item["error"]
        run_id = body["run_id"]
        chat = (await client.post("/api/chat", json={"text": "one more\nand another"})).json()["run"]
        assert chat["error"] and "unreachable" in chat["error"]
        assert chat["reply"]["kind"] == "error" and "unreachable" in " ".join(chat["reply"]["lines"])
        assert core.analysis.result(run_id).status == "failed"

    # The server is back: relabelling completes the stored runs (through the core, and the API).
    async with running(tmp_path) as (client, core):
        results = await core.analysis.relabel_failed(run_id=run_id)
        assert [r.status for r in results] == ["done"]
        again = (await client.get(f"/api/runs/{run_id}")).json()
        assert again["summary"] == {"total": 2, "positive": 1, "negative": 1, "neutral": 0, "failed": 0}
        fixed = (await client.post(f"/api/runs/{chat['run_id']}/relabel")).json()
        assert fixed["status"] == "done" and fixed["summary"]["failed"] == 0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_real_labeller_with_server_down_then_standin_up(tmp_path):
    """The Qwen labeller against a closed port, then against the stand-in model server."""
    down = {
        "SENTIBOT_LLM_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1",
        "SENTIBOT_LLM_MAX_RETRIES": 0,
        "SENTIBOT_LLM_TIMEOUT_S": 5,
    }
    core = Sentibot(settings=settings(tmp_path, **down))
    assert isinstance(core.labeler, QwenLabeler)
    app = create_app(core=core)
    transport = httpx.ASGITransport(app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        body = (await client.post("/api/analyze", json={"texts": ["great", "awful"]})).json()
    await core.aclose()
    assert body["summary"]["failed"] == 2
    assert all(i["status"] == "failed" and i["label"] is None and i["error"] for i in body["items"])

    with StandinLLMServer().start() as server:
        core = Sentibot(settings=settings(tmp_path, SENTIBOT_LLM_BASE_URL=server.base_url))
        try:
            (result,) = await core.analysis.relabel_failed(run_id=body["run_id"])
        finally:
            await core.aclose()
    assert result.summary.failed == 0 and result.status == "done"
