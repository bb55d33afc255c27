"""Web login sessions, kept server-side so that logging out (or changing the token) ends them.

The cookie holds a random 256-bit session id; the table keeps only its SHA-256, so a copy of
the database does not hand out working cookies. Each session carries a tag of the token it was
opened with: after SENTIBOT_WEB_TOKEN changes, every older session is void.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from storage.clock import iso, utc_now
from storage.db import Database


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class WebSessions:
    def __init__(self, database: Database) -> None:
        self._db = database

    def open(self, session_id: str, *, token_tag: str, lifetime: timedelta) -> None:
        now = utc_now()
        with self._db.write() as db:
            db.execute("DELETE FROM web_sessions WHERE expires_at < ?", (iso(now),))
            db.execute(
                "INSERT INTO web_sessions (id_sha256, token_tag, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (_digest(session_id), token_tag, iso(now), iso(now + lifetime)),
            )

    def is_valid(self, session_id: str, *, token_tag: str) -> bool:
        rows = self._db.query(
            "SELECT 1 FROM web_sessions WHERE id_sha256 = ? AND token_tag = ? AND expires_at > ?",
            (_digest(session_id), token_tag, iso()),
        )
        return bool(rows)

    def close(self, session_id: str) -> None:
        with self._db.write() as db:
            db.execute("DELETE FROM web_sessions WHERE id_sha256 = ?", (_digest(session_id),))
