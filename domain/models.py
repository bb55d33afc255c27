"""Platform-neutral data shapes shared by the core, storage and every adapter."""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import BaseModel, Field

Label = Literal["positive", "negative", "neutral"]
LABELS: tuple[Label, ...] = ("positive", "negative", "neutral")
Role = Literal["customer", "agent"]
Lang = Literal["zh", "en"]
ItemStatus = Literal["ok", "failed"]
Aspect = Literal["delivery", "service", "quality", "price", "billing", "account", "product", "other"]
# What a message is about (contract: "Aspects"); Chinese names for replies in Chinese.
ASPECTS: tuple[Aspect, ...] = typing.get_args(Aspect)
ASPECT_NAMES_ZH: dict[str, str] = {
    "delivery": "物流",
    "service": "客服",
    "quality": "质量",
    "price": "价格",
    "billing": "退款/账单",
    "account": "账户",
    "product": "产品/功能",
    "other": "其他",
}


class TextIn(BaseModel):
    """One text to label, as it arrived (before cleaning)."""

    id: int
    text: str
    role: Role | None = None
    author: str | None = None


class LabeledItem(BaseModel):
    """One labelled item: the contract's item JSON plus what storage keeps beside it."""

    id: int
    text: str
    label: Label | None = None
    confidence: float | None = None
    explanation: str = ""
    keywords: list[str] = Field(default_factory=list)
    aspects: list[Aspect] = Field(default_factory=list)
    reasoning: str | None = None
    labeler: str = "offline"
    status: ItemStatus = "ok"
    error: str | None = None
    # Set when the text was cut for the model (e.g. "truncated from 30000 to 2000 characters").
    note: str | None = None
    # Not in the public item JSON, but stored and shown where useful.
    role: Role | None = None
    author: str | None = None
    clean_text: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    latency_ms: float | None = None
    cached: bool = False

    def public(self) -> dict[str, object]:
        """The contract's item JSON (a failed item keeps `label` null, never neutral)."""
        data = self.model_dump(
            include={
                "id",
                "text",
                "label",
                "confidence",
                "explanation",
                "keywords",
                "aspects",
                "reasoning",
                "labeler",
                "status",
                "error",
            }
        )
        if self.note:
            data["note"] = self.note
        if self.role:
            data["role"] = self.role
            data["author"] = self.author
        return data


class Turn(BaseModel):
    """One turn of a customer-service conversation."""

    author: str = ""
    role: Role
    text: str


class ConversationVerdict(BaseModel):
    label: Label
    resolved: bool
    flagged: bool
    reason: str = ""
    agent_issues: list[str] = Field(default_factory=list)


class Summary(BaseModel):
    total: int = 0
    positive: int = 0
    negative: int = 0
    neutral: int = 0
    failed: int = 0

    @classmethod
    def of(cls, items: list[LabeledItem]) -> Summary:
        summary = cls(total=len(items))
        for item in items:
            if item.status != "ok" or item.label is None:
                summary.failed += 1
            else:
                setattr(summary, item.label, getattr(summary, item.label) + 1)
        return summary

    def share(self, label: str) -> float:
        labelled = self.total - self.failed
        return getattr(self, label) / labelled if labelled else 0.0


class LabelBatchResult(BaseModel):
    """What a labeller returns for a batch of items (or a whole conversation)."""

    items: list[LabeledItem]
    summary_text: str = ""
    conversation: ConversationVerdict | None = None


class LimitState(BaseModel):
    """What the bot learned about how many requests a model server serves well at once."""

    limit: int = Field(ge=1)
    """Requests the server serves at once (its slots, as estimated); while still in slow start,
    the limit reached. The limit in flight is this plus one waiting request, under the ceiling."""
    ceiling: int | None = None
    """The most in flight that was fine when the server last answered 429 (its quota), if it did."""
    probing: bool = True
    """Still in slow start: no sign of queueing or refusal seen yet, so the limit may double."""
    samples: int = 0
    drops: int = 0
    updated_at: str | None = None
