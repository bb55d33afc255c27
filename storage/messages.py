"""Messages: store once (identity rules in `domain/messages.py`), label, search, count per day.

Rules kept here:
- `created_at` is stored as UTC ISO-8601 (`2026-11-28T02:05:00+00:00`, which sorts as text);
  `day` is its date in the time zone the database counts in (SENTIBOT_TIMEZONE). When that
  setting changes, every message's `day` is recomputed on open (the rollups follow by trigger).
- Adding a message that is already stored returns the stored one (`created=False`) and changes
  nothing: the first sighting's time, text and label stay.
- Counting per day/channel/aspect reads the rollup tables the triggers of migration 2 maintain,
  never the messages, so it costs the same for a thousand messages or ten million.
- Searching goes newest first by `created_at` with a keyset cursor (stable while messages arrive).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.messages import Message, MessageFilter, NewMessage
from domain.models import ASPECTS, LABELS, LabeledItem
from storage.clock import iso
from storage.db import Database

CHUNK = 500  # bound parameters per IN (...) lookup
# Columns of a benchmark message row, in `bulk_insert_for_benchmark` order.
BENCH_COLUMNS = (
    "identity",
    "source",
    "external_id",
    "channel",
    "text",
    "created_at",
    "day",
    "received_at",
    "label",
    "confidence",
    "aspects",
    "keywords",
    "status",
)
MAX_PAGE = 1000


@dataclass(frozen=True)
class Added:
    """What `add` did with one message: its id, whether it was new, and its status then."""

    id: int
    created: bool
    status: str = "pending"


class BadCursor(ValueError):
    """The cursor was not made by this server (or was edited)."""


class MessageRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._zone = ZoneInfo(database.timezone)
        self._follow_timezone()

    # -- writing ----------------------------------------------------------------------------

    def local_day(self, moment: datetime) -> str:
        return moment.astimezone(self._zone).date().isoformat()

    def add(
        self,
        messages: Sequence[NewMessage],
        *,
        received_at: str | None = None,
        identities: Sequence[str] | None = None,
    ) -> list[Added]:
        """Store the messages not stored yet; one `Added` per input, in order.

        A message repeated inside the same call is stored once (the second gets `created=False`).
        `identities` may be passed when the caller computed them already (`identity_of`).
        """
        received = received_at or iso()
        keys = list(identities) if identities is not None else [self.identity_of(m) for m in messages]
        with self._db.write() as db:
            before = self._ids(db, keys)
            fresh: dict[str, dict[str, Any]] = {}
            for key, message in zip(keys, messages, strict=True):
                if key not in before and key not in fresh:
                    fresh[key] = self._row(key, message, received)
            if fresh:
                db.conn.executemany(
                    "INSERT INTO messages (identity, source, external_id, conversation_id, channel,"
                    " author, role, text, clean_text, note, created_at, day, received_at, fields)"
                    " VALUES (:identity, :source, :external_id, :conversation_id, :channel, :author,"
                    " :role, :text, :clean_text, :note, :created_at, :day, :received_at, :fields)",
                    list(fresh.values()),
                )
                after = self._ids(db, list(fresh))
            else:
                after = {}
        out = []
        claimed: set[str] = set()
        for key in keys:
            created = key in after and key not in claimed
            claimed.add(key)
            message_id, status = before.get(key) or after[key]
            out.append(Added(id=message_id, created=created, status=status))
        return out

    def _row(self, key: str, message: NewMessage, received: str) -> dict[str, Any]:
        return {
            "identity": key,
            "source": message.source,
            "external_id": message.external_id,
            "conversation_id": message.conversation_id,
            "channel": message.channel,
            "author": message.author,
            "role": message.role,
            "text": message.text,
            "clean_text": message.clean_text,
            "note": message.note,
            "created_at": iso(message.created_at),
            "day": self.local_day(message.created_at),
            "received_at": received,
            "fields": json.dumps(message.fields, ensure_ascii=False) if message.fields else None,
        }

    def known(self, identities: Iterable[str]) -> dict[str, tuple[int, str]]:
        """identity -> (id, status) for the ones stored (a fast check before any other work)."""
        with self._db.lock:
            return self._ids(self._db.db, list(identities))

    def identity_of(self, message: NewMessage) -> str:
        return message.identity(self.local_day(message.created_at))

    def set_labels(self, labelled: Iterable[tuple[int, LabeledItem]]) -> None:
        """Write labels (or failures) onto messages. A failure never replaces a label."""
        ok, failed = [], []
        now = iso()
        for message_id, item in labelled:
            if item.status == "ok" and item.label is not None:
                ok.append(
                    {
                        "id": message_id,
                        "label": item.label,
                        "confidence": item.confidence,
                        "aspects": json.dumps(item.aspects),
                        "explanation": item.explanation,
                        "keywords": json.dumps(item.keywords, ensure_ascii=False),
                        "reasoning": item.reasoning,
                        "labeler": item.labeler,
                        "model": item.model,
                        "prompt_version": item.prompt_version,
                        "now": now,
                    }
                )
            else:
                failed.append({"id": message_id, "error": item.error or "labelling failed"})
        with self._db.write() as db:
            if ok:
                db.conn.executemany(
                    "UPDATE messages SET label = :label, confidence = :confidence, aspects = :aspects,"
                    " explanation = :explanation, keywords = :keywords, reasoning = :reasoning,"
                    " labeler = :labeler, model = :model, prompt_version = :prompt_version,"
                    " status = 'ok', error = NULL, labelled_at = :now WHERE id = :id",
                    ok,
                )
            if failed:
                db.conn.executemany(
                    "UPDATE messages SET status = 'failed', error = :error WHERE id = :id AND status != 'ok'",
                    failed,
                )

    def link_run(self, run_id: str, message_ids: dict[int, int]) -> None:
        """Point the run's items (by `idx`) at their messages."""
        with self._db.write() as db:
            db.conn.executemany(
                "UPDATE items SET message_id = ? WHERE run_id = ? AND idx = ?",
                [(message_id, run_id, idx) for idx, message_id in message_ids.items()],
            )

    # -- reading ----------------------------------------------------------------------------

    def get(self, message_id: int) -> Message | None:
        rows = self._db.query("SELECT * FROM messages WHERE id = ?", (message_id,))
        return _message(rows[0]) if rows else None

    def by_ids(self, ids: Sequence[int]) -> list[Message]:
        found: dict[int, Message] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start : start + CHUNK])
            marks = ",".join("?" * len(chunk))
            for row in self._db.query(f"SELECT * FROM messages WHERE id IN ({marks})", tuple(chunk)):
                found[row["id"]] = _message(row)
        return [found[i] for i in ids if i in found]

    def unlabelled(
        self, *, limit: int = 500, include_failed: bool = False, after_id: int = 0
    ) -> list[Message]:
        """Messages still waiting for a label (oldest first); with failed ones when asked."""
        statuses = ("pending", "failed") if include_failed else ("pending",)
        marks = ",".join("?" * len(statuses))
        rows = self._db.query(
            f"SELECT * FROM messages WHERE status IN ({marks}) AND id > ? ORDER BY id LIMIT ?",
            (*statuses, after_id, limit),
        )
        return [_message(row) for row in rows]

    def unlabelled_orphans(self, *, limit: int) -> list[Message]:
        """Pending messages no run is labelling (posted or imported, then left by a stop)."""
        rows = self._db.query(
            "SELECT * FROM messages WHERE status = 'pending' AND NOT EXISTS"
            " (SELECT 1 FROM items WHERE items.message_id = messages.id) ORDER BY id LIMIT ?",
            (limit,),
        )
        return [_message(row) for row in rows]

    def latest_verdict(self, conversation_id: str) -> dict[str, Any] | None:
        """The latest judged run of a conversation: its id and verdict JSON (None if never judged)."""
        rows = self._db.query(
            "SELECT id, conversation FROM runs WHERE conversation_key = ? AND conversation IS NOT NULL"
            " ORDER BY created_at DESC LIMIT 1",
            (conversation_id,),
        )
        if not rows:
            return None
        return {"run_id": rows[0]["id"], "verdict": json.loads(rows[0]["conversation"])}

    def conversation(
        self, conversation_id: str, *, source: str | None = None, limit: int = 5000
    ) -> list[Message]:
        """A conversation's messages in time order (of one source when given)."""
        if source is None:
            rows = self._db.query(
                "SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at, id LIMIT ?",
                (conversation_id, limit),
            )
        else:
            rows = self._db.query(
                "SELECT * FROM messages WHERE conversation_id = ? AND source = ?"
                " ORDER BY created_at, id LIMIT ?",
                (conversation_id, source, limit),
            )
        return [_message(row) for row in rows]

    def search(self, wanted: MessageFilter) -> tuple[list[Message], str | None]:
        """One page of messages matching the filter, newest first, and the cursor of the next."""
        limit = max(1, min(wanted.limit, MAX_PAGE))
        sql, params = self._where(wanted)
        if wanted.cursor:
            created_at, last_id = _decode_cursor(wanted.cursor)
            sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
            params += [created_at, created_at, last_id]
        rows = self._db.query(
            f"SELECT * FROM messages WHERE {sql} ORDER BY created_at DESC, id DESC LIMIT ?",
            (*params, limit + 1),
        )
        page = [_message(row) for row in rows[:limit]]
        cursor = (
            _encode_cursor(rows[limit - 1]["created_at"], rows[limit - 1]["id"])
            if len(rows) > limit
            else None
        )
        return page, cursor

    def iter_matching(self, wanted: MessageFilter, *, page: int = 1000) -> Iterable[Message]:
        """Every message matching the filter (for exports), newest first, read a page at a time."""
        cursor = wanted.cursor
        while True:
            found, cursor = self.search(wanted.model_copy(update={"limit": page, "cursor": cursor}))
            yield from found
            if not cursor:
                return

    def count(self) -> int:
        return int(self._db.query("SELECT count(*) AS n FROM messages")[0]["n"])

    # -- counting (rollups) -----------------------------------------------------------------

    def daily_counts(
        self, *, first_day: str, last_day: str, channel: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows of (day, channel, bucket, n), bucket = a label, `failed` or `pending`."""
        sql = "SELECT day, channel, bucket, n FROM message_counts WHERE day >= ? AND day <= ? AND n > 0"
        params: tuple = (first_day, last_day)
        if channel is not None:
            sql += " AND channel = ?"
            params += (channel,)
        return self._db.query(sql, params)

    def aspect_counts(
        self, *, first_day: str, last_day: str, channel: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows of (aspect, bucket, n) summed over the days (and the channel, if given)."""
        sql = (
            "SELECT aspect, bucket, sum(n) AS n FROM message_aspect_counts"
            " WHERE day >= ? AND day <= ? AND n > 0"
        )
        params: tuple = (first_day, last_day)
        if channel is not None:
            sql += " AND channel = ?"
            params += (channel,)
        return self._db.query(sql + " GROUP BY aspect, bucket", params)

    def examples(
        self,
        *,
        first_day: str,
        last_day: str,
        aspect: str,
        label: str = "negative",
        channel: str | None = None,
        limit: int = 1,
    ) -> list[Message]:
        """Messages of an aspect with a label in the days, most confident first among the first found.

        Reads at most a few hundred of the days' messages with that label (index on day, label).
        """
        sql = (
            "SELECT * FROM messages WHERE day >= ? AND day <= ? AND label = ? AND status = 'ok'"
            " AND text IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(aspects) WHERE value = ?)"
        )
        params: tuple = (first_day, last_day, label, aspect)
        if channel is not None:
            sql += " AND channel = ?"
            params += (channel,)
        rows = self._db.query(sql + " LIMIT 200", params)
        rows.sort(key=lambda row: (-(row["confidence"] or 0), row["id"]))
        return [_message(row) for row in rows[:limit]]

    def utc_bounds(self, first_day: date, last_day: date) -> tuple[str, str]:
        """[start, end) in stored UTC strings for local days first..last."""
        start = datetime.combine(first_day, time.min, self._zone)
        end = datetime.combine(last_day + timedelta(days=1), time.min, self._zone)
        return iso(start), iso(end)

    def bulk_insert_for_benchmark(self, rows: Iterable[tuple[Any, ...]], *, batch: int = 50_000) -> int:
        """Insert many labelled messages fast (executemany, one transaction per batch; the rollup
        triggers run as for any insert). For benchmarks only: rows are tuples in BENCH_COLUMNS
        order and skip every check `add` makes."""
        sql = (
            f"INSERT INTO messages ({', '.join(BENCH_COLUMNS)})"
            f" VALUES ({', '.join('?' for _ in BENCH_COLUMNS)})"
        )
        total = 0
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                with self._db.write() as db:
                    db.conn.executemany(sql, chunk)
                total += len(chunk)
                chunk = []
        if chunk:
            with self._db.write() as db:
                db.conn.executemany(sql, chunk)
            total += len(chunk)
        return total

    # -- internals --------------------------------------------------------------------------

    def _where(self, wanted: MessageFilter) -> tuple[str, list[Any]]:
        clauses, params = ["1"], []
        if wanted.first_day or wanted.last_day:
            first = date.fromisoformat(wanted.first_day) if wanted.first_day else date(1970, 1, 1)
            last = date.fromisoformat(wanted.last_day) if wanted.last_day else date(9998, 12, 31)
            start, end = self.utc_bounds(first, last)
            clauses.append("created_at >= ? AND created_at < ?")
            params += [start, end]
        for column in ("channel", "role", "conversation_id", "source"):
            value = getattr(wanted, column)
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if wanted.label in LABELS:
            clauses.append("label = ? AND status = 'ok'")
            params.append(wanted.label)
        elif wanted.label:
            clauses.append("status = ?")
            params.append(wanted.label)
        if wanted.run_id:
            clauses.append("id IN (SELECT message_id FROM items WHERE run_id = ? AND message_id IS NOT NULL)")
            params.append(wanted.run_id)
        if wanted.aspect:
            clauses.append("EXISTS (SELECT 1 FROM json_each(messages.aspects) WHERE value = ?)")
            params.append(wanted.aspect)
        if wanted.q:
            escaped = wanted.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("text LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        return " AND ".join(clauses), params

    @staticmethod
    def _ids(db: Any, identities: list[str]) -> dict[str, tuple[int, str]]:
        """identity -> (id, status) of the stored ones."""
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(identities), CHUNK):
            chunk = identities[start : start + CHUNK]
            marks = ",".join("?" * len(chunk))
            for identity, message_id, status in db.execute(
                f"SELECT identity, id, status FROM messages WHERE identity IN ({marks})", chunk
            ).fetchall():
                found[identity] = (message_id, status)
        return found

    def _follow_timezone(self) -> None:
        """Recount days if SENTIBOT_TIMEZONE changed since the file last counted them."""
        rows = self._db.query("SELECT value FROM storage_settings WHERE key = 'timezone'")
        if rows and rows[0]["value"] == self._db.timezone:
            return
        zone = self._zone

        def local_day(created_at: str) -> str:
            return datetime.fromisoformat(created_at).astimezone(zone).date().isoformat()

        with self._db.write() as db:
            db.conn.create_function("sentibot_local_day", 1, local_day, deterministic=True)
            db.execute("UPDATE messages SET day = sentibot_local_day(created_at)")
            db.execute(
                "INSERT INTO storage_settings (key, value) VALUES ('timezone', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (self._db.timezone,),
            )


def _message(row: dict[str, Any]) -> Message:
    labelled = row["status"] == "ok"
    return Message(
        id=row["id"],
        source=row["source"],
        external_id=row["external_id"],
        conversation_id=row["conversation_id"],
        channel=row["channel"],
        author=row["author"],
        role=row["role"],
        text=row["text"],
        clean_text=row["clean_text"],
        created_at=datetime.fromisoformat(row["created_at"]).astimezone(UTC),
        day=row["day"],
        label=row["label"] if labelled else None,
        confidence=row["confidence"] if labelled else None,
        aspects=[a for a in json.loads(row["aspects"] or "[]") if a in ASPECTS],
        explanation=row["explanation"] or "",
        keywords=json.loads(row["keywords"] or "[]"),
        reasoning=row["reasoning"],
        labeler=row["labeler"],
        status=row["status"],
        error=row["error"],
        fields=json.loads(row["fields"]) if row["fields"] else {},
    )


def _encode_cursor(created_at: str, message_id: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at}|{message_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at, message_id = raw.rsplit("|", 1)
        datetime.fromisoformat(created_at)
        return created_at, int(message_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor("cursor is not valid: use the next_cursor of the previous page") from exc
