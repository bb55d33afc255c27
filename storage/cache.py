"""Label cache: identical cleaned text + model + prompt version is labelled once, across restarts."""

from __future__ import annotations

import hashlib
import json

from domain.models import LabeledItem
from storage.clock import iso
from storage.db import Database
from storage.runs import aspects_of, label_fields


def cache_key(clean_text: str, model: str, prompt_version: str) -> str:
    return hashlib.sha256(f"{model}\x1f{prompt_version}\x1f{clean_text}".encode()).hexdigest()


class LabelCache:
    def __init__(self, database: Database) -> None:
        self._db = database

    def get_many(self, keys: list[str]) -> dict[str, LabeledItem]:
        found: dict[str, LabeledItem] = {}
        # SQLite caps bound parameters, so look up in chunks.
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.query(f"SELECT * FROM label_cache WHERE key IN ({marks})", tuple(chunk)):
                found[row["key"]] = LabeledItem(
                    id=0,
                    text="",
                    label=row["label"],
                    confidence=row["confidence"],
                    keywords=json.loads(row["keywords"] or "[]"),
                    aspects=aspects_of(row),
                    explanation=row["explanation"] or "",
                    reasoning=row["reasoning"],
                    labeler=row["labeler"],
                    model=row["model"],
                    prompt_version=row["prompt_version"],
                    cached=True,
                )
        return found

    def put_many(self, entries: dict[str, LabeledItem]) -> None:
        """Only successful labels are cached: a failure must be retried, not remembered."""
        now = iso()
        rows = [
            {"key": key, **label_fields(item), "created_at": now}
            for key, item in entries.items()
            if item.status == "ok"
        ]
        if rows:
            with self._db.write() as db:
                db.table("label_cache").upsert_all(rows, pk="key")
