"""Labels set by people: recorded with who, when and where, and applied to the message.

Rules:
- Setting a label writes one `label_corrections` row and, in the same transaction, the label onto
  the message (status `ok`; the stats rollups follow by trigger) and onto the run items that are
  that message, so stats, `/messages` and run pages all show what the person said.
- `labeler_label` is what the labeller had said before any person touched the message (the first
  correction's), so a second correction is still compared with the machine, not with a person.
- A message that does not exist is `CorrectionTargetMissing`.
"""

from __future__ import annotations

from typing import Any

from storage.clock import iso
from storage.db import Database


class CorrectionTargetMissing(LookupError):
    """No such message (or run item)."""


class CorrectionRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def message_of_item(self, run_id: str, idx: int) -> int:
        """The message a run's item k is (1-based, as shown on the run page)."""
        rows = self._db.query("SELECT message_id FROM items WHERE run_id = ? AND idx = ?", (run_id, idx))
        if not rows or rows[0]["message_id"] is None:
            raise CorrectionTargetMissing(f"run {run_id} has no item {idx}")
        return int(rows[0]["message_id"])

    def latest_run_in(self, *, thread_key: str | None, channel: str | None, source: str) -> str | None:
        """The newest run asked in a chat thread (or, without one, in the channel)."""
        if thread_key:
            rows = self._db.query(
                "SELECT id FROM runs WHERE thread_key = ? ORDER BY created_at DESC LIMIT 1", (thread_key,)
            )
        else:
            rows = self._db.query(
                "SELECT id FROM runs WHERE source = ? AND channel IS ? ORDER BY created_at DESC LIMIT 1",
                (source, channel),
            )
        return str(rows[0]["id"]) if rows else None

    def record(
        self, message_id: int, *, label: str, by: str, via: str, note: str | None = None
    ) -> dict[str, Any]:
        """Set the message's label as a person said; returns the stored correction."""
        now = iso()
        with self._db.write() as db:
            rows = list(
                db.query(
                    "SELECT label, status, labeler, prompt_version FROM messages WHERE id = ?", (message_id,)
                )
            )
            if not rows:
                raise CorrectionTargetMissing(f"no message {message_id}")
            first = list(
                db.query(
                    "SELECT labeler_label, labeler, prompt_version FROM label_corrections"
                    " WHERE message_id = ? ORDER BY id LIMIT 1",
                    (message_id,),
                )
            )
            machine = first[0] if first else {
                "labeler_label": rows[0]["label"] if rows[0]["status"] == "ok" else None,
                "labeler": rows[0]["labeler"],
                "prompt_version": rows[0]["prompt_version"],
            }  # fmt: skip
            cursor = db.execute(
                "INSERT INTO label_corrections (message_id, label, labeler_label, labeler, prompt_version,"
                " corrected_by, corrected_at, via, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (message_id, label, machine["labeler_label"], machine["labeler"], machine["prompt_version"],
                 by, now, via, note),
            )  # fmt: skip
            correction_id = cursor.lastrowid
            db.execute(
                "UPDATE messages SET label = ?, status = 'ok', error = NULL WHERE id = ?", (label, message_id)
            )
            db.execute(
                "UPDATE items SET label = ? WHERE message_id = ? AND status = 'ok'", (label, message_id)
            )
        return self.get(int(correction_id or 0))

    def get(self, correction_id: int) -> dict[str, Any]:
        rows = self._db.query("SELECT * FROM label_corrections WHERE id = ?", (correction_id,))
        if not rows:
            raise CorrectionTargetMissing(f"no correction {correction_id}")
        return rows[0]

    def for_message(self, message_id: int) -> list[dict[str, Any]]:
        """Every label people set on a message, oldest first."""
        return self._db.query(
            "SELECT * FROM label_corrections WHERE message_id = ? ORDER BY id", (message_id,)
        )

    def latest_for(self, message_ids: list[int]) -> dict[int, dict[str, Any]]:
        """The latest label people set on each of these messages (those never corrected are absent)."""
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(message_ids), 500):
            chunk = message_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in self._db.query(
                f"SELECT * FROM label_corrections WHERE message_id IN ({marks}) ORDER BY id", tuple(chunk)
            ):
                found[row["message_id"]] = row
        return found

    def judgements(self, *, since: str | None = None) -> list[dict[str, Any]]:
        """The latest label people set on each message (set at or after `since`, UTC ISO), beside
        what the labeller had said: rows of (message_id, human, predicted, labeler, prompt_version)."""
        sql = (
            "SELECT c.message_id, c.label AS human, c.labeler_label AS predicted, c.labeler, c.prompt_version"
            " FROM label_corrections c WHERE c.id = (SELECT max(id) FROM label_corrections"
            " WHERE message_id = c.message_id)"
        )
        params: tuple = ()
        if since is not None:
            sql += " AND c.corrected_at >= ?"
            params = (since,)
        return self._db.query(sql + " ORDER BY c.message_id", params)
