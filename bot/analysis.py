"""The labelling use case: validate, store, clean, dedupe, cache, label, summarise, chart, flag."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field

from bot.batches import label_in_slices
from bot.config import Settings
from bot.conversation import judge_agent_turns, rule_verdict, vet_agent_issues
from bot.errors import InputError, NotFound
from bot.history import record_run_messages
from bot.i18n import detect_lang, label_word
from bot.labelers import ConversationJudge, Labeler, ProgressFn
from bot.reviews import ReviewRef, Reviews
from bot.run_leases import INTERRUPTED, RunLeases
from bot.shares import label_percentages
from bot.text import clean_text, has_lone_surrogate
from domain.models import ConversationVerdict, LabeledItem, Lang, Role, Summary, TextIn, Turn
from storage import Store, cache_key

log = logging.getLogger(__name__)

MAX_ITEMS = 2000
# Texts per stored slice for a labeller without batches of its own (the offline one).
OFFLINE_SLICE = 200
MAX_ITEM_CHARS = 20_000
NOTHING_TO_LABEL = "only links, @mentions, control or invisible characters; give it words"
NOTHING_TO_LABEL_ZH = "只有链接、@提及、控制字符或不可见字符，请写上文字"
INVALID_TEXT = "contains a lone surrogate (like \\ud800), which is not text; send valid Unicode"
RunKind = Literal["text", "list", "conversation"]


class AnalysisRequest(BaseModel):
    """What a surface asks to label: texts (one or a list) or a conversation."""

    texts: list[str] | None = None
    conversation: list[Turn] | None = None
    source: str = "api"
    channel: str | None = None
    # Identifies a conversation across analyses (a Slack thread), so that
    # analysing it again updates its review instead of opening another. A pasted transcript
    # has no such id: it is keyed by its turns.
    thread_key: str | None = None
    title: str | None = None
    permalink: str | None = None
    # The stored history messages these turns are (a watched conversation): the run points at
    # them instead of storing the turns again.
    message_ids: list[int] | None = None
    # False for background judging (the watch): no chart is drawn for nobody to see.
    chart: bool = True
    # Per text, the other cells of a pasted table (kept with its message as `fields`).
    fields: list[dict[str, str]] | None = None


class AnalysisResult(BaseModel):
    run_id: str
    kind: RunKind
    lang: Lang
    status: str = "done"
    labeler: str
    items: list[LabeledItem]
    summary: Summary
    explanation: str = ""
    chart_id: str | None = None
    conversation: ConversationVerdict | None = None
    review: ReviewRef | None = None
    created_at: str | None = None
    source: str | None = None
    channel: str | None = None
    progress: dict[str, int] = Field(default_factory=dict)

    @property
    def error(self) -> str | None:
        """The one reason shared by all failures, when every item failed (e.g. server down)."""
        errors = {item.error for item in self.items if item.status == "failed"}
        if self.items and self.summary.failed == self.summary.total and len(errors) == 1:
            return errors.pop()
        return None

    def api_json(self, *, public_url: str) -> dict[str, object]:
        """The contract's `POST /api/analyze` answer."""
        conversation = None
        if self.conversation:
            conversation = self.conversation.model_dump(include={"label", "resolved", "flagged", "reason"})
            conversation["agent_issues"] = self.conversation.agent_issues
        return {
            "run_id": self.run_id,
            "items": [item.public() for item in self.items],
            "summary": self.summary.model_dump(),
            "explanation": self.explanation,
            "chart_url": f"{public_url.rstrip('/')}/charts/{self.chart_id}.png" if self.chart_id else None,
            "conversation": conversation,
            "review_id": self.review.id if self.review else None,
            "labeler": self.labeler,
            "status": self.status,
        }


