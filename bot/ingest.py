"""Messages posted by helpdesks and other tools (`POST /api/messages`): accept fast, label behind.

Rules:
- `accept` checks each message, stores the good ones (status `pending`) in one transaction and
  returns at once: accepted means stored, so nothing accepted is lost, even by a crash;
- a message already stored (same source and id, identity rules in domain/messages.py) is a
  duplicate: counted, not stored or labelled again (helpdesks retry);
- a bad message is rejected with its index and the reason; the others are accepted;
- labelling runs behind, in the order accepted, through the label cache and the labeller; the
  queue is bounded (`capacity` messages waiting): a post that does not fit is refused whole with
  `Busy` (429 with `Retry-After` at the HTTP edge, from the measured labelling rate), never
  dropped;
- messages accepted but not labelled when the process stopped are labelled when it starts again;
- once labelled they are handed to the watch (`on_labelled`): helpdesk conversations are judged
  when quiet and count for spike alerts like watched chat messages.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import InputError
from bot.history import label_messages
from bot.imports.timestamps import BadTime, parse_time
from bot.labelers import Labeler
from bot.text import clean_text
from domain.messages import NewMessage
from storage import Store
from storage.clock import utc_now

log = logging.getLogger(__name__)

MAX_MESSAGES = 1000  # per post (contract)
MAX_TEXT_CHARS = 20_000
CAPACITY = 20_000  # messages waiting for a label before posts are refused
CHUNK = 256  # messages handed to the labeller at a time
ROLES = {
    "customer": "customer",
    "agent": "agent",
    "end-user": "customer",
    "end_user": "customer",
    "requester": "customer",
    "user": "customer",
    "staff": "agent",
    "admin": "agent",
}


class Busy(Exception):
    """The labelling queue is full; try again after `retry_after` seconds (nothing was stored)."""

    def __init__(self, retry_after: int, waiting: int) -> None:
        super().__init__(
            f"{waiting} messages are waiting to be labelled; nothing was stored, send again in {retry_after}s"
        )
        self.retry_after = retry_after


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)  # stored ids of the accepted messages

    def public(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


class IngestService:
    def __init__(
        self,
        *,
        store: Store,
        labeler: Labeler,
        timezone: str,
        capacity: int = CAPACITY,
        on_labelled: Callable[[list[int]], Awaitable[None]] | None = None,
    ) -> None:
        self._store = store
        self._labeler = labeler
        self._zone = ZoneInfo(timezone)
        self.capacity = capacity
        self._on_labelled = on_labelled
        self._queue: deque[int] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._rate = 0.0  # messages labelled per second, measured
        self.labelled = 0
        self._busy = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def waiting(self) -> int:
        """Accepted messages not labelled yet (queued or being labelled)."""
        return len(self._queue) + self._in_flight

    def accept(self, source: str, messages: list[Any]) -> IngestResult:
        """Check and store a post; raise InputError for a bad post, Busy when the queue is full."""
        source = (source or "").strip() if isinstance(source, str) else ""
        if not source or len(source) > 64:
            raise InputError('`source` is required: the tool\'s name, e.g. "zendesk" (at most 64 characters)')
        if not isinstance(messages, list) or not messages:
            raise InputError("`messages` must be a non-empty list")
        if len(messages) > MAX_MESSAGES:
            raise InputError(f"too many messages: {len(messages)} (at most {MAX_MESSAGES} per post)")
        result = IngestResult()
        good: list[NewMessage] = []
        for index, raw in enumerate(messages):
            checked = self._message(source, raw)
            if isinstance(checked, str):
                result.rejected.append({"index": index, "error": checked})
            else:
                good.append(checked)
        if self.waiting + len(good) > self.capacity and good:
            raise Busy(self.retry_after(len(good)), self.waiting)
        if good:
            for added in self._store.messages.add(good):
                if added.created:
                    result.accepted += 1
                    result.ids.append(added.id)
                    self._queue.append(added.id)
                else:
                    result.duplicates += 1
            self._wake.set()
            self.ensure_running()
        return result

    def retry_after(self, wanted: int) -> int:
        """Seconds until `wanted` more messages fit, from the measured rate (1..300)."""
        excess = self.waiting + wanted - self.capacity
        if self._rate <= 0:
            return 5
        return max(1, min(300, int(excess / self._rate) + 1))

    # -- the worker -------------------------------------------------------------------------

    def ensure_running(self) -> None:
        """Start the labelling worker (needs a running event loop); recovers left-over messages."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._work(), name="ingest-labelling")

    async def serve(self) -> None:
        """As a background job of the core: run the worker until cancelled."""
        self.ensure_running()
        assert self._task is not None
        await asyncio.shield(self._task)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def drained(self) -> None:
        """Wait until every accepted message has been labelled (or failed)."""
        while self.waiting or self._busy:
            self._idle.clear()
            await self._idle.wait()

    async def _work(self) -> None:
        for message in self._store.messages.unlabelled_orphans(limit=self.capacity):
            if message.id not in self._queue:
                self._queue.append(message.id)
        while True:
            if not self._queue:
                self._busy = False
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            self._busy = True
            ids = [self._queue.popleft() for _ in range(min(CHUNK, len(self._queue)))]
            self._in_flight = len(ids)
            started = time.monotonic()
            try:
                messages = [m for m in self._store.messages.by_ids(ids) if m.status != "ok"]
                todo = [(m.id, m.clean_text or m.text or "") for m in messages]
                await label_messages(self._store, self._labeler, todo)
            except asyncio.CancelledError:
                self._queue.extendleft(reversed(ids))  # still pending in storage: labelled next start
                raise
            except Exception:  # a storage error: the messages stay pending, picked up next start
                log.exception("labelling %d ingested messages failed", len(ids))
                continue
            finally:
                self._in_flight = 0
            if self._on_labelled is not None:
                try:  # stored and labelled whatever happens here: the watch is told, not asked
                    await self._on_labelled([mid for mid, _ in todo])
                except Exception:
                    log.exception("the watch could not follow %d ingested messages", len(todo))
            elapsed = max(time.monotonic() - started, 1e-3)
            self.labelled += len(ids)
            rate = len(ids) / elapsed
            self._rate = rate if self._rate == 0 else 0.7 * self._rate + 0.3 * rate

    def _message(self, source: str, raw: Any) -> NewMessage | str:
        if not isinstance(raw, dict):
            return "each message must be an object with at least `text`"
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            return "`text` is required and must be a non-empty string"
        if len(text) > MAX_TEXT_CHARS:
            return f"`text` is {len(text)} characters long (at most {MAX_TEXT_CHARS})"
        cleaned, note = clean_text(text)
        if not cleaned:
            return "`text` has nothing to label once links, mentions and control characters are removed"
        fields: dict[str, str | None] = {}
        for name in ("id", "conversation_id", "author", "channel"):
            value = raw.get(name)
            if (value is not None and not isinstance(value, str | int)) or isinstance(value, bool):
                return f"`{name}` must be a string or a number"
            fields[name] = str(value).strip()[:256] if value is not None and str(value).strip() else None
        role = raw.get("role")
        if role is not None:
            role = ROLES.get(str(role).strip().lower())
            if role is None:
                return "`role` must be customer or agent"
        created_at: datetime = utc_now()
        if raw.get("created_at") not in (None, ""):
            try:
                created_at = parse_time(raw["created_at"], self._zone)
            except BadTime as exc:
                return f"`created_at`: {exc}"
        return NewMessage(
            source=source,
            text=text,
            clean_text=cleaned,
            note=note,
            created_at=created_at,
            external_id=fields["id"],
            conversation_id=fields["conversation_id"],
            author=fields["author"],
            channel=fields["channel"],
            role=role,
        )
