"""Platform deliveries already handled (Slack event ids, DingTalk msgIds): each handled once."""

from __future__ import annotations

from storage.clock import iso
from storage.db import Database


class ProcessedEvents:
    def __init__(self, database: Database) -> None:
        self._db = database

    def claim(self, key: str) -> bool:
        """True the first time a key is seen, False for every redelivery (also after a restart)."""
        with self._db.write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO processed_events (key, at) VALUES (?, ?)", (key, iso())
            )
            return cursor.rowcount == 1

    def forget_older_than(self, cutoff: str) -> int:
        """Drop ids older than `cutoff`: platforms stop redelivering after minutes, not weeks."""
        with self._db.write() as db:
            return db.execute("DELETE FROM processed_events WHERE at < ?", (cutoff,)).rowcount
