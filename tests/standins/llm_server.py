"""A stand-in for a vLLM/SGLang/Ollama/DashScope server running Qwen3, over real HTTP.

It speaks the OpenAI Chat Completions API on 127.0.0.1 (`GET /v1/models`,
`POST /v1/chat/completions`, streamed as SSE ending in `data: [DONE]`, or not) from an aiohttp
app on its own event loop in a background thread, so the code under test uses its real HTTP
stack. Instead of a model it labels each `<item id="N">…</item>` of the last user message with a
small deterministic zh+en lexicon (`oracle_label`), so tests know the right answer.

What can be set (`configure(...)`, thread-safe, or constructor keywords):
- `reasoning`: where the thinking goes: `reasoning_content` (vLLM ≤0.9, SGLang, DashScope),
  `reasoning` (newer vLLM, Ollama), `think_inline` (content starts with `<think>…</think>`, a server
  without a reasoning parser), `think_close_only` (content is `…</think>answer`: the template
  opened the block in the prompt), or `none`;
- `shape`: `plain` JSON, `fenced` in ```json, `prose` (text before and after), `chinese` labels
  (正面/负面/中性), `string_confidence` ("0.9"), or `messy` (all of those plus percent confidence,
  keywords as one comma string and ids as strings);
- the thinking switch is honoured the way each real server reads it: vLLM/SGLang
  `chat_template_kwargs.enable_thinking`, DashScope top-level `enable_thinking`, Ollama
  `reasoning_effort: "none"`; `thinking_needs_stream=True` makes it refuse non-streamed thinking
  requests with a 400, as DashScope does;
- `latency_s` + `per_item_s` × items per request, served by at most `max_concurrency` requests at
  a time (the rest queue, like vLLM's `max_num_seqs`), with `stats()`: requests served, peak in
  flight, busy slot-seconds, so `capacity_used = busy_slot_seconds / (max_concurrency * wall)`;
- `inject(kind, times=N)`: the next N chat requests fail as `"500"`, `"429"` (with
  `Retry-After: retry_after_s`), `"garbage"` (prose, no JSON), `"missing"` (last item dropped),
  `"length"` (`finish_reason: "length"`, empty content), `"hang"` (sleeps `hang_s`, longer than
  any client timeout in the tests), `"no_markers"` (reasoning without the `[item N]` markers),
  or `"answer"` (answers normally, so a script such as "answer two requests, then hang" is
  `inject("answer", times=2); inject("hang")`);
- `quota`: a DashScope-like server that answers 429 at once (no queueing, no `Retry-After`) when
  more than `quota` chat requests are in flight, as DashScope's compatible mode does past an
  account's limits; `rate_limited` in `stats()` counts those answers;
- `max_queue`: beyond `max_concurrency` running, at most this many wait; more get 503 at once
  (Ollama's `OLLAMA_MAX_QUEUE`); an Ollama-like server is `max_concurrency=1` with a queue;
- `jitter` (± share of each request's latency, seeded) and `load_slowdown` (a request runs
  `1 + load_slowdown × (active − 1) / max_concurrency` times slower, as batched decoding does)
  make the latency realistic;
- structured output: a body with `response_format` (`json_schema` or `json_object`),
  `guided_json` or `structured_outputs.json` gets a plain JSON answer held to the schema, as
  vLLM/SGLang do after the reasoning ends; `structured_output=False` refuses such a body with a
  400 naming `response_format`, like a server without it;
- `realistic=True`: answers fail the way small models do, seeded (`seed`): without structured
  output a share is cut-off JSON, misspelled labels, a dropped item, or reasoning without the
  item markers; with it, only a dropped item is left (a schema cannot count ids);
  `stats().malformed` counts the answers spoiled;
- a request that offers `tools` is answered with tool calls the way vLLM with
  `--enable-auto-tool-choice --tool-call-parser hermes` answers for Qwen3 (`tool_calls.py`);
  `tool_behaviour` makes that model misbehave (`tool_calls.TOOL_BEHAVIOURS`);
- every chat request body is kept in `requests`.

A conversation prompt (`<conversation>` with `role=` items) gets per-turn labels plus the
contract's `conversation` block: flagged when the last customer turn is negative, resolved when it
is positive.

Stand-alone, to demo the product against it:

    uv run python -m tests.standins.llm_server --port 8001 --latency 0.5 --per-item 0.05
    SENTIBOT_LLM_BASE_URL=http://127.0.0.1:8001/v1 uv run sentibot label "物流太慢了"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aiohttp import web

from tests.standins import tool_calls

__all__ = [
    "FAULT_KINDS",
    "ServerStats",
    "StandinConfig",
    "StandinLLMServer",
    "oracle_aspects",
    "oracle_keywords",
    "oracle_label",
    "parse_items",
]

Reasoning = Literal["reasoning_content", "reasoning", "think_inline", "think_close_only", "none"]
Shape = Literal["plain", "fenced", "prose", "chinese", "string_confidence", "messy"]
Fault = Literal["500", "429", "garbage", "missing", "length", "hang", "no_markers", "answer"]
FAULT_KINDS: tuple[str, ...] = ("500", "429", "garbage", "missing", "length", "hang", "no_markers", "answer")

POSITIVE_WORDS: tuple[str, ...] = (
    "好", "快", "满意", "喜欢", "不错", "棒", "赞", "谢谢",
    "great", "love", "good", "excellent", "thanks", "happy", "awesome", "perfect",
)  # fmt: skip
NEGATIVE_WORDS: tuple[str, ...] = (
    "慢", "差", "退款", "投诉", "难吃", "垃圾", "失望", "坏",
    "terrible", "refund", "broken", "bad", "awful", "worst", "slow", "hate",
)  # fmt: skip
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ITEM = re.compile(r'<item id="(\d+)"(?: role="(\w+)")?>(.*?)</item>', re.S)


def _hits(text: str, words: tuple[str, ...]) -> list[str]:
    lower = text.lower()
    return [w for w in words if (w in lower if _CJK.match(w) else re.search(rf"\b{w}\b", lower))]


def oracle_label(text: str) -> str:
    """The stand-in's label for `text`: any negative word wins, else any positive word, else neutral."""
    if _hits(text, NEGATIVE_WORDS):
        return "negative"
    if _hits(text, POSITIVE_WORDS):
        return "positive"
    return "neutral"


