"""The core every surface calls: one object built from settings, keyword-only methods."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.analysis import AnalysisRequest, AnalysisResult, AnalysisService
from bot.ask.models import Answer
from bot.ask.questions import question_text
from bot.ask.reply import answer_reply
from bot.ask.service import AskService
from bot.commands import Command, parse_command
from bot.config import Settings
from bot.conversation import is_agent_only_transcript, parse_transcript
from bot.corrections import correction_reply, message_of_item, parse_correction, set_label
from bot.errors import Conflict, InputError, NotFound
from bot.jobs import BackgroundJobs
from bot.labelers import Labeler, ProgressFn, build_labeler
from bot.notify import Notifiers, Target, TargetError, announce_review, parse_targets
from bot.replies import (
    Reply,
    analysis_reply,
    help_reply,
    reviews_reply,
    stats_reply,
)
from bot.stats import StatsReport, build_stats
from bot.watch.observed import DeletedMessage, EditedMessage, ObservedMessage
from bot.watch.replies import watch_added_reply, watch_removed_reply, watch_unavailable_reply
from bot.watch.service import Watcher
from bot.watch.watchlist import WATCHABLE, RemoveOutcome, WatchEntry, WatchList
from domain.models import LABELS, Lang, Turn
from storage import ReviewNotFound, ReviewStateError, Store
from storage.clock import iso, utc_now

log = logging.getLogger(__name__)

DELIVERY_MEMORY = timedelta(days=30)


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


class Sentibot:
    def __init__(
        self, *, settings: Settings, store: Store | None = None, labeler: Labeler | None = None
    ) -> None:
        self.settings = settings
        self.store = store or Store(settings.db, timezone=settings.timezone)
        self.labeler = labeler or build_labeler(settings)
        self.analysis = AnalysisService(settings=settings, store=self.store, labeler=self.labeler)
        # Adapters register how to reach their platform ("slack", "dingtalk", ...); `web` is built in.
        self.notifiers = Notifiers()
        self.review_targets = parse_targets(settings.review_targets)
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
        # Delivery ids only guard against redeliveries, which come within minutes.
        self.store.events.forget_older_than(iso(utc_now() - DELIVERY_MEMORY))

    async def aclose(self) -> None:
        await self.jobs.shutdown()
        await self.watcher.stop()
        closer = getattr(self.labeler, "aclose", None)
        if closer:
            await closer()
        self.store.close()

    async def _digest_job(self) -> None:
        """The daily digest at SENTIBOT_DIGEST_TIME to SENTIBOT_DIGEST_TARGETS (bot/scheduler.py)."""
        from bot import scheduler

        await scheduler.DigestScheduler(
            store=self.store, settings=self.settings, notifiers=self.notifiers
        ).run()

    # -- labelling --------------------------------------------------------------------------

    async def analyze(
        self, request: AnalysisRequest, *, on_progress: ProgressFn | None = None
    ) -> AnalysisResult:
        return await self.analysis.analyze(request, on_progress=on_progress)

    async def handle_message(
        self, text: str, *, context: MessageContext, on_progress: ProgressFn | None = None
    ) -> Reply:
        """A chat message from any surface: a command, a pasted conversation, a list or one text."""
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
        request = message_request(text, context=context)
        result = await self.analysis.analyze(request, on_progress=on_progress)
        return await self.reply_for(result, context=context)

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
        result = await self.analysis.analyze(request)
        return await self.reply_for(result, context=context)

    async def reply_for(self, result: AnalysisResult, *, context: MessageContext) -> Reply:
        """The reply to an analysis; a newly flagged conversation is also announced to reviewers."""
        reply = analysis_reply(result, public_url=self.settings.public_url)
        if result.review and result.review.created and self.review_targets:
            origin = Target(context.source, context.channel) if context.channel else None
            await announce_review(
                reply=reply,
                created=True,
                targets=self.review_targets,
                notifiers=self.notifiers,
                origin=origin,
            )
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
            return stats_reply(await self.stats(days=command.days, lang=lang), lang)
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
        from bot.digest import today_digest_reply

        return await today_digest_reply(self.store, settings=self.settings, lang=lang)

    async def stats(
        self, *, days: int, lang: Lang = "en", channel: str | None = None, chart: bool = True
    ) -> StatsReport:
        if not 1 <= days <= 365:
            raise InputError("days must be between 1 and 365")
        return await build_stats(
            self.store, days=days, today=self.today(), lang=lang, channel=channel, chart=chart
        )

    def today(self) -> Any:
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    # -- reviews ----------------------------------------------------------------------------

    def reviews(self, *, status: str | None = "open", limit: int = 100) -> list[dict[str, Any]]:
        if status not in (None, "open", "resolved"):
            raise InputError("status must be open or resolved")
        return self.store.reviews.list(status=status, limit=limit)

    def review(self, review_id: int) -> dict[str, Any]:
        try:
            return self.store.reviews.get(review_id)
        except ReviewNotFound as exc:
            raise NotFound(str(exc)) from exc

    def resolve_review(
        self, review_id: int, *, reviewer: str, note: str = "", label: str | None = None
    ) -> dict[str, Any]:
        if not reviewer.strip():
            raise InputError("reviewer is required: say who reviewed it")
        if label is not None and label not in LABELS:
            raise InputError(f"label must be one of {', '.join(LABELS)}")
        try:
            return self.store.reviews.resolve(review_id, reviewer=reviewer.strip(), note=note, label=label)
        except ReviewNotFound as exc:
            raise NotFound(str(exc)) from exc
        except ReviewStateError as exc:
            raise Conflict(str(exc)) from exc

    def reopen_review(self, review_id: int, *, actor: str, note: str = "") -> dict[str, Any]:
        if not actor.strip():
            raise InputError("reviewer is required: say who reopens it")
        try:
            return self.store.reviews.reopen(review_id, actor=actor.strip(), note=note)
        except ReviewNotFound as exc:
            raise NotFound(str(exc)) from exc
        except ReviewStateError as exc:
            raise Conflict(str(exc)) from exc

    def recent_runs(self, *, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs with a preview of their first text and their label counts."""
        return self.store.runs.recent(limit)

    def first_delivery(self, *, platform: str, delivery_id: str) -> bool:
        """True the first time a platform delivers this event/message id; False on redelivery."""
        return self.store.events.claim(f"{platform}:{delivery_id}")

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
    """How a chat message is read: a transcript, several lines (a list) or one text."""
    base = {"source": context.source, "channel": context.channel, "thread_key": context.thread_key}
    turns = parse_transcript(text)
    if turns is None and is_agent_only_transcript(text):
        raise InputError(
            'the conversation has no customer turn (start its lines with "客户:" or "Customer:")'
        )
    if turns:
        return AnalysisRequest(conversation=turns, **base)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError("the message is empty: send a comment, a list (one per line) or `help`")
    return AnalysisRequest(texts=lines, **base)
