"""Opening the SQLite file and bringing its schema up to date (steps in `storage/migrations/`)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from storage.migrations import NewerSchema, StepContext, migrate

DEFAULT_TIMEZONE = "Asia/Shanghai"


class StorageError(RuntimeError):
    """The database cannot be opened or written; the message says which file and why."""


class Database:
    """A sqlite-utils database shared by the repositories, with one lock for writes.

    The core runs on one event loop, but FastAPI, bolt and the DingTalk SDK may call from
    worker threads, so one connection is shared across threads and writes are serialised.
    """

    def __init__(self, path: Path | str, *, timezone: str | None = None) -> None:
        """`timezone` is the one days are counted in (SENTIBOT_TIMEZONE); None keeps the file's."""
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
            try:
                migrate(self.db, context=StepContext(timezone=timezone or DEFAULT_TIMEZONE))
            except NewerSchema as exc:
                raise StorageError(f"{self.path}: {exc}") from exc
            except sqlite3.Error as exc:
                raise StorageError(f"cannot upgrade database {self.path}: {exc}") from exc
            stored = self.db.execute("SELECT value FROM storage_settings WHERE key = 'timezone'").fetchone()
        self.timezone: str = timezone or (stored[0] if stored else DEFAULT_TIMEZONE)

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
