"""What the Qwen3 labeller asks for and reads back: structured output, aspects, per-item reasoning."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.labelers.qwen import QwenLabeler
from domain.models import LabelBatchResult, TextIn
from tests.standins.llm_server import StandinLLMServer, oracle_aspects, oracle_label

TEXTS = ["物流太慢了，快递三天没动", "The staff were great, thanks", "I was charged twice, refund please"]


async def run(server: StandinLLMServer, texts: list[str] = TEXTS, **overrides: Any) -> LabelBatchResult:
    values: dict[str, Any] = {
        "llm_base_url": server.base_url,
        "llm_flavor_setting": "vllm",
        "llm_batch_size": 8,
        "llm_concurrency": 1,  # one request for the whole list
    }
    values.update(overrides)
    labeler = QwenLabeler(settings=Settings(**values), retry_wait_s=0.01, retry_wait_max_s=0.02)
    try:
        return await labeler.label([TextIn(id=n, text=t) for n, t in enumerate(texts)])
    finally:
        await labeler.aclose()


async def test_the_answer_schema_is_sent_to_vllm_and_aspects_come_back(llm_server: StandinLLMServer) -> None:
    result = await run(llm_server)
    response_format = llm_server.requests[0]["response_format"]
    assert response_format["type"] == "json_schema"
    item_schema = response_format["json_schema"]["schema"]["properties"]["items"]["items"]
    assert "aspects" in item_schema["required"]
    assert [i.label for i in result.items] == [oracle_label(t) for t in TEXTS]
    assert [i.aspects for i in result.items] == [oracle_aspects(t) for t in TEXTS]
    assert result.items[0].aspects == ["delivery"] and "billing" in result.items[2].aspects


async def test_chinese_aspect_names_are_read(llm_server: StandinLLMServer) -> None:
    llm_server.configure(shape="chinese", structured_output=False)
    result = await run(llm_server)
    assert [i.aspects for i in result.items] == [oracle_aspects(t) for t in TEXTS]


async def test_a_server_without_structured_output_is_asked_again_without_it(
    llm_server: StandinLLMServer,
) -> None:
    llm_server.configure(structured_output=False, shape="prose")
    result = await run(llm_server, llm_concurrency=3, llm_batch_size=1)
    assert all(item.status == "ok" for item in result.items)
    carried = ["response_format" in body for body in llm_server.requests]
    assert carried[0] and not any(carried[carried.index(False) :])  # refused once, then not sent again


async def test_dashscope_gets_json_mode_only_without_thinking(llm_server: StandinLLMServer) -> None:
    llm_server.configure(thinking_needs_stream=True)
    await run(llm_server, llm_flavor_setting="dashscope")
    assert "response_format" not in llm_server.requests[-1]  # its thinking models refuse it
    await run(llm_server, llm_flavor_setting="dashscope", llm_thinking=False)
    assert llm_server.requests[-1]["response_format"] == {"type": "json_object"}


async def test_each_item_gets_its_own_reasoning(llm_server: StandinLLMServer) -> None:
    result = await run(llm_server)
    for item in result.items:
        assert item.reasoning and item.text[:20] in item.reasoning
        others = [t for t in TEXTS if t != item.text]
        assert not any(other[:20] in item.reasoning for other in others)


async def test_without_markers_the_batch_reasoning_is_shown_as_such(llm_server: StandinLLMServer) -> None:
    llm_server.inject("no_markers")
    result = await run(llm_server)
    assert result.items[0].reasoning and result.items[0].reasoning.startswith("（未能找到这条评论单独的推理")
    assert result.items[1].reasoning and "whole batch of 3 comments" in result.items[1].reasoning
    assert all(TEXTS[2][:20] in (item.reasoning or "") for item in result.items)  # the whole batch's
