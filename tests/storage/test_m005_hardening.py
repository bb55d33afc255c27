"""Migration step 5 on a file made at version 4: a run left running and a chart stored by the
previous code keep working, and the new tables and columns are there."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import sqlite_utils

from bot.run_leases import RunLeases
from storage import Store
from storage.migrations import StepContext, migrate


def test_a_version_4_file_gains_sessions_chart_digests_and_run_leases(tmp_path: Path) -> None:
    db = tmp_path / "v4.db"
    old = sqlite_utils.Database(sqlite3.connect(db))
    migrate(old, context=StepContext(timezone="UTC"), upto=4)
    old["runs"].insert(
        {
            "id": "r1",
            "created_at": "2026-11-01T00:00:00+00:00",
            "source": "cli",
            "kind": "list",
            "lang": "en",
            "status": "running",
            "total": 1,
            "done": 0,
            "failed": 0,
        }
    )
    old["items"].insert(
        {
            "run_id": "r1",
            "idx": 1,
            "created_at": "2026-11-01T00:00:00+00:00",
            "day": "2026-11-01",
            "text": "slow refund",
            "clean_text": "slow refund",
            "status": "pending",
            "keywords": "[]",
            "cached": 0,
        }
    )
    old["charts"].insert(
        {"id": "a" * 32, "created_at": "2026-11-01T00:00:00+00:00", "png": b"old", "kind": "x"}
    )
    old.conn.commit()
    old.conn.close()

    store = Store(db)
    try:
        assert {"owner", "lease_until"} <= set(store.database.db["runs"].columns_dict)
        assert "digest" in store.database.db["charts"].columns_dict
        assert store.charts.get("a" * 32) == b"old"  # old chart URLs keep working
        # A run left running by the previous code has no lease: its process is gone.
        assert RunLeases(store).recover() == ["r1"]
        assert store.runs.failed_items()["r1"][0].text == "slow refund"
        store.web_sessions.open("sid", token_tag="t", lifetime=timedelta(hours=1))
        assert store.web_sessions.is_valid("sid", token_tag="t")
    finally:
        store.close()