def oracle_keywords(text: str) -> list[str]:
    """The lexicon words found in `text` (so keywords are always taken from the text)."""
    return (_hits(text, NEGATIVE_WORDS) + _hits(text, POSITIVE_WORDS))[:3]


ASPECT_WORDS: dict[str, tuple[str, ...]] = {
    "delivery": ("物流", "快递", "送", "delivery", "package", "arrived", "shipping"),
    "service": ("客服", "support", "staff", "agent"),
    "quality": ("质量", "坏", "broken", "quality"),
    "price": ("价格", "便宜", "贵", "price", "cheap", "expensive"),
    "billing": ("退款", "refund", "charged", "invoice"),
    "account": ("账号", "账户", "login", "account", "password"),
    "product": ("phone", "battery", "app", "screen", "杯子", "耳机", "功能"),
}
ASPECTS_ZH = {
    "delivery": "物流", "service": "客服", "quality": "质量", "price": "价格",
    "billing": "退款/账单", "account": "账户", "product": "产品/功能", "other": "其他",
}  # fmt: skip


def oracle_aspects(text: str) -> list[str]:
    """The stand-in's aspects for `text`: every aspect one of whose words it contains, else other."""
    lower = text.lower()
    found = [aspect for aspect, words in ASPECT_WORDS.items() if any(w in lower for w in words)]
    return found or ["other"]


def _unescape(text: str) -> str:
    # Reverse of the prompt's escaping; `&amp;` last so `&amp;lt;` stays a literal `&lt;`.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_items(prompt: str) -> list[tuple[int, str | None, str]]:
    """`(id, role, text)` for every `<item>` in a prompt, text unescaped."""
    return [(int(m.group(1)), m.group(2), _unescape(m.group(3))) for m in _ITEM.finditer(prompt)]


@dataclass(frozen=True)
class StandinConfig:
    model: str = "Qwen3-1.7B"
    reasoning: Reasoning = "reasoning_content"
    shape: Shape = "plain"
    latency_s: float = 0.0
    per_item_s: float = 0.0
    max_concurrency: int = 64
    retry_after_s: int = 0
    hang_s: float = 30.0
    thinking_needs_stream: bool = False
    quota: int | None = None
    max_queue: int | None = None
    jitter: float = 0.0
    load_slowdown: float = 0.0
    structured_output: bool = True
    realistic: bool = False
    seed: int = 0

    tool_behaviour: str = "honest"


