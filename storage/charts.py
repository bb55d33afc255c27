"""Chart PNGs, kept so chat platforms can fetch them later by URL."""

from __future__ import annotations

import hashlib

from storage.clock import iso
from storage.db import Database


class ChartRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save(self, png: bytes, *, kind: str) -> str:
        """Store a PNG once: the same picture (a dashboard polling stats) gets the same id.

        The id is a hash of the bytes: unguessable without the picture itself, which matters
        because chart URLs are handed to chat platforms without a token.
        """
        chart_id = hashlib.sha256(png).hexdigest()[:32]
        with self._db.write() as db:
            db.execute(
                "INSERT OR IGNORE INTO charts (id, created_at, png, kind) VALUES (?, ?, ?, ?)",
                (chart_id, iso(), png, kind),
            )
        return chart_id

    def get(self, chart_id: str) -> bytes | None:
        rows = self._db.query("SELECT png FROM charts WHERE id = ?", (chart_id,))
        return rows[0]["png"] if rows else None
