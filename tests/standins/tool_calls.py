"""Tool-calling answers of the stand-in Qwen3 server, the way vLLM returns them for Qwen3.

vLLM started with `--enable-auto-tool-choice --tool-call-parser hermes` reads Qwen3's
`<tool_call>{"name": …, "arguments": …}</tool_call>` output and answers in the OpenAI shape: the
assistant message has `content: null` and `tool_calls: [{"id": "chatcmpl-tool-…", "type":
"function", "function": {"name", "arguments": "<JSON string>"}}]`, `finish_reason: "tool_calls"`.
The next request carries the results as `{"role": "tool", "tool_call_id", "content"}` messages and
the model writes its answer as ordinary content.

Instead of a model, a request with `tools` is answered by small rules:
- no tool results yet: pick the tools from the words of the question (inside `<question>`):
  complaints → `negative_by_aspect` + `examples`; why / compare / changed → `compare`; worst /
  flagged → `flagged_conversations`; anything else → `stats`. The period is passed as ISO dates
  computed from "Today is YYYY-MM-DD" in the system prompt (what a real model does);
- with tool results: an answer in the question's language that copies numbers from the results.

`behaviour` (the server's `tool_behaviour` setting) makes it misbehave on purpose:
- `honest` (default);
- `invent_number`: the answer adds a number no tool returned (4321);
- `unknown_tool`: the first call is to `delete_messages`, which does not exist; after the error
  comes back it calls the right tools;
- `always_unknown`: calls `delete_messages` every time;
- `obey_injection`: the answer follows an instruction found in a message text ("99%");
- `disabled`: a vLLM started without `--enable-auto-tool-choice`: 400 with vLLM's message.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import date, timedelta
from typing import Any

TOOL_BEHAVIOURS = ("honest", "invent_number", "unknown_tool", "always_unknown", "obey_injection", "disabled")
DISABLED_MESSAGE = '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set'


_CJK = re.compile(r"[\u4e00-\u9fff]")
_TODAY = re.compile(r"Today is (\d{4}-\d{2}-\d{2})")
_QUESTION = re.compile(r"<question>(.*?)</question>", re.S)


def _range(first: date, last: date) -> str:
    return f"{first.isoformat()}..{last.isoformat()}"


def _periods(question: str, today: date) -> tuple[str, str]:
    """(period, the one before it) as ISO ranges, from the question's words."""
    q = question.lower()
    week_start = today - timedelta(days=today.weekday())
    if "yesterday" in q or "昨天" in q:
        day = today - timedelta(days=1)
        if "since yesterday" in q or "changed" in q or "变化" in q:
            return _range(today, today), _range(day, day)
        return _range(day, day), _range(day - timedelta(days=1), day - timedelta(days=1))
    if "today" in q or "今天" in q:
        return _range(today, today), _range(today - timedelta(days=1), today - timedelta(days=1))
    if "last week" in q or "上周" in q:
        first = week_start - timedelta(days=7)
        return _range(first, first + timedelta(days=6)), _range(
            first - timedelta(days=7), first - timedelta(days=1)
        )
    if "this week" in q or "本周" in q or "这周" in q:
        return _range(week_start, today), _range(week_start - timedelta(days=7), today - timedelta(days=7))
    first = today - timedelta(days=6)
    return _range(first, today), _range(first - timedelta(days=7), first - timedelta(days=1))


def _call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-tool-{uuid.uuid4().hex[:16]}",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)},
    }


