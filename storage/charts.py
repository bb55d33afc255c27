"""Chart PNGs, kept so chat platforms can fetch them later by URL."""

from __future__ import annotations

import hashlib
import secrets

from storage.clock import iso
from storage.db import Database

FULL_SUFFIX = "-full"


class ChartRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save(self, png: bytes, *, kind: str, full: bytes | None = None) -> str:
        """Store a PNG once and return its id; `full`, the larger variant of the same chart, is
        stored beside it as `<id>-full`.

        The id is 128-bit random (`secrets.token_urlsafe(16)`): chart URLs are handed to chat
        platforms without a token, so an id must not be computable from the picture (a hash
        would let anyone check whether a given mix of counts exists). The same picture stored
        again (a dashboard polling stats) gets the id it got the first time, found by its
        SHA-256, which is never shown.
        """
        digest = hashlib.sha256(png).hexdigest()
        with self._db.write() as db:
            found = list(db.query("SELECT id FROM charts WHERE digest = ? LIMIT 1", (digest,)))
            chart_id = str(found[0]["id"]) if found else secrets.token_urlsafe(16)
            if not found:
                db.execute(
                    "INSERT INTO charts (id, created_at, png, kind, digest) VALUES (?, ?, ?, ?, ?)",
                    (chart_id, iso(), png, kind, digest),
                )
            if full is not None:
                db.execute(
                    "INSERT OR IGNORE INTO charts (id, created_at, png, kind) VALUES (?, ?, ?, ?)",
                    (f"{chart_id}{FULL_SUFFIX}", iso(), full, kind),
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
