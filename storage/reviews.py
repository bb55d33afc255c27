"""The review queue: one review per flagged conversation, with every change kept."""

from __future__ import annotations

import json
from typing import Any

from storage.clock import iso
from storage.db import Database

# What a review says about its conversation: a change in any of these is a change worth a history line.
VERDICT_FIELDS = ("title", "reason", "label", "agent_issues")


class ReviewNotFound(LookupError):
    pass


class ReviewStateError(ValueError):
    """The review is not in the state the change needs (checked inside the write transaction,
    so two people pressing "resolve" at once cannot both succeed)."""


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row["agent_issues"] = json.loads(row.get("agent_issues") or "[]")
    return row


class ReviewRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def upsert_flag(
        self,
        *,
        thread_key: str,
        run_id: str,
        platform: str,
        channel: str | None,
        title: str,
        reason: str,
        label: str,
        agent_issues: list[str],
        permalink: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Open (or refresh) the review for a conversation. Returns (review, created).

        Analysing the same thread again updates its review instead of adding another; a
        resolved review that gets flagged again is reopened, since the conversation went on.
        """
        now = iso()
        fields = {
            "run_id": run_id,
            "platform": platform,
            "channel": channel,
            "title": title,
            "reason": reason,
            "label": label,
            "agent_issues": json.dumps(agent_issues, ensure_ascii=False),
            "updated_at": now,
        }
        if permalink:
            fields["permalink"] = permalink
        with self._db.write() as db:
            rows = list(db.query("SELECT * FROM reviews WHERE thread_key = ?", (thread_key,)))
            if rows:
                review_id = rows[0]["id"]
                reopened = rows[0]["status"] != "open"
                # The same conversation pasted again points the review at the newest run, but the
                # history only gets a line when the verdict changed (or the review reopens).
                changed = any(rows[0].get(key) != fields[key] for key in VERDICT_FIELDS)
                db.table("reviews").update(review_id, {**fields, "status": "open"})
                if reopened or changed:
                    _event(db, review_id, "reopened" if reopened else "updated", "sentibot", reason, label)
                created = False
            else:
                inserted = (
                    db.table("reviews")
                    .insert({**fields, "thread_key": thread_key, "status": "open", "created_at": now})
                    .last_pk
                )
                if inserted is None:  # never: an insert into a rowid table always reports its id
                    raise RuntimeError("insert into reviews reported no id")
                review_id = inserted
                _event(db, review_id, "flagged", "sentibot", reason, label)
                created = True
        return self.get(review_id), created

    def get(self, review_id: int) -> dict[str, Any]:
        _require_id(review_id)
        rows = self._db.query("SELECT * FROM reviews WHERE id = ?", (review_id,))
        if not rows:
            raise ReviewNotFound(f"no review #{review_id}")
        review = _decode(rows[0])
        review["events"] = self._db.query(
            "SELECT at, action, actor, note, label FROM review_events WHERE review_id = ? ORDER BY id",
            (review_id,),
        )
        return review

    def by_thread(self, thread_key: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT id FROM reviews WHERE thread_key = ?", (thread_key,))
        return self.get(rows[0]["id"]) if rows else None

    def list(self, *, status: str | None = "open", limit: int = 100) -> list[dict[str, Any]]:
        if status:
            rows = self._db.query(
                "SELECT * FROM reviews WHERE status = ? ORDER BY created_at LIMIT ?", (status, limit)
            )
        else:
            rows = self._db.query("SELECT * FROM reviews ORDER BY created_at DESC LIMIT ?", (limit,))
        return [_decode(row) for row in rows]

    def resolve(self, review_id: int, *, reviewer: str, note: str, label: str | None) -> dict[str, Any]:
        now = iso()
        with self._db.write() as db:
            _require_status(db, review_id, "open")
            db.table("reviews").update(
                review_id,
                {
                    "status": "resolved",
                    "resolved_at": now,
                    "resolved_by": reviewer,
                    "note": note,
                    "corrected_label": label,
                    "updated_at": now,
                },
            )
            _event(db, review_id, "resolved", reviewer, note, label)
        return self.get(review_id)

    def reopen(self, review_id: int, *, actor: str, note: str = "") -> dict[str, Any]:
        with self._db.write() as db:
            _require_status(db, review_id, "resolved")
            db.table("reviews").update(review_id, {"status": "open", "updated_at": iso()})
            _event(db, review_id, "reopened", actor, note, None)
        return self.get(review_id)


def _require_id(review_id: int) -> None:
    """SQLite ids are 64-bit: an id outside 1..2^63-1 names no review (and must not overflow)."""
    if not 0 < review_id < 2**63:
        raise ReviewNotFound(f"no review #{review_id}")


def _require_status(db: Any, review_id: int, wanted: str) -> None:
    _require_id(review_id)
    rows = list(db.query("SELECT status, resolved_by FROM reviews WHERE id = ?", (review_id,)))
    if not rows:
        raise ReviewNotFound(f"no review #{review_id}")
    if rows[0]["status"] != wanted:
        if rows[0]["status"] == "resolved":
            raise ReviewStateError(
                f"review #{review_id} is already resolved by {rows[0]['resolved_by']}; reopen it first"
            )
        raise ReviewStateError(f"review #{review_id} is already open")


def _event(db: Any, review_id: int, action: str, actor: str, note: str | None, label: str | None) -> None:
    db.table("review_events").insert(
        {"review_id": review_id, "at": iso(), "action": action, "actor": actor, "note": note, "label": label}
    )
