"""Version 3: the watch — watched conversations, when each watched conversation is due to be
judged and by whom, and the negative-share alert episodes per channel."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def apply(db: sqlite_utils.Database, ctx: Any) -> None:
    """The watch tables (idempotent)."""
    db.table("watch_targets").create(
        {"target": str, "added_at": str, "added_by": str}, pk="target", if_not_exists=True
    )
    db.table("watch_conversations").create(
        {
            "key": str,  # e.g. slack:T1:C1:1700000000.000100 — the reviews' thread_key
            "source": str,
            "channel": str,
            "title": str,
            "permalink": str,
            "last_message_at": str,  # when the conversation last changed (a message, an edit)
            "changes": int,  # bumped on every change: a judge covers the changes it read
            "judged_changes": int,
            "judge_after": str,  # judged when quiet: last_message_at + SENTIBOT_QA_IDLE_SECONDS
            "urgent": int,  # a strongly negative customer message: judge now
            "claimed_by": str,
            "claimed_at": str,
            "judged_at": str,
            "run_id": str,
        },
        pk="key",
        if_not_exists=True,
    )
    db.table("watch_conversations").create_index(["judge_after"], if_not_exists=True)
    db.table("watch_alerts").create(
        {
            "id": int,
            "channel": str,
            "raised_at": str,
            "cleared_at": str,
            "share": float,
            "total": int,
            "negative": int,
            "status": str,  # sending → sent | failed
            "claimed_by": str,
            "error": str,
        },
        pk="id",
        if_not_exists=True,
    )
    # At most one alert episode open per channel: the insert that raises it is the claim.
    db.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS watch_alerts_open ON watch_alerts(channel)"
        " WHERE cleared_at IS NULL"
    )
    # The alert window: one channel's messages of the last minutes, counted from the index.
    db.execute(
        "CREATE INDEX IF NOT EXISTS messages_channel_created ON messages (channel, created_at, status, label)"
    )
