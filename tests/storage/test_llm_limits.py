"""What the bot learned about each model server is kept per base URL + model, across restarts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from domain.models import LimitState
from storage import Store
from storage.migrations import StepContext, migrate


def test_a_learned_limit_survives_a_restart(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.llm_limits.save(
        "http://gpu:8000/v1/", "Qwen3-1.7B", LimitState(limit=70, probing=False, samples=900)
    )
    store.close()
    again = Store(tmp_path / "s.db")
    state = again.llm_limits.get("http://gpu:8000/v1", "Qwen3-1.7B")  # trailing slash or not: one server
    assert state is not None and (state.limit, state.probing, state.samples) == (70, False, 900)
    assert state.updated_at
    assert again.llm_limits.get("http://gpu:8000/v1", "Qwen3-8B") is None  # another model: not learned
    again.close()


def test_a_version_3_file_gains_the_table_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    conn = sqlite_utils.Database(sqlite3.connect(path))
    migrate(conn, context=StepContext(timezone="UTC"), upto=3)  # as the previous release left it
    conn.execute("INSERT INTO charts (id, created_at, png, kind) VALUES ('c1', '2026-01-01', x'00', 'x')")
    conn.conn.commit()
    assert "llm_servers" not in conn.table_names()
    conn.conn.close()
    store = Store(path)
    assert store.llm_limits.get("http://gpu:8000/v1", "Qwen3-1.7B") is None
    store.llm_limits.save("http://gpu:8000/v1", "Qwen3-1.7B", LimitState(limit=8, ceiling=8))
    assert store.llm_limits.get("http://gpu:8000/v1", "Qwen3-1.7B") == LimitState(
        limit=8,
        ceiling=8,
        updated_at=store.llm_limits.get("http://gpu:8000/v1", "Qwen3-1.7B").updated_at,  # type: ignore[union-attr]
    )
    assert store.charts.get("c1") == b"\x00"
    store.close()
