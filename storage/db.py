"""Opening the SQLite file and creating the schema. The only place that knows table layouts."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

SCHEMA_VERSION = 1


class StorageError(RuntimeError):
    """The database cannot be opened or written; the message says which file and why."""


class Database:
    """A sqlite-utils database shared by the repositories, with one lock for writes.

    The core runs on one event loop, but FastAPI, bolt and the DingTalk SDK may call from
    worker threads, so one connection is shared across threads and writes are serialised.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA busy_timeout=10000")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open database {self.path}: {exc}") from exc
        self.lock = threading.RLock()
        with self.lock:
            _create_schema(self.db)

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One transaction under the write lock; rolled back whole on error."""
        with self.lock:
            conn = self.db.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield self.db
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def query(self, sql: str, params: dict | tuple | None = None) -> list[dict]:
        with self.lock:
            return list(self.db.query(sql, params or {}))

    def close(self) -> None:
        with self.lock:
            self.db.conn.close()


def _create_schema(db: sqlite_utils.Database) -> None:
    db.table("runs").create(
        {
            "id": str,
            "created_at": str,
            "finished_at": str,
            "source": str,
            "channel": str,
            "kind": str,
            "lang": str,
            "labeler": str,
            "model": str,
            "prompt_version": str,
            "status": str,
            "total": int,
            "done": int,
            "failed": int,
            "summary_text": str,
            "explanation": str,
            "conversation": str,
            "chart_id": str,
            "thread_key": str,
            "error": str,
        },
        pk="id",
        not_null={"created_at", "source", "kind", "status"},
        if_not_exists=True,
    )
    db.table("items").create(
        {
            "id": int,
            "run_id": str,
            "idx": int,
            "created_at": str,
            "day": str,
            "channel": str,
            "role": str,
            "author": str,
            "text": str,
            "clean_text": str,
            "label": str,
            "confidence": float,
            "keywords": str,
            "explanation": str,
            "reasoning": str,
            "labeler": str,
            "model": str,
            "prompt_version": str,
            "latency_ms": float,
            "status": str,
            "error": str,
            "cached": int,
            "note": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
        not_null={"run_id", "idx", "text", "status"},
        if_not_exists=True,
    )
    db.table("label_cache").create(
        {
            "key": str,
            "label": str,
            "confidence": float,
            "keywords": str,
            "explanation": str,
            "reasoning": str,
            "labeler": str,
            "model": str,
            "prompt_version": str,
            "created_at": str,
        },
        pk="key",
        if_not_exists=True,
    )
    db.table("charts").create(
        {"id": str, "created_at": str, "png": bytes, "kind": str}, pk="id", if_not_exists=True
    )
    db.table("reviews").create(
        {
            "id": int,
            "thread_key": str,
            "run_id": str,
            "platform": str,
            "channel": str,
            "title": str,
            "status": str,
            "reason": str,
            "label": str,
            "agent_issues": str,
            "created_at": str,
            "updated_at": str,
            "resolved_at": str,
            "resolved_by": str,
            "note": str,
            "corrected_label": str,
            "permalink": str,
        },
        pk="id",
        not_null={"thread_key", "status", "created_at"},
        if_not_exists=True,
    )
    db.table("review_events").create(
        {
            "id": int,
            "review_id": int,
            "at": str,
            "action": str,
            "actor": str,
            "note": str,
            "label": str,
        },
        pk="id",
        foreign_keys=[("review_id", "reviews", "id")],
        if_not_exists=True,
    )
    db.table("processed_events").create({"key": str, "at": str}, pk="key", if_not_exists=True)
    db.table("digests").create(
        {
            "date": str,
            "target": str,
            "status": str,
            "claimed_at": str,
            "claimed_by": str,
            "sent_at": str,
            "attempts": int,
            "error": str,
        },
        pk=("date", "target"),
        if_not_exists=True,
    )
    # Web login sessions (storage/sessions.py); a new table, so older files get it on open.
    db.table("web_sessions").create(
        {"id_sha256": str, "token_tag": str, "created_at": str, "expires_at": str},
        pk="id_sha256",
        not_null={"token_tag", "created_at", "expires_at"},
        if_not_exists=True,
    )
    # Columns added after the first release: older files get them on open.
    if "note" not in db.table("items").columns_dict:
        db.table("items").add_column("note", str)
    if "conversation_key" not in db.table("runs").columns_dict:
        db.table("runs").add_column("conversation_key", str)
    if "digest" not in db.table("charts").columns_dict:
        # Charts used to be keyed by a hash of the picture; now by a random id, deduplicated here.
        db.table("charts").add_column("digest", str)
    # Indexes chosen for the queries the product runs: a run's items, failed items for
    # relabel, and the per-day label mix behind stats and digests (covering index).
    db.table("items").create_index(["run_id", "idx"], if_not_exists=True)
    db.table("items").create_index(["status"], if_not_exists=True)
    db.table("items").create_index(["day", "channel", "label", "status"], if_not_exists=True)
    db.table("items").create_index(["day", "label", "status"], if_not_exists=True)
    db.table("reviews").create_index(["thread_key"], unique=True, if_not_exists=True)
    db.table("reviews").create_index(["status", "created_at"], if_not_exists=True)
    db.table("runs").create_index(["created_at"], if_not_exists=True)
    db.table("runs").create_index(["conversation_key"], if_not_exists=True)
    db.table("charts").create_index(["digest"], if_not_exists=True)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
