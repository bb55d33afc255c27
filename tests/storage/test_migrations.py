"""Upgrading keeps everything: a file made by the previous release opens with all its runs, items,
reviews and digests, and gains the history (messages) built from them."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from domain.messages import MessageFilter
from storage import StorageError, Store
from storage.migrations import LATEST, STEPS, StepContext, migrate

REPO = Path(__file__).resolve().parents[2]
# The last release before versioned migrations (schema version 1).
RELEASE_1 = "38972cb"
OLD_TABLES = (
    "runs",
    "items",
    "label_cache",
    "charts",
    "reviews",
    "review_events",
    "digests",
    "processed_events",
)


def build_with_release(commit: str, tmp_path: Path) -> Path:
    """Run the storage code of `commit` (taken from git) to make a database."""
    git = shutil.which("git")
    if (
        git is None
        or subprocess.run(
            [git, "-C", str(REPO), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True
        ).returncode
    ):
        pytest.skip(f"git history with commit {commit} not available")
    code = tmp_path / f"release-{commit}"
    code.mkdir()
    archive = subprocess.run(
        [git, "-C", str(REPO), "archive", "--format=tar", commit, "storage", "domain"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    db = tmp_path / "old.db"
    subprocess.run(
        [sys.executable, str(REPO / "tests" / "storage" / "build_release_db.py"), str(code), str(db)],
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )
    return db


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of the first release's tables, in its own columns."""
    conn = sqlite3.connect(db)
    out = {}
    for table in OLD_TABLES:
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
        out[table] = [tuple(columns), *sorted(rows, key=repr)]
    conn.close()
    return out


def version(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_a_database_made_by_release_1_upgrades_with_everything_kept(tmp_path: Path) -> None:
    db = build_with_release(RELEASE_1, tmp_path)
    assert version(db) == 1
    before = dump(db)

    store = Store(db, timezone="Asia/Shanghai")
    try:
        assert version(db) == LATEST
        after = dump(db)
        for table in OLD_TABLES:
            columns = before[table][0]
            keep = [after[table][0].index(c) for c in columns]
            assert [tuple(row[i] for i in keep) for row in after[table][1:]] == before[table][1:], table

        # Runs and reviews read back through today's code as they were.
        assert [i.label for i in store.runs.items("runA")] == ["negative", "positive", "negative"]
        assert store.runs.get("convB")["conversation"].flagged  # type: ignore[index]
        review = store.reviews.by_thread("C1:1.2")
        assert review and review["status"] == "resolved" and review["note"] == "agent was slow"
        assert store.digests.get(date="2026-11-20", target="web")["status"] == "sent"  # type: ignore[index]
        assert not store.events.claim("slack:Ev1")

        # The history: the list pasted twice is its three lines once; the thread judged twice is
        # its three turns once; every item points at its message.
        messages = store.messages.search(store_filter())[0]
        assert sorted((m.channel, m.text, m.label) for m in messages) == [
            ("C1", "checking", "neutral"),
            ("C1", "still nothing, awful", "negative"),
            ("C1", "where is my parcel", "negative"),
            ("support", "great service", "positive"),
            ("support", "物流太慢了", "negative"),
            ("support", "物流太慢了", "negative"),  # the list really had it twice
        ]
        counts = {
            (r["day"], r["label"]): r["n"]
            for r in store.stats.daily_counts(first_day="2026-11-01", last_day="2026-11-30")
        }
        assert counts == {
            ("2026-11-20", "negative"): 2,
            ("2026-11-20", "positive"): 1,
            ("2026-11-21", "negative"): 2,
            ("2026-11-21", "neutral"): 1,
        }
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT count(*) FROM items WHERE message_id IS NULL").fetchone()[0] == 0
        conn.close()
    finally:
        store.close()

    # Opening again changes nothing.
    again = dump(db)
    Store(db).close()
    assert dump(db) == again


def store_filter() -> MessageFilter:
    return MessageFilter(limit=100)


def test_steps_are_numbered_in_order_and_a_new_file_gets_the_latest(tmp_path: Path) -> None:
    assert [s.version for s in STEPS] == list(range(1, LATEST + 1))
    Store(tmp_path / "new.db").close()
    assert version(tmp_path / "new.db") == LATEST


def test_a_file_from_a_newer_sentibot_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version={LATEST + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer sentibot"):
        Store(db)
    assert version(db) == LATEST + 1


def test_two_processes_opening_an_old_file_migrate_it_once(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    conn = sqlite_utils.Database(sqlite3.connect(db))
    migrate(conn, context=StepContext(timezone="UTC"), upto=1)
    conn.conn.close()
    assert version(db) == 1
    first, second = Store(db), Store(db)  # the second sees version 2 and applies nothing
    first.close()
    second.close()
    assert version(db) == LATEST
