"""`message.channels` / `message.groups` in watched channels → the core's watch. Silent: nothing
is ever posted in reply (the bot answers in a watched channel only when @-mentioned, through
the `app_mention` listener).

Slack's message events, translated (https://api.slack.com/events/message):
- no subtype, `thread_broadcast`, `file_share`, `me_message` → a message; a thread reply
  (`thread_ts` ≠ `ts`) belongs to its thread's conversation, a top-level message starts one;
- `message_changed` → an edit (the new text is in `message`); Slack also sends it when only
  the reply count or an unfurl changed — the core ignores an unchanged text;
- `message_deleted` → the text is deleted (`deleted_ts`);
- bots (`bot_id`, `bot_message`), the bot itself, messages @-mentioning the bot (requests to
  it, not conversation) and every other subtype (joins, leaves, topic, pins…) → ignored;
- Slack Connect: the author's workspace is `user_team` (else `team`); the envelope's `team_id`
  is the workspace that installed the app; `is_ext_shared_channel` says the channel is shared;
- redeliveries (`X-Slack-Retry-Num`, same `event_id`) change nothing: the history stores a
  message once by its identity (`source`, `team:channel:ts`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import BackgroundWork
from adapters.slack.text import BotIdentity
from bot.core import Sentibot
from bot.watch.observed import DeletedMessage, EditedMessage, ObservedMessage

log = logging.getLogger(__name__)

SPOKEN = {None, "thread_broadcast", "file_share", "me_message"}
CHANNEL_TYPES = {"channel", "group"}


async def in_a_channel(event: dict[str, Any]) -> bool:
    """The listener's matcher: channel and private-channel messages (DMs go to events.py)."""
    return event.get("channel_type") in CHANNEL_TYPES


def _created_at(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)


class Translator:
    """Slack message events → the core's watch inputs (None: not something to watch)."""

    def __init__(self, *, home_team: str, bot: BotIdentity, workspace_url: str | None) -> None:
        self.home_team = home_team
        self.bot = bot
        self.workspace_url = workspace_url

    def conversation_id(self, channel: str, root_ts: str) -> str:
        # The same key a lead's @-mention judge uses, so both update one review.
        return f"slack:{self.home_team}:{channel}:{root_ts}"

    def external_id(self, channel: str, ts: str) -> str:
        return f"{self.home_team}:{channel}:{ts}"

    def permalink(self, channel: str, ts: str) -> str | None:
        if not self.workspace_url:
            return None
        return f"{self.workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"

    def _ignored(self, message: dict[str, Any]) -> bool:
        return bool(
            message.get("subtype") not in SPOKEN
            or message.get("bot_id")
            or self.bot.wrote(message)
            or self.bot.mentioned_in(message.get("text") or "")
        )

    def translate(
        self, event: dict[str, Any], *, shared: bool
    ) -> ObservedMessage | EditedMessage | DeletedMessage | None:
        channel = event.get("channel")
        if not channel:
            return None
        subtype = event.get("subtype")
        if subtype == "message_changed":
            message = event.get("message") or {}
            previous = event.get("previous_message") or {}
            if self._ignored(message) or not message.get("ts"):
                return None
            if message.get("text") == previous.get("text"):
                return None  # a reply count or an unfurl changed, not the words
            return EditedMessage(
                "slack", channel, self.external_id(channel, message["ts"]), message.get("text") or ""
            )
        if subtype == "message_deleted":
            ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
            return DeletedMessage("slack", channel, self.external_id(channel, ts)) if ts else None
        if self._ignored(event) or not event.get("ts") or not (event.get("text") or "").strip():
            return None
        ts = event["ts"]
        root = event.get("thread_ts") or ts
        return ObservedMessage(
            source="slack",
            channel=channel,
            external_id=self.external_id(channel, ts),
            conversation_id=self.conversation_id(channel, root),
            author=event.get("user") or "unknown",
            text=event["text"],
            created_at=_created_at(ts),
            org=event.get("user_team") or event.get("team"),
            home_org=self.home_team,
            shared=shared,
            permalink=self.permalink(channel, root),
        )


def register(app: AsyncApp, *, core: Sentibot, work: BackgroundWork) -> None:
    lookup: list[asyncio.Task[str | None]] = []

    async def workspace_url(client: AsyncWebClient) -> str | None:
        """The workspace URL for thread links (auth.test once per process: bolt's single-team
        authorization does not keep it). Every listener awaits the same lookup, so messages that
        arrive meanwhile resume, and are stored, in the order they came."""
        if not lookup:
            lookup.append(asyncio.get_running_loop().create_task(_auth_url(client)))
        return await lookup[0]

    async def on_channel_message(
        body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        if not core.watchlist.is_watched("slack", event.get("channel")):
            return
        # No delivery claim needed: a redelivered message is stored once by its identity, an
        # edit with the text already stored and a repeated deletion change nothing.
        translator = Translator(
            home_team=body.get("team_id") or context.team_id or "-",
            bot=BotIdentity(user_id=context.bot_user_id, bot_id=context.bot_id),
            workspace_url=await workspace_url(client),
        )
        change = translator.translate(event, shared=bool(body.get("is_ext_shared_channel")))
        if change is not None:
            core.watch_event(change)

    app.event("message", matchers=[in_a_channel])(on_channel_message)


async def _auth_url(client: AsyncWebClient) -> str | None:
    try:
        return (await client.auth_test()).get("url")
    except Exception as exc:  # links are a nicety: announce without them
        log.warning("auth.test failed (%s): watched threads get no links", exc)
        return None
