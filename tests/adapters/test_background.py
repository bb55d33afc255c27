"""Work acknowledged to a platform is finished on shutdown, not dropped."""

from __future__ import annotations

import asyncio

from adapters.background import BackgroundWork


async def test_drain_waits_for_work_and_for_work_it_starts() -> None:
    work = BackgroundWork()
    finished: list[str] = []

    async def follow_up() -> None:
        await asyncio.sleep(0.05)
        finished.append("follow-up")

    async def reply() -> None:
        await asyncio.sleep(0.05)
        finished.append("reply")
        work.spawn(follow_up(), name="follow-up")  # e.g. a chart upload after the answer

    work.spawn(reply(), name="reply")
    await work.drain(timeout=5)
    assert finished == ["reply", "follow-up"]
    assert work.pending == 0


async def test_drain_cancels_what_outlives_the_timeout() -> None:
    work = BackgroundWork()
    task = work.spawn(asyncio.sleep(30), name="stuck")
    await work.drain(timeout=0.05)
    assert task.cancelled()
    assert work.pending == 0
