"""Version 6: labels set by people (`label_corrections`).

One row each time a lead sets a message's label (on `/messages`, a run page, or in chat): who,
when, where, the label the labeller had given (`labeler_label`, with the labeller and prompt
version) and the label set. Setting the label the labeller gave is kept too: it is agreement.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils


def apply(db: sqlite_utils.Database, ctx: Any) -> None:
    db.execute(
        """CREATE TABLE label_corrections (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages (id),
            label TEXT NOT NULL,
            labeler_label TEXT,
            labeler TEXT,
            prompt_version TEXT,
            corrected_by TEXT NOT NULL,
            corrected_at TEXT NOT NULL,
            via TEXT NOT NULL,
            note TEXT
        )"""
    )
    db.execute("CREATE INDEX label_corrections_message ON label_corrections (message_id, id)")
    db.execute("CREATE INDEX label_corrections_at ON label_corrections (corrected_at)")
