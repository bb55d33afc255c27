"""The read queries behind asking about the history that the message repository has no use for.

Counts per day, channel and aspect come from `MessageRepository.daily_counts` / `aspect_counts`
(the rollups `/api/stats` reads too, so an answer and the stats page always agree). This module
adds what only questions need: the worst conversations of a period, the channels there are, and
where a message can be seen (the run that labelled it, the review of its thread).

Days are the local days stored with each message (`messages.day`, SENTIBOT_TIMEZONE).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage.db import Database

CHUNK = 500


class AskQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    def channels(self, *, limit: int = 200) -> list[str]:
        """Channel names that have messages (for recognising a channel named in a question)."""
        rows = self._db.query(
            "SELECT DISTINCT channel FROM message_counts WHERE channel != '' AND n > 0 LIMIT ?", (limit,)
        )
        return [str(row["channel"]) for row in rows]

    def worst_conversations(
        self, *, first_day: str, last_day: str, channel: str | None = None, limit: int = 5
    ) -> list[dict[str, Any]]:
        """Conversations with customer messages in the days, worst first.

        Worst = flagged by the quality check (an open review first, then a resolved one), then
        the most negative customer messages, then the highest negative share, then the latest.
        A conversation's review is the one whose thread key is the conversation id.
        """
        sql = (
            "WITH conv AS ("
            " SELECT conversation_id, max(channel) AS channel, count(*) AS messages,"
            " sum(label = 'negative' AND status = 'ok') AS negative,"
            " sum(status = 'ok') AS labelled, min(created_at) AS first_at, max(created_at) AS last_at"
            " FROM messages WHERE day >= ? AND day <= ? AND conversation_id IS NOT NULL"
            " AND coalesce(role, 'customer') = 'customer'"
        )
        params: list[Any] = [first_day, last_day]
        if channel is not None:
            sql += " AND channel = ?"
            params.append(channel)
        sql += (
            " GROUP BY conversation_id)"
            " SELECT conv.*, r.id AS review_id, r.status AS review_status, r.reason AS reason,"
            " r.permalink AS permalink, r.title AS title, r.label AS verdict"
            " FROM conv LEFT JOIN reviews r ON r.thread_key = conv.conversation_id"
            " WHERE conv.negative > 0 OR r.id IS NOT NULL"
            " ORDER BY (r.status = 'open') DESC, (r.id IS NOT NULL) DESC, conv.negative DESC,"
            " CAST(conv.negative AS REAL) / max(conv.labelled, 1) DESC, conv.last_at DESC LIMIT ?"
        )
        params.append(limit)
        return self._db.query(sql, tuple(params))

    def message_runs(self, message_ids: Sequence[int]) -> dict[int, str]:
        """The latest run that labelled each message (message id → run id), where there is one."""
        found: dict[int, str] = {}
        ids = list(message_ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.query(
                "SELECT items.message_id AS message_id, items.run_id AS run_id FROM items"
                f" JOIN runs ON runs.id = items.run_id WHERE items.message_id IN ({marks})"
                " ORDER BY runs.created_at",
                tuple(chunk),
            )
            for row in rows:
                found[int(row["message_id"])] = str(row["run_id"])
        return found

    def thread_permalinks(self, conversation_ids: Sequence[str]) -> dict[str, str]:
        """The chat permalink of each conversation's thread, where a review recorded one."""
        ids = [c for c in dict.fromkeys(conversation_ids) if c]
        found: dict[str, str] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.query(
                "SELECT thread_key, permalink FROM reviews"
                f" WHERE thread_key IN ({marks}) AND permalink IS NOT NULL AND permalink != ''",
                tuple(chunk),
            )
            for row in rows:
                found[str(row["thread_key"])] = str(row["permalink"])
        return found