@dataclass(frozen=True)
class ServerStats:
    requests: int
    """Chat requests answered (any status)."""
    peak_in_flight: int
    """Most chat requests open at once, queued ones included: what the client sent concurrently."""
    peak_active: int
    """Most requests holding a slot at once (≤ max_concurrency)."""
    busy_slot_seconds: float
    first_start: float | None
    last_end: float | None
    max_concurrency: int
    rate_limited: int = 0
    """Requests answered 429 because of `quota`."""
    malformed: int = 0
    """Answers spoiled on purpose in `realistic` mode."""
    structured: int = 0
    """Requests that asked for structured output."""

    def capacity_used(self, wall_seconds: float | None = None) -> float:
        """Share of the server's slot-time that did work over `wall_seconds` (default: first→last)."""
        if wall_seconds is None:
            if self.first_start is None or self.last_end is None:
                return 0.0
            wall_seconds = self.last_end - self.first_start
        if wall_seconds <= 0:
            return 0.0
        return self.busy_slot_seconds / (self.max_concurrency * wall_seconds)


@dataclass
class _Counters:
    requests: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    active: int = 0
    peak_active: int = 0
    busy_slot_seconds: float = 0.0
    first_start: float | None = None
    last_end: float | None = None
    rate_limited: int = 0
    malformed: int = 0
    structured: int = 0


@dataclass
class _Answer:
    status: int = 200
    content: str = ""
    reasoning: str | None = None
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None


