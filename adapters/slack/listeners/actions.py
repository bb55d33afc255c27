"""Review controls on a flagged conversation: "Mark reviewed" and "Label was wrong" (→ right label)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import BackgroundWork
from adapters.slack import jobs
from adapters.slack.listeners.handoff import hand_off
from adapters.slack.render import RESOLVE_ACTION, WRONG_ACTION
from bot.core import Sentibot

log = logging.getLogger(__name__)


def _reviewer(user: dict[str, Any]) -> str:
    """The name the shared review queue shows (the web page has no Slack ids to resolve)."""
    return user.get("username") or user.get("name") or user.get("id") or "slack user"


def review_choice(action: dict[str, Any]) -> tuple[int, str | None] | None:
    """(review id, corrected label or None) from a review control; None when it is unreadable.

    "Mark reviewed" is a button whose value is the review id; "Label was wrong" is a menu whose
    chosen value is `<review id>:<label>`.
    """
    if action.get("action_id") == WRONG_ACTION:
        review, _, label = ((action.get("selected_option") or {}).get("value") or "").partition(":")
        return (int(review), label) if review.isdigit() and label else None
    value = (action.get("value") or "").strip()
    return (int(value), None) if value.isdigit() else None


def register(app: AsyncApp, *, core: Sentibot, work: BackgroundWork) -> None:
    async def on_review_action(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        choice = review_choice(action)
        if choice is None:
            log.warning("review control %s with a bad value: %r", action.get("action_id"), action)
            return
        review_id, label = choice
        user = body.get("user") or {}
        hand_off(
            work,
            jobs.resolve_from_slack,
            name=f"review:{review_id}",
            core=core,
            client=client,
            respond=respond,
            review_id=review_id,
            label=label,
            user_id=user.get("id") or "",
            reviewer=_reviewer(user),
            channel=(body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id"),
            message=body.get("message"),
        )

    app.action(RESOLVE_ACTION)(on_review_action)
    app.action(WRONG_ACTION)(on_review_action)
