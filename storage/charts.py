"""Chart PNGs, kept so chat platforms can fetch them later by URL."""

from __future__ import annotations

import hashlib
import secrets

from storage.clock import iso
from storage.db import Database


class ChartRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save(self, png: bytes, *, kind: str) -> str:
        """Store a PNG once and return its id.

        The id is 128-bit random (`secrets.token_urlsafe(16)`): chart URLs are handed to chat
        platforms without a token, so an id must not be computable from the picture (a hash
        would let anyone check whether a given mix of counts exists). The same picture stored
        again (a dashboard polling stats) gets the id it got the first time, found by its
        SHA-256, which is never shown.
        """
        digest = hashlib.sha256(png).hexdigest()
        with self._db.write() as db:
            found = list(db.query("SELECT id FROM charts WHERE digest = ? LIMIT 1", (digest,)))
            if found:
                return str(found[0]["id"])
            chart_id = secrets.token_urlsafe(16)
            db.execute(
                "INSERT INTO charts (id, created_at, png, kind, digest) VALUES (?, ?, ?, ?, ?)",
                (chart_id, iso(), png, kind, digest),
            )
        return chart_id

    def get(self, chart_id: str) -> bytes | None:
        rows = self._db.query("SELECT png FROM charts WHERE id = ?", (chart_id,))
        return rows[0]["png"] if rows else None