class AnalysisService:
    def __init__(self, *, settings: Settings, store: Store, labeler: Labeler, reviews: Reviews) -> None:
        self._settings = settings
        self._store = store
        self._labeler = labeler
        self._reviews = reviews
        # Runs left `running` by a process that is gone are marked interrupted right away.
        self._leases = RunLeases(store)
        self._leases.recover()

    # -- public use cases -------------------------------------------------------------------

    async def analyze(
        self, request: AnalysisRequest, *, on_progress: ProgressFn | None = None
    ) -> AnalysisResult:
        run_id = self.submit(request)
        return await self.complete(run_id, request, on_progress=on_progress)

    def submit(self, request: AnalysisRequest) -> str:
        """Validate and store the run with its items pending; nothing is stored for bad input."""
        inputs, kind = _validate(request)
        lang = detect_lang(*(item.text for item in inputs[:50]))
        pending = []
        for item in inputs:
            cleaned, note = clean_text(item.text)
            pending.append(
                LabeledItem(
                    id=item.id,
                    text=item.text,
                    clean_text=cleaned,
                    note=note,
                    role=item.role,
                    author=item.author,
                    # Stored `rejected` with this reason: never labelled, counted nor relabelled.
                    **({} if cleaned else {"status": "failed", "error": NOTHING_TO_LABEL}),
                )
            )
        _refuse_if_nothing_to_label(pending, kind)
        run_id = uuid.uuid4().hex[:12]
        conversation_key = None
        if kind == "conversation":
            conversation_key = request.thread_key or _transcript_key(pending)
        self._store.runs.create(
            run_id=run_id,
            source=request.source,
            kind=kind,
            lang=lang,
            channel=request.channel,
            thread_key=request.thread_key,
            # One key per conversation: the platform's thread, or the transcript's own turns.
            conversation_key=conversation_key,
            labeler=self._labeler.name,
            model=self._labeler.model,
            prompt_version=self._labeler.prompt_version,
            day=self.today(),
            items=pending,
            lease=self._leases.new_lease(),
        )
        if request.message_ids is not None and len(request.message_ids) == len(pending):
            self._store.messages.link_run(
                run_id,
                {item.id: message_id for item, message_id in zip(pending, request.message_ids, strict=True)},
            )
            return run_id
        # The run's items are messages of the history (stored once however often they are sent).
        record_run_messages(
            self._store,
            run_id,
            pending,
            source=request.source,
            channel=request.channel,
            conversation_id=conversation_key,
            fields=request.fields,
        )
        return run_id

    async def complete(
        self, run_id: str, request: AnalysisRequest, *, on_progress: ProgressFn | None = None
    ) -> AnalysisResult:
        """Label a submitted run. Whatever happens, the run ends stored, failures marked."""
        run = self._store.runs.get(run_id)
        if run is None:
            raise NotFound(f"no run {run_id}")
        everything = self._store.runs.items(run_id)
        # Items with nothing left after cleaning were refused at submit and keep their reason.
        pending = [item for item in everything if item.clean_text]
        refused = [item for item in everything if not item.clean_text]
        lang: Lang = run["lang"]
        try:
            async with self._leases.hold(run_id):
                if run["kind"] == "conversation":
                    labelled, verdict, summary_text = await self._judge(pending, lang)
                else:
                    labelled, summary_text = await self._label(run_id, pending, on_progress)
                    verdict = None
        except asyncio.CancelledError:  # shutdown: what is stored stays, `relabel --failed` does the rest
            self._store.runs.finish(run_id, status="interrupted", error=INTERRUPTED)
            raise
        except Exception as exc:  # the run must never be left half-done without a reason
            log.exception("labelling run %s failed", run_id)
            labelled = _keep_stored_answers(self._store.runs.items(run_id), f"internal error: {exc}")
            verdict, summary_text = None, ""
        labelled = sorted(labelled + refused, key=lambda item: item.id)
        review = await self._finish(
            run_id, run, request, labelled, verdict=verdict, summary_text=summary_text
        )
        result = self.result(run_id)
        result.review = review
        return result

    def result(self, run_id: str) -> AnalysisResult:
        run = self._store.runs.get(run_id)
        if run is None:
            raise NotFound(f"no run {run_id}")
        items = self._store.runs.items(run_id)
        review = None
        if run["conversation"] and run["conversation"].flagged:
            key = run["conversation_key"] or run["thread_key"] or _transcript_key(items)
            review = self._reviews.of_conversation(key)
        return AnalysisResult(
            run_id=run_id,
            kind=run["kind"],
            lang=run["lang"],
            status=run["status"],
            labeler=run["labeler"] or "",
            items=items,
            summary=Summary.of(items),
            explanation=run["explanation"] or "",
            chart_id=run["chart_id"],
            conversation=run["conversation"],
            review=review,
            created_at=run["created_at"],
            source=run["source"],
            channel=run["channel"],
            progress={"done": run["done"], "total": run["total"]},
        )

    async def relabel_failed(
        self, *, run_id: str | None = None, on_progress: ProgressFn | None = None
    ) -> list[AnalysisResult]:
        """Label again every failed (or never finished) item, run by run, and refresh the runs."""
        results = []
        self._leases.recover()  # runs a crash left `running` become interrupted, so they are here
        for failed_run_id, items in self._store.runs.failed_items(run_id).items():
            run = self._store.runs.get(failed_run_id)
            assert run is not None
            # Pages polling the run show it working; the lease says this process has it.
            self._store.runs.mark_running(failed_run_id, lease=self._leases.new_lease())
            if run["kind"] == "conversation":
                # A verdict needs the whole conversation: judge it again in full.
                request = AnalysisRequest(
                    source=run["source"], channel=run["channel"], thread_key=run["thread_key"]
                )
                results.append(await self.complete(failed_run_id, request))
                continue
            request = AnalysisRequest(source=run["source"], channel=run["channel"])
            try:
                async with self._leases.hold(failed_run_id):
                    labelled, _ = await self._label(failed_run_id, items, on_progress)
            except Exception as exc:
                log.exception("relabelling run %s failed", failed_run_id)
                labelled = _keep_stored_answers(
                    self._store.runs.items(failed_run_id), f"internal error: {exc}"
                )
            by_id = {item.id: item for item in labelled}
            everything = [by_id.get(item.id, item) for item in self._store.runs.items(failed_run_id)]
            await self._finish(failed_run_id, run, request, everything)
            results.append(self.result(failed_run_id))
        return results

    def today(self) -> str:
        return self._settings.today().isoformat()

    # -- steps ------------------------------------------------------------------------------

    async def _finish(
        self,
        run_id: str,
        run: dict[str, Any],
        request: AnalysisRequest,
        labelled: list[LabeledItem],
        *,
        verdict: ConversationVerdict | None = None,
        summary_text: str = "",
    ) -> ReviewRef | None:
        """Store the labels, the explanation, the chart and the review; close the run."""
        lang: Lang = run["lang"]
        try:
            self._store.runs.save_results(run_id, labelled)
            summary = Summary.of(labelled)
            chart_id = await self._chart(run["kind"], labelled, summary, lang) if request.chart else None
            review = self._flag(run_id, run, request, verdict, lang) if verdict else None
            if run["conversation_key"]:
                self._store.runs.supersede_conversation(run["conversation_key"], latest_run_id=run_id)
            self._store.runs.finish(
                run_id,
                status="failed" if summary.failed == summary.total else "done",
                explanation=summary_text or explain(labelled, summary, verdict, lang),
                summary_text=summary_text,
                conversation=verdict,
                chart_id=chart_id,
            )
        except BaseException as exc:  # shutdown or a storage error: never leave it "running"
            reason = "interrupted" if isinstance(exc, asyncio.CancelledError) else f"internal error: {exc}"
            self._store.runs.finish(run_id, status="failed", error=reason)
            raise
        return review

    async def _label(
        self, run_id: str, items: list[LabeledItem], on_progress: ProgressFn | None
    ) -> tuple[list[LabeledItem], str]:
        """Label items, answering repeats from the cache and each distinct text once."""
        labeler = self._labeler
        total = len(items)
        use_cache = labeler.model is not None and labeler.prompt_version is not None
        keys = {
            item.id: cache_key(item.clean_text or "", labeler.model or "", labeler.prompt_version or "")
            for item in items
        }
        hits = self._store.cache.get_many(list(set(keys.values()))) if use_cache else {}
        distinct: dict[str, TextIn] = {}
        for item in items:
            if keys[item.id] not in hits and keys[item.id] not in distinct:
                distinct[keys[item.id]] = TextIn(id=len(distinct) + 1, text=item.clean_text or "")
        done_before = total - sum(1 for item in items if keys[item.id] not in hits)
        by_key: dict[str, list[LabeledItem]] = {}
        for item in items:
            by_key.setdefault(keys[item.id], []).append(item)
        key_of = {text_in.id: key for key, text_in in distinct.items()}
        finished = done_before

        def store_slice(answers: dict[int, LabeledItem]) -> None:
            """A slice came back: its answers are stored for every item with that text at once,
            so a crash later keeps them (and `relabel --failed` asks only for the rest)."""
            fresh_part = {key_of[text_id]: answer for text_id, answer in answers.items()}
            if use_cache:
                self._store.cache.put_many(fresh_part)
            run_items = [_as_item(answer, item) for key, answer in fresh_part.items() for item in by_key[key]]
            self._store.runs.save_results(run_id, run_items)

        def progress(texts_done: int) -> None:
            # In items of the run (repeats included), not distinct texts sent to the labeller.
            nonlocal finished
            finished = max(finished, done_before + (total - done_before) * texts_done // len(distinct))
            self._store.runs.set_progress(run_id, finished)
            if on_progress:
                on_progress(finished, total)

        summary_text = ""
        fresh: dict[str, LabeledItem] = {}
        if distinct:
            size = self._settings.llm_batch_size if labeler.model else OFFLINE_SLICE
            answers, summary_text = await label_in_slices(
                labeler,
                list(distinct.values()),
                size=size,
                on_slice=store_slice,
                on_progress=progress,
                # The model server's labeller bounds its own requests in flight.
                side_by_side=self._settings.uses_llm,
            )
            fresh = {key_of[text_id]: answer for text_id, answer in answers.items()}
        elif on_progress:
            on_progress(total, total)
        labelled = [_as_item(hits.get(keys[item.id]) or fresh[keys[item.id]], item) for item in items]
        return labelled, summary_text

    async def _judge(
        self, turns: list[LabeledItem], lang: Lang
    ) -> tuple[list[LabeledItem], ConversationVerdict | None, str]:
        inputs = [TextIn(id=t.id, text=t.clean_text or "", role=t.role, author=t.author) for t in turns]
        if isinstance(self._labeler, ConversationJudge):
            batch = await self._labeler.judge(inputs)
        else:
            batch = await self._labeler.label(inputs)
        answered = {item.id: item for item in batch.items}
        labelled = [
            (answered.get(t.id) or _failed(t, "the labeller returned no answer")).model_copy(
                update={
                    "text": t.text,
                    "clean_text": t.clean_text,
                    "note": t.note,
                    "role": t.role,
                    "author": t.author,
                }
            )
            for t in turns
        ]
        verdict = batch.conversation
        if verdict is not None:
            verdict = vet_agent_issues(verdict, labelled)  # an agent issue needs an agent turn behind it
        elif any(item.status == "ok" and item.role == "customer" for item in labelled):
            # Agent turns are judged as agent behaviour, not by the sentiment of their words.
            labelled, issues = judge_agent_turns(labelled, lang=lang)
            verdict = rule_verdict(labelled, lang=lang, issues=issues)
        return labelled, verdict, batch.summary_text

    async def _chart(self, kind: str, items: list[LabeledItem], summary: Summary, lang: Lang) -> str | None:
        """The run's chart, or None; a chart that cannot be drawn never costs the labels."""
        if kind == "text" or summary.failed == summary.total:
            return None
        from bot import charts  # matplotlib costs ~1 s to import; only pay it when drawing

        try:
            # Both variants: compact for chat threads and phones, full behind a click.
            if kind == "conversation":
                points = [(item.role or "customer", item.label, item.confidence) for item in items]
                png, full = await asyncio.to_thread(charts.both, charts.conversation_png, points, lang=lang)
            else:
                png, full = await asyncio.to_thread(
                    charts.both, charts.label_distribution_png, summary, lang=lang
                )
        except Exception:
            log.exception("drawing the %s chart failed", kind)
            return None
        return self._store.charts.save(png, kind=kind, full=full)

    def _flag(
        self,
        run_id: str,
        run: dict[str, Any],
        request: AnalysisRequest,
        verdict: ConversationVerdict,
        lang: Lang,
    ) -> ReviewRef | None:
        items = self._store.runs.items(run_id)
        return self._reviews.flag(
            key=run["conversation_key"] or request.thread_key or _transcript_key(items),
            verdict=verdict,
            run_id=run_id,
            platform=request.source,
            channel=request.channel,
            title=request.title or _title(items, lang),
            permalink=request.permalink,
            from_thread=request.thread_key is not None,
        )


def _validate(request: AnalysisRequest) -> tuple[list[TextIn], RunKind]:
    entries: list[tuple[str, Role | None, str | None]]
    if request.conversation is not None:
        if request.texts is not None:
            raise InputError("send either `texts` or `conversation`, not both")
        if not request.conversation:
            raise InputError("`conversation` is empty: send at least one turn")
        entries = [(t.text, t.role, t.author) for t in request.conversation]
        kind: RunKind = "conversation"
        if not any(role == "customer" for _, role, _ in entries):
            raise InputError('the conversation has no customer turn (role "customer")')
    else:
        if not request.texts:
            raise InputError("nothing to label: send `text`, `texts` or `conversation`")
        entries = [(text, None, None) for text in request.texts]
        kind = "text" if len(entries) == 1 else "list"
    # The limit guards the chat and HTTP surfaces; the local command line labels lists of any
    # length (`sentibot label --file`), and exports go through `sentibot import`.
    if len(entries) > MAX_ITEMS and request.source != "cli":
        raise InputError(
            f"too many items: {len(entries)} (at most {MAX_ITEMS} per request; split the list)",
            zh=f"条目太多：{len(entries)} 条（每次最多 {MAX_ITEMS} 条，请分批发送）",
        )
    for index, (text, _, _) in enumerate(entries, start=1):
        if not text or not text.strip():
            raise InputError(
                f"item {index} is empty: remove it or give it text",
                zh=f"第 {index} 条是空的：删掉它或补上文字",
            )
        if has_lone_surrogate(text):
            raise InputError(f"item {index} {INVALID_TEXT}")
        if len(text) > MAX_ITEM_CHARS:
            raise InputError(
                f"item {index} is {len(text)} characters long (at most {MAX_ITEM_CHARS}); shorten it",
                zh=f"第 {index} 条有 {len(text)} 个字符（最多 {MAX_ITEM_CHARS} 个），请缩短",
            )
    items = [
        TextIn(id=index, text=text, role=role, author=author)
        for index, (text, role, author) in enumerate(entries, start=1)
    ]
    return items, kind


def _refuse_if_nothing_to_label(items: list[LabeledItem], kind: RunKind) -> None:
    """One text, or every item, empty once cleaned is refused like empty input; in a longer list
    such an item only gets its reason (and a conversation needs a customer turn with words)."""
    blank = [item.id for item in items if not item.clean_text]
    if not blank:
        return
    if kind == "conversation":
        if not any(item.clean_text for item in items if item.role == "customer"):
            raise InputError(
                f"no customer turn has text to judge: {NOTHING_TO_LABEL}",
                zh=f"客户的发言里没有可判定的文字：{NOTHING_TO_LABEL_ZH}",
            )
        return
    if kind == "text" or len(blank) == len(items):
        which = "the text" if len(items) == 1 else "every item"
        which_zh = "这段文字" if len(items) == 1 else "每一条"
        raise InputError(
            f"{which} has nothing to label: {NOTHING_TO_LABEL}",
            zh=f"{which_zh}都没有可标注的内容：{NOTHING_TO_LABEL_ZH}",
        )


def _as_item(answer: LabeledItem, item: LabeledItem) -> LabeledItem:
    """A label (fresh or cached) as the run's item it answers."""
    return answer.model_copy(
        update={
            "id": item.id,
            "text": item.text,
            "clean_text": item.clean_text,
            "note": item.note,
            "role": item.role,
            "author": item.author,
        }
    )


def _keep_stored_answers(stored: list[LabeledItem], error: str) -> list[LabeledItem]:
    """After a failure mid-run: what was stored slice by slice stays, the rest fails with `error`."""
    return [item if item.status == "ok" else _failed(item, error) for item in stored if item.clean_text]


def _failed(item: LabeledItem, error: str) -> LabeledItem:
    return item.model_copy(update={"label": None, "confidence": None, "status": "failed", "error": error})


def _transcript_key(items: list[LabeledItem]) -> str:
    digest = hashlib.sha256("\n".join(f"{i.role}:{i.text}" for i in items).encode()).hexdigest()
    return f"transcript:{digest[:24]}"


def _title(items: list[LabeledItem], lang: Lang) -> str:
    first = next((i.text for i in items if i.role == "customer"), items[0].text if items else "")
    first = " ".join(first.split())
    return first if len(first) <= 60 else first[:59] + "…"


def explain(
    items: list[LabeledItem], summary: Summary, verdict: ConversationVerdict | None, lang: Lang
) -> str:
    """One or two sentences on what drives the result, built from the labels and keywords."""
    if summary.total and summary.failed == summary.total:
        return "全部条目标注失败。" if lang == "zh" else "Every item failed to be labelled."
    if verdict:
        return verdict.reason
    if summary.total == 1:
        return items[0].explanation
    negative_words = Counter(
        word for item in items if item.label == "negative" for word in item.keywords[:3]
    ).most_common(3)
    labelled = summary.total - summary.failed
    best = max(summary.positive, summary.negative, summary.neutral)
    tops = [label for label in ("negative", "positive", "neutral") if getattr(summary, label) == best]
    share = label_percentages(summary)[tops[0]]  # the one rounding rule (bot/shares.py)
    if lang == "zh":
        words = "与".join(label_word(label, lang) for label in tops)
        text = (
            f"{labelled} 条中以{words}为主（{best} 条，{share}%）。"
            if len(tops) == 1
            else f"{labelled} 条中{words}各占 {best} 条。"
        )
        if negative_words:
            text += "负面评价主要集中在：" + "、".join(f"“{w}”" for w, _ in negative_words) + "。"
        if summary.failed:
            text += f"另有 {summary.failed} 条标注失败，可稍后重新标注。"
        return text
    text = (
        f"Mostly {tops[0]}: {best} of {labelled} ({share}%)."
        if len(tops) == 1
        else f"Evenly split: {' and '.join(tops)}, {best} each of {labelled}."
    )
    if negative_words:
        text += " Negative comments centre on " + ", ".join(f'"{w}"' for w, _ in negative_words) + "."
    if summary.failed:
        text += f" {summary.failed} failed and can be relabelled later."
    return text
