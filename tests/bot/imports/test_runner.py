"""An import stopped half-way (Ctrl-C) keeps what it stored and finishes when run again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core import Sentibot
from bot.labelers import ProgressFn
from domain.messages import MessageFilter
from domain.models import LabelBatchResult, LabeledItem, TextIn


class StopsOnSecondBatch:
    """A labeller that is interrupted (as Ctrl-C cancels the running task) on its second call."""

    name = "offline"
    model = None
    prompt_version = None

    def __init__(self) -> None:
        self.calls = 0

    async def label(self, items: list[TextIn], *, on_progress: ProgressFn | None = None) -> LabelBatchResult:
        self.calls += 1
        if self.calls == 2:
            raise asyncio.CancelledError
        return LabelBatchResult(
            items=[LabeledItem(id=i.id, text=i.text, label="neutral", confidence=0.5) for i in items]
        )


async def test_interrupted_import_resumes_and_adds_nothing_twice(core: Sentibot, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("id,text\n" + "".join(f"{i},comment {i}\n" for i in range(25)), encoding="utf-8")
    core.labeler = StopsOnSecondBatch()  # type: ignore[assignment]
    job = core.open_import(path, source="crm")
    with pytest.raises(asyncio.CancelledError):
        await job.run(batch_size=10)
    stored, _ = core.store.messages.search(MessageFilter(limit=100))
    assert len(stored) == 20 and sum(m.status == "pending" for m in stored) == 10

    progress: list[float] = []
    again = await core.open_import(path, source="crm").run(
        batch_size=10, on_progress=lambda report, fraction: progress.append(fraction)
    )
    assert (again.new, again.already, again.labelled, again.rejected_count) == (5, 20, 15, 0)
    stored, _ = core.store.messages.search(MessageFilter(limit=100))
    assert len(stored) == 25 and all(m.status == "ok" for m in stored)
    assert progress[-1] == 1.0 and progress == sorted(progress)


async def test_a_file_without_ids_or_times_is_identified_by_its_lines(core: Sentibot, tmp_path: Path) -> None:
    path = tmp_path / "plain.tsv"
    path.write_text("评论\n太慢了\n太慢了\n很好\n", encoding="utf-8")
    first = await core.open_import(path).run()
    second = await core.open_import(path).run()
    assert (first.new, second.new, second.already) == (3, 0, 3)  # the repeated line is two messages
