"""Answering with Qwen3 by tool calling: the model picks the tools, storage answers, the model writes.

The model is bound to the tools with langchain's `bind_tools` (OpenAI `tools` in the request;
vLLM serves them for Qwen3 only when started with `--enable-auto-tool-choice
--tool-call-parser hermes`). Rules:
- at most `MAX_ROUNDS` model calls; each round runs every tool call the model made and sends
  the results back as tool messages (JSON data; message texts inside are data, and the system
  prompt says so);
- an unknown tool, or arguments that cannot be read (a period that is not one), gets a tool
  message saying what went wrong and which tools exist — the model may try again;
- the answer is rejected (`ModelAnswerRejected`, the caller falls back to the templated answer)
  when the model used no tool successfully, ran out of rounds, could not be reached, or wrote a
  number that no tool returned (`bot/ask/numbers.py`).
The examples shown with the answer are the messages the tools returned (the model is told not to
quote messages itself).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import date
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

import prompts
from bot.ask import answers
from bot.ask.models import Answer
from bot.ask.numbers import allowed_numbers, invented_numbers
from bot.ask.offline import collect
from bot.ask.periods import Period, parse_period
from bot.ask.questions import Question
from bot.ask.tools import EXAMPLES, AskTools, ToolResult
from bot.config import Settings
from bot.i18n import detect_lang
from domain.models import ASPECTS, LABELS

log = logging.getLogger(__name__)

MAX_ROUNDS = 4
_THINK = re.compile(r"^.*?</think>\s*", re.S)

_PERIOD = {
    "type": "string",
    "description": 'the period in words ("this week", "上周", "last 7 days") or YYYY-MM-DD..YYYY-MM-DD',
}
_CHANNEL = {"type": "string", "description": "only this channel (omit for all channels)"}
_ASPECT = {"type": "string", "enum": list(ASPECTS), "description": "only messages about this aspect"}
_LABEL = {"type": "string", "enum": list(LABELS)}


def _tool(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


TOOL_SCHEMAS: list[dict[str, Any]] = [
    _tool(
        "stats",
        "Message counts and label shares for a period (optionally one channel, aspect).",
        {"period": _PERIOD, "channel": _CHANNEL, "aspect": _ASPECT, "label": _LABEL},
        ["period"],
    ),
    _tool(
        "negative_by_aspect",
        "Negative messages per aspect for a period, most first: what customers complain about.",
        {"period": _PERIOD, "channel": _CHANNEL},
        ["period"],
    ),
    _tool(
        "examples",
        "Real stored messages matching a filter in a period (attached to the answer as examples).",
        {
            "period": _PERIOD,
            "label": _LABEL,
            "aspect": _ASPECT,
            "channel": _CHANNEL,
            "limit": {"type": "integer", "minimum": 1, "maximum": 10},
        },
        ["period"],
    ),
    _tool(
        "compare",
        "Two periods side by side: label mix, negatives per aspect and per channel, and the changes.",
        {
            "period": _PERIOD,
            "compare_to": {**_PERIOD, "description": "the earlier period"},
            "channel": _CHANNEL,
        },
        ["period", "compare_to"],
    ),
    _tool(
        "flagged_conversations",
        "The worst conversations of a period: flagged by the quality check first, then the most negative.",
        {"period": _PERIOD, "channel": _CHANNEL, "limit": {"type": "integer", "minimum": 1, "maximum": 10}},
        ["period"],
    ),
]
TOOL_NAMES = [schema["function"]["name"] for schema in TOOL_SCHEMAS]


class ModelAnswerRejected(Exception):
    """The model's answer cannot be sent as is; the message says why (for the log and the note)."""


class ToolCallError(ValueError):
    """A tool call that cannot be run (unknown tool, unreadable arguments)."""


def _period(args: dict[str, Any], key: str, today: date) -> Period:
    value = args.get(key)
    period = parse_period(str(value), today=today) if value else None
    if period is None:
        raise ToolCallError(
            f'{key} {value!r} is not a period: use words such as "last 7 days" or YYYY-MM-DD..YYYY-MM-DD.'
        )
    return period


