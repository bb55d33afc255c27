"""What asking about the history returns, on every surface."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from bot.ask.tools import Fact
from domain.models import Lang

__all__ = ["Answer", "Fact"]


class Answer(BaseModel):
    """An answer whose every number is in `facts`, with real example messages.

    `answered_by` is `offline` (parser + templates) or `qwen3:<model>`; `note` says why a model's
    answer was replaced by the templated one, when it was.
    """

    model_config = {"arbitrary_types_allowed": True}

    question: str
    lang: Lang
    text: str
    kind: str | None = None
    facts: list[Fact] = Field(default_factory=list)
    examples: list[dict[str, Any]] = Field(default_factory=list)
    chart_id: str | None = None
    answered_by: str = "offline"
    period: str | None = None
    note: str | None = None

    def api_json(self, *, public_url: str) -> dict[str, Any]:
        """`POST /api/ask`'s answer: {"answer", "facts", "examples"} plus where it came from."""
        return {
            "answer": self.text,
            "facts": [fact.public() for fact in self.facts],
            "examples": self.examples,
            "chart_url": f"{public_url.rstrip('/')}/charts/{self.chart_id}.png" if self.chart_id else None,
            "kind": self.kind,
            "period": self.period,
            "answered_by": self.answered_by,
        }