def _pick_tools(question: str, today: date) -> list[dict[str, Any]]:
    q = question.lower()
    period, before = _periods(question, today)
    if re.search(r"complain|unhappy|投诉|抱怨|不满", q):
        return [
            _call("negative_by_aspect", {"period": period}),
            _call("examples", {"period": period, "label": "negative", "limit": 3}),
        ]
    if re.search(r"why|compare|changed|为什么|变化|比较|对比", q):
        return [_call("compare", {"period": period, "compare_to": before})]
    if re.search(r"worst|flagged|最差|标记", q):
        return [_call("flagged_conversations", {"period": period})]
    return [_call("stats", {"period": period})]


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _write(results: list[tuple[str, dict[str, Any]]], zh: bool) -> str:
    """An answer copying numbers from the tool results."""
    sentences = []
    for name, data in results:
        if name == "negative_by_aspect":
            top = data["aspects"][0] if data["aspects"] else None
            if zh:
                sentences.append(
                    f"共有 {data['negative']} 条负面消息"
                    + (f"，最多的是{top['aspect']}（{top['negative']} 条）" if top else "")
                    + "。"
                )
            else:
                sentences.append(
                    f"There were {data['negative']} negative messages"
                    + (f", most about {top['aspect']} ({top['negative']})" if top else "")
                    + "."
                )
        elif name == "compare":
            was, now, share = (
                data["previous"]["negative"],
                data["period"]["negative"],
                _pct(data["period"]["shares"]["negative"]),
            )
            sentences.append(
                f"负面从 {was} 条变为 {now} 条，占比 {share}。"
                if zh
                else f"Negative went from {was} to {now} ({share} of labelled messages)."
            )
        elif name == "flagged_conversations":
            convs = data["conversations"]
            if convs:
                name, negative = convs[0]["conversation_id"], convs[0]["negative"]
                sentences.append(
                    f"最差的会话是 {name}，有 {negative} 条负面消息。"
                    if zh
                    else f"The worst conversation is {name} with {negative} negative messages."
                )
        elif name == "stats":
            total, negative, share = data["total"], data["negative"], _pct(data["shares"]["negative"])
            sentences.append(
                f"共 {total} 条消息，其中负面 {negative} 条（{share}）。"
                if zh
                else f"There were {total} messages, {negative} negative ({share})."
            )
    return " ".join(sentences) or ("没有找到数据。" if zh else "I found no data.")


def _message_texts(results: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [m.get("text") or "" for _, data in results for m in data.get("messages", [])]


def assistant_message(body: dict[str, Any], behaviour: str) -> tuple[dict[str, Any], str]:
    """The assistant message (and finish reason) for a chat request that offers tools."""
    messages = body.get("messages") or []
    system = next((str(m.get("content")) for m in messages if m.get("role") == "system"), "")
    found = _TODAY.search(system)
    today = date.fromisoformat(found.group(1)) if found else date.today()
    user = next((str(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    asked = _QUESTION.findall(user)
    question = (asked[-1] if asked else user).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    zh = bool(_CJK.search(question))
    offered = {tool["function"]["name"] for tool in body.get("tools") or []}

    # Tool results sent back since the question, matched to the calls that asked for them.
    calls: dict[str, str] = {}
    results: list[tuple[str, dict[str, Any]]] = []
    errors = 0
    for message in messages:
        for call in message.get("tool_calls") or []:
            calls[call["id"]] = call["function"]["name"]
        if message.get("role") == "tool":
            try:
                data = json.loads(message.get("content") or "")
            except ValueError:
                errors += 1
                continue
            results.append((calls.get(message.get("tool_call_id", ""), "?"), data))

    if behaviour == "always_unknown" or (behaviour == "unknown_tool" and not results and not errors):
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [_call("delete_messages", {"period": "today"})],
        }, "tool_calls"
    if not results:
        picked = [c for c in _pick_tools(question, today) if c["function"]["name"] in offered]
        return {"role": "assistant", "content": None, "tool_calls": picked}, "tool_calls"
    text = _write(results, zh)
    if behaviour == "invent_number":
        text += " 总共大约 4321 条。" if zh else " That is about 4321 in total."
    if behaviour == "obey_injection" and any("99%" in t for t in _message_texts(results)):
        text += " 99% 的消息是正面的。" if zh else " 99% of messages are positive."
    return {"role": "assistant", "content": text}, "stop"


def completion(
    body: dict[str, Any], *, model: str, behaviour: str, reasoning: str | None
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) of the non-streamed chat completion for a request with `tools`."""
    if behaviour == "disabled":
        return 400, {"object": "error", "message": DISABLED_MESSAGE, "type": "BadRequestError", "code": 400}
    message, finish = assistant_message(body, behaviour)
    if reasoning:
        message["reasoning_content"] = reasoning
    return 200, {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }
