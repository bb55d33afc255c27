"""Work that continues after a platform has been acknowledged, finished on shutdown, not dropped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundWork:
    """Keeps strong references to running tasks (asyncio only keeps weak ones) and drains them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, *, timeout: float = 60.0) -> None:
        """Wait for running work on shutdown, including work it starts meanwhile.

        What is still running after `timeout` is cancelled (and logged).
        """
        if not self._tasks:
            return
        log.info("finishing %d background task(s) before shutdown", len(self._tasks))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks and (remaining := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=remaining)
        leftovers = list(self._tasks)
        for task in leftovers:
            log.warning("cancelling %s after %.0fs", task.get_name(), timeout)
            task.cancel()
        if leftovers:
            await asyncio.gather(*leftovers, return_exceptions=True)
