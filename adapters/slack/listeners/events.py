"""Events API: `app_mention` (in a thread → judge the conversation; elsewhere → label the text) and
`message.im` (a DM → label the text). Events are acked by bolt before these run."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import BackgroundWork
from adapters.slack import jobs
from adapters.slack.listeners.handoff import hand_off
from adapters.slack.text import BotIdentity, plain_text
from bot.core import Sentibot

log = logging.getLogger(__name__)


def delivery_keys(body: dict[str, Any], event: dict[str, Any]) -> tuple[str, ...]:
    """The ids under which an event is handled once: the event, and the message it is about.

    Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`, same `event_id`), and one
    message can arrive as two events (e.g. `app_mention` and `message.im`): both are claimed in
    SQLite, so a duplicate is dropped, also after a restart.
    """
    keys = []
    if body.get("event_id"):
        keys.append(str(body["event_id"]))
    if event.get("channel") and event.get("ts"):
        keys.append(f"message:{event['channel']}:{event['ts']}")
    return tuple(keys)


def first_delivery(core: Sentibot, *, keys: tuple[str, ...]) -> bool:
    """True the first time these ids reach us (for the thread path; texts go through the pipeline)."""
    for key in keys:
        if not core.first_delivery(platform="slack", delivery_id=key):
            log.info("slack %s already handled: skipped", key)
            return False
    return True


def _identity(context: AsyncBoltContext) -> BotIdentity:
    return BotIdentity(user_id=context.bot_user_id, bot_id=context.bot_id)


def register(app: AsyncApp, *, core: Sentibot, work: BackgroundWork) -> None:
    async def on_app_mention(
        body: dict[str, Any],
        event: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        request: AsyncBoltRequest,
    ) -> None:
        keys = delivery_keys(body, event)
        bot = _identity(context)
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts")
        text = plain_text(event.get("text") or "", bot_user_id=bot.user_id)
        if thread_ts and thread_ts != ts and not core.wants_to_talk(text):
            if not first_delivery(core, keys=keys):
                return
            hand_off(
                work,
                jobs.judge_thread,
                name=f"thread:{channel}:{thread_ts}",
                core=core,
                client=client,
                bot=bot,
                team=body.get("team_id") or event.get("team") or context.team_id or "-",
                channel=channel,
                root_ts=thread_ts,
                mention_ts=ts,
                requester=event.get("user"),
                lang_hint=text,
            )
            return
        # Outside a thread the answer starts one under the mention, keeping the channel tidy.
        hand_off(
            work,
            jobs.answer_text,
            name=f"mention:{channel}:{ts}",
            core=core,
            client=client,
            text=text,
            place=jobs.Place(channel=channel, thread_ts=thread_ts or ts),
            user=event.get("user"),
            delivery_ids=keys,
        )

    async def on_message(
        body: dict[str, Any],
        event: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        request: AsyncBoltRequest,
    ) -> None:
        # Only direct messages from people: edits, joins, bot posts (ours included) are not requests.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        bot = _identity(context)
        if bot.user_id and event.get("user") == bot.user_id:
            return
        channel, ts = event["channel"], event["ts"]
        hand_off(
            work,
            jobs.answer_text,
            name=f"dm:{channel}:{ts}",
            core=core,
            client=client,
            text=plain_text(event.get("text") or "", bot_user_id=bot.user_id),
            place=jobs.Place(channel=channel, thread_ts=event.get("thread_ts")),
            user=event.get("user"),
            delivery_ids=delivery_keys(body, event),
        )

    app.event("app_mention")(on_app_mention)
    app.event("message")(on_message)
