"""Version 2: messages, the unit of history, with daily rollups kept by triggers.

- `messages`: one row per customer-conversation message, unique on `identity` (the rules in
  `domain/messages.py`). `created_at` is UTC ISO-8601; `day` is its local date in
  SENTIBOT_TIMEZONE (recomputed if the time zone setting changes, see `storage/messages.py`).
- `message_counts(day, channel, bucket)` and `message_aspect_counts(day, channel, aspect, bucket)`:
  how many messages per day have each label (`bucket` is the label, `failed` or `pending`).
  Triggers on `messages` keep them exact on every insert, label change and delete, so stats and
  digests over a year of ten million messages read a few thousand rollup rows instead of the
  messages. Deleting a text for retention leaves the row and its counts alone.
- `items.message_id`: a run's item points at the message it is; a trigger copies an item's label
  to its message when the item is labelled (the latest labelling wins; a failure never replaces a
  label). `items.aspects` and `label_cache.aspects` keep the aspects a labeller returned.
- Existing runs become messages: every stored item is turned into its message (pasted lists by
  rule 2, so a list pasted four times on one day becomes its messages once; transcripts keyed by
  their conversation), keeping the latest label, and linked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from domain.messages import NewMessage, paste_occurrences

BUCKET = (
    "CASE WHEN {r}.status = 'ok' AND {r}.label IS NOT NULL THEN {r}.label"
    " WHEN {r}.status = 'pending' THEN 'pending' ELSE 'failed' END"
)


def _count_sql(row: str, delta: str) -> str:
    bucket = BUCKET.format(r=row)
    return (
        f"INSERT INTO message_counts (day, channel, bucket, n)"
        f" VALUES ({row}.day, coalesce({row}.channel, ''), {bucket}, {delta})"
        f" ON CONFLICT (day, channel, bucket) DO UPDATE SET n = n + ({delta});"
        f" INSERT INTO message_aspect_counts (day, channel, aspect, bucket, n)"
        f" SELECT {row}.day, coalesce({row}.channel, ''), value, {bucket}, {delta}"
        f" FROM json_each(coalesce({row}.aspects, '[]')) WHERE true"
        f" ON CONFLICT (day, channel, aspect, bucket) DO UPDATE SET n = n + ({delta});"
    )


def apply(db: sqlite_utils.Database, ctx: Any) -> None:
    db.execute(
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            identity TEXT NOT NULL,
            source TEXT NOT NULL,
            external_id TEXT,
            conversation_id TEXT,
            channel TEXT,
            author TEXT,
            role TEXT,
            text TEXT,
            clean_text TEXT,
            note TEXT,
            created_at TEXT NOT NULL,
            day TEXT NOT NULL,
            received_at TEXT NOT NULL,
            label TEXT,
            confidence REAL,
            aspects TEXT NOT NULL DEFAULT '[]',
            explanation TEXT,
            keywords TEXT NOT NULL DEFAULT '[]',
            reasoning TEXT,
            labeler TEXT,
            model TEXT,
            prompt_version TEXT,
            status TEXT NOT NULL DEFAULT 'pending',
            error TEXT,
            labelled_at TEXT,
            fields TEXT
        )"""
    )
    db.execute("CREATE UNIQUE INDEX messages_identity ON messages (identity)")
    db.execute("CREATE INDEX messages_created ON messages (created_at)")
    db.execute("CREATE INDEX messages_conversation ON messages (conversation_id, created_at)")
    db.execute("CREATE INDEX messages_day_label ON messages (day, label, status)")
    db.execute(
        "CREATE INDEX messages_unlabelled ON messages (status, id) WHERE status IN ('pending', 'failed')"
    )
    db.execute(
        "CREATE TABLE message_counts (day TEXT NOT NULL, channel TEXT NOT NULL, bucket TEXT NOT NULL,"
        " n INTEGER NOT NULL, PRIMARY KEY (day, channel, bucket)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE message_aspect_counts (day TEXT NOT NULL, channel TEXT NOT NULL,"
        " aspect TEXT NOT NULL, bucket TEXT NOT NULL, n INTEGER NOT NULL,"
        " PRIMARY KEY (day, channel, aspect, bucket)) WITHOUT ROWID"
    )
    db.execute("CREATE TABLE storage_settings (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO storage_settings VALUES ('timezone', ?)", (ctx.timezone,))
    db.execute(
        f"CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN {_count_sql('NEW', '1')} END"
    )
    db.execute(
        f"CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN {_count_sql('OLD', '-1')} END"
    )
    db.execute(
        "CREATE TRIGGER messages_count_update AFTER UPDATE OF day, channel, label, status, aspects"
        f" ON messages BEGIN {_count_sql('OLD', '-1')} {_count_sql('NEW', '1')} END"
    )
    db.table("items").add_column("message_id", int)
    db.table("items").add_column("aspects", str)
    db.table("label_cache").add_column("aspects", str)
    db.execute("CREATE INDEX items_message ON items (message_id)")
    db.execute(
        "CREATE TRIGGER items_label_to_message AFTER UPDATE OF status ON items"
        " WHEN NEW.message_id IS NOT NULL AND NEW.status = 'ok' AND NEW.label IS NOT NULL BEGIN"
        " UPDATE messages SET label = NEW.label, confidence = NEW.confidence,"
        " keywords = coalesce(NEW.keywords, '[]'), explanation = NEW.explanation,"
        " reasoning = NEW.reasoning, labeler = NEW.labeler, model = NEW.model,"
        " prompt_version = NEW.prompt_version, aspects = coalesce(NEW.aspects, '[]'),"
        " status = 'ok', error = NULL, labelled_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
        " WHERE id = NEW.message_id; END"
    )
    db.execute(
        "CREATE TRIGGER items_failure_to_message AFTER UPDATE OF status ON items"
        " WHEN NEW.message_id IS NOT NULL AND NEW.status = 'failed' BEGIN"
        " UPDATE messages SET status = 'failed', error = NEW.error"
        " WHERE id = NEW.message_id AND status != 'ok'; END"
    )
    _backfill(db)


