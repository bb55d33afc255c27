"""Version 1: the tables of the first release (runs, items, label cache, charts, reviews,
processed events, digest deliveries).

Files made by the first release already carry `user_version = 1`; this step only runs on a new
file (or one made before the version was recorded), and is written so it can run on either.
"""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database, ctx: object) -> None:
    """The schema of the first release (idempotent: files made before versioning had parts of it)."""
    db.table("runs").create(
        {
            "id": str,
            "created_at": str,
            "finished_at": str,
            "source": str,
            "channel": str,
            "kind": str,
            "lang": str,
            "labeler": str,
            "model": str,
            "prompt_version": str,
            "status": str,
            "total": int,
            "done": int,
            "failed": int,
            "summary_text": str,
            "explanation": str,
            "conversation": str,
            "chart_id": str,
            "thread_key": str,
            "error": str,
        },
        pk="id",
        not_null={"created_at", "source", "kind", "status"},
        if_not_exists=True,
    )
    db.table("items").create(
        {
            "id": int,
            "run_id": str,
            "idx": int,
            "created_at": str,
            "day": str,
            "channel": str,
            "role": str,
            "author": str,
            "text": str,
            "clean_text": str,
            "label": str,
            "confidence": float,
            "keywords": str,
            "explanation": str,
            "reasoning": str,
            "labeler": str,
            "model": str,
            "prompt_version": str,
            "latency_ms": float,
            "status": str,
            "error": str,
            "cached": int,
            "note": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
        not_null={"run_id", "idx", "text", "status"},
        if_not_exists=True,
    )
    db.table("label_cache").create(
        {
            "key": str,
            "label": str,
            "confidence": float,
            "keywords": str,
            "explanation": str,
            "reasoning": str,
            "labeler": str,
            "model": str,
            "prompt_version": str,
            "created_at": str,
        },
        pk="key",
        if_not_exists=True,
    )
    db.table("charts").create(
        {"id": str, "created_at": str, "png": bytes, "kind": str}, pk="id", if_not_exists=True
    )
    db.table("reviews").create(
        {
            "id": int,
            "thread_key": str,
            "run_id": str,
            "platform": str,
            "channel": str,
            "title": str,
            "status": str,
            "reason": str,
            "label": str,
            "agent_issues": str,
            "created_at": str,
            "updated_at": str,
            "resolved_at": str,
            "resolved_by": str,
            "note": str,
            "corrected_label": str,
            "permalink": str,
        },
        pk="id",
        not_null={"thread_key", "status", "created_at"},
        if_not_exists=True,
    )
    db.table("review_events").create(
        {
            "id": int,
            "review_id": int,
            "at": str,
            "action": str,
            "actor": str,
            "note": str,
            "label": str,
        },
        pk="id",
        foreign_keys=[("review_id", "reviews", "id")],
        if_not_exists=True,
    )
    db.table("processed_events").create({"key": str, "at": str}, pk="key", if_not_exists=True)
    db.table("digests").create(
        {
            "date": str,
            "target": str,
            "status": str,
            "claimed_at": str,
            "claimed_by": str,
            "sent_at": str,
            "attempts": int,
            "error": str,
        },
        pk=("date", "target"),
        if_not_exists=True,
    )
    # Columns added after the first release: older files get them on open.
    if "note" not in db.table("items").columns_dict:
        db.table("items").add_column("note", str)
    if "conversation_key" not in db.table("runs").columns_dict:
        db.table("runs").add_column("conversation_key", str)
    # Indexes chosen for the queries the product runs: a run's items, failed items for
    # relabel, and the per-day label mix behind stats and digests (covering index).
    db.table("items").create_index(["run_id", "idx"], if_not_exists=True)
    db.table("items").create_index(["status"], if_not_exists=True)
    db.table("items").create_index(["day", "channel", "label", "status"], if_not_exists=True)
    db.table("items").create_index(["day", "label", "status"], if_not_exists=True)
    db.table("reviews").create_index(["thread_key"], unique=True, if_not_exists=True)
    db.table("reviews").create_index(["status", "created_at"], if_not_exists=True)
    db.table("runs").create_index(["created_at"], if_not_exists=True)
    db.table("runs").create_index(["conversation_key"], if_not_exists=True)
