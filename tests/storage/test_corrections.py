"""Labels set by people: the migration that adds them, and what recording one changes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from domain.messages import NewMessage
from domain.models import LabeledItem
from storage import CorrectionTargetMissing, Store
from storage.migrations import LATEST, StepContext, migrate


def version(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def labelled_message(store: Store, text: str, label: str) -> int:
    message = NewMessage(
        source="web", text=text, created_at=datetime(2026, 11, 27, 3, tzinfo=UTC), channel="web"
    )
    [added] = store.messages.add([message])
    item = LabeledItem(id=1, text=text, label=label, labeler="qwen3:m", prompt_version="label-v2")  # type: ignore[arg-type]
    store.messages.set_labels([(added.id, item)])
    return added.id


def negatives(store: Store) -> int:
    rows = store.messages.daily_counts(first_day="2026-11-27", last_day="2026-11-27")
    return sum(r["n"] for r in rows if r["bucket"] == "negative")


def test_a_version_5_file_upgrades_and_keeps_its_messages(tmp_path: Path) -> None:
    db = tmp_path / "v5.db"
    conn = sqlite_utils.Database(sqlite3.connect(db))
    migrate(conn, context=StepContext(timezone="Asia/Shanghai"), upto=5)
    conn.conn.close()
    assert version(db) == 5
    old = Store(db, timezone="Asia/Shanghai")  # opening upgrades; a message written after still counts
    message_id = labelled_message(old, "slow delivery", "negative")
    old.close()
    store = Store(db, timezone="Asia/Shanghai")
    assert version(db) == LATEST
    assert store.messages.get(message_id) is not None and store.corrections.for_message(message_id) == []
    store.close()


def test_recording_sets_the_label_everywhere_and_keeps_the_machine_label(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db", timezone="Asia/Shanghai")
    message_id = labelled_message(store, "fine I guess", "neutral")
    assert negatives(store) == 0
    first = store.corrections.record(message_id, label="negative", by="ann", via="messages")
    assert (first["labeler_label"], first["labeler"], first["prompt_version"]) == (
        "neutral",
        "qwen3:m",
        "label-v2",
    )
    assert first["corrected_by"] == "ann" and first["corrected_at"].endswith("+00:00")
    assert store.messages.get(message_id).label == "negative"  # type: ignore[union-attr]
    assert negatives(store) == 1  # the stats rollups follow
    second = store.corrections.record(message_id, label="positive", by="bo", via="slack", note="sarcasm? no")
    assert second["labeler_label"] == "neutral"  # still the machine's, not ann's
    assert [r["human"] for r in store.corrections.judgements()] == ["positive"]
    assert negatives(store) == 0
    with pytest.raises(CorrectionTargetMissing):
        store.corrections.record(999, label="negative", by="ann", via="messages")
    store.close()
