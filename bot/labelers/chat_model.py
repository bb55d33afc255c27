"""`ChatOpenAI` that keeps the reasoning Qwen3 servers send beside the answer.

vLLM/SGLang/DashScope put the model's thinking in a non-standard `reasoning_content` field (newer
vLLM and Ollama call it `reasoning`), on the message and on every streamed delta. Stock
`ChatOpenAI` drops unknown fields, so this subclass copies either one into
`additional_kwargs["reasoning_content"]`. Streamed chunks are merged by langchain-core, which
concatenates string values in `additional_kwargs`, so the same key works for both paths. Reasoning
that arrives inline as `<think>…</think>` inside the content is left alone here and split off by
`bot.labelers.answer_parsing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import openai
from langchain_core.language_models import LanguageModelInput
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI

__all__ = ["REASONING_KEY", "ReasoningChatOpenAI", "reasoning_of"]

REASONING_KEY = "reasoning_content"
_REASONING_FIELDS = ("reasoning_content", "reasoning")


def reasoning_of(message: Mapping[str, Any] | None) -> str | None:
    """The reasoning text of a raw message or delta dict, from whichever field the server used."""
    if not message:
        return None
    for field in _REASONING_FIELDS:
        value = message.get(field)
        if isinstance(value, str) and value:
            return value
    return None


class ReasoningChatOpenAI(ChatOpenAI):
    """Chat Completions client for OpenAI-compatible reasoning servers (vLLM, SGLang, Ollama, DashScope)."""

    def _get_request_payload(
        self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        # ChatOpenAI renames max_tokens to OpenAI's newer max_completion_tokens; Ollama and
        # DashScope's compatible mode only read max_tokens (vLLM and SGLang read both).
        if "max_completion_tokens" in payload:
            payload["max_tokens"] = payload.pop("max_completion_tokens")
        return payload

    def _create_chat_result(
        self, response: dict | openai.BaseModel, generation_info: dict | None = None
    ) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        if isinstance(response, dict):
            raw_choices = response.get("choices") or []
            messages = [choice.get("message") for choice in raw_choices]
        else:
            # openai's models keep unknown fields as extras, and model_dump returns them.
            messages = [choice.message.model_dump() for choice in getattr(response, "choices", None) or []]
        for generation, message in zip(result.generations, messages, strict=False):
            reasoning = reasoning_of(message)
            if reasoning:
                generation.message.additional_kwargs[REASONING_KEY] = reasoning
        return result

    def _convert_chunk_to_generation_chunk(
        self,
        chunk: dict,
        default_chunk_class: type,
        base_generation_info: dict | None,
    ) -> ChatGenerationChunk | None:
        generation_chunk = super()._convert_chunk_to_generation_chunk(
            chunk, default_chunk_class, base_generation_info
        )
        if generation_chunk is None:
            return None
        choices = chunk.get("choices") or chunk.get("chunk", {}).get("choices") or []
        if choices:
            reasoning = reasoning_of(choices[0].get("delta"))
            if reasoning:
                generation_chunk.message.additional_kwargs[REASONING_KEY] = reasoning
        return generation_chunk
