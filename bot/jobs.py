"""Background jobs of the core: work the bot does on its own (the daily digest, later alerts).

Rules:
- A job is registered once, by name, on the core (`core.jobs.register("digest", run)`); `run` is
  an async callable that runs until cancelled (a loop that sleeps between passes).
- Jobs run wherever the bot runs: `sentibot serve`, `sentibot connect`, or both sharing one core
  in one process. Every runner calls `start()` when it starts and `stop()` when it stops; the jobs
  start with the first runner and stop with the last, so each job runs exactly once per core.
- Across processes (serve and connect on one database) exactly-once is the job's own business:
  it claims its work in storage before doing it (the digest claims (date, target) in SQLite).
- A job that fails is logged and not restarted (each job survives its own bad passes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class BackgroundJobs:
    """The core's registry of background jobs and the tasks running them."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._runners = 0

    def register(self, name: str, job: Job) -> None:
        """Add a job; registering a name twice is a programming error."""
        if name in self._jobs:
            raise ValueError(f"a background job named {name!r} is already registered")
        self._jobs[name] = job
        if self._runners:  # registered after the bot started: run it now
            self._spawn(name, job)

    @property
    def names(self) -> list[str]:
        return list(self._jobs)

    @property
    def running(self) -> list[str]:
        return [name for name, task in self._tasks.items() if not task.done()]

    def start(self) -> None:
        """A runner (serve, connect) starts: the first one starts every job (needs a running loop)."""
        self._runners += 1
        if self._runners == 1:
            for name, job in self._jobs.items():
                self._spawn(name, job)

    async def stop(self) -> None:
        """A runner stops: the last one cancels the jobs and waits for them to end."""
        if self._runners == 0:
            return
        self._runners -= 1
        if self._runners:
            return
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def shutdown(self) -> None:
        """The core closes: every job stops, whoever still runs it."""
        self._runners = min(self._runners, 1)
        await self.stop()

    def _spawn(self, name: str, job: Job) -> None:
        self._tasks[name] = asyncio.get_running_loop().create_task(self._run(name, job), name=f"job:{name}")

    @staticmethod
    async def _run(name: str, job: Job) -> None:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background job %s stopped with an error", name)
