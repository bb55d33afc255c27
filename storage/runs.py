"""Runs (one request to label something) and their items."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Lease:
    """Who labels a run (`host:pid`) and until when (ISO UTC) unless renewed."""

    owner: str
    until: str


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
        lease: Lease | None = None,
    ) -> None:
        """Store a run and its items as `pending` (or `rejected`) in one transaction, before any
        labelling, owned by `lease` (see `bot/run_leases.py`)."""
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
                    "owner": lease.owner if lease else None,
                    "lease_until": lease.until if lease else None,
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
            # `done` never goes back: progress reported while a batch is out may be ahead of it.
            db.execute(
                "UPDATE runs SET"
                " done=max(coalesce(done, 0),"
                " (SELECT count(*) FROM items WHERE run_id=:id AND status!='pending')),"
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
        return self._with_previews(runs)

    def page(self, *, limit: int, cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """One page of every run, newest first (keyset on created_at, then insertion order within
        the same second), and the next cursor. Each run comes as `recent` gives it (preview,
        label counts). ValueError for a bad cursor."""
        sql = (
            "SELECT rowid AS seq, id, created_at, source, channel, kind, lang, status, total, done, failed"
            " FROM runs"
        )
        params: list[Any] = []
        if cursor:
            created_at, seq = _decode_run_cursor(cursor)
            sql += " WHERE created_at < ? OR (created_at = ? AND rowid < ?)"
            params += [created_at, created_at, seq]
        rows = self._db.query(sql + " ORDER BY created_at DESC, rowid DESC LIMIT ?", (*params, limit + 1))
        next_cursor = (
            _encode_run_cursor(rows[limit - 1]["created_at"], rows[limit - 1]["seq"])
            if len(rows) > limit
            else None
        )
        return self._with_previews(
            [{k: v for k, v in r.items() if k != "seq"} for r in rows[:limit]]
        ), next_cursor

    def count(self) -> int:
        return int(self._db.query("SELECT count(*) AS n FROM runs")[0]["n"])

    def _with_previews(self, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
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

    def failed_items(self, run_id: str | None = None) -> dict[str, list[LabeledItem]]:
        """Items to label again, grouped by run: failed ones, and pending ones of interrupted runs.

        Runs still `running` are being labelled right now (by this or another process, which
        holds their lease) and are left alone; a run whose process died is `interrupted` first.
        """
        sql = (
            "SELECT items.* FROM items JOIN runs ON runs.id = items.run_id"
            " WHERE items.status IN ('failed', 'pending') AND runs.status != 'running'"
        )
        params: tuple = ()
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

    def mark_running(self, run_id: str, *, lease: Lease) -> None:
        with self._db.write() as db:
            db.execute(
                "UPDATE runs SET status = 'running', error = NULL, owner = ?, lease_until = ? WHERE id = ?",
                (lease.owner, lease.until, run_id),
            )

    # -- leases: who labels a running run, until when (rules in bot/run_leases.py) -------------

    def running(self) -> list[dict[str, Any]]:
        return self._db.query("SELECT id, owner, lease_until FROM runs WHERE status = 'running'")

    def renew_lease(self, run_id: str, lease: Lease) -> None:
        with self._db.write() as db:
            db.execute(
                "UPDATE runs SET owner = ?, lease_until = ? WHERE id = ? AND status = 'running'",
                (lease.owner, lease.until, run_id),
            )

    def mark_interrupted(self, run_ids: list[str], *, error: str) -> None:
        """Runs whose process is gone: what they stored stays, the rest waits for relabel."""
        with self._db.write() as db:
            for run_id in run_ids:
                db.execute(
                    "UPDATE runs SET status = 'interrupted', error = ?, finished_at = ?"
                    " WHERE id = ? AND status = 'running'",
                    (error, iso(), run_id),
                )

    def set_progress(self, run_id: str, done: int) -> None:
        with self._db.write() as db:
            db.execute("UPDATE runs SET done = ? WHERE id = ?", (done, run_id))


def _encode_run_cursor(created_at: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at}|{seq}".encode()).decode().rstrip("=")


def _decode_run_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at, _, seq = raw.rpartition("|")
        if not created_at:
            raise ValueError(cursor)
        return created_at, int(seq)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("cursor is not valid: use the link to the next page") from exc
