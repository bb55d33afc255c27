"""Runs (one request to label something) and their items."""

from __future__ import annotations

import json
from typing import Any

from domain.models import ASPECTS, Aspect, ConversationVerdict, LabeledItem
from storage.clock import iso
from storage.db import Database


def label_fields(item: LabeledItem) -> dict[str, Any]:
    """The columns a label is stored in, shared by items and the label cache."""
    return {
        "label": item.label,
        "confidence": item.confidence,
        "keywords": json.dumps(item.keywords, ensure_ascii=False),
        "aspects": json.dumps(item.aspects),
        "explanation": item.explanation,
        "reasoning": item.reasoning,
        "labeler": item.labeler,
        "model": item.model,
        "prompt_version": item.prompt_version,
    }


def aspects_of(row: dict[str, Any]) -> list[Aspect]:
    """The stored aspects of an item or cache row (rows from before migration 2 have none)."""
    return [a for a in json.loads(row.get("aspects") or "[]") if a in ASPECTS]


def item_to_row(item: LabeledItem) -> dict[str, Any]:
    return {
        **label_fields(item),
        "latency_ms": item.latency_ms,
        "status": item.status,
        "error": item.error,
        "cached": int(item.cached),
    }


def row_to_item(row: dict[str, Any]) -> LabeledItem:
    # A superseded item (an earlier analysis of the same conversation) still shows its label.
    labelled = row["status"] in ("ok", "superseded") and row["label"] is not None
    return LabeledItem(
        id=row["idx"],
        text=row["text"],
        label=row["label"],
        confidence=row["confidence"],
        explanation=row["explanation"] or "",
        keywords=json.loads(row["keywords"] or "[]"),
        aspects=aspects_of(row),
        reasoning=row["reasoning"],
        labeler=row["labeler"] or "",
        status="ok" if labelled else "failed",
        error=None if labelled else row["error"] if row["status"] != "pending" else "not labelled yet",
        role=row["role"],
        author=row["author"],
        clean_text=row["clean_text"],
        model=row["model"],
        prompt_version=row["prompt_version"],
        latency_ms=row["latency_ms"],
        cached=bool(row["cached"]),
        note=row.get("note"),
    )


class RunRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def create(
        self,
        *,
        run_id: str,
        source: str,
        kind: str,
        lang: str,
        channel: str | None,
        thread_key: str | None,
        conversation_key: str | None = None,
        labeler: str,
        model: str | None,
        prompt_version: str | None,
        day: str,
        items: list[LabeledItem],
    ) -> None:
        """Store a run and its items as `pending` (or `rejected`) in one transaction, before any
        labelling."""
        now = iso()
        with self._db.write() as db:
            db.table("runs").insert(
                {
                    "id": run_id,
                    "created_at": now,
                    "source": source,
                    "channel": channel,
                    "kind": kind,
                    "lang": lang,
                    "labeler": labeler,
                    "model": model,
                    "prompt_version": prompt_version,
                    "status": "running",
                    "total": len(items),
                    "done": 0,
                    "failed": 0,
                    "thread_key": thread_key,
                    "conversation_key": conversation_key,
                }
            )
            db.table("items").insert_all(
                {
                    "run_id": run_id,
                    "idx": item.id,
                    "created_at": now,
                    "day": day,
                    "channel": channel,
                    "role": item.role,
                    "author": item.author,
                    "text": item.text,
                    "clean_text": item.clean_text,
                    "note": item.note,
                    # Refused at submit (nothing left to label once cleaned): kept with its reason,
                    # never labelled, relabelled nor counted in stats.
                    "status": "rejected" if item.status == "failed" else "pending",
                    "error": item.error if item.status == "failed" else None,
                    "keywords": "[]",
                    "cached": 0,
                }
                for item in items
            )

    def save_results(self, run_id: str, items: list[LabeledItem]) -> None:
        """Write labelled items (by position) and bump the run's progress counters."""
        with self._db.write() as db:
            for item in items:
                db.execute(
                    "UPDATE items SET label=:label, confidence=:confidence, keywords=:keywords,"
                    " explanation=:explanation, reasoning=:reasoning, labeler=:labeler, aspects=:aspects,"
                    " model=:model, prompt_version=:prompt_version, latency_ms=:latency_ms,"
                    " status=:status, error=:error, cached=:cached"
                    " WHERE run_id=:run_id AND idx=:idx AND status != 'rejected'",
                    {**item_to_row(item), "run_id": run_id, "idx": item.id},
                )
            db.execute(
                "UPDATE runs SET"
                " done=(SELECT count(*) FROM items WHERE run_id=:id AND status!='pending'),"
                " failed=(SELECT count(*) FROM items WHERE run_id=:id AND status='failed')"
                " WHERE id=:id",
                {"id": run_id},
            )

    def finish(
        self,
        run_id: str,
        *,
        status: str,
        explanation: str = "",
        summary_text: str = "",
        conversation: ConversationVerdict | None = None,
        chart_id: str | None = None,
        error: str | None = None,
    ) -> None:
        with self._db.write() as db:
            db.table("runs").update(
                run_id,
                {
                    "status": status,
                    "finished_at": iso(),
                    "explanation": explanation,
                    "summary_text": summary_text,
                    "chart_id": chart_id,
                    "error": error,
                    "conversation": conversation.model_dump_json() if conversation else None,
                },
            )

    def get(self, run_id: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT * FROM runs WHERE id = ?", (run_id,))
        if not rows:
            return None
        run = rows[0]
        run["conversation"] = (
            ConversationVerdict.model_validate_json(run["conversation"]) if run["conversation"] else None
        )
        return run

    def items(self, run_id: str) -> list[LabeledItem]:
        rows = self._db.query("SELECT * FROM items WHERE run_id = ? ORDER BY idx", (run_id,))
        return [row_to_item(row) for row in rows]

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs, each with its first text (`preview`) and its label counts."""
        runs = self._db.query(
            "SELECT id, created_at, source, channel, kind, lang, status, total, done, failed"
            " FROM runs ORDER BY created_at DESC LIMIT ?",
            (limit,),
        )
        if not runs:
            return []
        ids = tuple(run["id"] for run in runs)
        marks = ", ".join("?" * len(ids))
        # SQLite takes the bare columns of a min() aggregate from the row holding the minimum.
        first = {
            row["run_id"]: row["text"]
            for row in self._db.query(
                f"SELECT run_id, text, min(idx) AS idx FROM items WHERE run_id IN ({marks}) GROUP BY run_id",
                ids,
            )
        }
        counts: dict[str, dict[str, int]] = {}
        for row in self._db.query(
            f"SELECT run_id, label, count(*) AS n FROM items WHERE run_id IN ({marks})"
            " AND status IN ('ok', 'superseded') AND label IS NOT NULL GROUP BY run_id, label",
            ids,
        ):
            counts.setdefault(row["run_id"], {})[row["label"]] = row["n"]
        return [
            {**run, "preview": first.get(run["id"], ""), "counts": counts.get(run["id"], {})} for run in runs
        ]

    def failed_items(
        self, run_id: str | None = None, *, running_since: str | None = None
    ) -> dict[str, list[LabeledItem]]:
        """Items to label again, grouped by run: failed ones, and pending ones left by a crash.

        With `running_since`, runs still marked `running` that started at or after it are being
        labelled right now (by this or another process) and are left alone.
        """
        sql = (
            "SELECT items.* FROM items JOIN runs ON runs.id = items.run_id"
            " WHERE items.status IN ('failed', 'pending')"
            " AND (runs.status != 'running' OR runs.created_at < ?)"
        )
        params: tuple = (running_since or "9999",)
        if run_id:
            sql += " AND items.run_id = ?"
            params += (run_id,)
        grouped: dict[str, list[LabeledItem]] = {}
        for row in self._db.query(sql + " ORDER BY items.run_id, items.idx", params):
            grouped.setdefault(row["run_id"], []).append(row_to_item(row))
        return grouped

    def supersede_conversation(self, conversation_key: str, *, latest_run_id: str) -> int:
        """Earlier analyses of the same conversation stop counting in stats and digests.

        Their items keep their labels (the runs stay readable) but are marked `superseded`, so a
        thread analysed three times is counted once, as it is now.
        """
        with self._db.write() as db:
            return db.execute(
                "UPDATE items SET status = 'superseded' WHERE status IN ('ok', 'failed') AND run_id IN"
                " (SELECT id FROM runs WHERE conversation_key = ? AND id != ?)",
                (conversation_key, latest_run_id),
            ).rowcount

    def mark_running(self, run_id: str) -> None:
        with self._db.write() as db:
            db.execute("UPDATE runs SET status = 'running', error = NULL WHERE id = ?", (run_id,))

    def set_progress(self, run_id: str, done: int) -> None:
        with self._db.write() as db:
            db.execute("UPDATE runs SET done = ? WHERE id = ?", (done, run_id))
