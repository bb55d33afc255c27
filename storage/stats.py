"""Label counts per day and channel, read from the covering index on items."""

from __future__ import annotations

import json
from collections import Counter

from storage.db import Database


class StatsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def daily_counts(
        self, *, first_day: str, last_day: str, channel: str | None = None
    ) -> list[dict[str, object]]:
        """Rows of (day, channel, label, status, n) for days in [first_day, last_day]."""
        sql = (
            "SELECT day, channel, label, status, count(*) AS n FROM items"
            " WHERE day >= ? AND day <= ? AND status != 'pending'"
        )
        params: tuple = (first_day, last_day)
        if channel is not None:
            sql += " AND channel = ?"
            params += (channel,)
        return self._db.query(sql + " GROUP BY day, channel, label, status", params)

    def negative_keywords(self, *, day: str, channel: str | None = None, limit: int = 5000) -> Counter[str]:
        """How often each keyword explains a negative label on a day."""
        sql = "SELECT keywords FROM items WHERE day = ? AND label = 'negative' AND status = 'ok'"
        params: tuple = (day,)
        if channel is not None:
            sql += " AND channel = ?"
            params += (channel,)
        counts: Counter[str] = Counter()
        for row in self._db.query(sql + " LIMIT ?", (*params, limit)):
            for keyword in json.loads(row["keywords"] or "[]"):
                counts[keyword.strip().lower()] += 1
        return counts
