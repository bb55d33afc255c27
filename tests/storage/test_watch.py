"""The watch's storage: migration step 3 upgrades a version-2 file (messages kept), and its
claims (judge a quiet conversation, raise an alert) go to exactly one of two processes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from domain.messages import NewMessage
from storage import Store
from storage.clock import iso
from storage.migrations import StepContext, migrate, schema_version


def test_a_version_2_file_gains_the_watch_tables_and_keeps_its_messages(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    old = sqlite_utils.Database(path)
    migrate(old, context=StepContext(timezone="UTC"), upto=2)
    old.execute(
        "INSERT INTO messages (identity, source, text, created_at, day, received_at, status)"
        " VALUES ('x', 'zendesk', 'the parcel is late', '2026-11-29T10:00:00+00:00', '2026-11-29',"
        " '2026-11-29T10:00:00+00:00', 'pending')"
    )
    old.conn.commit()
    old.conn.close()

    store = Store(path, timezone="UTC")
    try:
        assert schema_version(store.database.db) >= 3
        assert [m.text for m in store.messages.unlabelled()] == ["the parcel is late"]
        assert store.watch_targets.add("slack:C0A", by="lead") is True
        assert store.watch_targets.add("slack:C0A") is False
        indexes = {row["name"] for row in store.database.query("PRAGMA index_list(messages)")}
        assert "messages_channel_created" in indexes
    finally:
        store.close()


def test_an_alert_and_a_due_conversation_are_claimed_once_by_two_processes(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    serve, connect = Store(path, timezone="UTC"), Store(path, timezone="UTC")
    try:
        first = serve.watch_alerts.raise_once("C0A", share=0.6, total=20, negative=12, worker="serve")
        second = connect.watch_alerts.raise_once("C0A", share=0.6, total=20, negative=12, worker="connect")
        assert first is not None and second is None
        assert connect.watch_alerts.clear("C0A") and not serve.watch_alerts.clear("C0A")
        assert serve.watch_alerts.raise_once("C0A", share=0.7, total=20, negative=14, worker="serve")

        serve.watch_conversations.touch("slack:T:C0A:1", source="slack", channel="C0A", judge_after=iso())
        now = iso(datetime.now(UTC))
        taken = [
            s.watch_conversations.claim_due(now=now, worker=w) for s, w in ((serve, "a"), (connect, "b"))
        ]
        assert [len(rows) for rows in taken] == [1, 0]
        serve.watch_conversations.finish("slack:T:C0A:1", covered=1, run_id="r1", worker="a")
        assert connect.watch_conversations.claim_due(now=now, worker="b") == []  # judged, unchanged
    finally:
        serve.close()
        connect.close()


def test_retention_forgets_texts_but_keeps_the_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db", timezone="UTC")
    try:
        old, new = store.messages.add(
            [
                NewMessage(
                    source="slack",
                    text=text,
                    created_at=datetime(2026, month, 1, tzinfo=UTC),
                    external_id=text,
                )
                for text, month in (("old words", 1), ("new words", 11))
            ]
        )
        assert store.watched_messages.forget_older_than("2026-06-01T00:00:00+00:00") == 1
        texts = [m.text for m in store.messages.by_ids([old.id, new.id])]
        assert texts == [None, "new words"]
        assert store.messages.count() == 2
    finally:
        store.close()
