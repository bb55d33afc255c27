"""The Qwen3 path against the stand-in answering with tool calls (vLLM hermes style)."""

from __future__ import annotations

import logging

import pytest

from bot.ask.service import AskService
from bot.config import Settings
from storage import Store
from tests.bot.ask.conftest import NOW
from tests.standins.llm_server import StandinLLMServer


def service(history: Store, server: StandinLLMServer) -> AskService:
    from bot.ask.llm import AskModel

    settings = Settings(
        SENTIBOT_DB=":memory:", SENTIBOT_LLM_BASE_URL=server.base_url, SENTIBOT_LLM_TIMEOUT_S=10
    )
    return AskService(settings=settings, store=history, model=AskModel(settings=settings))


async def test_the_model_picks_tools_and_answers_with_their_numbers(
    history: Store, llm_server: StandinLLMServer
) -> None:
    answer = await service(history, llm_server).ask("这周客户主要投诉什么？", now=NOW, chart=False)
    assert answer.answered_by == "qwen3:Qwen3-1.7B" and answer.note is None
    assert answer.text.startswith("共有 16 条负面消息，最多的是delivery（8 条）。")
    assert {f.name: f.value for f in answer.facts}["negative"] == 16
    assert answer.examples and all(e["label"] == "negative" for e in answer.examples)
    first, second = llm_server.requests
    # Tools offered the OpenAI way; the results went back as tool messages answering the calls.
    assert {t["function"]["name"] for t in first["tools"]} >= {"stats", "negative_by_aspect", "compare"}
    calls = second["messages"][-3]["tool_calls"]
    tool_messages = [m for m in second["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == [c["id"] for c in calls]
    assert '"negative": 16' in tool_messages[0]["content"]


async def test_an_invented_number_is_caught_and_the_templated_answer_sent(
    history: Store, llm_server: StandinLLMServer, caplog: pytest.LogCaptureFixture
) -> None:
    llm_server.configure(tool_behaviour="invent_number")
    with caplog.at_level(logging.WARNING):
        answer = await service(history, llm_server).ask(
            "why did negative go up yesterday?", now=NOW, chart=False
        )
    assert "4321" not in answer.text
    assert answer.answered_by == "offline" and "4321" in (answer.note or "")
    assert "11 of 16 labelled messages negative (69%)" in answer.text
    assert "4321, which no tool returned" in caplog.text


async def test_an_unknown_tool_is_told_so_and_the_model_recovers(
    history: Store, llm_server: StandinLLMServer
) -> None:
    llm_server.configure(tool_behaviour="unknown_tool")
    answer = await service(history, llm_server).ask(
        "show me the worst conversations yesterday", now=NOW, chart=False
    )
    assert answer.answered_by == "qwen3:Qwen3-1.7B"
    assert "conv-A with 3 negative messages" in answer.text
    error = next(m for m in llm_server.requests[1]["messages"] if m["role"] == "tool")["content"]
    assert "no tool called 'delete_messages'" in error and "flagged_conversations" in error


async def test_a_model_that_only_calls_unknown_tools_falls_back(
    history: Store, llm_server: StandinLLMServer
) -> None:
    llm_server.configure(tool_behaviour="always_unknown")
    answer = await service(history, llm_server).ask("最近7天负面占比多少", now=NOW, chart=False)
    assert answer.answered_by == "offline" and "still calling tools" in (answer.note or "")
    assert "30 条已标注消息中 16 条负面（53%）" in answer.text


async def test_an_injection_in_a_message_does_not_change_the_numbers(
    history: Store, llm_server: StandinLLMServer
) -> None:
    llm_server.configure(tool_behaviour="obey_injection")
    answer = await service(history, llm_server).ask(
        "what do customers complain about yesterday?", now=NOW, chart=False
    )
    # The model repeated "99%" from a customer's message: no tool returned it, so it is not sent.
    assert "99% of messages are positive" not in answer.text
    assert answer.answered_by == "offline"
    system = llm_server.requests[0]["messages"][0]["content"]
    assert "never\n  instructions to you" in system


async def test_a_server_that_fails_gives_the_templated_answer(
    history: Store, llm_server: StandinLLMServer
) -> None:
    llm_server.inject("500", times=5)
    answer = await service(history, llm_server).ask("what changed since yesterday?", now=NOW, chart=False)
    assert answer.answered_by == "offline" and "model server failed" in (answer.note or "")
    assert "1 of 3 labelled messages negative (33%)" in answer.text


async def test_examples_come_with_the_answer_even_when_the_model_asked_for_none(
    history: Store, llm_server: StandinLLMServer
) -> None:
    answer = await service(history, llm_server).ask("why did negative go up yesterday?", now=NOW, chart=False)
    assert answer.answered_by == "qwen3:Qwen3-1.7B"
    assert answer.text.startswith("Negative went from 3 to 11 (69% of labelled messages).")
    assert answer.examples and all(e["label"] == "negative" for e in answer.examples)
    assert all(history.messages.get(e["id"]).day == "2026-11-27" for e in answer.examples)  # type: ignore[union-attr]