def _choice(args: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    value = args.get(key)
    if value in (None, ""):
        return None
    if value not in allowed:
        raise ToolCallError(f"{key} must be one of {', '.join(allowed)}, not {value!r}.")
    return str(value)


def run_tool_call(tools: AskTools, name: str, args: dict[str, Any], *, today: date) -> ToolResult:
    """Run one tool call the model made; ToolCallError says what was wrong with it."""
    if name not in TOOL_NAMES:
        raise ToolCallError(f"There is no tool called {name!r}.")
    channel = str(args["channel"]) if args.get("channel") else None
    limit = args.get("limit")
    if limit is not None and not isinstance(limit, int):
        raise ToolCallError("limit must be a whole number.")
    period = _period(args, "period", today)
    if name == "stats":
        return tools.stats(
            period,
            channel=channel,
            aspect=_choice(args, "aspect", ASPECTS),
            label=_choice(args, "label", LABELS),
        )
    if name == "negative_by_aspect":
        return tools.negative_by_aspect(period, channel=channel)
    if name == "examples":
        return tools.examples(
            period,
            label=_choice(args, "label", LABELS),
            aspect=_choice(args, "aspect", ASPECTS),
            channel=channel,
            limit=limit or EXAMPLES,
        )
    if name == "compare":
        return tools.compare(period, _period(args, "compare_to", today), channel=channel)
    return tools.flagged_conversations(period, channel=channel, limit=limit or 5)


def _text_of(message: AIMessage) -> str:
    content = message.content
    if isinstance(content, list):
        content = "".join(
            b if isinstance(b, str) else str(b.get("text", "")) for b in content if isinstance(b, str | dict)
        )
    text = str(content or "")
    if "</think>" in text:
        text = _THINK.sub("", text, count=1)
    return text.strip()


class AskModel:
    """Qwen3 behind an OpenAI-compatible server, bound to the query tools."""

    def __init__(self, *, settings: Settings, chat: Any | None = None) -> None:
        self.settings = settings
        self.name = f"qwen3:{settings.llm_model}"
        if chat is None:
            from bot.labelers.chat_model import ReasoningChatOpenAI
            from bot.labelers.flavors import request_options

            options = request_options(
                flavor=settings.llm_flavor, thinking=settings.llm_thinking, max_tokens=settings.llm_max_tokens
            )
            chat = ReasoningChatOpenAI(
                model=settings.llm_model,
                base_url=(settings.llm_base_url or "").rstrip("/"),
                api_key=settings.llm_api_key or "EMPTY",
                timeout=settings.llm_timeout_s,
                max_retries=1,
                use_responses_api=False,
                **options.chat_kwargs(),
            )
        self._bound = chat.bind_tools(TOOL_SCHEMAS)

    async def check(self, *, today: date) -> tuple[bool, str]:
        """For `sentibot doctor`: does the server answer a question with tool calls?"""
        messages = self._messages("how many messages were there today?", today=today, lang="en")
        try:
            reply = await asyncio.wait_for(self._bound.ainvoke(messages), self.settings.llm_timeout_s)
        except Exception as exc:
            text = str(exc)
            if "tool" in text.lower():
                return False, (
                    f"tool calling is refused ({text[:160]}): asking about the history needs vLLM started "
                    "with --enable-auto-tool-choice --tool-call-parser hermes (the templated answers serve "
                    "meanwhile)"
                )
            return False, f"a test question failed: {text[:200]}"
        if isinstance(reply, AIMessage) and reply.tool_calls:
            names = ", ".join(call["name"] for call in reply.tool_calls)
            return True, f"a test question came back as tool calls ({names})"
        return False, (
            "the model answered without tool calls: start vLLM with --enable-auto-tool-choice "
            "--tool-call-parser hermes (the templated answers serve meanwhile)"
        )

    def _messages(self, question: str, *, today: date, lang: str) -> list[BaseMessage]:
        system = prompts.render(
            "ask_system",
            today=today.isoformat(),
            weekday=today.strftime("%A"),
            timezone=self.settings.timezone,
            lang=lang,
            aspects=", ".join(ASPECTS),
        )
        return [
            SystemMessage(content=system),
            HumanMessage(content=prompts.render("ask_question", question=question)),
        ]

    async def answer(
        self, question: str, *, today: date, tools: AskTools, fallback: Question | None = None
    ) -> Answer:
        """The model's answer, checked; raises ModelAnswerRejected when it cannot be sent."""
        lang = fallback.lang if fallback else detect_lang(question)
        messages = self._messages(question, today=today, lang=lang)
        results: list[ToolResult] = []
        text: str | None = None
        for _ in range(MAX_ROUNDS):
            try:
                reply = await asyncio.wait_for(self._bound.ainvoke(messages), self.settings.llm_timeout_s)
            except Exception as exc:  # any failure of the model server: answer from the templates
                raise ModelAnswerRejected(f"the model server failed: {exc or type(exc).__name__}") from exc
            if not isinstance(reply, AIMessage):
                raise ModelAnswerRejected("the model server sent no message")
            if not reply.tool_calls:
                text = _text_of(reply)
                break
            messages.append(reply)
            for call in reply.tool_calls:
                try:
                    result = await asyncio.to_thread(
                        run_tool_call, tools, call["name"], call.get("args") or {}, today=today
                    )
                except ToolCallError as exc:
                    log.info(
                        "ask: the model's tool call %s(%s) was refused: %s",
                        call["name"],
                        call.get("args"),
                        exc,
                    )
                    content = prompts.render("ask_tool_error", error=str(exc), tools=", ".join(TOOL_NAMES))
                else:
                    results.append(result)
                    content = json.dumps(result.data, ensure_ascii=False, default=str)
                messages.append(ToolMessage(content=content, tool_call_id=call.get("id") or call["name"]))
        if text is None:
            raise ModelAnswerRejected(f"the model was still calling tools after {MAX_ROUNDS} rounds")
        if not results:
            raise ModelAnswerRejected(
                "the model answered without a tool result, so its numbers cannot be checked"
            )
        if not text:
            raise ModelAnswerRejected("the model's answer was empty")
        invented = invented_numbers(text, allowed_numbers([r.data for r in results], question))
        if invented:
            shown = ", ".join(f"{n:g}" for n in invented[:5])
            raise ModelAnswerRejected(f"the model's answer states {shown}, which no tool returned")
        facts, examples = collect(results)
        if not examples and fallback is not None:  # the model asked for no messages: show some anyway
            label = fallback.label or (None if fallback.kind == "counts" else "negative")
            extra = await asyncio.to_thread(
                tools.examples, fallback.period, label=label, aspect=fallback.aspect, channel=fallback.channel
            )
            examples = extra.examples
        examples = examples[:EXAMPLES]
        if examples:
            text += (
                "\n"
                + answers.examples_heading(lang)
                + "\n"
                + "\n".join(answers.quote(e, lang) for e in examples)
            )  # type: ignore[arg-type]
        return Answer(
            question=question,
            lang=lang,  # type: ignore[arg-type]
            kind=fallback.kind if fallback else None,
            text=text,
            facts=facts,
            examples=examples,
            answered_by=self.name,
            period=fallback.period.label() if fallback else None,
        )
