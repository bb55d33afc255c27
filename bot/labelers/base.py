"""What the core needs from a labeller, whichever one serves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from domain.models import LabelBatchResult, TextIn

ProgressFn = Callable[[int, int], None]


@runtime_checkable
class Labeler(Protocol):
    name: str

    # Read-only in the protocol so a labeller may narrow them to `str` (the Qwen3 one does).
    # None for the offline labeller: its answers are not cached (it is faster than the cache).
    @property
    def model(self) -> str | None: ...

    @property
    def prompt_version(self) -> str | None: ...

    async def label(
        self, items: list[TextIn], *, on_progress: ProgressFn | None = None
    ) -> LabelBatchResult: ...


@runtime_checkable
class ConversationJudge(Protocol):
    """A labeller that judges a whole conversation in one request (the Qwen3 one)."""

    async def judge(self, turns: list[TextIn]) -> LabelBatchResult: ...
