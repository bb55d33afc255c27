"""What the bot learned about each model server's concurrency, remembered across restarts.

One row per server, keyed by its base URL and the model it serves (`server_key`): another URL
or another model is another server and is learned from scratch.
"""

from __future__ import annotations

from domain.models import LimitState
from storage.clock import iso, utc_now
from storage.db import Database

__all__ = ["ServerLimits", "server_key"]

TABLE = "llm_servers"


def server_key(base_url: str, model: str) -> str:
    return f"{base_url.rstrip('/')} {model}"


class ServerLimits:
    def __init__(self, database: Database) -> None:
        self._db = database  # the table comes from migration step 4

    def get(self, base_url: str, model: str) -> LimitState | None:
        rows = self._db.query(f"SELECT * FROM {TABLE} WHERE server = ?", (server_key(base_url, model),))
        if not rows:
            return None
        row = rows[0]
        return LimitState(
            limit=max(1, row["limit_"]),
            ceiling=row["ceiling"],
            probing=bool(row["probing"]),
            samples=row["samples"] or 0,
            drops=row["drops"] or 0,
            updated_at=row["updated_at"],
        )

    def save(self, base_url: str, model: str, state: LimitState) -> None:
        with self._db.write() as db:
            db.table(TABLE).upsert(
                {
                    "server": server_key(base_url, model),
                    "limit_": state.limit,
                    "ceiling": state.ceiling,
                    "probing": int(state.probing),
                    "samples": state.samples,
                    "drops": state.drops,
                    "updated_at": iso(utc_now()),
                },
                pk="server",
            )
