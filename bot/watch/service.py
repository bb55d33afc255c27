"""The watch at work: messages of watched conversations in, labels, verdicts and alerts out.

Flow
1. An adapter reports a message of a watched conversation (`observe`), an edit (`edit`) or a
   deletion (`delete`). The message is stored as a history message at once (stored once: the
   history's identity rules, so a platform's redelivery adds nothing) and queued for labelling;
   nothing waits for the model and nothing is ever posted in the watched conversation.
2. The micro-batcher labels queued messages several to a request (`bot/watch/batcher.py`).
   After each batch: a strongly negative customer message (`bot/watch/urgency.py`) makes its
   conversation due for judging now, and each channel's alert window is checked.
3. `judge_due` (every few seconds in `run`) judges every conversation that has been quiet for
   SENTIBOT_QA_IDLE_SECONDS since its last change, or is urgent, and has changed since it was
   last judged. A flagged conversation gets one review (kept per conversation, refreshed when
   judged again), announced once to SENTIBOT_REVIEW_TARGETS with a link to the thread — never
   in the watched conversation itself.
4. Alerts: see `bot/watch/alerts.py`. Retention: SENTIBOT_RETENTION_DAYS, once an hour.

Everything is claimed in SQLite before it is done, so `serve` and `connect` on one database
(or a restart) judge a quiet conversation and announce an alert exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.analysis import MAX_ITEM_CHARS, MAX_ITEMS, AnalysisRequest, AnalysisService
from bot.config import Settings
from bot.labelers import Labeler
from bot.notify import Notifiers, Target, announce_review
from bot.replies import analysis_reply
from bot.scheduler import worker_id
from bot.text import clean_text
from bot.watch.alerts import AlertWatch
from bot.watch.batcher import MicroBatcher
from bot.watch.observed import DeletedMessage, EditedMessage, ObservedMessage, role_of
from bot.watch.replies import thread_line
from bot.watch.urgency import is_urgent
from bot.watch.watchlist import WATCHABLE
from domain.messages import NewMessage, external_identity
from domain.models import LabeledItem, TextIn, Turn
from storage import Store
from storage.clock import iso, utc_now

log = logging.getLogger(__name__)

# How often the background loop looks for quiet conversations (and alerts left unsent).
TICK_S = 5.0
RETENTION_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class JudgeOutcome:
    conversation: str
    run_id: str | None
    flagged: bool
    review_id: int | None
    announced: bool


def watch_key(source: str, conversation_id: str) -> str:
    """A watched conversation's key: chat conversation ids already name their platform
    (`slack:T:C:ts`, `dingtalk:cid…`); a helpdesk's ticket id gets its source in front, so the
    same ticket number from two helpdesks is two conversations."""
    return conversation_id if source in WATCHABLE else f"{source}:{conversation_id}"


def conversation_of(source: str, key: str) -> str:
    """The stored conversation id of a watched conversation (the inverse of `watch_key`)."""
    return key if source in WATCHABLE else key.removeprefix(f"{source}:")


class Watcher:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        labeler: Labeler,
        analysis: AnalysisService,
        notifiers: Notifiers,
        review_targets: list[Target],
    ) -> None:
        self.settings = settings
        self.store = store
        self.labeler = labeler
        self.analysis = analysis
        self.notifiers = notifiers
        self.review_targets = review_targets
        self.worker = worker_id()
        self.batcher = MicroBatcher(
            self._label_batch,
            batch_size=settings.llm_batch_size,
            concurrency=settings.llm_concurrency_cap,  # the shared adaptive limit paces requests
        )
        self.alerts = AlertWatch(
            settings=settings,
            store=store,
            notifiers=notifiers,
            targets=review_targets,
            worker=self.worker,
        )
        self._last_retention: datetime | None = None
        self._wake = asyncio.Event()  # an urgent conversation: judge now, not at the next tick

    # -- messages in ------------------------------------------------------------------------

    def observe(self, message: ObservedMessage) -> bool:
        """Store a watched message and queue it for labelling; False when already stored."""
        cleaned, note = clean_text(message.text)
        role = role_of(message, agent_ids=self.settings.agent_ids)
        [added] = self.store.messages.add(
            [
                NewMessage(
                    source=message.source,
                    text=message.text,
                    clean_text=cleaned,
                    note=note,
                    created_at=message.created_at,
                    external_id=message.external_id,
                    conversation_id=message.conversation_id,
                    channel=message.channel,
                    author=message.author,
                    role=role,
                )
            ]
        )
        if not added.created:
            return False
        # The first message seen names the conversation (kept: later ones do not rename it).
        self._touch(
            message.conversation_id,
            source=message.source,
            channel=message.channel,
            title=" ".join(message.text.split())[:60],
            permalink=message.permalink,
        )
        self._submit([added.id])
        return True

    def edit(self, edit: EditedMessage) -> bool:
        """An edited message is labelled again (its conversation is judged again when quiet)."""
        cleaned, _ = clean_text(edit.text)
        message_id = self.store.watched_messages.replace_text(
            external_identity(edit.source, edit.external_id), text=edit.text, clean_text=cleaned
        )
        if message_id is None:
            return False
        stored = self.store.messages.get(message_id)
        if stored and stored.conversation_id:
            self._touch(stored.conversation_id, source=edit.source, channel=edit.channel)
        self._submit([message_id])
        return True

    def delete(self, deleted: DeletedMessage) -> bool:
        """A deleted message's text is deleted from storage (its count stays)."""
        return self.store.watched_messages.forget_text(external_identity(deleted.source, deleted.external_id))

    def _touch(
        self,
        conversation: str,
        *,
        source: str,
        channel: str | None,
        title: str | None = None,
        permalink: str | None = None,
    ) -> None:
        judge_after = utc_now() + timedelta(seconds=self.settings.qa_idle_seconds)
        self.store.watch_conversations.touch(
            conversation,
            source=source,
            channel=channel,
            judge_after=iso(judge_after),
            title=title,
            permalink=permalink,
        )

    def _submit(self, message_ids: list[int]) -> None:
        self.batcher.submit(message_ids)

    def resume(self) -> int:
        """Queue what an earlier process left unlabelled (pending or failed watched messages)."""
        ids: list[int] = []
        after = 0
        while batch := self.store.messages.unlabelled(limit=1000, include_failed=True, after_id=after):
            ids += [m.id for m in batch if m.conversation_id and m.source in ("slack", "dingtalk")]
            after = batch[-1].id
        if ids:
            log.info("watch: %d message(s) left unlabelled earlier are queued again", len(ids))
            self._submit(ids)
        return len(ids)

    # -- labelling --------------------------------------------------------------------------

    async def _label_batch(self, message_ids: list[int]) -> list[int]:
        """Label one micro-batch; returns the ids that failed (queued again by the batcher)."""
        messages = [m for m in self.store.messages.by_ids(message_ids) if m.text is not None]
        if not messages:
            return []
        inputs = [TextIn(id=i, text=m.clean_text or m.text or "") for i, m in enumerate(messages, 1)]
        result = await self.labeler.label(inputs)
        answered = {item.id: item for item in result.items}
        labelled: list[tuple[int, LabeledItem]] = []
        for index, message in enumerate(messages, 1):
            item = answered.get(index) or LabeledItem(
                id=index,
                text=inputs[index - 1].text,
                status="failed",
                error="the labeller returned no answer",
            )
            labelled.append((message.id, item))
        # An edit that arrived while the model worked is labelled again by its own batch:
        # only labels of the text that was sent are written.
        current = {m.id: m.clean_text for m in self.store.messages.by_ids(message_ids)}
        sent = {m.id: m.clean_text for m in messages}
        labelled = [(mid, item) for mid, item in labelled if current.get(mid) == sent[mid]]
        self.store.messages.set_labels(labelled)
        failed = [mid for mid, item in labelled if item.status != "ok"]
        await self._after_labels([mid for mid, item in labelled if item.status == "ok"])
        return failed

    async def follow_labelled(self, message_ids: list[int]) -> None:
        """Messages that came in another way (helpdesk posts, bot/ingest.py), labelled: watched
        the same way. Each conversation is judged once quiet (SENTIBOT_QA_IDLE_SECONDS after its
        latest labelled message), at once on an urgent customer message; their channels' negative
        share is checked for an alert. Messages without a conversation count only for alerts."""
        messages = [m for m in self.store.messages.by_ids(message_ids) if m.status == "ok"]
        for message in messages:
            if message.conversation_id:
                self._touch(
                    watch_key(message.source, message.conversation_id),
                    source=message.source,
                    channel=message.channel,
                    title=" ".join((message.text or "").split())[:60] or None,
                )
        await self._after_labels([m.id for m in messages])

    async def _after_labels(self, message_ids: list[int]) -> None:
        """Urgent customer messages wake the judge; each channel's share is checked for an alert."""
        channels: set[str] = set()
        for message in self.store.messages.by_ids(message_ids):
            if message.status != "ok":
                continue
            if message.channel:
                channels.add(message.channel)
            urgent = is_urgent(message.text or "", role=message.role, label=message.label)
            if message.conversation_id and urgent:
                key = watch_key(message.source, message.conversation_id)
                log.info("watch: urgent customer message in %s: judged now", key)
                self.store.watch_conversations.mark_urgent(key)
                self._wake.set()
        for channel in channels:
            await self.alerts.check(channel)

    # -- judging ----------------------------------------------------------------------------

    async def judge_due(self) -> list[JudgeOutcome]:
        """Judge every conversation that is due (quiet long enough, or urgent) and claimed here."""
        outcomes = []
        for row in self.store.watch_conversations.claim_due(now=iso(), worker=self.worker):
            try:
                outcomes.append(await self._judge(row))
            except Exception:
                log.exception("judging watched conversation %s failed; tried again later", row["key"])
                self.store.watch_conversations.release(row["key"], worker=self.worker)
        return outcomes

    async def _judge(self, row: dict[str, Any]) -> JudgeOutcome:
        key = str(row["key"])
        covered = int(row["changes"] or 0)
        source, channel = str(row["source"]), row["channel"]
        stored = self.store.messages.conversation(conversation_of(source, key), source=source)
        messages = [m for m in stored if m.text and m.text.strip()]
        messages = messages[-MAX_ITEMS:]
        turns = [
            Turn(author=m.author or "", role=m.role or "customer", text=(m.text or "")[:MAX_ITEM_CHARS])
            for m in messages
        ]
        if not any(turn.role == "customer" for turn in turns):
            # Nothing a customer said (yet): no verdict to give.
            self.store.watch_conversations.finish(key, covered=covered, run_id=None, worker=self.worker)
            return JudgeOutcome(key, None, False, None, False)
        permalink = row["permalink"] if isinstance(row["permalink"], str) else None
        request = AnalysisRequest(
            conversation=turns,
            source=source,
            channel=str(channel) if channel else None,
            thread_key=key,
            title=str(row["title"]) if row["title"] else None,
            permalink=permalink,
            message_ids=[m.id for m in messages],  # the stored messages: not stored again
            chart=False,  # announced with a link and buttons; the web draws it when opened
        )
        result = await self.analysis.analyze(request)
        announced = False
        if result.review and result.review.created and self.review_targets:
            reply = analysis_reply(result, public_url=self.settings.public_url)
            line = thread_line(permalink, reply.lang)
            if line:
                reply = reply.model_copy(update={"lines": [line, *reply.lines]})
            origin = Target(source, str(channel)) if channel else None
            sent = await announce_review(
                reply=reply,
                created=True,
                targets=self.review_targets,
                notifiers=self.notifiers,
                origin=origin,  # the watched conversation itself: the bot stays silent there
            )
            announced = any(r.ok for r in sent)
        self.store.watch_conversations.finish(key, covered=covered, run_id=result.run_id, worker=self.worker)
        flagged = bool(result.conversation and result.conversation.flagged)
        return JudgeOutcome(
            key, result.run_id, flagged, result.review.id if result.review else None, announced
        )

    # -- retention --------------------------------------------------------------------------

    def apply_retention(self) -> int:
        """Delete message texts older than SENTIBOT_RETENTION_DAYS (unset: keep); their counts stay."""
        days = self.settings.retention_days
        if not days:
            return 0
        cutoff = iso(utc_now() - timedelta(days=days))
        forgotten = self.store.watched_messages.forget_older_than(cutoff)
        if forgotten:
            log.info("retention: deleted the text of %d message(s) older than %d days", forgotten, days)
        return forgotten

    # -- the background job -----------------------------------------------------------------

    async def run(self) -> None:
        """The watch's background job (in `serve` and in `connect`): resume unlabelled messages,
        then judge quiet conversations, retry unsent alerts and apply retention, until cancelled."""
        self.resume()
        try:
            while True:
                await self.tick()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), TICK_S)
                self._wake.clear()
        finally:
            await self.stop()

    async def tick(self) -> None:
        try:
            await self.judge_due()
            await self.alerts.retry_unsent()
            now = utc_now()
            if self._last_retention is None or now - self._last_retention >= RETENTION_EVERY:
                self._last_retention = now
                self.apply_retention()
        except Exception:  # the loop must outlive a bad pass (the database briefly locked…)
            log.exception("watch pass failed; trying again in %.0fs", TICK_S)

    async def stop(self, *, timeout: float = 30.0) -> None:
        """Let batches already with the model finish (their labels are stored), then stop."""
        await self.batcher.stop(timeout=timeout)
