"""Chart PNGs, kept so chat platforms can fetch them later by URL."""

from __future__ import annotations

import hashlib

from storage.clock import iso
from storage.db import Database

FULL_SUFFIX = "-full"


class ChartRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save(self, png: bytes, *, kind: str, full: bytes | None = None) -> str:
        """Store a PNG once: the same picture (a dashboard polling stats) gets the same id.

        The id is a hash of the bytes: unguessable without the picture itself, which matters
        because chart URLs are handed to chat platforms without a token. `full`, the larger
        variant of the same chart, is stored beside it as `<id>-full`.
        """
        chart_id = hashlib.sha256(png).hexdigest()[:32]
        rows = [(chart_id, iso(), png, kind)]
        if full is not None:
            rows.append((f"{chart_id}{FULL_SUFFIX}", iso(), full, kind))
        with self._db.write() as db:
            for row in rows:
                db.execute(
                    "INSERT OR IGNORE INTO charts (id, created_at, png, kind) VALUES (?, ?, ?, ?)", row
                )
        return chart_id

    def get(self, chart_id: str) -> bytes | None:
        """The PNG; a chart stored before there were two variants serves as its own `-full`."""
        rows = self._db.query("SELECT png FROM charts WHERE id = ?", (chart_id,))
        if not rows and chart_id.endswith(FULL_SUFFIX):
            rows = self._db.query(
                "SELECT png FROM charts WHERE id = ?", (chart_id.removesuffix(FULL_SUFFIX),)
            )
        return rows[0]["png"] if rows else None
