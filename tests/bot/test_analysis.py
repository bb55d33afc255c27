"""The labelling use case end to end: storage, cache, dedupe, failures, relabel, conversations."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import sqlite_utils
import time_machine

from bot.analysis import AnalysisRequest
from bot.config import Settings
from bot.core import MessageContext, Sentibot
from bot.errors import InputError
from domain.models import Turn
from tests.standins.llm_server import StandinLLMServer, oracle_label


def llm_settings(tmp_path: Path, server: StandinLLMServer, **extra: object) -> Settings:
    return Settings(
        SENTIBOT_DB=str(tmp_path / "s.db"),
        SENTIBOT_LLM_BASE_URL=server.base_url,
        SENTIBOT_LLM_TIMEOUT_S=5,
        **{key: value for key, value in extra.items()},
    )


async def test_db_keeps_everything_about_each_item(tmp_path: Path, llm_server: StandinLLMServer) -> None:
    bot = Sentibot(settings=llm_settings(tmp_path, llm_server))
    texts = ["物流太慢了 https://t.cn/abc @小王", "Great service, thanks!", "The package is on the way."]
    result = await bot.analyze(AnalysisRequest(texts=texts, source="cli", channel="support"))
    await bot.aclose()

    assert [item.label for item in result.items] == [oracle_label(t) for t in texts]
    db = sqlite_utils.Database(tmp_path / "s.db")
    run = db["runs"].get(result.run_id)
    assert run["status"] == "done" and run["total"] == 3 and run["done"] == 3
    rows = list(db.query("SELECT * FROM items WHERE run_id = ? ORDER BY idx", [result.run_id]))
    first = rows[0]
    assert first["text"] == texts[0]
    assert first["clean_text"] == "物流太慢了"  # URL and @mention removed, original kept
    assert first["label"] == "negative" and 0 < first["confidence"] <= 1
    assert json.loads(first["keywords"]) and first["explanation"]
    assert first["reasoning"]  # the model's thinking is stored
    assert first["labeler"] == "qwen3:Qwen3-1.7B" and first["model"] == "Qwen3-1.7B"
    assert first["prompt_version"] and first["latency_ms"] > 0
    assert first["status"] == "ok" and first["error"] is None
    assert first["channel"] == "support" and first["day"]


async def test_identical_texts_are_labelled_once_and_cached_across_restarts(
    tmp_path: Path, llm_server: StandinLLMServer
) -> None:
    settings = llm_settings(tmp_path, llm_server, SENTIBOT_LLM_BATCH_SIZE=1)
    bot = Sentibot(settings=settings)
    await bot.analyze(AnalysisRequest(texts=["太慢了", "太慢了", "  太慢了 ", "很好吃"]))
    await bot.aclose()
    assert llm_server.stats().requests == 2  # three copies of one text → one request

    again = Sentibot(settings=settings)  # a restart: new process state, same DB
    result = await again.analyze(AnalysisRequest(texts=["很好吃", "太慢了"]))
    await again.aclose()
    assert llm_server.stats().requests == 2  # cache hits skip the server
    assert [item.label for item in result.items] == ["positive", "negative"]
    assert all(item.cached for item in result.items)


async def test_server_down_fails_every_item_clearly_and_relabel_recovers(
    tmp_path: Path, llm_server: StandinLLMServer
) -> None:
    down = Settings(SENTIBOT_DB=str(tmp_path / "s.db"), SENTIBOT_LLM_BASE_URL="http://127.0.0.1:9/v1")
    bot = Sentibot(settings=down)
    result = await bot.analyze(AnalysisRequest(texts=["太慢了", "很好吃"]))
    await bot.aclose()
    assert result.summary.failed == 2 and result.status == "failed"
    assert all(item.label is None and item.status == "failed" for item in result.items)  # never neutral
    assert result.error and "127.0.0.1:9" in result.error

    healthy = Sentibot(settings=llm_settings(tmp_path, llm_server))
    recovered = await healthy.analysis.relabel_failed()
    await healthy.aclose()
    assert [r.run_id for r in recovered] == [result.run_id]
    assert [item.label for item in recovered[0].items] == ["negative", "positive"]
    assert recovered[0].status == "done" and recovered[0].chart_id


async def test_garbage_answers_end_failed_with_reason_then_relabel(
    tmp_path: Path, llm_server: StandinLLMServer
) -> None:
    llm_server.inject("garbage", times=200)  # more than every retry and re-ask together
    bot = Sentibot(settings=llm_settings(tmp_path, llm_server, SENTIBOT_LLM_MAX_RETRIES=1))
    result = await bot.analyze(AnalysisRequest(texts=["太慢了", "还行吧"]))
    assert all(item.status == "failed" and item.label is None and item.error for item in result.items)
    assert bot.store.cache.get_many([]) == {}

    await bot.aclose()

    with StandinLLMServer() as healthy_server:  # the model behaves again
        healthy = Sentibot(settings=llm_settings(tmp_path, healthy_server))
        recovered = await healthy.analysis.relabel_failed()
        await healthy.aclose()
    assert [item.label for item in recovered[0].items] == ["negative", "neutral"]
    assert all(item.status == "ok" for item in recovered[0].items)


async def test_conversation_flags_once_per_thread(tmp_path: Path) -> None:
    bot = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "s.db")))
    turns = [
        Turn(author="c", role="customer", text="我的退款三天了还没到账，太差了"),
        Turn(author="a", role="agent", text="请耐心等待"),
        Turn(author="c", role="customer", text="再不处理我就去投诉，太失望了"),
    ]
    context = MessageContext(source="slack", channel="C1", thread_key="slack:T:C1:1.0")
    first = await bot.judge_conversation(turns, context=context)
    second = await bot.judge_conversation(turns, context=context)
    open_reviews = bot.reviews(status="open")
    await bot.aclose()
    assert first.conversation and first.conversation.flagged
    assert first.review_id is not None and first.review_id == second.review_id
    assert [r["id"] for r in open_reviews] == [first.review_id]
    # The same verdict again changes nothing worth a history line.
    assert [e["action"] for e in bot_events(tmp_path, first.review_id)] == ["flagged"]


def bot_events(tmp_path: Path, review_id: int) -> list[dict[str, object]]:
    db = sqlite_utils.Database(tmp_path / "s.db")
    return list(db.query("SELECT action FROM review_events WHERE review_id = ? ORDER BY id", [review_id]))


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        ({"texts": []}, "nothing to label"),
        ({"texts": ["ok", "   "]}, "item 2 is empty"),
        ({"texts": ["x"] * 2001}, "too many items"),
        ({"texts": ["x" * 20001]}, "20000"),
        ({"conversation": [Turn(role="agent", text="hi")]}, "no customer turn"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_stored(
    tmp_path: Path, request_kwargs: dict[str, object], message: str
) -> None:
    bot = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "s.db")))
    with pytest.raises(InputError, match=message):
        await bot.analyze(AnalysisRequest(**request_kwargs))
    assert bot.store.runs.recent() == []
    await bot.aclose()


async def test_items_are_filed_under_the_local_day(tmp_path: Path) -> None:
    bot = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "s.db"), SENTIBOT_TIMEZONE="Asia/Shanghai"))
    with time_machine.travel("2026-03-01T23:30:00+00:00", tick=False):  # 07:30 on 2 March in Shanghai
        result = await bot.analyze(AnalysisRequest(texts=["great", "awful"]))
    db = sqlite_utils.Database(tmp_path / "s.db")
    days = {row["day"] for row in db.query("SELECT day FROM items WHERE run_id = ?", [result.run_id])}
    await bot.aclose()
    assert days == {"2026-03-02"}


async def test_a_run_cut_short_by_shutdown_is_kept_and_relabelled_later(tmp_path: Path) -> None:
    started = asyncio.Event()

    class Stuck:
        name, model, prompt_version = "stuck", None, None

        async def label(self, items, *, on_progress=None):  # type: ignore[no-untyped-def]
            started.set()
            await asyncio.sleep(3600)

    settings = Settings(SENTIBOT_DB=str(tmp_path / "s.db"))
    bot = Sentibot(settings=settings, labeler=Stuck())  # type: ignore[arg-type]
    task = asyncio.create_task(bot.analyze(AnalysisRequest(texts=["great", "awful"])))
    await started.wait()
    running = bot.store.runs.recent()[0]
    assert running["status"] == "running"
    # While it runs, relabel leaves it alone (another worker is on it).
    assert await bot.analysis.relabel_failed() == []
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    interrupted = bot.store.runs.get(running["id"])
    assert interrupted is not None
    assert (interrupted["status"], interrupted["error"]) == ("failed", "interrupted")
    await bot.aclose()

    offline = Sentibot(settings=settings)
    [recovered] = await offline.analysis.relabel_failed()
    await offline.aclose()
    assert recovered.run_id == running["id"] and recovered.status == "done"
    assert [item.label for item in recovered.items] == ["positive", "negative"]


async def test_the_same_chart_is_stored_once(tmp_path: Path) -> None:
    bot = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "s.db")))
    await bot.analyze(AnalysisRequest(texts=["great", "awful"]))
    first = await bot.stats(days=7)
    second = await bot.stats(days=7)  # a dashboard polling: no new picture each time
    count = bot.store.database.query("SELECT count(*) AS n FROM charts WHERE kind = 'stats'")[0]["n"]
    await bot.aclose()
    assert first.chart_id == second.chart_id
    assert count == 2  # one picture, in its two variants (compact and full)


async def test_a_resolved_review_stays_resolved_when_the_same_transcript_comes_again(tmp_path: Path) -> None:
    bot = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "s.db")))
    transcript = "客户: 退款一直没到账，太差了\n客服: 请耐心等待\n客户: 我要投诉你们，太失望了"
    first = await bot.handle_message(transcript, context=MessageContext(source="web"))
    assert first.review_id is not None
    bot.resolve_review(first.review_id, reviewer="amy", note="refunded")
    again = await bot.handle_message(transcript, context=MessageContext(source="web"))
    thread = [Turn(author="c", role="customer", text="还是没到账，太差了")]
    context = MessageContext(source="slack", channel="C1", thread_key="slack:T:C1:9.0")
    in_thread = await bot.judge_conversation(thread, context=context)
    bot.resolve_review(in_thread.review_id or 0, reviewer="amy")
    thread.append(Turn(author="c", role="customer", text="又坏了，太失望了"))
    went_on = await bot.judge_conversation(thread, context=context)
    statuses = {r["id"]: r["status"] for r in bot.reviews(status=None)}
    await bot.aclose()
    assert again.review_id == first.review_id and statuses[first.review_id] == "resolved"
    assert went_on.review_id == in_thread.review_id and statuses[in_thread.review_id or 0] == "open"


async def test_an_oversized_comment_is_truncated_with_a_note_not_dropped(
    tmp_path: Path, llm_server: StandinLLMServer
) -> None:
    bot = Sentibot(settings=llm_settings(tmp_path, llm_server))
    long_text = "物流太慢了。" + "这是很长的一段描述。" * 800
    result = await bot.analyze(AnalysisRequest(texts=[long_text, "很好"]))
    await bot.aclose()
    sent = llm_server.requests[0]["messages"][-1]["content"]
    first = result.items[0]
    assert first.status == "ok" and first.label == "negative"
    assert first.text == long_text  # the original is kept whole
    assert first.note == f"truncated from {len(long_text)} to 2000 characters"
    assert first.public()["note"] == first.note
    assert long_text[:2000] in sent and long_text[:2001] not in sent


async def test_a_review_cannot_be_resolved_twice_or_reopened_while_open(tmp_path: Path) -> None:
    from bot.errors import Conflict

    bot = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "s.db")))
    reply = await bot.handle_message(
        "客户: 退款一直没到账，太差了\n客服: 请耐心等待\n客户: 我要投诉你们，太失望了",
        context=MessageContext(source="web"),
    )
    review_id = reply.review_id or 0
    with pytest.raises(Conflict, match="already open"):
        bot.reopen_review(review_id, actor="bob")
    bot.resolve_review(review_id, reviewer="ann", note="called back")
    with pytest.raises(Conflict, match="already resolved by ann; reopen it first"):
        bot.resolve_review(review_id, reviewer="bob", note="me too")
    bot.reopen_review(review_id, actor="bob", note="customer wrote again")
    history = [(e["action"], e["actor"]) for e in bot.review(review_id)["events"]]
    await bot.aclose()
    assert history == [("flagged", "sentibot"), ("resolved", "ann"), ("reopened", "bob")]


async def test_a_conversation_analysed_again_is_counted_once_in_stats(tmp_path: Path) -> None:
    bot = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "s.db")))
    transcript = "客户: 退款一直没到账，太差了\n客服: 请耐心等待\n客户: 我要投诉你们，太失望了"
    first = await bot.handle_message(transcript, context=MessageContext(source="web"))
    for _ in range(2):
        await bot.handle_message(transcript, context=MessageContext(source="web"))
    await bot.handle_message("great service", context=MessageContext(source="web"))
    stats = await bot.stats(days=1, chart=False)
    earlier = bot.analysis.result(first.run_id or "")
    await bot.aclose()
    assert stats.summary.total == 3 + 1  # one conversation of three turns, one comment
    assert [item.label for item in earlier.items] == [item.label for item in first.items]  # still readable
    assert all(item.status == "ok" for item in earlier.items)