class StandinLLMServer:
    """Start with `start()` (or as a context manager); `base_url` is the `/v1` URL to configure."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, **config: Any) -> None:
        self.host = host
        self.port = port
        self._config = StandinConfig(**config)
        self._lock = threading.Lock()
        self._faults: deque[str] = deque()
        self._requests: list[dict[str, Any]] = []
        self._counters = _Counters()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._slots: asyncio.Semaphore | None = None
        self._stopping: asyncio.Event | None = None
        self._random = random.Random(self._config.seed)

    # --- control (any thread) -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def config(self) -> StandinConfig:
        with self._lock:
            return self._config

    def configure(self, **changes: Any) -> StandinConfig:
        """Change settings for the following requests; returns the new config."""
        with self._lock:
            self._config = replace(self._config, **changes)
            config = self._config
            if "seed" in changes:
                self._random = random.Random(config.seed)
        if "max_concurrency" in changes and self._loop is not None:
            # Requests already queued keep the old semaphore; new ones use the new limit.
            self._loop.call_soon_threadsafe(self._new_slots, config.max_concurrency)
        return config

    def inject(self, kind: str, *, times: int = 1) -> None:
        """Make the next `times` chat requests fail as `kind` (one of `FAULT_KINDS`)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; use one of {FAULT_KINDS}")
        with self._lock:
            self._faults.extend([kind] * times)

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat requests received so far (a copy)."""
        with self._lock:
            return list(self._requests)

    def stats(self) -> ServerStats:
        with self._lock:
            c = self._counters
            return ServerStats(
                requests=c.requests,
                peak_in_flight=c.peak_in_flight,
                peak_active=c.peak_active,
                busy_slot_seconds=c.busy_slot_seconds,
                first_start=c.first_start,
                last_end=c.last_end,
                max_concurrency=self._config.max_concurrency,
                rate_limited=c.rate_limited,
                malformed=c.malformed,
                structured=c.structured,
            )

    def reset_stats(self) -> None:
        with self._lock:
            in_flight, active = self._counters.in_flight, self._counters.active
            self._counters = _Counters(in_flight=in_flight, active=active)
            self._requests.clear()

    def start(self) -> StandinLLMServer:
        if self._thread is not None:
            return self
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="standin-llm", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> StandinLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- server (its own loop) ----------------------------------------------------------------

    def _new_slots(self, n: int) -> None:
        self._slots = asyncio.Semaphore(n)

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        self._new_slots(self.config.max_concurrency)
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        server = site._server  # the bound socket tells which port 0 became
        assert server is not None and server.sockets  # type: ignore[union-attr]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _shutdown(self) -> None:
        assert self._stopping is not None
        self._stopping.set()  # wakes "hang" handlers so cleanup does not wait for them
        if self._runner is not None:
            await self._runner.cleanup()

    async def _models(self, request: web.Request) -> web.Response:
        model = self.config.model
        return web.json_response(
            {"object": "list", "data": [{"id": model, "object": "model", "owned_by": "standin"}]}
        )

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "body is not JSON")
        with self._lock:
            config = self._config
            fault = self._faults.popleft() if self._faults else None
            self._requests.append(body)
            c = self._counters
            c.in_flight += 1
            c.peak_in_flight = max(c.peak_in_flight, c.in_flight)
            if c.first_start is None:
                c.first_start = time.monotonic()
            over_quota = config.quota is not None and c.in_flight > config.quota
            queue_full = (
                config.max_queue is not None
                and c.active >= config.max_concurrency
                and c.in_flight - c.active > config.max_queue
            )
            if over_quota:
                c.rate_limited += 1
        try:
            if over_quota:  # DashScope answers at once, without Retry-After
                return _error(429, "Requests rate limit exceeded, please try again later.")
            if queue_full:
                return _error(503, "server busy, please try again. maximum pending requests exceeded")
            return await self._answer_request(request, body, config, fault)
        finally:
            with self._lock:
                self._counters.in_flight -= 1
                self._counters.requests += 1
                self._counters.last_end = time.monotonic()

    async def _answer_request(
        self, request: web.Request, body: dict[str, Any], config: StandinConfig, fault: str | None
    ) -> web.StreamResponse:
        stream = bool(body.get("stream"))
        if body.get("model") != config.model:
            return _error(404, f"The model `{body.get('model')}` does not exist.", "NotFoundError")
        thinking = _thinking_requested(body)
        if thinking and config.thinking_needs_stream and not stream:
            return _error(400, "parameter.enable_thinking must be set to false for non-streaming calls")
        structured = _structured_request(body)
        if structured and not config.structured_output:
            return _error(400, "response_format is not supported by this server")
        prompt = _last_user_text(body)
        items = parse_items(prompt)
        with self._lock:
            if structured:
                self._counters.structured += 1
            spoil = _spoil(self._random, config, structured) if fault is None else None
            if spoil:
                self._counters.malformed += 1
            jitter = 1 + self._random.uniform(-config.jitter, config.jitter) if config.jitter else 1.0

        slots = self._slots
        assert slots is not None and self._stopping is not None
        async with slots:
            with self._lock:
                self._counters.active += 1
                self._counters.peak_active = max(self._counters.peak_active, self._counters.active)
            started = time.monotonic()
            try:
                with self._lock:
                    load = 1 + config.load_slowdown * (self._counters.active - 1) / config.max_concurrency
                delay = (
                    config.hang_s
                    if fault == "hang"
                    else (config.latency_s + config.per_item_s * len(items)) * jitter * load
                )
                if delay > 0:
                    with contextlib.suppress(TimeoutError):  # woken early only by stop()
                        await asyncio.wait_for(self._stopping.wait(), timeout=delay)
                if body.get("tools") and fault is None:
                    reasoning = "Let me choose the tools." if thinking else None
                    status, answer_body = tool_calls.completion(
                        body, model=config.model, behaviour=config.tool_behaviour, reasoning=reasoning
                    )
                    return web.json_response(answer_body, status=status)
                answer = _make_answer(prompt, items, config, fault, thinking, structured=bool(structured))
                if spoil or fault == "no_markers":
                    answer = _spoiled(answer, spoil or "no_markers", self._random)
                if answer.status != 200:
                    return _error(answer.status, answer.error or "error", headers=answer.headers)
                if stream:
                    return await _stream(request, body, answer, config)
                return web.json_response(_completion(body, answer, config))
            finally:
                with self._lock:
                    self._counters.active -= 1
                    self._counters.busy_slot_seconds += time.monotonic() - started


# --- answers ----------------------------------------------------------------------------------


def _thinking_requested(body: dict[str, Any]) -> bool:
    """On unless switched off the way vLLM/SGLang, DashScope or Ollama read it (Qwen3's default)."""
    template_kwargs = body.get("chat_template_kwargs") or {}
    if template_kwargs.get("enable_thinking") is False:
        return False
    if body.get("enable_thinking") is False:
        return False
    return body.get("reasoning_effort") != "none"


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return "".join(part.get("text", "") for part in content if isinstance(part, dict))
            return str(content or "")
    return ""


_ZH_LABEL = {"positive": "正面", "negative": "负面", "neutral": "中性"}


def _item_entry(item_id: int, text: str, shape: str) -> dict[str, Any]:
    label = oracle_label(text)
    keywords = oracle_keywords(text)
    confidence = 0.6 if not keywords else min(0.95, 0.7 + 0.1 * len(keywords))
    if _CJK.search(text):
        explanation = f"这条评论{'提到了' + '、'.join(keywords) if keywords else '没有明显的情感词'}。"
    else:
        found = "mentions " + ", ".join(keywords) if keywords else "has no clear sentiment words"
        explanation = f"The comment {found}."
    entry: dict[str, Any] = {
        "id": item_id,
        "label": label,
        "confidence": round(confidence, 2),
        "explanation": explanation,
        "keywords": keywords,
        "aspects": oracle_aspects(text),
    }
    if shape in ("chinese", "messy"):
        entry["aspects"] = [ASPECTS_ZH[a] for a in entry["aspects"]]
    if shape in ("chinese", "messy"):
        entry["label"] = _ZH_LABEL[label]
    if shape == "string_confidence":
        entry["confidence"] = str(entry["confidence"])
    if shape == "messy":
        entry["id"] = str(item_id)
        entry["confidence"] = f"{round(confidence * 100)}%"
        entry["keywords"] = ", ".join(keywords)
    return entry


def _conversation_block(items: list[tuple[int, str | None, str]]) -> dict[str, Any]:
    customer = [oracle_label(text) for _, role, text in items if role != "agent"]
    agent_negative = any(oracle_label(text) == "negative" for _, role, text in items if role == "agent")
    last = customer[-1] if customer else "neutral"
    issues = ["unhelpful"] if agent_negative else []
    flag = last == "negative" or bool(issues)
    return {
        "label": last,
        "resolved": last == "positive",
        "agent_issues": issues,
        "flag": flag,
        "reason": f"The last customer turn is {last}.",
    }


def _make_answer(
    prompt: str,
    items: list[tuple[int, str | None, str]],
    config: StandinConfig,
    fault: str | None,
    thinking: bool,
    *,
    structured: bool = False,
) -> _Answer:
    if fault == "500":
        return _Answer(status=500, error="internal server error (injected)")
    if fault == "429":
        return _Answer(
            status=429,
            error="too many requests (injected)",
            headers={"Retry-After": str(config.retry_after_s)},
        )
    reasoning = None
    if thinking:
        # Item by item, each part opened by the marker line the prompt asks for.
        lines = [f"[item {i}]\n{text[:40]!r} reads {oracle_label(text)}." for i, _, text in items]
        reasoning = "Let me look at each item.\n" + "\n".join(lines)
    if fault == "length":
        # Thinking ate the whole budget: reasoning cut off, no answer at all.
        return _Answer(content="", reasoning=(reasoning or "Let me think")[:60], finish_reason="length")
    if fault == "garbage":
        return _Answer(content="I am sorry, I cannot label these comments right now.", reasoning=reasoning)
    kept = items[:-1] if fault == "missing" and items else items
    shape = "plain" if structured else config.shape  # held to the schema: no fences, no prose
    payload: dict[str, Any] = {"items": [_item_entry(i, text, shape) for i, _, text in kept]}
    if items:
        payload["summary"] = f"{len(items)} items: mostly {oracle_label(' '.join(t for _, _, t in items))}."
    if "<conversation>" in prompt:
        payload["conversation"] = _conversation_block(items)
    text = json.dumps(payload, ensure_ascii=False)
    if shape in ("fenced", "messy"):
        text = f"```json\n{text}\n```"
    if shape in ("prose", "messy"):
        text = f"Here is my analysis.\n{text}\nLet me know if you need anything else."
    return _Answer(content=text, reasoning=reasoning)


def _structured_request(body: dict[str, Any]) -> str | None:
    """Which structured-output field the body carries (vLLM/SGLang/OpenAI/DashScope spellings)."""
    response_format = body.get("response_format") or {}
    if isinstance(response_format, dict) and response_format.get("type") in ("json_schema", "json_object"):
        return str(response_format["type"])
    if body.get("guided_json") is not None:
        return "guided_json"
    if isinstance(body.get("structured_outputs"), dict) and body["structured_outputs"].get("json"):
        return "structured_outputs"
    return None


# How often a small model spoils an answer, by what it was asked for (realistic mode). Without
# structured output: cut-off JSON, a misspelled label, a dropped item, reasoning without markers;
# a schema-held answer can still leave an item out (a schema does not count ids).
SPOIL_RATES: dict[bool, dict[str, float]] = {
    False: {"cut_off": 0.06, "bad_label": 0.04, "dropped": 0.04, "no_markers": 0.10},
    True: {"dropped": 0.02, "no_markers": 0.10},
}


def _spoil(rng: random.Random, config: StandinConfig, structured: str | None) -> str | None:
    if not config.realistic:
        return None
    roll = rng.random()
    for kind, rate in SPOIL_RATES[structured is not None].items():
        if roll < rate:
            return kind
        roll -= rate
    return None


def _spoiled(answer: _Answer, kind: str, rng: random.Random) -> _Answer:
    if answer.status != 200 or not answer.content:
        return answer
    if kind == "no_markers":
        return replace(answer, reasoning=re.sub(r"\[item (\d+)\]\n", "", answer.reasoning or "") or None)
    content = answer.content
    if kind == "cut_off":
        return replace(answer, content=content[: max(1, int(len(content) * rng.uniform(0.3, 0.9)))])
    start, end = content.find("{"), content.rfind("}")
    try:
        payload = json.loads(content[start : end + 1])
    except ValueError:
        return answer
    entries = payload.get("items") or []
    if not entries:
        return answer
    if kind == "bad_label":
        entries[rng.randrange(len(entries))]["label"] = "postive"
    elif kind == "dropped":
        entries.pop(rng.randrange(len(entries)))
    text = json.dumps(payload, ensure_ascii=False)
    return replace(answer, content=content[:start] + text + content[end + 1 :])


def _placed(answer: _Answer, config: StandinConfig) -> tuple[str, dict[str, str]]:
    """Content and extra message fields for the configured reasoning placement."""
    if not answer.reasoning or config.reasoning == "none":
        return answer.content, {}
    if config.reasoning == "think_inline":
        return f"<think>\n{answer.reasoning}\n</think>\n\n{answer.content}", {}
    if config.reasoning == "think_close_only":
        return f"{answer.reasoning}\n</think>\n\n{answer.content}", {}
    return answer.content, {config.reasoning: answer.reasoning}


def _usage(body: dict[str, Any], content: str, extra: dict[str, str]) -> dict[str, int]:
    prompt_tokens = sum(len(str(m.get("content", ""))) for m in body.get("messages") or []) // 2
    completion = (len(content) + sum(len(v) for v in extra.values())) // 2
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": prompt_tokens + completion,
    }


