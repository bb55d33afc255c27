"""What the watch keeps beside the history: the watched conversations, when each watched
conversation last changed and was last judged, and the negative-share alerts raised per channel.

Every "exactly once" here is a claim taken inside one `BEGIN IMMEDIATE` transaction (like the
digest's), so two processes on one database — `serve` and `connect` — never both judge the same
quiet conversation or both announce the same alert.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from storage.clock import iso, utc_now
from storage.db import Database

# A judge or an alert claimed by a process that died is taken over after this long.
STALE_CLAIM = timedelta(minutes=10)


class WatchTargets:
    """The conversations switched on with `watch` (chat, slash command, CLI); the setting's
    entries are added by the core, not stored."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, target: str, *, by: str | None = None) -> bool:
        """True when newly watched, False when it already was."""
        with self._db.write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO watch_targets (target, added_at, added_by) VALUES (?, ?, ?)",
                (target, iso(), by),
            )
            return cursor.rowcount == 1

    def remove(self, target: str) -> bool:
        """True when it was watched."""
        with self._db.write() as db:
            return db.execute("DELETE FROM watch_targets WHERE target = ?", (target,)).rowcount == 1

    def contains(self, target: str) -> bool:
        return bool(self._db.query("SELECT 1 FROM watch_targets WHERE target = ?", (target,)))

    def all(self) -> list[dict[str, Any]]:
        return self._db.query("SELECT * FROM watch_targets ORDER BY target")


class WatchConversations:
    """When each watched conversation is due to be judged, and who judges it."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def touch(
        self,
        key: str,
        *,
        source: str,
        channel: str | None,
        judge_after: str,
        title: str | None = None,
        permalink: str | None = None,
        urgent: bool = False,
    ) -> None:
        """A message arrived or changed: the conversation is due again at `judge_after`."""
        now = iso()
        with self._db.write() as db:
            db.execute(
                "INSERT INTO watch_conversations (key, source, channel, title, permalink,"
                " last_message_at, changes, judged_changes, judge_after, urgent)"
                " VALUES (?, ?, ?, ?, ?, ?, 1, 0, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET last_message_at = excluded.last_message_at,"
                " changes = changes + 1, judge_after = MAX(judge_after, excluded.judge_after),"
                " urgent = MAX(urgent, excluded.urgent),"
                " title = COALESCE(title, excluded.title),"
                " permalink = COALESCE(permalink, excluded.permalink)",
                (key, source, channel, title, permalink, now, judge_after, int(urgent)),
            )

    def mark_urgent(self, key: str) -> None:
        with self._db.write() as db:
            db.execute("UPDATE watch_conversations SET urgent = 1 WHERE key = ?", (key,))

    def claim_due(self, *, now: str, worker: str, limit: int = 20) -> list[dict[str, Any]]:
        """Take the conversations due for judging: changed since last judged and either quiet
        until `judge_after` or urgent. A row is claimed by one worker only (stale claims of a
        dead worker are taken over). Returns the claimed rows with the `changes` they cover."""
        stale = iso(utc_now() - STALE_CLAIM)
        with self._db.write() as db:
            rows = list(
                db.query(
                    "SELECT * FROM watch_conversations WHERE changes > judged_changes"
                    " AND (urgent = 1 OR judge_after <= :now)"
                    " AND (claimed_by IS NULL OR claimed_at < :stale)"
                    " ORDER BY urgent DESC, judge_after LIMIT :limit",
                    {"now": now, "stale": stale, "limit": limit},
                )
            )
            for row in rows:
                db.execute(
                    "UPDATE watch_conversations SET claimed_by = ?, claimed_at = ? WHERE key = ?",
                    (worker, iso(), row["key"]),
                )
            return rows

    def finish(self, key: str, *, covered: int, run_id: str | None, worker: str) -> None:
        """The judge covered `covered` changes; later changes make it due again."""
        with self._db.write() as db:
            db.execute(
                "UPDATE watch_conversations SET judged_changes = MAX(judged_changes, ?),"
                " run_id = COALESCE(?, run_id), judged_at = ?, claimed_by = NULL,"
                " claimed_at = NULL, urgent = CASE WHEN changes > ? THEN urgent ELSE 0 END"
                " WHERE key = ? AND claimed_by = ?",
                (covered, run_id, iso(), covered, key, worker),
            )

    def release(self, key: str, *, worker: str) -> None:
        """Give a claim back (the judge failed): tried again on a later pass."""
        with self._db.write() as db:
            db.execute(
                "UPDATE watch_conversations SET claimed_by = NULL, claimed_at = NULL"
                " WHERE key = ? AND claimed_by = ?",
                (key, worker),
            )

    def get(self, key: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT * FROM watch_conversations WHERE key = ?", (key,))
        return rows[0] if rows else None


class WatchAlerts:
    """Negative-share alert episodes: raised once, cleared when the share falls back."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def raise_once(self, channel: str, *, share: float, total: int, negative: int, worker: str) -> int | None:
        """Open an episode for `channel`; its id when this call opened it, None when one is open
        already (raised earlier, or by another process a moment ago)."""
        with self._db.write() as db:
            try:
                cursor = db.execute(
                    "INSERT INTO watch_alerts (channel, raised_at, share, total, negative, status,"
                    " claimed_by) VALUES (?, ?, ?, ?, ?, 'sending', ?)",
                    (channel, iso(), share, total, negative, worker),
                )
            except sqlite3.IntegrityError:
                return None
            return cursor.lastrowid

    def clear(self, channel: str) -> bool:
        """Close the open episode (the share fell below the threshold); True when one was open."""
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE watch_alerts SET cleared_at = ? WHERE channel = ? AND cleared_at IS NULL",
                (iso(), channel),
            )
            return cursor.rowcount == 1

    def is_open(self, channel: str) -> bool:
        return bool(
            self._db.query("SELECT 1 FROM watch_alerts WHERE channel = ? AND cleared_at IS NULL", (channel,))
        )

    def mark(self, alert_id: int, *, status: str, error: str | None = None) -> None:
        with self._db.write() as db:
            db.execute(
                "UPDATE watch_alerts SET status = ?, error = ? WHERE id = ?", (status, error, alert_id)
            )

    def unsent(self, *, worker: str) -> list[dict[str, Any]]:
        """Alerts whose send failed or whose sender died: claimed again by `worker` for a retry."""
        stale = iso(utc_now() - STALE_CLAIM)
        with self._db.write() as db:
            rows = list(
                db.query(
                    "SELECT * FROM watch_alerts WHERE status = 'failed'"
                    " OR (status = 'sending' AND raised_at < ?)",
                    (stale,),
                )
            )
            for row in rows:
                db.execute(
                    "UPDATE watch_alerts SET status = 'sending', claimed_by = ?, raised_at = ? WHERE id = ?",
                    (worker, iso(), row["id"]),
                )
            return rows

    def history(self, channel: str | None = None) -> list[dict[str, Any]]:
        if channel is None:
            return self._db.query("SELECT * FROM watch_alerts ORDER BY id")
        return self._db.query("SELECT * FROM watch_alerts WHERE channel = ? ORDER BY id", (channel,))


