"""`/sentiment <text>` | `stats 7d` | `review` | `help`: acked at once, answered when ready."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import BackgroundWork
from adapters.slack import jobs
from adapters.slack.listeners.handoff import hand_off
from adapters.slack.text import plain_text
from bot.commands import parse_command
from bot.core import Sentibot
from bot.i18n import detect_lang

SLASH_COMMAND = "/sentiment"


def register(app: AsyncApp, *, core: Sentibot, work: BackgroundWork) -> None:
    async def on_sentiment(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        text = plain_text(command.get("text") or "")
        if text and parse_command(text) is None:
            # Labelling may take a while: tell the user (only them) it is under way.
            working = "⏳ 正在标注…" if detect_lang(text) == "zh" else "⏳ Labelling…"
            await ack(text=working)
        else:
            await ack()
        hand_off(
            work,
            jobs.answer_command,
            name=f"command:{command['channel_id']}:{command.get('trigger_id', '')}",
            core=core,
            client=client,
            respond=respond,
            text=text,
            channel=command["channel_id"],
            user=command.get("user_id"),
            # trigger_id is unique per invocation: the same request delivered twice is answered once.
            delivery_ids=(f"command:{command['trigger_id']}",) if command.get("trigger_id") else (),
        )

    app.command(SLASH_COMMAND)(on_sentiment)
