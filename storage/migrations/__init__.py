"""Versioned schema migrations: how a database file made by any earlier release is brought up to date.

The file's schema version is SQLite's `PRAGMA user_version`. `STEPS` lists every change ever made
to the schema, in order; opening a file runs the steps above its version, each in its own
`BEGIN IMMEDIATE` transaction that also sets `user_version` to the step's number, so a step is
applied entirely or not at all, and two processes opening the same file at once apply it once
(the second re-reads the version under the write lock and skips).

Rules
- A released step is never edited or removed: its effect is part of every file that ran it.
  Change the schema by adding a step.
- Adding a table or column (any helper): create `storage/migrations/mNNN_what_it_adds.py` with

      def apply(db: sqlite_utils.Database, ctx: StepContext) -> None:
          db.table("watch_targets").create({...}, pk="id", if_not_exists=True)

  and append `Step(NNN, "what it adds", mNNN_what_it_adds.apply)` to `STEPS` below with the next
  number. If two branches both took the same number, the one that lands second renumbers.
  Add a test in tests/storage/ that opens a file at the previous version and checks the new
  step's result (see `tests/storage/test_migrations.py`).
- A step may use SQL and Python (e.g. to backfill rows) but must not import `bot/`; what it needs
  from the settings comes in `StepContext` (today: the time zone that days are counted in).
- A file whose version is above the last step was made by a newer sentibot: it is refused with
  a message, never written to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from storage.migrations import (
    m001_initial,
    m002_messages,
    m003_watch,
    m004_llm_servers,
    m005_hardening,
    m006_label_corrections,
)


@dataclass(frozen=True)
class StepContext:
    """What a step may need beyond the file itself."""

    timezone: str


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    apply: Callable[[sqlite_utils.Database, StepContext], None]


STEPS: tuple[Step, ...] = (
    Step(1, "runs, items, label cache, charts, reviews, events, digests", m001_initial.apply),
    Step(2, "messages: the history, with daily rollups; items point at messages", m002_messages.apply),
    Step(3, "the watch: watched conversations, judge schedule, alert episodes", m003_watch.apply),
    Step(4, "llm_servers: the concurrency learned per model server", m004_llm_servers.apply),
    Step(5, "web sessions, chart digests, run leases", m005_hardening.apply),
    Step(6, "label corrections: labels set by people", m006_label_corrections.apply),
)
LATEST = STEPS[-1].version


class NewerSchema(RuntimeError):
    """The file was made by a newer sentibot; this one must not write to it."""


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database, *, context: StepContext, upto: int = LATEST) -> list[int]:
    """Apply the steps above the file's version (up to `upto`); returns the versions applied."""
    if [step.version for step in STEPS] != list(range(1, len(STEPS) + 1)):
        raise RuntimeError("storage.migrations.STEPS must be numbered 1, 2, 3, … without gaps")
    found = schema_version(db)
    if found > LATEST:
        raise NewerSchema(
            f"the database has schema version {found} but this sentibot knows up to {LATEST}:"
            " it was made by a newer sentibot; upgrade sentibot (or point SENTIBOT_DB elsewhere)"
        )
    applied = []
    conn: sqlite3.Connection = db.conn
    for step in STEPS:
        if step.version <= found or step.version > upto:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(db) < step.version:  # another process may have just applied it
                step.apply(db, context)
                conn.execute(f"PRAGMA user_version={int(step.version)}")
                applied.append(step.version)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied
