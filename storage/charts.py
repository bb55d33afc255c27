"""Chart PNGs, kept so chat platforms can fetch them later by URL."""

from __future__ import annotations

import secrets

from storage.clock import iso
from storage.db import Database


class ChartRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save(self, png: bytes, *, kind: str) -> str:
        # Unguessable ids: chart URLs are handed to chat platforms without a token.
        chart_id = secrets.token_urlsafe(16)
        with self._db.write() as db:
            db["charts"].insert({"id": chart_id, "created_at": iso(), "png": png, "kind": kind})
        return chart_id

    def get(self, chart_id: str) -> bytes | None:
        rows = self._db.query("SELECT png FROM charts WHERE id = ?", (chart_id,))
        return rows[0]["png"] if rows else None