def _completion(body: dict[str, Any], answer: _Answer, config: StandinConfig) -> dict[str, Any]:
    content, extra = _placed(answer, config)
    message: dict[str, Any] = {"role": "assistant", "content": content, **extra}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": config.model,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": answer.finish_reason}
        ],
        "usage": _usage(body, content, extra),
    }


def _pieces(text: str, size: int = 24) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


async def _stream(
    request: web.Request, body: dict[str, Any], answer: _Answer, config: StandinConfig
) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": config.model,
    }

    async def send(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> None:
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        chunk.update(extra)
        await response.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())

    await send({"role": "assistant", "content": ""})
    content, extra = _placed(answer, config)
    for field_name, reasoning in extra.items():
        for piece in _pieces(reasoning):
            await send({field_name: piece, "content": None})
    for piece in _pieces(content):
        await send({"content": piece})
    await send({}, finish=answer.finish_reason)
    if (body.get("stream_options") or {}).get("include_usage"):
        usage_chunk = {**base, "choices": [], "usage": _usage(body, content, extra)}
        await response.write(f"data: {json.dumps(usage_chunk)}\n\n".encode())
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


def _error(
    status: int, message: str, kind: str = "BadRequestError", *, headers: dict[str, str] | None = None
) -> web.Response:
    if status == 429:
        kind = "RateLimitError"
    elif status >= 500:
        kind = "InternalServerError"
    return web.json_response(
        {"object": "error", "message": message, "type": kind, "code": status}, status=status, headers=headers
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Stand-in Qwen3 OpenAI-compatible server (tests, demos).")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--model", default="Qwen3-1.7B")
    parser.add_argument("--reasoning", default="reasoning_content")
    parser.add_argument("--shape", default="plain")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per request")
    parser.add_argument("--per-item", type=float, default=0.03, help="extra seconds per item")
    parser.add_argument("--max-concurrency", type=int, default=16)
    parser.add_argument("--quota", type=int, default=None, help="429 past this many in flight")
    parser.add_argument("--realistic", action="store_true", help="answers fail as small models' do")
    args = parser.parse_args(argv)
    server = StandinLLMServer(
        port=args.port,
        model=args.model,
        reasoning=args.reasoning,
        shape=args.shape,
        latency_s=args.latency,
        per_item_s=args.per_item,
        max_concurrency=args.max_concurrency,
        quota=args.quota,
        realistic=args.realistic,
    ).start()
    print(f"stand-in Qwen3 server on {server.base_url} (model {args.model}); Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
