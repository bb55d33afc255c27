"""Request and response models of the HTTP API (the contract's JSON, documented at /docs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from adapters.web.validation import require_unicode

Label = Literal["positive", "negative", "neutral"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Every text field of every request: a lone surrogate is refused here (422), never stored.
    _unicode = field_validator("*", mode="after")(require_unicode)


# -- requests ---------------------------------------------------------------------------------


class TurnIn(Strict):
    author: str = Field("", max_length=200, description="who spoke (a name or platform id)")
    role: Literal["customer", "agent"]
    text: str


class AnalyzeIn(Strict):
    """Exactly one of `text`, `texts` or `conversation`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "物流太慢了，等了一周"},
                {"texts": ["Great support, thanks!", "Still waiting for my refund."], "channel": "support"},
                {
                    "conversation": [
                        {"author": "Ann", "role": "customer", "text": "My order never arrived."},
                        {"author": "Bo", "role": "agent", "text": "Sorry, I'll resend it today."},
                    ]
                },
            ]
        },
    )

    text: str | None = Field(None, description="one comment")
    texts: list[str] | None = Field(None, description="a list of comments (at most 2000)")
    conversation: list[TurnIn] | None = Field(None, description="a customer-service conversation")
    channel: str | None = Field(None, max_length=200, description="where the comments came from")


class ChatIn(Strict):
    text: str = Field(description="what the user typed: a command, a comment, a list or a conversation")


class AskIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "这周客户主要投诉什么？"},
                {"question": "why did negative go up yesterday?"},
            ]
        },
    )

    question: str = Field(min_length=1, max_length=500, description="a question about the stored history")


class LabelIn(Strict):
    label: Label = Field(description="the right label")
    by: str = Field(min_length=1, max_length=200, description="who sets it (a name or user id)")
    note: str | None = Field(None, max_length=2000)


class ResolveIn(Strict):
    reviewer: str = Field(max_length=200)
    note: str = Field("", max_length=5000)
    label: Label | None = Field(None, description="the right label, when the bot was wrong")


class ReopenIn(Strict):
    # Named as in `ResolveIn`; `actor`, the old name, is still accepted.
    reviewer: str = Field(
        max_length=200,
        validation_alias=AliasChoices("reviewer", "actor"),
        description="who reopens it",
    )
    note: str = Field("", max_length=5000)


# -- responses --------------------------------------------------------------------------------


class ErrorOut(BaseModel):
    error: str


class ItemOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    text: str
    label: Label | None
    confidence: float | None
    explanation: str
    keywords: list[str]
    reasoning: str | None
    labeler: str
    status: Literal["ok", "failed"]
    error: str | None
    # Conversations add `role` ("customer" | "agent") and `author` to each item.


class SummaryOut(BaseModel):
    total: int
    positive: int
    negative: int
    neutral: int
    failed: int


class VerdictOut(BaseModel):
    label: Label
    resolved: bool
    flagged: bool
    reason: str
    agent_issues: list[str] = []


class AnalyzeOut(BaseModel):
    """The contract's answer to `POST /api/analyze`."""

    model_config = ConfigDict(extra="allow")

    run_id: str
    items: list[ItemOut]
    summary: SummaryOut
    explanation: str
    chart_url: str | None
    conversation: VerdictOut | None
    review_id: int | None = None
    labeler: str | None = None
    status: str | None = None


class DrillOut(BaseModel):
    """A day, label or aspect of a stats reply and the `/messages` view listing its messages."""

    kind: Literal["day", "label", "aspect"]
    key: str
    total: int
    counts: dict[str, int] = {}
    url: str


class ReplyOut(BaseModel):
    """A chat reply in plain text (title + lines), with what the page needs to draw it."""

    kind: str
    lang: Literal["zh", "en"]
    title: str
    lines: list[str]
    chart_url: str | None = None
    link: str | None = None
    error: str | None = None
    summary: SummaryOut | None = None
    reviews: list[dict[str, Any]] = []
    examples: list[dict[str, Any]] = []
    drill: list[DrillOut] = []


class RunOut(BaseModel):
    """One run as the web chat polls it: progress while running, everything once finished."""

    model_config = ConfigDict(extra="allow")

    run_id: str
    status: Literal["running", "done", "failed"] | str
    kind: str
    lang: Literal["zh", "en"]
    created_at: str | None
    source: str | None = None
    progress: dict[str, int]
    run_url: str
    csv_url: str
    error: str | None = None
    labeler: str | None = None
    items: list[ItemOut] = []
    summary: SummaryOut | None = None
    explanation: str = ""
    chart_url: str | None = None
    conversation: VerdictOut | None = None
    review_id: int | None = None
    review_url: str | None = None
    reply: ReplyOut | None = None


class CorrectionOut(BaseModel):
    """A label set by a person: who, when, where, and what the labeller had said."""

    id: int
    message_id: int
    label: Label
    labeler_label: str | None
    labeler: str | None
    corrected_by: str
    corrected_at: str
    via: str
    note: str | None = None


class FactOut(BaseModel):
    name: str
    value: int | float | str


class AskOut(BaseModel):
    """An answer whose every number is one of `facts` (from storage), with real example messages."""

    model_config = ConfigDict(extra="allow")

    answer: str
    facts: list[FactOut]
    examples: list[dict[str, Any]] = Field(description="stored messages (contract message JSON) plus `link`")
    chart_url: str | None = None
    answered_by: str = Field(description="`offline` or `qwen3:<model>`")


class ChatOut(BaseModel):
    """Either a reply right away (commands, quick runs) or a run to poll at `/api/runs/{run_id}`."""

    reply: ReplyOut | None = None
    run: RunOut | None = None


class StatsOut(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    days: int
    from_: str = Field(alias="from")
    to: str
    channel: str | None
    summary: SummaryOut
    shares: dict[str, float]
    per_day: list[dict[str, Any]]
    chart_url: str | None


class ReviewEventOut(BaseModel):
    at: str
    action: str
    actor: str | None
    note: str | None
    label: str | None


class ReviewOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    status: Literal["open", "resolved"] | str
    title: str | None
    reason: str | None
    label: str | None
    agent_issues: list[str] = []
    platform: str | None = None
    channel: str | None = None
    run_id: str | None = None
    run_url: str | None = None
    permalink: str | None = None
    created_at: str
    updated_at: str | None = None
    resolved_at: str | None = None
    resolved_by: str | None = None
    note: str | None = None
    corrected_label: str | None = None
    events: list[ReviewEventOut] | None = None


class ReviewsOut(BaseModel):
    status: str
    count: int
    reviews: list[ReviewOut]


class HealthOut(BaseModel):
    status: str
    labeler: str
    db: str