_ITEM_SQL = (
    "SELECT items.id AS item_id, items.idx, items.run_id, items.created_at, items.day, items.channel,"
    " items.role, items.author, items.text, items.clean_text, items.note, items.label, items.confidence,"
    " items.keywords, items.explanation, items.reasoning, items.labeler, items.model,"
    " items.prompt_version, items.status, items.error, runs.source, runs.kind, runs.conversation_key,"
    " runs.thread_key FROM items JOIN runs ON runs.id = items.run_id"
    " WHERE items.run_id = ? ORDER BY items.idx"
)


def _backfill(db: sqlite_utils.Database) -> None:
    """Turn every stored item into its message (oldest run first, so the latest label wins)."""
    ids: dict[str, int] = {}
    run_ids = [row[0] for row in db.execute("SELECT id FROM runs ORDER BY created_at, id").fetchall()]
    for run_id in run_ids:
        cursor = db.execute(_ITEM_SQL, (run_id,))
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if rows:
            _backfill_run(db, rows, ids)


def _backfill_run(db: sqlite_utils.Database, rows: list[dict[str, Any]], ids: dict[str, int]) -> None:
    kind = rows[0]["kind"]
    conversation = (rows[0]["conversation_key"] or rows[0]["thread_key"]) if kind == "conversation" else None
    occurrences = paste_occurrences([row["text"] for row in rows])
    for row, k in zip(rows, occurrences, strict=True):
        created = datetime.fromisoformat(row["created_at"])
        message = NewMessage(
            source=row["source"],
            text=row["text"],
            created_at=created,
            conversation_id=conversation,
            channel=row["channel"],
            author=row["author"],
            role=row["role"],
            paste_occurrence=k,
        )
        identity = message.identity(row["day"])
        labelled = row["status"] in ("ok", "superseded") and row["label"] is not None
        status = "ok" if labelled else "pending" if row["status"] == "pending" else "failed"
        label = {
            "label": row["label"] if labelled else None,
            "confidence": row["confidence"] if labelled else None,
            "keywords": row["keywords"] or "[]",
            "explanation": row["explanation"],
            "reasoning": row["reasoning"],
            "labeler": row["labeler"],
            "model": row["model"],
            "prompt_version": row["prompt_version"],
            "status": status,
            "error": None if labelled else row["error"],
        }
        message_id = ids.get(identity)
        if message_id is None:
            cursor = db.execute(
                "INSERT INTO messages (identity, source, conversation_id, channel, author, role, text,"
                " clean_text, note, created_at, day, received_at, label, confidence, keywords,"
                " explanation, reasoning, labeler, model, prompt_version, status, error)"
                " VALUES (:identity, :source, :conversation_id, :channel, :author, :role, :text,"
                " :clean_text, :note, :created_at, :day, :created_at, :label, :confidence, :keywords,"
                " :explanation, :reasoning, :labeler, :model, :prompt_version, :status, :error)",
                {
                    "identity": identity,
                    "source": row["source"],
                    "conversation_id": conversation,
                    "channel": row["channel"],
                    "author": row["author"],
                    "role": row["role"],
                    "text": row["text"],
                    "clean_text": row["clean_text"],
                    "note": row["note"],
                    "created_at": row["created_at"],
                    "day": row["day"],
                    **label,
                },
            )
            message_id = int(cursor.lastrowid or 0)
            ids[identity] = message_id
        elif labelled:
            db.execute(
                "UPDATE messages SET label = :label, confidence = :confidence, keywords = :keywords,"
                " explanation = :explanation, reasoning = :reasoning, labeler = :labeler, model = :model,"
                " prompt_version = :prompt_version, status = :status, error = :error WHERE id = :id",
                {**label, "id": message_id},
            )
        db.execute("UPDATE items SET message_id = ? WHERE id = ?", (message_id, row["item_id"]))
