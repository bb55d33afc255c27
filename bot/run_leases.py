"""Who is labelling a run, and how a run left by a dead process is found at once.

A run being labelled carries a lease: its owner (`host:pid`) and an expiry a few minutes ahead,
renewed by a heartbeat while the labelling goes on. A `running` run is abandoned when

- its owner is a process on this host that no longer exists (or is a zombie): known at once,
  e.g. right after `kill -9`, with no waiting;
- its lease expired (an owner on another host that stopped renewing, or a pid reused since);
- it has no owner at all (stored by a release before leases).

Every start of the core (`sentibot label`, `relabel`, `serve`, …) marks abandoned runs
`interrupted`; what they had labelled is kept (stored batch by batch), and `sentibot relabel
--failed` labels the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from storage import Store
from storage.clock import iso, utc_now
from storage.runs import Lease

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
HEARTBEAT_S = 30.0
INTERRUPTED = "interrupted: the process labelling it stopped before it finished"


def this_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def process_exists(pid: int) -> bool:
    """True while `pid` is a live process on this host (a zombie, killed but not reaped, is not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def is_abandoned(owner: str | None, lease_until: str | None, *, now: datetime) -> bool:
    if not owner or not lease_until:
        return True
    if lease_until < iso(now):
        return True
    host, _, pid = owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not process_exists(int(pid))
    return False


class RunLeases:
    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime] = utc_now,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self._store = store
        self._clock = clock
        self._heartbeat_s = heartbeat_s
        self.owner = this_owner()

    def recover(self) -> list[str]:
        """Mark every abandoned `running` run interrupted; returns their ids."""
        now = self._clock()
        abandoned = [
            run["id"]
            for run in self._store.runs.running()
            if is_abandoned(run["owner"], run["lease_until"], now=now)
        ]
        if abandoned:
            self._store.runs.mark_interrupted(abandoned, error=INTERRUPTED)
            log.warning(
                "%d run(s) left by a stopped process marked interrupted: %s", len(abandoned), abandoned
            )
        return abandoned

    def new_lease(self) -> Lease:
        """A lease for this process, from now: stored with a run it creates or takes over."""
        return Lease(owner=self.owner, until=iso(self._clock() + LEASE))

    @contextlib.asynccontextmanager
    async def hold(self, run_id: str) -> AsyncIterator[None]:
        """Own `run_id` while the block runs, renewing the lease in the background."""
        self._store.runs.renew_lease(run_id, self.new_lease())

        async def heartbeat() -> None:
            while True:
                await asyncio.sleep(self._heartbeat_s)
                self._store.runs.renew_lease(run_id, self.new_lease())

        beating = asyncio.create_task(heartbeat(), name=f"lease:{run_id}")
        try:
            yield
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating
