"""One model request over HTTP, under the server's adaptive limit, retried the one way.

- The request goes through `ReasoningChatOpenAI` (langchain-openai) on a shared httpx pool sized
  for the limiter's cap; the openai client's own retries are off.
- Every request holds a slot of the process-wide `AdaptiveLimit` for its server while it is
  on the wire (not while it waits to retry), and tells the limiter how it went: its latency and
  size, a 429 or 503 (refused for load), a timeout.
- tenacity retries: 429, 5xx, timeouts and unusable answers back off exponentially with full
  jitter (honouring `Retry-After`, capped) up to `settings.llm_max_retries` times; a connection
  failure is retried once, then the whole call fails fast with one "unreachable" reason shared by
  every request of the same run; other 4xx are not retried.
- Structured output: the answer's JSON schema is sent where the flavor supports it; a server that
  rejects it (400 naming `response_format`) is asked again without it, and not sent it again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
import openai
from langchain_core.messages import BaseMessage
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from bot.config import Settings
from bot.labelers.adaptive_limit import AdaptiveLimit, Outcome
from bot.labelers.chat_model import REASONING_KEY, ReasoningChatOpenAI
from bot.labelers.flavors import RequestOptions

__all__ = [
    "MAX_RETRY_AFTER_S",
    "BatchFailed",
    "ChatTransport",
    "Reply",
    "RunState",
    "Unusable",
    "exception_reason",
    "status_reason",
]

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER_S = 30.0
"""A longer `Retry-After` is capped: the caller is a person waiting in a chat."""

T = TypeVar("T")


class Unusable(Exception):
    """Raised by a reply reader: the answer cannot be used; worth another try."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BatchFailed(Exception):
    """The request gave up; `reason` is the raw reason for operators."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Retryable(Exception):
    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Transient(_Retryable):
    """429, 5xx, timeout, or an unusable answer: worth another try after a pause."""


class _ConnectionFailed(_Retryable):
    """Nothing listening / DNS / TLS: retried once, then the server is declared unreachable."""


class _Fatal(Exception):
    """The server rejected the request (4xx other than 408/409/429): retrying cannot help."""

    def __init__(self, reason: str, *, about_response_format: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.about_response_format = about_response_format


@dataclass
class Reply:
    content: str
    reasoning: str | None
    finish_reason: str | None
    latency_ms: float


@dataclass
class RunState:
    """Shared by the requests of one `label`/`judge` call: an unreachable server fails them all."""

    unreachable: str | None = None


class ChatTransport:
    """Sends chat requests to one server, bounded by its shared adaptive limit."""

    def __init__(
        self,
        *,
        settings: Settings,
        options: RequestOptions,
        limiter: AdaptiveLimit,
        retry_wait_s: float = 0.5,
        retry_wait_max_s: float = 8.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self.base_url = (settings.llm_base_url or "").rstrip("/")
        self.limiter = limiter
        self.options = options
        self.timeout_s = settings.llm_timeout_s
        self._retry_wait_s = retry_wait_s
        self._retry_wait_max_s = retry_wait_max_s
        self.structured_output = True
        """False once the server refused the answer schema: later requests go without it."""
        pool = settings.llm_concurrency_cap + 4  # every request the limiter may let through, plus checks
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout_s, connect=min(self.timeout_s, 10.0)),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
        )
        self.chat = ReasoningChatOpenAI(
            model=settings.llm_model,
            base_url=self.base_url,
            api_key=settings.llm_api_key or "EMPTY",
            timeout=self.timeout_s,
            max_retries=0,  # tenacity below is the one retry policy
            http_async_client=self._http,
            use_responses_api=False,  # Qwen servers speak Chat Completions only
            **options.chat_kwargs(),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def ask(
        self,
        messages: list[BaseMessage],
        *,
        size: int,
        read: Callable[[Reply], T],
        run: RunState,
        max_tokens: int | None = None,
        schema: dict[str, Any] | None = None,
    ) -> T:
        """Send `messages` (about `size` items), retrying until `read` accepts the reply.

        `read` raises `Unusable` for an answer worth asking again, or any other exception to stop
        at once (it propagates). Raises `BatchFailed` when retries are used up.
        """
        attempts = 0

        def stop(state: RetryCallState) -> bool:
            error = state.outcome.exception() if state.outcome else None
            if run.unreachable is not None:
                return True
            if isinstance(error, _ConnectionFailed):
                return state.attempt_number >= 2
            return state.attempt_number > self.settings.llm_max_retries

        def log_retry(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            delay = state.next_action.sleep if state.next_action else 0.0
            logger.info("model request failed (%s); retrying in %.1f s", error, delay)

        retrying = AsyncRetrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            before_sleep=log_retry,
            reraise=True,
            sleep=self._sleep,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    if run.unreachable is not None:
                        raise BatchFailed(run.unreachable)
                    reply = await self._call_once(messages, size=size, max_tokens=max_tokens, schema=schema)
                    try:
                        return read(reply)
                    except Unusable as problem:
                        raise _Transient(problem.reason) from problem
        except _ConnectionFailed as failure:
            if run.unreachable is None:
                logger.warning("%s", failure.reason)
            run.unreachable = failure.reason
            raise BatchFailed(failure.reason) from failure
        except _Retryable as failure:
            tries = "once" if attempts == 1 else f"{attempts} times"
            raise BatchFailed(f"{failure.reason} (tried {tries})") from failure
        except _Fatal as failure:
            raise BatchFailed(failure.reason) from failure
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def _call_once(
        self, messages: list[BaseMessage], *, size: int, max_tokens: int | None, schema: dict[str, Any] | None
    ) -> Reply:
        try:
            return await self._call(messages, size=size, max_tokens=max_tokens, schema=schema)
        except _Fatal as refusal:
            if not (schema is not None and refusal.about_response_format):
                raise
            if self.structured_output:
                logger.warning(
                    "the model server refused structured output (%s); asking without it", refusal.reason
                )
                self.structured_output = False
            return await self._call(messages, size=size, max_tokens=max_tokens, schema=None)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), MAX_RETRY_AFTER_S)
        if isinstance(error, _ConnectionFailed):
            return min(0.2, self._retry_wait_s)
        # Exponential backoff with full jitter: concurrent batches that failed together must not
        # all come back at the same instant.
        ceiling = min(self._retry_wait_max_s, self._retry_wait_s * 2 ** (state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)

    async def _call(
        self, messages: list[BaseMessage], *, size: int, max_tokens: int | None, schema: dict[str, Any] | None
    ) -> Reply:
        """One HTTP request holding one slot; errors become retryable / fatal reasons."""
        ticket = await self.limiter.acquire()
        if not self.structured_output:  # decided once the slot is ours: a refusal may have come meanwhile
            schema = None
        kwargs: dict[str, Any] = {} if max_tokens is None else {"max_tokens": max_tokens}
        if schema is not None:
            # In the body as an extra field: ChatOpenAI would otherwise switch to the openai SDK's
            # strict `parse`, which raises on the very answers the tolerant parser is there for.
            kwargs["extra_body"] = {**self.options.extra_body, **schema}
        outcome: Outcome = "ignored"
        started = time.perf_counter()
        try:
            try:
                # ainvoke streams by itself when the flavor needs it (DashScope with thinking).
                message = await asyncio.wait_for(self.chat.ainvoke(messages, **kwargs), self.timeout_s)
            except (TimeoutError, openai.APITimeoutError, httpx.TimeoutException) as exc:
                outcome = "dropped"
                raise _Transient(f"the model server did not answer within {self.timeout_s:g} s") from exc
            except openai.APIConnectionError as exc:
                raise _ConnectionFailed(exception_reason(exc, self.base_url, self.timeout_s)) from exc
            except openai.APIStatusError as exc:
                reason = status_reason(exc)
                if exc.status_code in (429, 503):  # refused for load: a quota, or a full queue
                    outcome = "rate_limited"
                if exc.status_code in (408, 409, 429) or exc.status_code >= 500:
                    raise _Transient(reason, retry_after=_retry_after(exc.response)) from exc
                raise _Fatal(
                    reason, about_response_format=exc.status_code == 400 and "response_format" in reason
                ) from exc
            except httpx.TransportError as exc:  # e.g. the connection dropped mid-stream
                raise _Transient(
                    f"the connection to the model server broke: {exc or type(exc).__name__}"
                ) from exc
            except (ValueError, KeyError, TypeError) as exc:  # a response ChatOpenAI could not read
                raise _Transient(f"unreadable response from the model server: {exc}") from exc
            latency = time.perf_counter() - started
            outcome = "ok"
        finally:
            self.limiter.release(ticket, outcome, latency_s=time.perf_counter() - started, size=size)
        content = message.content
        if isinstance(content, list):  # content blocks; only the text ones matter here
            content = "".join(
                block if isinstance(block, str) else str(block.get("text", ""))
                for block in content
                if isinstance(block, str | dict)
            )
        reasoning = message.additional_kwargs.get(REASONING_KEY)
        return Reply(
            content=content or "",
            reasoning=reasoning if isinstance(reasoning, str) else None,
            finish_reason=message.response_metadata.get("finish_reason"),
            latency_ms=latency * 1000,
        )


def exception_reason(exc: BaseException, base_url: str, timeout_s: float) -> str:
    """One line for an exception that kept the request from reaching the server."""
    if isinstance(exc, TimeoutError | openai.APITimeoutError | httpx.TimeoutException):
        return f"model server at {base_url} did not answer within {timeout_s:g} s"
    cause: BaseException | None = exc
    detail = ""
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or "connection refused" in str(cause).lower():
            detail = "connection refused"
            break
        if "name or service not known" in str(cause).lower() or "nodename nor servname" in str(cause):
            detail = "unknown host"
            break
        detail = detail or str(cause)
        cause = cause.__cause__ or cause.__context__
    return f"model server unreachable at {base_url}: {detail or 'connection failed'}"


def status_reason(exc: openai.APIStatusError) -> str:
    message = exc.message
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        message = body["message"]
    return f"model server error (HTTP {exc.status_code}): {message}"


def _retry_after(response: httpx.Response | Any) -> float | None:
    """Seconds from a `Retry-After` header (seconds or an HTTP date), if the server sent one."""
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return float(value) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
