"""Labelling a run's texts in slices, each handed on (to be stored) as soon as it comes back.

One labeller call per slice, all slices started at once: the labeller's own limit bounds the
requests in flight, so throughput is what one big call gives, but a crash mid-run costs only
the slices still out, never what the model already answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.labelers import Labeler
from domain.models import LabeledItem, TextIn

NO_ANSWER = "the labeller returned no answer"


async def label_in_slices(
    labeler: Labeler,
    texts: list[TextIn],
    *,
    size: int,
    on_slice: Callable[[dict[int, LabeledItem]], None],
    on_progress: Callable[[int], None] | None = None,
    side_by_side: bool = True,
) -> tuple[dict[int, LabeledItem], str]:
    """Answers by text id (a text the labeller skipped is failed), and the labeller's summary
    when one slice held everything (a slice's summary speaks only for that slice).

    `on_progress` gets the number of texts answered so far, over all slices, as the labeller
    reports them (never decreasing). `side_by_side=False` labels one slice after the other (a
    labeller without a limit of its own, which would otherwise run every slice at once)."""
    slices = [texts[start : start + size] for start in range(0, len(texts), size)]
    answers: dict[int, LabeledItem] = {}
    done = [0] * len(slices)

    async def one(index: int, chunk: list[TextIn]) -> str:
        def progress(finished: int, _total: int) -> None:
            if on_progress is not None and finished > done[index]:
                done[index] = min(finished, len(chunk))
                on_progress(sum(done))

        batch = await labeler.label(chunk, on_progress=progress)
        progress(len(chunk), len(chunk))
        got = {item.id: item for item in batch.items}
        part = {
            text.id: got.get(text.id)
            or LabeledItem(id=text.id, text=text.text, label=None, status="failed", error=NO_ANSWER)
            for text in chunk
        }
        answers.update(part)
        on_slice(part)
        return batch.summary_text

    if side_by_side:
        summaries = await asyncio.gather(*(one(index, chunk) for index, chunk in enumerate(slices)))
    else:
        summaries = [await one(index, chunk) for index, chunk in enumerate(slices)]
    return answers, summaries[0] if len(slices) == 1 else ""
