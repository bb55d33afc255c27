"""Version 5: what hardening (issue 10) stores.

- `web_sessions`: web login sessions, server-side so logout ends them (`storage/sessions.py`):
  the SHA-256 of the random session id, a tag of the token it was opened under, expiry.
- `charts.digest`: the SHA-256 of a chart's PNG, so the same picture keeps its (now random) id;
  charts stored before keep their ids and get no digest.
- `runs.owner` and `runs.lease_until`: who is labelling a running run (`host:pid`) and until
  when its lease holds; a run whose owner is gone is marked interrupted at once on start
  (`storage/runs.py`). Runs stored before have neither and count as abandoned if still running.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils


def apply(db: sqlite_utils.Database, ctx: Any) -> None:
    db.table("web_sessions").create(
        {"id_sha256": str, "token_tag": str, "created_at": str, "expires_at": str},
        pk="id_sha256",
        not_null={"token_tag", "created_at", "expires_at"},
        if_not_exists=True,
    )
    if "digest" not in db.table("charts").columns_dict:
        db.table("charts").add_column("digest", str)
    db.table("charts").create_index(["digest"], if_not_exists=True)
    runs = db.table("runs").columns_dict
    if "owner" not in runs:
        db.table("runs").add_column("owner", str)
    if "lease_until" not in runs:
        db.table("runs").add_column("lease_until", str)
    db.table("runs").create_index(["status"], if_not_exists=True)
