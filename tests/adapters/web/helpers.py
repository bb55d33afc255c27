"""Helpers for the web tests: deterministic stand-in labellers and an app factory."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.labelers import ProgressFn
from domain.models import LabelBatchResult, LabeledItem, TextIn

NEGATIVE = (
    "差",
    "慢",
    "退款",
    "投诉",
    "离谱",
    "失望",
    "坏",
    "bad",
    "slow",
    "broken",
    "refund",
    "ridiculous",
    "cancel",
    "crash",
    "terrible",
    "down",
    "worst",
    "never",
    "angry",
)
POSITIVE = (
    "好",
    "谢谢",
    "满意",
    "棒",
    "快",
    "great",
    "love",
    "thanks",
    "thank",
    "amazing",
    "perfect",
    "good",
    "fixed",
    "happy",
)


class KeywordLabeler:
    """Labels by keyword, with reasoning, like a reasoning model would answer (no server needed)."""

    name = "qwen3:fake"
    model = "fake"
    prompt_version = "test"

    def __init__(self, *, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.calls = 0

    def predict(self, item: TextIn) -> LabeledItem:
        lower = item.text.lower()
        neg = [w for w in NEGATIVE if re.search(rf"(?<![a-z]){re.escape(w)}", lower)]
        pos = [w for w in POSITIVE if re.search(rf"(?<![a-z]){re.escape(w)}", lower)]
        if len(neg) > len(pos):
            label, words, confidence = "negative", neg, 0.9
        elif pos:
            label, words, confidence = "positive", pos, 0.85
        else:
            label, words, confidence = "neutral", [], 0.6
        return LabeledItem(
            id=item.id,
            text=item.text,
            label=label,
            confidence=confidence,
            explanation=f"Mentions {', '.join(words)}." if words else "No clear sentiment.",
            keywords=words[:3],
            reasoning=f"<think>The text says: {item.text}</think> so it is {label}.",
            labeler=self.name,
            role=item.role,
            author=item.author,
        )

    async def label(self, items: list[TextIn], *, on_progress: ProgressFn | None = None) -> LabelBatchResult:
        self.calls += 1
        out = []
        for done, item in enumerate(items, start=1):
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            out.append(self.predict(item))
            if on_progress:
                on_progress(done, len(items))
        return LabelBatchResult(items=out)


class DownLabeler:
    """What the Qwen labeller answers when the model server is down: every item failed, one reason."""

    name = "qwen3:Qwen3-1.7B"
    model = "Qwen3-1.7B"
    prompt_version = "test"
    error = "model server unreachable at http://127.0.0.1:9/v1 (connection refused)"

    async def label(self, items: list[TextIn], *, on_progress: ProgressFn | None = None) -> LabelBatchResult:
        failed = [
            LabeledItem(
                id=i.id, text=i.text, status="failed", error=self.error, labeler=self.name, role=i.role
            )
            for i in items
        ]
        if on_progress:
            on_progress(len(items), len(items))
        return LabelBatchResult(items=failed)


def shared_conversation(name: str) -> str | None:
    """A conversation from ../shared/data/conversations, or None when the folder is absent."""
    path = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "conversations" / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


FLAGGED_CONVERSATION = (
    "Customer: My order arrived broken and nobody answers my emails.\n"
    "Agent: Sorry to hear that. Could you send a photo?\n"
    "Customer: I sent three photos last week. This is ridiculous, I want a refund."
)
