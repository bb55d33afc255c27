"""Review controls on a flagged conversation: "Mark reviewed" and "Label was wrong" (→ right label)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import BackgroundWork
from adapters.slack import jobs
from adapters.slack.render import RESOLVE_ACTION, WRONG_ACTION
from bot.core import Sentibot

log = logging.getLogger(__name__)


def _reviewer(user: dict[str, Any]) -> str:
    """The name the shared review queue shows (the web page has no Slack ids to resolve)."""
    return user.get("username") or user.get("name") or user.get("id") or "slack user"


def register(app: AsyncApp, *, core: Sentibot, work: BackgroundWork) -> None:
    def spawn(
        *,
        body: dict[str, Any],
        review_id: int,
        label: str | None,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        user = body.get("user") or {}
        work.spawn(
            jobs.resolve_from_slack(
                core=core,
                client=client,
                respond=respond,
                review_id=review_id,
                label=label,
                user_id=user.get("id") or "",
                reviewer=_reviewer(user),
                channel=(body.get("channel") or {}).get("id")
                or (body.get("container") or {}).get("channel_id"),
                message=body.get("message"),
            ),
            name=f"slack-review:{review_id}",
        )

    async def on_resolve(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        try:
            review_id = int(action.get("value") or "")
        except ValueError:
            log.warning("review button with a bad value: %r", action.get("value"))
            return
        spawn(body=body, review_id=review_id, label=None, client=client, respond=respond)

    async def on_wrong_label(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        value = ((action.get("selected_option") or {}).get("value")) or ""
        review, _, label = value.partition(":")
        if not review.isdigit() or not label:
            log.warning("label menu with a bad value: %r", value)
            return
        spawn(body=body, review_id=int(review), label=label, client=client, respond=respond)

    app.action(RESOLVE_ACTION)(on_resolve)
    app.action(WRONG_ACTION)(on_wrong_label)
