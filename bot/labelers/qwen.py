"""The Qwen3 reasoning labeller: any OpenAI-compatible server, through langchain-openai.

How a list is labelled:
- split into as few batches of at most `settings.llm_batch_size` comments as possible, evenly
  filled (a request's latency grows with its comments), one request each, run concurrently
  with at most `settings.llm_concurrency` requests in flight (one semaphore per labeller, so
  concurrent callers share the bound; the httpx pool is sized to match);
- each request is retried by tenacity alone (the openai client's own retries are off): 429, 5xx,
  timeouts and unusable answers back off exponentially with jitter (honouring `Retry-After`) up to
  `settings.llm_max_retries` times; a connection failure is retried once, then the whole call
  fails fast with one clear "unreachable" reason; other 4xx are not retried;
- items the answer leaves out (or labels with something unusable) are asked for again, alone, for
  a bounded number of rounds;
- `finish_reason: "length"` with no usable answer means thinking ate the output budget: the batch
  is split in halves down to single items, and a single item gets one try with twice the budget;
- whatever still has no label is returned `status="failed"` with the reason: never neutral.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

import httpx
import openai
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

import prompts
from bot.config import Settings
from bot.i18n import detect_lang
from bot.labelers.answer_parsing import AnswerError, ParsedAnswer, ParsedItem, parse_answer
from bot.labelers.chat_model import REASONING_KEY, ReasoningChatOpenAI
from bot.labelers.flavors import request_options
from domain.models import ConversationVerdict, LabelBatchResult, LabeledItem, TextIn

__all__ = ["CheckLine", "QwenLabeler"]

logger = logging.getLogger(__name__)

MISSING_ROUNDS = 2
"""How many times items left out of an answer are asked for again before they are marked failed."""
MAX_RETRY_AFTER_S = 30.0
"""A longer `Retry-After` is capped: the caller is a person waiting in a chat."""
LENGTH_BUDGET_FACTOR = 2
"""A single item whose thinking overflowed the budget gets one try with this many times the budget."""


class CheckLine(NamedTuple):
    """One line of `sentibot doctor`: what was checked, whether it is fine, and what to do."""

    name: str
    ok: bool
    message: str


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

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _BatchFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _LengthExhausted(Exception):
    """`finish_reason: "length"` and no usable answer: the output budget went on thinking."""


@dataclass
class _Reply:
    content: str
    reasoning: str | None
    finish_reason: str | None
    latency_ms: float


@dataclass
class _Run:
    """State shared by the requests of one `label`/`judge` call."""

    unreachable: str | None = None


@dataclass
class _Outcome:
    """What one item ended with."""

    parsed: ParsedItem | None = None
    reasoning: str | None = None
    latency_ms: float | None = None
    error: str | None = None


class QwenLabeler:
    """Labels comments and judges conversations with a Qwen3 model behind an OpenAI-compatible URL."""

    def __init__(
        self,
        *,
        settings: Settings,
        retry_wait_s: float = 0.5,
        retry_wait_max_s: float = 8.0,
    ) -> None:
        if not settings.llm_base_url:
            raise ValueError("QwenLabeler needs SENTIBOT_LLM_BASE_URL")
        self.settings = settings
        self.name = f"qwen3:{settings.llm_model}"
        self.model = settings.llm_model
        self.prompt_version = prompts.PROMPT_VERSION
        self.base_url = settings.llm_base_url.rstrip("/")
        self._retry_wait_s = retry_wait_s
        self._retry_wait_max_s = retry_wait_max_s
        self._timeout_s = settings.llm_timeout_s
        self._options = request_options(
            flavor=settings.llm_flavor, thinking=settings.llm_thinking, max_tokens=settings.llm_max_tokens
        )
        # The pool must hold every request the semaphore lets through, plus room for `check()`;
        # a smaller pool would silently queue requests inside httpx and waste server capacity.
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(self._timeout_s, connect=min(self._timeout_s, 10.0)),
            limits=httpx.Limits(
                max_connections=settings.llm_concurrency + 4,
                max_keepalive_connections=settings.llm_concurrency + 4,
            ),
        )
        self._chat = ReasoningChatOpenAI(
            model=settings.llm_model,
            base_url=self.base_url,
            api_key=settings.llm_api_key or "EMPTY",
            timeout=self._timeout_s,
            max_retries=0,  # tenacity below is the one retry policy
            http_async_client=self._http,
            use_responses_api=False,  # Qwen servers speak Chat Completions only
            **self._options.chat_kwargs(),
        )
        self._semaphore: asyncio.Semaphore | None = None
        self._semaphore_loop: asyncio.AbstractEventLoop | None = None

    # --- public API -----------------------------------------------------------------------------

    async def label(
        self, items: list[TextIn], *, on_progress: Callable[[int, int], None] | None = None
    ) -> LabelBatchResult:
        """Label `items` (already cleaned by the core); the result keeps their order and ids."""
        if not items:
            return LabelBatchResult(items=[])
        batches = _balanced_batches(items, self.settings.llm_batch_size)
        run = _Run()
        total = len(items)
        done = 0

        async def one(batch: list[TextIn]) -> tuple[list[_Outcome], str]:
            nonlocal done
            try:
                outcomes, summary = await self._label_batch(batch, run=run)
            except Exception as exc:  # a bug must cost this batch, not the whole list
                logger.exception("labelling a batch of %d comments failed", len(batch))
                outcomes = [_Outcome(error=f"internal error while labelling: {exc}") for _ in batch]
                summary = ""
            done += len(batch)
            if on_progress is not None:
                on_progress(done, total)
            return outcomes, summary

        results = await asyncio.gather(*(one(batch) for batch in batches))
        labelled: list[LabeledItem] = []
        for batch, (outcomes, _) in zip(batches, results, strict=True):
            labelled.extend(
                self._item(source, outcome) for source, outcome in zip(batch, outcomes, strict=True)
            )
        # The model's summary speaks for the whole list only when one request saw the whole list;
        # otherwise each covers a slice, and the core writes its own from the counts.
        summary_text = results[0][1] if len(batches) == 1 else ""
        return LabelBatchResult(items=labelled, summary_text=summary_text)

    async def judge(self, turns: list[TextIn]) -> LabelBatchResult:
        """Judge a whole conversation in one request: per-turn labels plus the verdict."""
        if not turns:
            return LabelBatchResult(items=[])
        run = _Run()
        outcomes = [_Outcome() for _ in turns]
        verdict: ConversationVerdict | None = None
        summary = ""
        last_problem = "the model did not judge this conversation"
        max_tokens: int | None = None
        for _round in range(1 + MISSING_ROUNDS):
            try:
                answer, reply = await self._ask(turns, run=run, judge=True, max_tokens=max_tokens)
            except _LengthExhausted:
                if max_tokens is not None:
                    last_problem = self._budget_reason(max_tokens)
                    break
                max_tokens = self._options.max_tokens * LENGTH_BUDGET_FACTOR
                last_problem = self._budget_reason(self._options.max_tokens)
                continue
            except _BatchFailed as failure:
                last_problem = failure.reason
                break
            self._merge(turns, outcomes, answer, reply)
            summary = summary or answer.summary
            if verdict is None:
                verdict = answer.conversation
                if verdict is None:
                    last_problem = answer.conversation_error or last_problem
            if verdict is not None and all(o.parsed for o in outcomes):
                break
        for index, outcome in enumerate(outcomes):
            if outcome.parsed is None and outcome.error is None:
                outcome.error = (
                    last_problem if verdict is None else f"the model gave no label for turn {index + 1}"
                )
        items = [
            self._item(turn, outcome, prompt_version=prompts.CONVERSATION_PROMPT_VERSION)
            for turn, outcome in zip(turns, outcomes, strict=True)
        ]
        return LabelBatchResult(items=items, summary_text=summary, conversation=verdict)

    async def check(self) -> list[CheckLine]:
        """For `sentibot doctor`: server reachable, model listed, reasoning actually coming back."""
        lines: list[CheckLine] = []
        try:
            page = await asyncio.wait_for(
                self._chat.root_async_client.models.list(), min(self._timeout_s, 15)
            )
            ids = [model.id async for model in page]
        except (openai.APIConnectionError, httpx.TransportError, TimeoutError) as exc:
            reason = self._exception_reason(exc)
            return [CheckLine("model server", False, reason)]
        except openai.APIStatusError as exc:
            return [CheckLine("model server", False, self._status_reason(exc))]
        lines.append(CheckLine("model server", True, f"reachable at {self.base_url}"))
        if self.model in ids:
            lines.append(CheckLine("model", True, f"{self.model} is served"))
        else:
            shown = ", ".join(ids[:5]) or "none"
            lines.append(
                CheckLine(
                    "model",
                    False,
                    f"{self.model} is not served there (it has: {shown}); set SENTIBOT_LLM_MODEL",
                )
            )
            return lines
        probe = await self.label([TextIn(id=1, text="The delivery was fast and the staff were friendly.")])
        item = probe.items[0]
        if item.status != "ok":
            lines.append(CheckLine("labelling", False, f"a test label failed: {item.error}"))
            return lines
        lines.append(
            CheckLine("labelling", True, f"a test comment came back {item.label} in {item.latency_ms:.0f} ms")
        )
        if not self.settings.llm_thinking:
            lines.append(CheckLine("reasoning", True, "thinking is off (SENTIBOT_LLM_THINKING=false)"))
        elif item.reasoning:
            lines.append(CheckLine("reasoning", True, f"reasoning seen ({len(item.reasoning)} characters)"))
        else:
            lines.append(
                CheckLine(
                    "reasoning",
                    False,
                    "no reasoning came back: start the server with a reasoning parser (vLLM/SGLang "
                    "`--reasoning-parser qwen3`) or check SENTIBOT_LLM_FLAVOR "
                    f"(now {self.settings.llm_flavor})",
                )
            )
        return lines

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- one batch --------------------------------------------------------------------------------

    async def _label_batch(self, batch: list[TextIn], *, run: _Run) -> tuple[list[_Outcome], str]:
        outcomes = [_Outcome() for _ in batch]
        summary = ""
        pending = list(range(len(batch)))
        for round_number in range(1 + MISSING_ROUNDS + 1):
            if not pending:
                break
            if round_number > MISSING_ROUNDS:
                for index in pending:
                    outcomes[index].error = outcomes[index].error or (
                        f"the model gave no label for this comment after {MISSING_ROUNDS + 1} requests"
                    )
                break
            asked = [batch[i] for i in pending]
            try:
                answer, reply = await self._ask(asked, run=run)
            except _LengthExhausted:
                await self._label_after_length(batch, pending, outcomes, run=run)
                break
            except _BatchFailed as failure:
                for index in pending:
                    outcomes[index].error = failure.reason
                break
            summary = summary or answer.summary
            answered_local = self._merge(asked, [outcomes[i] for i in pending], answer, reply)
            pending = [index for local, index in enumerate(pending) if local not in answered_local]
        return outcomes, summary

    async def _label_after_length(
        self, batch: list[TextIn], pending: list[int], outcomes: list[_Outcome], *, run: _Run
    ) -> None:
        """Thinking overflowed the budget: halve the batch; a single item gets a bigger budget once."""
        if len(pending) > 1:
            middle = len(pending) // 2
            for half in (pending[:middle], pending[middle:]):
                sub_outcomes, _ = await self._label_batch([batch[i] for i in half], run=run)
                for index, outcome in zip(half, sub_outcomes, strict=True):
                    outcomes[index] = outcome
            return
        index = pending[0]
        budget = self._options.max_tokens * LENGTH_BUDGET_FACTOR
        try:
            answer, reply = await self._ask([batch[index]], run=run, max_tokens=budget)
        except _LengthExhausted:
            outcomes[index].error = self._budget_reason(budget)
            return
        except _BatchFailed as failure:
            outcomes[index].error = failure.reason
            return
        if not self._merge([batch[index]], [outcomes[index]], answer, reply):
            outcomes[index].error = outcomes[index].error or "the model gave no label for this comment"

    def _merge(
        self, asked: Sequence[TextIn], outcomes: Sequence[_Outcome], answer: ParsedAnswer, reply: _Reply
    ) -> set[int]:
        """Copy answered items (prompt ids are 1-based positions in `asked`); returns answered positions."""
        answered: set[int] = set()
        for local in range(len(asked)):
            parsed = answer.items.get(local + 1)
            outcome = outcomes[local]
            if parsed is None:
                if local + 1 in answer.invalid:
                    outcome.error = f"the model's answer was unusable: {answer.invalid[local + 1]}"
                continue
            if outcome.parsed is None:
                outcome.parsed = parsed
                outcome.reasoning = answer.reasoning
                outcome.latency_ms = reply.latency_ms
                outcome.error = None
            answered.add(local)
        return answered

    def _item(self, source: TextIn, outcome: _Outcome, *, prompt_version: str | None = None) -> LabeledItem:
        common: dict[str, Any] = {
            "id": source.id,
            "text": source.text,
            "role": source.role,
            "author": source.author,
            "labeler": self.name,
            "model": self.model,
            "prompt_version": prompt_version or self.prompt_version,
        }
        parsed = outcome.parsed
        if parsed is None:
            return LabeledItem(
                **common,
                label=None,
                status="failed",
                error=outcome.error or "the model gave no label for this comment",
                reasoning=outcome.reasoning,
                latency_ms=outcome.latency_ms,
            )
        return LabeledItem(
            **common,
            label=parsed.label,
            confidence=parsed.confidence,
            explanation=parsed.explanation,
            keywords=parsed.keywords,
            reasoning=outcome.reasoning,
            latency_ms=outcome.latency_ms,
            status="ok",
        )

    # --- one request, with retries --------------------------------------------------------------

    async def _ask(
        self,
        items: Sequence[TextIn],
        *,
        run: _Run,
        judge: bool = False,
        max_tokens: int | None = None,
    ) -> tuple[ParsedAnswer, _Reply]:
        """One prompt for `items` (ids 1..n), retried on transient trouble; raises `_BatchFailed`."""
        messages = self._messages(items, judge=judge)
        expected = list(range(1, len(items) + 1))
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
            sleep=asyncio.sleep,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    if run.unreachable is not None:
                        raise _BatchFailed(run.unreachable)
                    reply = await self._call(messages, max_tokens=max_tokens)
                    try:
                        answer = parse_answer(
                            reply.content,
                            expected_ids=expected,
                            reasoning=reply.reasoning,
                            want_conversation=judge,
                        )
                    except AnswerError as error:
                        if reply.finish_reason == "length":
                            raise _LengthExhausted from error
                        raise _Transient(f"the model's answer was unusable: {error.reason}") from error
                    if reply.finish_reason == "length" and not answer.items:
                        raise _LengthExhausted
                    return answer, reply
        except _ConnectionFailed as failure:
            if run.unreachable is None:
                logger.warning("%s", failure.reason)
            run.unreachable = failure.reason
            raise _BatchFailed(failure.reason) from failure
        except _Retryable as failure:
            tries = "once" if attempts == 1 else f"{attempts} times"
            raise _BatchFailed(f"{failure.reason} (tried {tries})") from failure
        except _Fatal as failure:
            raise _BatchFailed(failure.reason) from failure
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

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

    def _messages(self, items: Sequence[TextIn], *, judge: bool) -> list[BaseMessage]:
        language = "Chinese" if detect_lang(*(item.text for item in items)) == "zh" else "English"
        if judge:
            context = [
                {"id": n, "text": item.text, "role": item.role or "customer"}
                for n, item in enumerate(items, 1)
            ]
            user = prompts.render("judge_conversation", items=context, summary_language=language)
        else:
            context = [{"id": n, "text": item.text} for n, item in enumerate(items, 1)]
            user = prompts.render("label_items", items=context, summary_language=language)
        return [SystemMessage(content=prompts.render("system")), HumanMessage(content=user)]

    def _semaphore_for_loop(self) -> asyncio.Semaphore:
        # A semaphore belongs to one event loop; a CLI that runs asyncio.run twice gets a new one.
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._semaphore_loop is not loop:
            self._semaphore = asyncio.Semaphore(self.settings.llm_concurrency)
            self._semaphore_loop = loop
        return self._semaphore

    async def _call(self, messages: list[BaseMessage], *, max_tokens: int | None) -> _Reply:
        """One HTTP request, with errors translated into retryable / fatal reasons."""
        kwargs: dict[str, Any] = {} if max_tokens is None else {"max_tokens": max_tokens}
        async with self._semaphore_for_loop():
            started = time.perf_counter()
            try:
                # ainvoke streams by itself when the flavor needs it (DashScope with thinking).
                message = await asyncio.wait_for(self._chat.ainvoke(messages, **kwargs), self._timeout_s)
            except (TimeoutError, openai.APITimeoutError, httpx.TimeoutException) as exc:
                raise _Transient(f"the model server did not answer within {self._timeout_s:g} s") from exc
            except openai.APIConnectionError as exc:
                raise _ConnectionFailed(self._exception_reason(exc)) from exc
            except openai.APIStatusError as exc:
                reason = self._status_reason(exc)
                if exc.status_code in (408, 409, 429) or exc.status_code >= 500:
                    raise _Transient(reason, retry_after=_retry_after(exc.response)) from exc
                raise _Fatal(reason) from exc
            except httpx.TransportError as exc:  # e.g. the connection dropped mid-stream
                raise _Transient(
                    f"the connection to the model server broke: {exc or type(exc).__name__}"
                ) from exc
            except (ValueError, KeyError, TypeError) as exc:  # a response ChatOpenAI could not read
                raise _Transient(f"unreadable response from the model server: {exc}") from exc
            latency_ms = (time.perf_counter() - started) * 1000
        content = message.content
        if isinstance(content, list):  # content blocks; only the text ones matter here
            content = "".join(
                block if isinstance(block, str) else str(block.get("text", ""))
                for block in content
                if isinstance(block, str | dict)
            )
        reasoning = message.additional_kwargs.get(REASONING_KEY)
        return _Reply(
            content=content or "",
            reasoning=reasoning if isinstance(reasoning, str) else None,
            finish_reason=message.response_metadata.get("finish_reason"),
            latency_ms=latency_ms,
        )

    # --- wording ----------------------------------------------------------------------------------

    def _exception_reason(self, exc: BaseException) -> str:
        if isinstance(exc, TimeoutError | openai.APITimeoutError | httpx.TimeoutException):
            return f"model server at {self.base_url} did not answer within {self._timeout_s:g} s"
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
        return f"model server unreachable at {self.base_url}: {detail or 'connection failed'}"

    @staticmethod
    def _status_reason(exc: openai.APIStatusError) -> str:
        message = exc.message
        body = exc.body
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            message = body["message"]
        return f"model server error (HTTP {exc.status_code}): {message}"

    @staticmethod
    def _budget_reason(max_tokens: int) -> str:
        return (
            f"the model's reasoning used the whole output budget (max_tokens={max_tokens}) before "
            "answering; raise SENTIBOT_LLM_MAX_TOKENS"
        )


def _balanced_batches(items: list[TextIn], size: int) -> list[list[TextIn]]:
    """As few batches as `size` allows, with the items spread evenly over them.

    A request's latency grows with the comments in it, so 10 comments at size 8 go as 5 + 5
    (both done in the time of 5) rather than 8 + 2 (done in the time of 8).
    """
    count = -(-len(items) // size)
    base, extra = divmod(len(items), count)
    batches: list[list[TextIn]] = []
    start = 0
    for index in range(count):
        end = start + base + (1 if index < extra else 0)
        batches.append(items[start:end])
        start = end
    return batches


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
