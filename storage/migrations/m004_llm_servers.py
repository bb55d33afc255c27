"""Version 4: `llm_servers`, what the bot learned about each model server's concurrency.

One row per server, keyed by `server` = base URL + model (`storage/llm_limits.py`): the limit it
serves well, the quota ceiling it answered 429 past (if any), whether it was still growing, how
many answers and drops that was learned from, and when.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils


def apply(db: sqlite_utils.Database, ctx: Any) -> None:
    db.table("llm_servers").create(
        {
            "server": str,
            "limit_": int,
            "ceiling": int,
            "probing": int,
            "samples": int,
            "drops": int,
            "updated_at": str,
        },
        pk="server",
        not_null={"limit_", "updated_at"},
        if_not_exists=True,
    )
