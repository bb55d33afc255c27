"""The core every surface calls: one object built from settings, keyword-only methods."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import scheduler
from bot.analysis import AnalysisRequest, AnalysisResult, AnalysisService
from bot.ask.models import Answer
from bot.ask.questions import question_text
from bot.ask.reply import answer_reply
from bot.ask.service import AskService
from bot.commands import Command, parse_command
from bot.config import Settings
from bot.conversation import is_agent_only_transcript, parse_transcript
from bot.corrections import correction_reply, message_of_item, parse_correction, set_label
from bot.digest import Digest, build_digest, digest_lang, today_digest_reply
from bot.errors import InputError, NotFound
from bot.evaluation import EvalReport, evaluate
from bot.history import check_filter
from bot.i18n import detect_lang, reply_lang
from bot.imports.uploads import UploadPreview, Uploads
from bot.ingest import IngestResult, IngestService
from bot.jobs import BackgroundJobs
from bot.labelers import Labeler, ProgressFn, build_labeler
from bot.labelers.qwen_check import CheckLine
from bot.notify import Notifiers, Target, TargetError, parse_targets
from bot.pasted_table import read_pasted_table
from bot.replies import (
    Reply,
    analysis_reply,
    error_reply,
    help_reply,
    reviews_reply,
    stats_reply,
)
from bot.reviews import Reviews
from bot.scheduler import DeliveryResult, send_digest
from bot.stats import StatsReport, build_stats
from bot.watch.observed import DeletedMessage, EditedMessage, ObservedMessage
from bot.watch.replies import watch_added_reply, watch_removed_reply, watch_unavailable_reply
from bot.watch.service import Watcher
from bot.watch.watchlist import WATCHABLE, RemoveOutcome, WatchEntry, WatchList
from domain.messages import Message, MessageFilter
from domain.models import Lang, Turn
from storage import Store
from storage.clock import iso, utc_now
from storage.messages import BadCursor
from storage.sessions import WebSessions

if TYPE_CHECKING:
    from bot.imports.runner import ImportJob, ImportReport, Progress

log = logging.getLogger(__name__)

DELIVERY_MEMORY = timedelta(days=30)
MAX_RANGE_DAYS = 3660  # stats over any range up to ten years


@dataclass(frozen=True)
class MessageContext:
    """Where a chat message came from, in platform-neutral terms."""

    source: str  # "web" | "slack" | "dingtalk" | "cli"
    channel: str | None = None
    user: str | None = None
    thread_key: str | None = None
    # False where the platform delivers only messages addressed to the bot (a DingTalk group):
    # watching there covers the @-messages only, and `watch` says so.
    hears_unmentioned: bool = True


@dataclass(frozen=True)
class PendingRun:
    """A run accepted and stored (items pending); `Sentibot.finish_run` labels it."""

    run_id: str
    request: AnalysisRequest
    context: MessageContext


class Sentibot:
    def __init__(
        self, *, settings: Settings, store: Store | None = None, labeler: Labeler | None = None
    ) -> None:
        self.settings = settings
        self.store = store or Store(settings.db, timezone=settings.timezone)
        self.labeler = labeler or build_labeler(settings, memory=self.store.llm_limits)
        # Adapters register how to reach their platform ("slack", "dingtalk", ...); `web` is built in.
        self.notifiers = Notifiers()
        self.review_targets = parse_targets(settings.review_targets)
        self.review_queue = Reviews(store=self.store, notifiers=self.notifiers, targets=self.review_targets)
        self.analysis = AnalysisService(
            settings=settings, store=self.store, labeler=self.labeler, reviews=self.review_queue
        )
        self.asking = AskService(settings=settings, store=self.store, model=_ask_model(settings))
        self.watchlist = WatchList(configured=settings.watch_channels, stored=self.store.watch_targets)
        self.watcher = Watcher(
            settings=settings,
            store=self.store,
            labeler=self.labeler,
            analysis=self.analysis,
            notifiers=self.notifiers,
            review_targets=self.review_targets,
        )
        # Started by every runner (serve, connect), running once per core; see bot/jobs.py.
        self.jobs = BackgroundJobs()
        self.jobs.register("digest", self._digest_job)
        self.jobs.register("watch", self.watcher.run)
        # Messages posted by helpdesks are labelled behind a bounded queue (bot/ingest.py).
        # Labelled, they are watched like Slack/DingTalk messages: judged when quiet, alerts.
        self.ingest = IngestService(
            store=self.store,
            labeler=self.labeler,
            timezone=settings.timezone,
            on_labelled=self.watcher.follow_labelled,
        )
        self.jobs.register("ingest", self.ingest.serve)
        # Files uploaded on the web, waiting for their import (bot/imports/uploads.py).
        self.uploads = Uploads()
        # Delivery ids only guard against redeliveries, which come within minutes.
        self.store.events.forget_older_than(iso(utc_now() - DELIVERY_MEMORY))

    async def aclose(self) -> None:
        await self.jobs.shutdown()
        await self.watcher.stop()
        await self.ingest.stop()  # what is still queued is stored pending: labelled at next start
        closer = getattr(self.labeler, "aclose", None)
        if closer:
            await closer()
        self.uploads.close()
        self.store.close()

    async def _digest_job(self) -> None:
        """The daily digest at SENTIBOT_DIGEST_TIME to SENTIBOT_DIGEST_TARGETS (bot/scheduler.py)."""
        await scheduler.DigestScheduler(
            store=self.store, settings=self.settings, notifiers=self.notifiers
        ).run()

    # -- labelling --------------------------------------------------------------------------

    async def analyze(
        self, request: AnalysisRequest, *, on_progress: ProgressFn | None = None
    ) -> AnalysisResult:
        return await self.analysis.analyze(request, on_progress=on_progress)

    def start_run(self, request: AnalysisRequest, *, context: MessageContext) -> PendingRun:
        """Validate and store a run (nothing stored for bad input); label it with `finish_run`."""
        return PendingRun(self.analysis.submit(request), request, context)

    async def finish_run(
        self, pending: PendingRun, *, on_progress: ProgressFn | None = None
    ) -> AnalysisResult:
        """Label a started run; a conversation it newly flags is announced to the review targets."""
        result, _ = await self._finish(pending, on_progress=on_progress)
        return result

    async def _finish(
        self, pending: PendingRun, *, on_progress: ProgressFn | None = None
    ) -> tuple[AnalysisResult, Reply]:
        result = await self.analysis.complete(pending.run_id, pending.request, on_progress=on_progress)
        return result, await self.reply_for(result, context=pending.context)

    async def accept_message(self, text: str, *, context: MessageContext) -> Reply | PendingRun:
        """A chat message from any surface, understood: a command is answered at once (a Reply);
        a pasted conversation, a list or one text becomes a stored run to finish (a PendingRun).
        Bad input raises InputError in the message's language."""
        command = parse_command(text)
        if command:
            return await self.run_command(command, context=context)
        correction = parse_correction(text)
        if correction:
            return self.correct_in_chat(
                correction.item, correction.label, chinese=correction.chinese, context=context
            )
        question = question_text(text)
        if question is not None:
            return await self.answer_question(question)
        try:
            return self.start_run(message_request(text, context=context), context=context)
        except InputError as exc:  # said in the message's language, on every surface
            raise InputError(exc.in_lang(reply_lang(text))) from exc

    def workload(self, text: str) -> int:
        """How many items a chat message asks to label: 0 for a command, else its lines (a
        pasted table: its rows)."""
        if parse_command(text):
            return 0
        table = read_pasted_table(text)
        if table is not None:
            return len(table.texts)
        return sum(1 for line in text.splitlines() if line.strip())

    async def handle_message(
        self, text: str, *, context: MessageContext, on_progress: ProgressFn | None = None
    ) -> Reply:
        """A chat message from any surface, answered: `accept_message`, then the run's reply."""
        accepted = await self.accept_message(text, context=context)
        if isinstance(accepted, PendingRun):
            _, reply = await self._finish(accepted, on_progress=on_progress)
            return reply
        return accepted

    async def answer_message(
        self, text: str, *, context: MessageContext, on_progress: ProgressFn | None = None
    ) -> Reply:
        """The core step of the chat pipeline (adapters/inbound.py): `handle_message`, with bad
        input answered as an error reply in the message's language instead of raised."""
        try:
            return await self.handle_message(text, context=context, on_progress=on_progress)
        except InputError as exc:
            lang = reply_lang(text)
            return error_reply(exc.in_lang(lang), lang)

    async def judge_conversation(
        self,
        turns: list[Turn],
        *,
        context: MessageContext,
        title: str | None = None,
        permalink: str | None = None,
    ) -> Reply:
        """A conversation gathered by an adapter (e.g. a Slack thread)."""
        request = AnalysisRequest(
            conversation=turns,
            source=context.source,
            channel=context.channel,
            thread_key=context.thread_key,
            title=title,
            permalink=permalink,
        )
        try:
            result = await self.analysis.analyze(request)
        except InputError as exc:
            lang = detect_lang(*(turn.text for turn in turns[:50]))
            return error_reply(exc.in_lang(lang), lang)
        return await self.reply_for(result, context=context)

    async def reply_for(self, result: AnalysisResult, *, context: MessageContext) -> Reply:
        """The reply to an analysis; a newly flagged conversation is also announced to reviewers."""
        reply = analysis_reply(result, public_url=self.settings.public_url)
        if result.review:
            origin = Target(context.source, context.channel) if context.channel else None
            await self.review_queue.announce(reply, created=result.review.created, origin=origin)
        return reply

    # -- asking about the history -----------------------------------------------------------

    async def ask(self, question: str, *, now: datetime | None = None, chart: bool = True) -> Answer:
        """Answer a question about the stored history (`sentibot ask`, `POST /api/ask`)."""
        return await self.asking.ask(question, now=now, chart=chart)

    async def answer_question(self, question: str, *, now: datetime | None = None) -> Reply:
        """A question asked in chat (`ask …` / `问 …`, or recognised as one), as a reply."""
        return answer_reply(await self.ask(question, now=now))

    def wants_to_talk(self, text: str) -> bool:
        """True when a chat text is a request to the bot (a command, a question, a label
        correction) rather than content to judge: adapters ask before judging a thread."""
        return bool(parse_command(text) or parse_correction(text) or question_text(text) is not None)

    # -- labels set by people ---------------------------------------------------------------

    def set_message_label(
        self, message_id: int, *, label: str, by: str, via: str = "web", note: str | None = None
    ) -> dict[str, Any]:
        """A lead sets the right label of a stored message (who and when are kept)."""
        return set_label(self.store, message_id, label=label, by=by, via=via, note=note)

    def set_item_label(
        self, run_id: str, idx: int, *, label: str, by: str, via: str = "run", note: str | None = None
    ) -> dict[str, Any]:
        """The same, for item `idx` (1-based) of a run."""
        return self.set_message_label(message_of_item(self.store, run_id, idx), label=label, by=by, via=via,
                                      note=note)  # fmt: skip

    def correct_in_chat(self, item: int, label: str, *, chinese: bool, context: MessageContext) -> Reply:
        """`correct 3 negative` / `纠正 3 负面`: item 3 of the latest run in this thread or channel."""
        lang: Lang = "zh" if chinese else "en"
        run_id = self.store.corrections.latest_run_in(
            thread_key=context.thread_key, channel=context.channel, source=context.source
        )
        if run_id is None:
            raise NotFound("nothing labelled here yet: label a comment first, then correct it")
        who = context.user or context.source
        saved = self.set_item_label(run_id, item, label=label, by=who, via=context.source)
        return correction_reply(
            saved, item=item, run_id=run_id, lang=lang, public_url=self.settings.public_url
        )

    # -- commands ---------------------------------------------------------------------------

    async def run_command(self, command: Command, *, context: MessageContext) -> Reply:
        lang: Lang = "zh" if command.chinese else "en"
        if command.name == "stats":
            report = await self.stats(days=command.days, lang=lang, first=command.first, last=command.last)
            return stats_reply(report, lang)
        if command.name == "review":
            return reviews_reply(self.reviews(status="open"), lang, public_url=self.settings.public_url)
        if command.name == "digest":
            return await self.digest_reply(lang=lang)
        if command.name in ("watch", "unwatch"):
            return self.watch_command(watch=command.name == "watch", context=context, lang=lang)
        return help_reply(lang)

    # -- the watch --------------------------------------------------------------------------

    def watch_event(self, change: ObservedMessage | EditedMessage | DeletedMessage) -> bool:
        """A message, an edit or a deletion in a watched conversation (stored at once, labelled
        in the background; nothing is posted in reply). False when it changed nothing."""
        if isinstance(change, ObservedMessage):
            return self.watcher.observe(change)
        if isinstance(change, EditedMessage):
            return self.watcher.edit(change)
        return self.watcher.delete(change)

    def watched(self) -> list[WatchEntry]:
        return self.watchlist.entries()

    def watch(self, entry: str, *, by: str | None = None) -> bool:
        """Watch `slack:CHANNEL_ID` / `dingtalk:OPEN_CONVERSATION_ID`; False if it already was."""
        try:
            return self.watchlist.add(entry, by=by)
        except TargetError as exc:
            raise InputError(str(exc)) from exc

    def unwatch(self, entry: str) -> RemoveOutcome:
        try:
            return self.watchlist.remove(entry)
        except TargetError as exc:
            raise InputError(str(exc)) from exc

    def watch_command(self, *, watch: bool, context: MessageContext, lang: Lang) -> Reply:
        """`watch` / `unwatch` (监控 / 取消监控) said in a conversation: switch that conversation."""
        if context.source not in WATCHABLE or not context.channel:
            return watch_unavailable_reply(lang)
        target = f"{context.source}:{context.channel}"
        if watch:
            added = self.watchlist.add(target, by=context.user)
            return watch_added_reply(added=added, hears_unmentioned=context.hears_unmentioned, lang=lang)
        return watch_removed_reply(self.watchlist.remove(target), lang=lang)

    async def digest_reply(self, *, lang: Lang) -> Reply:
        """Today's digest so far ("digest" / "日报")."""
        return await today_digest_reply(self.store, settings=self.settings, lang=lang)

    async def digest(self, day: date, *, lang: Lang | None = None, chart: bool = True) -> Digest:
        """One local day's digest; in the language most of that day's runs were in, unless given."""
        lang = lang or digest_lang(self.store, day=day, settings=self.settings)
        return await build_digest(self.store, day=day, settings=self.settings, lang=lang, chart=chart)

    async def send_digest(self, day: date, *, lang: Lang | None = None) -> list[DeliveryResult]:
        """Send a finished day's digest to SENTIBOT_DIGEST_TARGETS, once per target (see
        bot/scheduler.py); InputError for a day not over yet."""
        return await send_digest(
            store=self.store,
            settings=self.settings,
            notifiers=self.notifiers,
            day=day,
            targets=parse_targets(self.settings.digest_targets),
            lang=lang,
        )

    def digest_deliveries(self, day: date) -> list[dict[str, Any]]:
        """Where the day's digest went: one row per delivery, plus each configured target that
        has no row yet (status `not sent`)."""
        keys = ("target", "status", "attempts", "sent_at", "claimed_at", "error")
        rows = [{k: row.get(k) for k in keys} for row in self.store.digests.deliveries(date=day.isoformat())]
        seen = {row["target"] for row in rows}
        not_sent = {"status": "not sent", "attempts": 0, "sent_at": None, "claimed_at": None, "error": None}
        rows += [
            {"target": t, **not_sent}
            for t in map(str, parse_targets(self.settings.digest_targets))
            if t not in seen
        ]
        return rows

    def evaluate(self) -> EvalReport:
        """How far the labeller agrees with the labels reviewers corrected."""
        return evaluate(self.store)

    async def check_labeller(self) -> list[CheckLine]:
        """The model server's checks for `doctor` (with the concurrency learned for it); none offline."""
        check = getattr(self.labeler, "check", None)
        lines: list[CheckLine] = list(await check()) if check else []
        if lines and all(line.ok for line in lines) and self.asking.model is not None:
            ok, message = await self.asking.model.check(today=self.settings.today())
            lines.append(CheckLine("asking (tool calls)", ok, message))
        return lines

    def check_db(self) -> None:
        """Raise StorageError unless the database takes a write (`/healthz`, `doctor`)."""
        self.store.check_writable()

    async def stats(
        self,
        *,
        days: int = 7,
        lang: Lang = "en",
        channel: str | None = None,
        chart: bool = True,
        first: date | None = None,
        last: date | None = None,
    ) -> StatsReport:
        """The last `days` days, or the local days `first`..`last` (messages by `created_at`)."""
        if (first is None) != (last is None):
            raise InputError("give both `from` and `to` (YYYY-MM-DD), or `days`")
        if first is not None and last is not None:
            if first > last:
                raise InputError(f"the range starts after it ends: {first} > {last}")
            if (last - first).days >= MAX_RANGE_DAYS:
                raise InputError(f"a range is at most {MAX_RANGE_DAYS} days")
        elif not 1 <= days <= 365:
            raise InputError("days must be between 1 and 365")
        return await build_stats(
            self.store,
            days=days,
            today=self.today(),
            lang=lang,
            channel=channel,
            chart=chart,
            first_day=first,
            last_day=last,
        )

    def today(self) -> date:
        """Today in SENTIBOT_TIMEZONE."""
        return self.settings.today()

    # -- reviews ----------------------------------------------------------------------------

    def reviews(self, *, status: str | None = "open", limit: int = 100) -> list[dict[str, Any]]:
        return self.review_queue.list(status=status, limit=limit)

    def review(self, review_id: int) -> dict[str, Any]:
        return self.review_queue.get(review_id)

    def resolve_review(
        self, review_id: int, *, reviewer: str, note: str = "", label: str | None = None
    ) -> dict[str, Any]:
        return self.review_queue.resolve(review_id, reviewer=reviewer, note=note, label=label)

    def reopen_review(self, review_id: int, *, actor: str, note: str = "") -> dict[str, Any]:
        return self.review_queue.reopen(review_id, actor=actor, note=note)

    def latest_day_with_messages(self) -> str | None:
        """The latest local day (YYYY-MM-DD, today included) with labelled messages, if any."""
        return self.store.stats.latest_day(up_to=self.today().isoformat())

    def run(self, run_id: str) -> AnalysisResult:
        """One run as stored (NotFound for an unknown id); poll it while it runs."""
        return self.analysis.result(run_id)

    async def relabel_failed(
        self, *, run_id: str | None = None, on_progress: ProgressFn | None = None
    ) -> list[AnalysisResult]:
        """Label again what failed (or a crash left unfinished), run by run; NotFound for a bad id."""
        if run_id is not None:
            self.analysis.result(run_id)
        return await self.analysis.relabel_failed(run_id=run_id, on_progress=on_progress)

    def recent_runs(self, *, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs with a preview of their first text and their label counts."""
        return self.store.runs.recent(limit)

    def first_delivery(self, *, platform: str, delivery_id: str) -> bool:
        """True the first time a platform delivers this event/message id; False on redelivery."""
        return self.store.events.claim(f"{platform}:{delivery_id}")

    @property
    def web_sessions(self) -> WebSessions:
        """Login sessions of the web chat (opened and checked by adapters/web/security.py)."""
        return self.store.web_sessions

    # -- the history --------------------------------------------------------------------------

    def open_import(
        self,
        path: Path,
        *,
        source: str = "import",
        channel: str | None = None,
        mapping: str | dict[str, str] | None = None,
        fmt: str | None = None,
    ) -> ImportJob:
        """An export opened for import, its columns recognised (InputError says what to fix);
        `mapping` is `field=COLUMN,...` (as `--map`, other fields recognised by name) or a dict
        field → column name (exactly the fields used)."""
        from bot.imports.runner import ImportJob

        return ImportJob(
            path,
            store=self.store,
            labeler=self.labeler,
            timezone=self.settings.timezone,
            source=source,
            channel=channel,
            mapping=mapping,
            fmt=fmt,
        )

    def preview_upload(self, *, filename: str, data: bytes) -> UploadPreview:
        """Keep an uploaded export (CSV, TSV, XLSX, JSONL by its name) for import and show its
        header, first rows and the fields recognised by column name (the column picker's
        preselection). InputError for an unknown type, an empty or unreadable file."""
        return self.uploads.stage(filename, data)

    async def import_upload(
        self,
        *,
        upload_id: str,
        fields: dict[str, str],
        source: str = "import",
        channel: str | None = None,
        on_progress: Progress | None = None,
    ) -> ImportReport:
        """Import an uploaded file into the history through the same runner as `sentibot import`
        (`fields`: field → column name, the picker's complete choice: a field not given is not
        used; the preview's `fields` are what names recognise).
        A bad choice is an InputError and the upload keeps waiting; once imported it is deleted
        (NotFound when asked again)."""
        job = self.open_import(
            self.uploads.path(upload_id), source=source, channel=channel or None, mapping=fields
        )
        try:
            return await job.run(on_progress=on_progress)
        finally:
            job.close()
            self.uploads.discard(upload_id)

    def ingest_messages(self, *, source: str, messages: list[Any]) -> IngestResult:
        """A helpdesk's post: stored at once, labelled behind (InputError, or Busy when full)."""
        return self.ingest.accept(source, messages)

    def messages(self, wanted: MessageFilter) -> tuple[list[Message], str | None]:
        """A page of the history, newest first, and the cursor of the next page."""
        check_filter(wanted)
        try:
            return self.store.messages.search(wanted)
        except BadCursor as exc:
            raise InputError(str(exc)) from exc

    def export_messages(self, wanted: MessageFilter) -> Iterator[Message]:
        """Every message matching the filter (all pages, newest first), read a page at a time, for
        a CSV export. The filter is checked (InputError) before the first message is read."""
        check_filter(wanted)
        try:
            self.store.messages.search(wanted.model_copy(update={"limit": 1}))
        except BadCursor as exc:
            raise InputError(str(exc)) from exc
        return iter(self.store.messages.iter_matching(wanted))

    def label_corrections(self, message_ids: list[int]) -> dict[int, dict[str, Any]]:
        """The latest label a person set on each of these messages (who, when, via), by message id."""
        return self.store.corrections.latest_for(message_ids)

    def runs_page(
        self, *, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Every run, newest first, a page at a time: each with its time, source, kind, size, status,
        first text (`preview`) and label counts; and the cursor of the next page (None at the end).
        `limit` is 1..200; a cursor not made by this server is an InputError."""
        if not 1 <= limit <= 200:
            raise InputError("`limit` must be between 1 and 200")
        try:
            return self.store.runs.page(limit=limit, cursor=cursor or None)
        except ValueError as exc:
            raise InputError(str(exc)) from exc

    def runs_count(self) -> int:
        """How many runs are stored."""
        return self.store.runs.count()

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        """A conversation's messages in order, and its latest verdict (None until judged)."""
        messages = self.store.messages.conversation(conversation_id)
        judged = self.store.messages.latest_verdict(conversation_id)
        if not messages and not judged:
            raise NotFound(f"no conversation {conversation_id}")
        review = self.store.reviews.by_thread(conversation_id)
        return {
            "conversation_id": conversation_id,
            "messages": messages,
            "verdict": judged["verdict"] if judged else None,
            "run_id": judged["run_id"] if judged else None,
            "review_id": review["id"] if review else None,
        }

    def chart(self, chart_id: str) -> bytes:
        png = self.store.charts.get(chart_id)
        if png is None:
            raise NotFound(f"no chart {chart_id}")
        return png


def _ask_model(settings: Settings) -> Any:
    """Qwen3 answers questions by tool calling when a model server is configured."""
    if not settings.uses_llm:
        return None
    from bot.ask.llm import AskModel

    return AskModel(settings=settings)


def message_request(text: str, *, context: MessageContext) -> AnalysisRequest:
    """How a chat message is read: a transcript, a pasted spreadsheet (a column under its
    header, or tab-separated rows: the header is not labelled, the text column is chosen and the
    other cells kept as the messages' fields; rules in bot/pasted_table.py), several lines (a
    list) or one text."""
    base = {"source": context.source, "channel": context.channel, "thread_key": context.thread_key}
    turns = parse_transcript(text)
    if turns is None and is_agent_only_transcript(text):
        raise InputError(
            'the conversation has no customer turn (start its lines with "客户:" or "Customer:")',
            zh="这段对话没有客户的发言（客户的行以“客户:”开头）",
        )
    if turns:
        return AnalysisRequest(conversation=turns, **base)
    table = read_pasted_table(text)
    if table is not None:
        fields = table.fields if any(table.fields) else None
        return AnalysisRequest(texts=table.texts, fields=fields, **base)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError(
            "the message is empty: send a comment, a list (one per line) or `help`",
            zh="消息是空的：请发送一条评论、一个列表（每行一条）或“帮助”",
        )
    return AnalysisRequest(texts=lines, **base)
