"""The message: the unit of history (contract, "Messages: the history"), and its identity rules.

Identity decides when a message seen again (imported twice, pasted twice, redelivered by a
platform) is the same message, stored and counted once:

1. with an external id (a helpdesk ticket comment id, a Slack `ts`, a DingTalk msgId):
   `(source, external_id)`;
2. a line of a pasted list: the k-th line with the same text pasted in the same channel on the
   same day, so pasting a list twice adds nothing while a list that really repeats a comment
   keeps both; a turn of a conversation without message ids (a pasted transcript, a thread read
   without timestamps): the k-th turn with that text in that conversation, whatever the day;
3. otherwise `(source, channel, conversation_id, author, created_at, text)`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field, field_validator

from domain.models import Aspect, Label, Role


def _key(parts: tuple[Any, ...]) -> str:
    blob = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def external_identity(source: str, external_id: str) -> str:
    """The identity of a message known by its platform or helpdesk id (rule 1): computable
    before anything else of the message is read, so a re-import can skip a stored row at once."""
    return _key(("ext", source, external_id))


class NewMessage(BaseModel):
    """A message as it arrives, before it is stored or labelled."""

    source: str
    text: str
    created_at: datetime  # aware; naive times are read in SENTIBOT_TIMEZONE before this point
    external_id: str | None = None
    conversation_id: str | None = None
    channel: str | None = None
    author: str | None = None
    role: Role | None = None
    clean_text: str | None = None
    note: str | None = None
    # For rule 2: this is the k-th line (1-based) with this text in one paste, counted within
    # `paste_scope` when given (an import without ids or times: the whole source), else the
    # conversation, else the day.
    paste_occurrence: int | None = None
    paste_scope: str | None = None
    # Columns of an imported row that are not message fields, kept as they were.
    fields: dict[str, str] = Field(default_factory=dict)

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("created_at needs a time zone (read naive times in SENTIBOT_TIMEZONE first)")
        return value

    def identity(self, day: str) -> str:
        """The identity key (rule 1, 2 or 3 above); `day` is the local day of `created_at`."""
        if self.external_id:
            return external_identity(self.source, self.external_id)
        parts: tuple[Any, ...]
        if self.paste_occurrence is not None:
            # A conversation scopes its own lines (a thread analysed again next week is the same
            # thread); a loose list is scoped by the day it was pasted.
            scope = self.paste_scope or self.conversation_id or day
            parts = ("paste", self.source, self.channel, scope, self.text, self.paste_occurrence)
        else:
            parts = (
                "full",
                self.source,
                self.channel,
                self.conversation_id,
                self.author,
                self.created_at.astimezone(UTC).isoformat(timespec="seconds"),
                self.text,
            )
        return _key(parts)


def paste_occurrences(texts: list[str]) -> list[int]:
    """For each line of a paste, which occurrence of its text it is (1 for the first)."""
    seen: dict[str, int] = {}
    out = []
    for text in texts:
        seen[text] = seen.get(text, 0) + 1
        out.append(seen[text])
    return out


class Message(BaseModel):
    """A stored message with its label (the contract's message JSON plus `day` and `fields`)."""

    id: int
    source: str
    external_id: str | None = None
    conversation_id: str | None = None
    channel: str | None = None
    author: str | None = None
    role: Role | None = None
    text: str | None  # None once retention deleted the text (its counts stay)
    created_at: datetime
    day: str
    label: Label | None = None
    confidence: float | None = None
    aspects: list[Aspect] = Field(default_factory=list)
    explanation: str = ""
    keywords: list[str] = Field(default_factory=list)
    reasoning: str | None = None
    labeler: str | None = None
    status: str = "pending"  # pending | ok | failed
    error: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)
    clean_text: str | None = None

    def public(self) -> dict[str, object]:
        """The contract's message JSON."""
        data = self.model_dump(
            mode="json",
            include={
                "id",
                "source",
                "external_id",
                "conversation_id",
                "channel",
                "author",
                "role",
                "text",
                "created_at",
                "label",
                "confidence",
                "aspects",
                "explanation",
                "keywords",
                "reasoning",
                "labeler",
                "status",
                "error",
            },
        )
        if self.fields:
            data["fields"] = self.fields
        return data


class MessageFilter(BaseModel):
    """What `GET /api/messages` and the `/messages` page filter on (all optional)."""

    first_day: str | None = None  # local days, inclusive
    last_day: str | None = None
    channel: str | None = None
    label: str | None = None  # positive | negative | neutral | failed | pending
    aspect: str | None = None
    role: str | None = None
    conversation_id: str | None = None
    source: str | None = None
    run_id: str | None = None  # the messages a run's items are
    q: str | None = None
    limit: int = 50
    cursor: str | None = None


# `GET /messages` query names ↔ MessageFilter fields.
FILTER_PARAMS = {
    "q": "q",
    "from": "first_day",
    "to": "last_day",
    "channel": "channel",
    "label": "label",
    "aspect": "aspect",
    "role": "role",
    "conversation_id": "conversation_id",
    "source": "source",
    "run_id": "run_id",
}


def messages_url(query: dict[str, str], path: str = "/messages", *, base: str = "") -> str:
    """`/messages?from=…&label=…`: the history page (or its CSV) for a filter given by query names.

    The one place a link to the history is built: the web's pages and chat link it as a path,
    Slack and DingTalk with `base` (SENTIBOT_PUBLIC_URL) in front — the same filter either way."""
    kept = {name: query[name] for name in FILTER_PARAMS if query.get(name)}
    kept.update({k: v for k, v in query.items() if k in ("cursor", "limit") and v})
    return base.rstrip("/") + path + ("?" + urlencode(kept) if kept else "")