class WatchedMessages:
    """The watch's reads and writes on the history's `messages` table (stored there by
    `MessageRepository.add`): edits, deletions, the alert window, retention."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def replace_text(self, identity: str, *, text: str, clean_text: str) -> int | None:
        """An edited message: new text, label pending until labelled again. Its id, or None
        when the message is not stored (edited before the watch started)."""
        with self._db.write() as db:
            rows = list(db.query("SELECT id, text FROM messages WHERE identity = ?", (identity,)))
            if not rows or rows[0]["text"] == text:
                return None
            db.execute(
                "UPDATE messages SET text = ?, clean_text = ?, status = 'pending', error = NULL WHERE id = ?",
                (text, clean_text, rows[0]["id"]),
            )
            return int(rows[0]["id"])

    def forget_text(self, identity: str) -> bool:
        """A deleted message: its words go (text and what quotes it); its count stays."""
        with self._db.write() as db:
            cursor = db.execute(
                f"UPDATE messages SET {_FORGET} WHERE identity = ? AND text IS NOT NULL", (identity,)
            )
            return cursor.rowcount == 1

    def forget_older_than(self, cutoff: str, *, chunk: int = 5000) -> int:
        """Retention: texts of messages (and of run items) created before `cutoff` are deleted,
        in chunks so other writers are not held up; labels and counts stay. Returns how many."""
        total = 0
        while True:
            with self._db.write() as db:
                cursor = db.execute(
                    f"UPDATE messages SET {_FORGET} WHERE id IN (SELECT id FROM messages"
                    " WHERE created_at < ? AND text IS NOT NULL LIMIT ?)",
                    (cutoff, chunk),
                )
                done = cursor.rowcount
                db.execute(
                    "UPDATE items SET text = '', clean_text = NULL, reasoning = NULL, keywords = '[]'"
                    " WHERE id IN (SELECT id FROM items WHERE created_at < ? AND text != '' LIMIT ?)",
                    (cutoff, chunk),
                )
            total += done
            if done < chunk:
                return total

    def window(self, channel: str, *, since: str) -> tuple[int, int]:
        """(labelled messages, negative ones) in `channel` created since `since`."""
        rows = self._db.query(
            "SELECT count(*) AS total, coalesce(sum(label = 'negative'), 0) AS negative FROM messages"
            " WHERE channel = ? AND created_at >= ? AND status = 'ok'",
            (channel, since),
        )
        return int(rows[0]["total"]), int(rows[0]["negative"])

    def window_aspects(self, channel: str, *, since: str, limit: int = 3) -> list[tuple[str, int]]:
        rows = self._db.query(
            "SELECT value AS aspect, count(*) AS n FROM messages, json_each(messages.aspects)"
            " WHERE channel = ? AND created_at >= ? AND status = 'ok' AND label = 'negative'"
            " GROUP BY value ORDER BY n DESC, value LIMIT ?",
            (channel, since, limit),
        )
        return [(row["aspect"], int(row["n"])) for row in rows]

    def window_examples(self, channel: str, *, since: str, limit: int = 3) -> list[dict[str, Any]]:
        """The most confident negative customer messages of the window (one per conversation)."""
        rows = self._db.query(
            "SELECT id, text, conversation_id, confidence FROM messages"
            " WHERE channel = ? AND created_at >= ? AND status = 'ok' AND label = 'negative'"
            " AND text IS NOT NULL AND coalesce(role, 'customer') = 'customer'"
            " ORDER BY confidence DESC, created_at DESC LIMIT 200",
            (channel, since),
        )
        picked: list[dict[str, Any]] = []
        seen: set[str | None] = set()
        for row in rows:
            if row["conversation_id"] in seen and row["conversation_id"] is not None:
                continue
            seen.add(row["conversation_id"])
            picked.append(row)
            if len(picked) == limit:
                break
        return picked


_FORGET = "text = NULL, clean_text = NULL, reasoning = NULL, explanation = NULL, keywords = '[]'"
