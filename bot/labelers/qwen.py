"""The Qwen3 reasoning labeller: batches, re-asks and answers, over `ChatTransport`.

How a list is labelled:
- cut into requests that fill the server's free slots in whole rounds of its estimated slots,
  never more than `settings.llm_batch_size` comments each (`batching.plan_batches`), all sent at
  once under the process-wide adaptive limit for this server (`adaptive_limit`), which the
  database remembers between runs;
- each request asks for the answer's JSON schema where the server supports structured output,
  and is retried by the transport (`llm_transport`) on transient trouble;
- items the answer leaves out (or labels with something unusable) are asked for again, alone, for
  a bounded number of rounds;
- `finish_reason: "length"` with no usable answer means thinking ate the output budget: the batch
  is split in halves down to single items, and a single item gets one try with twice the budget;
- each item gets its own part of the reasoning (`item_reasoning`), or the batch's, said to be so;
- whatever still has no label is returned `status="failed"` with the raw reason: never neutral.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

import prompts
from bot.config import Settings
from bot.i18n import detect_lang
from bot.labelers.adaptive_limit import LimitMemory, initial_limit, refuses_excess, shared_limit
from bot.labelers.answer_parsing import AnswerError, ParsedAnswer, ParsedItem, parse_answer
from bot.labelers.answer_schema import answer_schema
from bot.labelers.batching import plan_batches
from bot.labelers.flavors import request_options, structured_output
from bot.labelers.item_reasoning import batch_note, split_by_item
from bot.labelers.llm_transport import BatchFailed, ChatTransport, Reply, RunState, Unusable
from bot.labelers.qwen_check import CheckLine, check_server
from domain.models import ConversationVerdict, LabelBatchResult, LabeledItem, LimitState, TextIn

__all__ = ["CheckLine", "QwenLabeler"]

logger = logging.getLogger(__name__)

MISSING_ROUNDS = 2
"""How many times items left out of an answer are asked for again before they are marked failed."""
LENGTH_BUDGET_FACTOR = 2
"""A single item whose thinking overflowed the budget gets one try with this many times the budget."""


class _LengthExhausted(Exception):
    """`finish_reason: "length"` and no usable answer: the output budget went on thinking."""


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
        memory: LimitMemory | None = None,
        retry_wait_s: float = 0.5,
        retry_wait_max_s: float = 8.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`sleep` is how retries wait (tests pass one that records the waits instead)."""
        if not settings.llm_base_url:
            raise ValueError("QwenLabeler needs SENTIBOT_LLM_BASE_URL")
        self.settings = settings
        self.name = f"qwen3:{settings.llm_model}"
        self.model = settings.llm_model
        self.prompt_version = prompts.PROMPT_VERSION
        self.base_url = settings.llm_base_url.rstrip("/")
        self._memory = memory
        self.options = request_options(
            flavor=settings.llm_flavor, thinking=settings.llm_thinking, max_tokens=settings.llm_max_tokens
        )
        cap = settings.llm_concurrency_cap
        self.limiter = shared_limit(
            self.base_url,
            self.model,
            initial=min(cap, initial_limit(settings.llm_flavor)),
            max_limit=cap,
            load=self._load_limit,
            refuses=refuses_excess(settings.llm_flavor),
        )
        self.transport = ChatTransport(
            settings=settings,
            options=self.options,
            limiter=self.limiter,
            retry_wait_s=retry_wait_s,
            retry_wait_max_s=retry_wait_max_s,
            sleep=sleep,
        )

    # --- public API -----------------------------------------------------------------------------

    async def label(
        self, items: list[TextIn], *, on_progress: Callable[[int, int], None] | None = None
    ) -> LabelBatchResult:
        """Label `items` (already cleaned by the core); the result keeps their order and ids."""
        if not items:
            return LabelBatchResult(items=[])
        batches = plan_batches(
            items,
            batch_size=self.settings.llm_batch_size,
            free_slots=self.limiter.free,
            slots=self.limiter.parallel,
        )
        run = RunState()
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

        try:
            results = await asyncio.gather(*(one(batch) for batch in batches))
        finally:
            self.remember_limit()
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
        run = RunState()
        outcomes = [_Outcome() for _ in turns]
        verdict: ConversationVerdict | None = None
        summary = ""
        last_problem = "the model did not judge this conversation"
        max_tokens: int | None = None
        try:
            for _round in range(1 + MISSING_ROUNDS):
                try:
                    answer, reply = await self._ask(turns, run=run, judge=True, max_tokens=max_tokens)
                except _LengthExhausted:
                    if max_tokens is not None:
                        last_problem = _budget_reason(max_tokens)
                        break
                    max_tokens = self.options.max_tokens * LENGTH_BUDGET_FACTOR
                    last_problem = _budget_reason(self.options.max_tokens)
                    continue
                except BatchFailed as failure:
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
        finally:
            self.remember_limit()
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
        """For `sentibot doctor`: server, model, a test label, reasoning, and the learned limit."""
        return await check_server(self)

    def remember_limit(self) -> None:
        """Write what the limiter learned about this server to the database (if there is one)."""
        if self._memory is None:
            return
        try:
            self._memory.save(self.base_url, self.model, self.limiter.state())
        except Exception:  # remembering is an optimisation: never fail a labelling for it
            logger.warning("could not remember the model server's concurrency limit", exc_info=True)

    async def aclose(self) -> None:
        await self.transport.aclose()

    def _load_limit(self) -> LimitState | None:
        if self._memory is None:
            return None
        try:
            return self._memory.get(self.base_url, self.model)
        except Exception:
            logger.warning("could not read the remembered concurrency limit", exc_info=True)
            return None

    # --- one batch --------------------------------------------------------------------------------

    async def _label_batch(self, batch: list[TextIn], *, run: RunState) -> tuple[list[_Outcome], str]:
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
            except BatchFailed as failure:
                for index in pending:
                    outcomes[index].error = failure.reason
                break
            summary = summary or answer.summary
            answered_local = self._merge(asked, [outcomes[i] for i in pending], answer, reply)
            pending = [index for local, index in enumerate(pending) if local not in answered_local]
        return outcomes, summary

    async def _label_after_length(
        self, batch: list[TextIn], pending: list[int], outcomes: list[_Outcome], *, run: RunState
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
        budget = self.options.max_tokens * LENGTH_BUDGET_FACTOR
        try:
            answer, reply = await self._ask([batch[index]], run=run, max_tokens=budget)
        except _LengthExhausted:
            outcomes[index].error = _budget_reason(budget)
            return
        except BatchFailed as failure:
            outcomes[index].error = failure.reason
            return
        if not self._merge([batch[index]], [outcomes[index]], answer, reply):
            outcomes[index].error = outcomes[index].error or "the model gave no label for this comment"

    def _merge(
        self, asked: Sequence[TextIn], outcomes: Sequence[_Outcome], answer: ParsedAnswer, reply: Reply
    ) -> set[int]:
        """Copy answered items (prompt ids are 1-based positions in `asked`); returns answered positions."""
        answered: set[int] = set()
        parts = split_by_item(answer.reasoning, list(range(1, len(asked) + 1)))
        for local in range(len(asked)):
            parsed = answer.items.get(local + 1)
            outcome = outcomes[local]
            if parsed is None:
                if local + 1 in answer.invalid:
                    outcome.error = f"the model's answer was unusable: {answer.invalid[local + 1]}"
                continue
            if outcome.parsed is None:
                outcome.parsed = parsed
                outcome.reasoning = self._reasoning_for(asked, local, answer.reasoning, parts)
                outcome.latency_ms = reply.latency_ms
                outcome.error = None
            answered.add(local)
        return answered

    @staticmethod
    def _reasoning_for(
        asked: Sequence[TextIn], local: int, reasoning: str | None, parts: dict[int, str]
    ) -> str | None:
        """Its own reasoning; all of it when asked alone; else the batch's, said to be so."""
        if not reasoning:
            return None
        if len(asked) == 1:
            return reasoning
        own = parts.get(local + 1)
        if own:
            return own
        return batch_note(reasoning, batch_size=len(asked), lang=detect_lang(asked[local].text))

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
            aspects=parsed.aspects,
            reasoning=outcome.reasoning,
            latency_ms=outcome.latency_ms,
            status="ok",
        )

    # --- one request ------------------------------------------------------------------------------

    async def _ask(
        self,
        items: Sequence[TextIn],
        *,
        run: RunState,
        judge: bool = False,
        max_tokens: int | None = None,
    ) -> tuple[ParsedAnswer, Reply]:
        """One prompt for `items` (ids 1..n), retried on transient trouble; raises `BatchFailed`."""
        expected = list(range(1, len(items) + 1))

        def read(reply: Reply) -> tuple[ParsedAnswer, Reply]:
            try:
                answer = parse_answer(
                    reply.content, expected_ids=expected, reasoning=reply.reasoning, want_conversation=judge
                )
            except AnswerError as error:
                if reply.finish_reason == "length":
                    raise _LengthExhausted from error
                raise Unusable(f"the model's answer was unusable: {error.reason}") from error
            if reply.finish_reason == "length" and not answer.items:
                raise _LengthExhausted
            return answer, reply

        schema = structured_output(
            flavor=self.settings.llm_flavor,
            thinking=self.settings.llm_thinking,
            schema=answer_schema(conversation=judge),
        )
        return await self.transport.ask(
            self._messages(items, judge=judge),
            size=len(items),
            read=read,
            run=run,
            max_tokens=max_tokens,
            schema=schema,
        )

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


def _budget_reason(max_tokens: int) -> str:
    return (
        f"the model's reasoning used the whole output budget (max_tokens={max_tokens}) before "
        "answering; raise SENTIBOT_LLM_MAX_TOKENS"
    )
