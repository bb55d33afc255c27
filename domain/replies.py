"""The platform-neutral reply every surface renders in its own idiom (Block Kit, markdown, HTML).

The text is plain (no markup); `title` is one headline, `lines` are short paragraphs. The core
builds replies (bot/replies.py); adapters render them and never build their own.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from domain.models import ConversationVerdict, LabeledItem, Lang, Summary

ReplyKind = Literal[
    "label",
    "list",
    "conversation",
    "stats",
    "reviews",
    "help",
    "digest",
    "error",
    "watch",
    "alert",
    "answer",
    "correction",
]


# What a button does, in the core's words; each adapter maps these to its own action ids.
ButtonAction = Literal["resolve_review", "correct_label"]


class Button(BaseModel):
    """An action a reader can take on a reply (Slack renders buttons, others a link)."""

    action: ButtonAction
    text: str
    value: str
    style: Literal["primary", "danger"] | None = None


class DrillLink(BaseModel):
    """A part of a reply's chart (a day, a label, an aspect) and the history filter that lists its
    messages. `query` uses the names of `GET /messages` (`from`, `to`, `label`, `aspect`,
    `channel`); each surface turns it into its own link."""

    kind: Literal["day", "label", "aspect"]
    key: str
    total: int
    counts: dict[str, int] = Field(default_factory=dict)
    query: dict[str, str] = Field(default_factory=dict)


class Reply(BaseModel):
    kind: ReplyKind
    lang: Lang
    title: str
    lines: list[str] = Field(default_factory=list)
    items: list[LabeledItem] = Field(default_factory=list)
    highlights: list[LabeledItem] = Field(default_factory=list)
    summary: Summary | None = None
    conversation: ConversationVerdict | None = None
    run_id: str | None = None
    chart_id: str | None = None
    review_id: int | None = None
    reviews: list[dict[str, Any]] = Field(default_factory=list)
    buttons: list[Button] = Field(default_factory=list)
    link: str | None = None
    error: str | None = None
    # An answer about the history: the quoted messages (contract message JSON plus `link`).
    examples: list[dict[str, Any]] = Field(default_factory=list)
    # Stats: each day, label and aspect of the chart with the filter that lists its messages.
    drill: list[DrillLink] = Field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole reply as plain text (notification fallback, CLI, logs)."""
        return "\n".join([self.title, *self.lines])
