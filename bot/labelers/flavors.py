"""How each kind of OpenAI-compatible server wants Qwen3's thinking switched and sampled.

- vLLM / SGLang: the chat template decides, so the switch is
  `extra_body={"chat_template_kwargs": {"enable_thinking": bool}}`; `top_k` is an extra sampling
  field they accept at top level. (Tutorials' `{"enable_thinking": True, "return_reasoning": True}`
  is silently ignored by vLLM, which is why this goes through the template kwargs.)
- DashScope (compatible mode): a top-level `enable_thinking` in the body, and thinking only
  works on streamed requests, so a thinking request must stream.
- Ollama (`/v1`): the OpenAI `reasoning_effort` field; `"none"` is the only value that turns
  thinking off, any effort turns it on. Unknown fields such as `top_k` are ignored by Ollama's
  JSON decoder, and its Qwen3 model files already default to `top_k 20`.

Sampling follows the Qwen3 model card: thinking → temperature 0.6, top_p 0.95, top_k 20;
non-thinking → 0.7, 0.8, 20. Never greedy: the card warns greedy decoding makes thinking loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.config import Flavor

__all__ = ["RequestOptions", "request_options", "structured_output"]

THINKING_SAMPLING = {"temperature": 0.6, "top_p": 0.95, "top_k": 20}
NON_THINKING_SAMPLING = {"temperature": 0.7, "top_p": 0.8, "top_k": 20}


@dataclass(frozen=True)
class RequestOptions:
    """Keyword arguments for `ReasoningChatOpenAI` that depend on the flavor and the thinking switch."""

    temperature: float
    top_p: float
    max_tokens: int
    extra_body: dict[str, Any] = field(default_factory=dict)
    reasoning_effort: str | None = None
    streaming: bool = False

    def chat_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "extra_body": dict(self.extra_body),
            "streaming": self.streaming,
        }
        if self.reasoning_effort is not None:
            kwargs["reasoning_effort"] = self.reasoning_effort
        return kwargs


def request_options(*, flavor: Flavor, thinking: bool, max_tokens: int) -> RequestOptions:
    """The per-request options for `flavor` with thinking on or off."""
    sampling = THINKING_SAMPLING if thinking else NON_THINKING_SAMPLING
    temperature, top_p, top_k = sampling["temperature"], sampling["top_p"], sampling["top_k"]
    if flavor == "dashscope":
        return RequestOptions(
            temperature=temperature,
            top_p=top_p,
            max_tokens=max_tokens,
            extra_body={"enable_thinking": thinking, "top_k": top_k},
            streaming=thinking,
        )
    if flavor == "ollama":
        return RequestOptions(
            temperature=temperature,
            top_p=top_p,
            max_tokens=max_tokens,
            extra_body={"top_k": top_k},
            reasoning_effort="medium" if thinking else "none",
        )
    return RequestOptions(
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        extra_body={"chat_template_kwargs": {"enable_thinking": thinking}, "top_k": top_k},
    )


def structured_output(*, flavor: Flavor, thinking: bool, schema: dict[str, Any]) -> dict[str, Any] | None:
    """Body fields that make the server hold its final answer to `schema`, where it can.

    - vLLM / SGLang: OpenAI's `response_format: json_schema`. With a reasoning parser (`--reasoning-
      parser qwen3`) the grammar applies only after the reasoning ends, so thinking is kept.
    - DashScope: JSON mode (`json_object`; the prompt says "JSON", which it requires) and only
      without thinking: its documentation says thinking models do not support structured output.
    - Ollama: `json_schema` without thinking; with thinking, its grammar would constrain the
      thinking too, so the tolerant parser alone serves.
    None means: send nothing, rely on the prompt and the tolerant parser.
    """
    if flavor == "dashscope":
        return None if thinking else {"response_format": {"type": "json_object"}}
    if flavor == "ollama" and thinking:
        return None
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "sentiment_answer", "schema": schema, "strict": True},
        }
    }
