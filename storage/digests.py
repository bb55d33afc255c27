"""Digest deliveries: claimed in SQLite before sending so each (date, target) goes out once."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from storage.clock import iso, utc_now
from storage.db import Database


class DigestLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    def claim(self, *, date: str, target: str, worker: str, stale_after_s: int = 600) -> bool:
        """Take the right to send; False when another worker has it or it was already sent.

        A claim left by a crashed worker (still `sending` after `stale_after_s`) or a failed
        send may be taken again, so a digest is never lost. The insert-or-update runs in one
        `BEGIN IMMEDIATE` transaction, so of two processes racing exactly one gets True.
        """
        moment = utc_now()
        now = iso(moment)
        # Compared as text: both sides are `iso()` strings (SQLite's datetime() has another
        # format — "YYYY-MM-DD HH:MM:SS" sorts before "YYYY-MM-DDTHH…" — so it is not used).
        stale_before = iso(moment - timedelta(seconds=stale_after_s))
        with self._db.write() as db:
            try:
                db.execute(
                    "INSERT INTO digests (date, target, status, claimed_at, claimed_by, attempts)"
                    " VALUES (?, ?, 'sending', ?, ?, 1)",
                    (date, target, now, worker),
                )
                return True
            except sqlite3.IntegrityError:
                cursor = db.execute(
                    "UPDATE digests SET status='sending', claimed_at=?, claimed_by=?,"
                    " attempts=attempts+1 WHERE date=? AND target=? AND (status='failed'"
                    " OR (status='sending' AND claimed_at < ?))",
                    (now, worker, date, target, stale_before),
                )
                return cursor.rowcount == 1

    def mark_sent(self, *, date: str, target: str) -> None:
        with self._db.write() as db:
            db.execute(
                "UPDATE digests SET status='sent', sent_at=?, error=NULL WHERE date=? AND target=?",
                (iso(), date, target),
            )

    def mark_failed(self, *, date: str, target: str, error: str) -> None:
        with self._db.write() as db:
            db.execute(
                "UPDATE digests SET status='failed', error=? WHERE date=? AND target=?",
                (error, date, target),
            )

    def get(self, *, date: str, target: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT * FROM digests WHERE date=? AND target=?", (date, target))
        return rows[0] if rows else None

    def deliveries(self, *, date: str) -> list[dict[str, Any]]:
        """Every delivery row of one digest date (for `/digests/{date}` and the CLI)."""
        return self._db.query("SELECT * FROM digests WHERE date=? ORDER BY target", (date,))
