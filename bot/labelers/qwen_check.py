"""`sentibot doctor`'s look at the model server: reachable, model served, a test label, reasoning
seen, and the concurrency the bot learned for it. One line each, saying what to fix."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, NamedTuple

import httpx
import openai

from bot.labelers.adaptive_limit import AdaptiveLimit
from bot.labelers.llm_transport import exception_reason, status_reason
from domain.models import TextIn

if TYPE_CHECKING:
    from bot.labelers.qwen import QwenLabeler

__all__ = ["CheckLine", "check_server", "concurrency_line"]


class CheckLine(NamedTuple):
    """One line of `sentibot doctor`: what was checked, whether it is fine, and what to do."""

    name: str
    ok: bool
    message: str


async def check_server(labeler: QwenLabeler) -> list[CheckLine]:
    settings = labeler.settings
    timeout_s = settings.llm_timeout_s
    lines: list[CheckLine] = []
    try:
        page = await asyncio.wait_for(
            labeler.transport.chat.root_async_client.models.list(), min(timeout_s, 15)
        )
        ids = [model.id async for model in page]
    except (openai.APIConnectionError, httpx.TransportError, TimeoutError) as exc:
        return [CheckLine("model server", False, exception_reason(exc, labeler.base_url, timeout_s))]
    except openai.APIStatusError as exc:
        return [CheckLine("model server", False, status_reason(exc))]
    lines.append(CheckLine("model server", True, f"reachable at {labeler.base_url}"))
    if labeler.model in ids:
        lines.append(CheckLine("model", True, f"{labeler.model} is served"))
    else:
        shown = ", ".join(ids[:5]) or "none"
        lines.append(
            CheckLine(
                "model",
                False,
                f"{labeler.model} is not served there (it has: {shown}); set SENTIBOT_LLM_MODEL",
            )
        )
        return lines
    probe = await labeler.label([TextIn(id=1, text="The delivery was fast and the staff were friendly.")])
    item = probe.items[0]
    if item.status != "ok":
        lines.append(CheckLine("labelling", False, f"a test label failed: {item.error}"))
        return lines
    lines.append(
        CheckLine("labelling", True, f"a test comment came back {item.label} in {item.latency_ms:.0f} ms")
    )
    if not settings.llm_thinking:
        lines.append(CheckLine("reasoning", True, "thinking is off (SENTIBOT_LLM_THINKING=false)"))
    elif item.reasoning:
        lines.append(CheckLine("reasoning", True, f"reasoning seen ({len(item.reasoning)} characters)"))
    else:
        lines.append(
            CheckLine(
                "reasoning",
                False,
                "no reasoning came back: start the server with a reasoning parser (vLLM/SGLang "
                f"`--reasoning-parser qwen3`) or check SENTIBOT_LLM_FLAVOR (now {settings.llm_flavor})",
            )
        )
    lines.append(concurrency_line(labeler.limiter, fixed_cap=settings.llm_concurrency != "auto"))
    return lines


def concurrency_line(limiter: AdaptiveLimit, *, fixed_cap: bool) -> CheckLine:
    """What the bot learned about how many requests this server serves well at once."""
    state = limiter.state()
    cap = (
        f"at most {limiter.max_limit} (SENTIBOT_LLM_CONCURRENCY)"
        if fixed_cap
        else f"up to {limiter.max_limit}"
    )
    if state.samples == 0:
        learned = f"nothing learned yet: starts at {state.limit} and adapts"
    else:
        learned = f"{state.limit} requests at once, learned from {state.samples} answers"
        if state.probing:
            learned += " (still growing: no queueing seen yet)"
    quota = f"; it refused more than {state.ceiling} at once (429)" if state.ceiling is not None else ""
    return CheckLine("concurrency", True, f"adaptive, {cap}: {learned}{quota}")
