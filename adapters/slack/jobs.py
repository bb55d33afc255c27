"""The work done after Slack has been acknowledged: ask the core, then post what it answered.

Listeners (adapters/slack/listeners) only read the payload, claim the delivery and hand one of
these coroutines to `BackgroundWork`; nothing here runs inside Slack's 3-second window. Each job
ends with something visible in Slack: the answer, or one clear line saying what went wrong.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inbound import LONG_JOB_ITEMS, ChatMessage, handle_chat_message
from adapters.slack.render import (
    SlackMessage,
    escape,
    outcome_line,
    render_reply,
    resolved_message,
    section,
    working_message,
)
from adapters.slack.text import BotIdentity, thread_turns
from bot.core import MessageContext, Sentibot
from bot.errors import Conflict, NotFound
from bot.i18n import detect_lang, tr
from bot.replies import Reply, error_reply
from domain.models import Lang, Turn

log = logging.getLogger(__name__)

# conversations.replies page size (Slack's maximum is 1000; 200 is its recommendation).
THREAD_PAGE_SIZE = 200
# A thread longer than this is judged on its first messages (the core takes at most 2000 items).
MAX_THREAD_MESSAGES = 2000


@dataclass(frozen=True)
class Place:
    """Where a reply goes: a channel (or DM), and the thread in it, if any."""

    channel: str
    thread_ts: str | None = None


def _oops_line(exc: BaseException, lang: Lang) -> str:
    if isinstance(exc, SlackApiError):
        error = exc.response.get("error") if exc.response is not None else str(exc)
        return tr(
            lang,
            f"⚠️ Slack 拒绝了请求（{error}）。请确认机器人已加入该频道且应用权限完整。",
            f"⚠️ Slack refused a request ({error}). "
            "Check that I am in this channel and that the app has its scopes.",
        )
    return tr(
        lang,
        f"⚠️ 处理时出错（{type(exc).__name__}），详情见服务日志。",
        f"⚠️ Something went wrong on my side ({type(exc).__name__}); the details are in the service log.",
    )


# -- posting ------------------------------------------------------------------------------------


async def post_message(client: AsyncWebClient, place: Place, message: SlackMessage) -> str | None:
    """A new message; returns its ts."""
    response = await client.chat_postMessage(
        channel=place.channel,
        thread_ts=place.thread_ts,
        unfurl_links=False,
        unfurl_media=False,
        **message.kwargs(),
    )
    return response.get("ts")


async def publish(
    client: AsyncWebClient,
    core: Sentibot,
    *,
    place: Place,
    reply: Reply,
    placeholder_ts: str | None = None,
) -> None:
    """Post the reply (or turn the placeholder into it), then upload its chart into the same place."""
    message = render_reply(reply, public_url=core.settings.public_url)
    if placeholder_ts:
        try:
            await client.chat_update(channel=place.channel, ts=placeholder_ts, **message.kwargs())
        except SlackApiError as exc:
            log.warning("could not edit the placeholder in %s (%s); posting anew", place.channel, exc)
            await post_message(client, place, message)
    else:
        await post_message(client, place, message)
    if reply.chart_id:
        await upload_chart(client, core, place=place, reply=reply)


async def upload_chart(client: AsyncWebClient, core: Sentibot, *, place: Place, reply: Reply) -> bool:
    """The reply's chart as a PNG file in the channel/thread. A failed upload is logged, not fatal."""
    if not reply.chart_id:
        return False
    try:
        png = core.chart(reply.chart_id)
    except NotFound:
        log.warning("chart %s is gone; not uploading it", reply.chart_id)
        return False
    title = tr(reply.lang, "情感图表", "Sentiment chart")
    try:
        await client.files_upload_v2(
            channel=place.channel,
            thread_ts=place.thread_ts,
            file=png,
            filename=f"sentibot-{reply.chart_id}.png",
            title=title,
            alt_txt=f"{title}: {reply.title}"[:1000],
        )
    except Exception as exc:  # SlackApiError, or the upload URL refusing the bytes
        log.warning("chart upload to %s failed: %s", place.channel, exc)
        return False
    return True


async def _say_failure(
    client: AsyncWebClient, place: Place, exc: BaseException, lang: Lang, *, placeholder_ts: str | None
) -> None:
    """One line in the thread (in place of the "working on it" message, if there was one)."""
    line = escape(_oops_line(exc, lang))  # it quotes Slack's error code: shown as text
    message = SlackMessage(text=line, blocks=[section(line)])
    try:
        if placeholder_ts:
            await client.chat_update(channel=place.channel, ts=placeholder_ts, **message.kwargs())
        else:
            await post_message(client, place, message)
    except Exception:
        log.exception("could not even tell %s that the job failed", place.channel)


# -- a thread: judge the conversation -------------------------------------------------------------


async def read_thread(client: AsyncWebClient, *, channel: str, ts: str) -> list[dict[str, Any]]:
    """Every message of a thread, following conversations.replies cursors."""
    messages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await client.conversations_replies(
            channel=channel, ts=ts, cursor=cursor, limit=THREAD_PAGE_SIZE
        )
        messages.extend(page.get("messages") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor or len(messages) >= MAX_THREAD_MESSAGES:
            return messages[:MAX_THREAD_MESSAGES]


async def _permalink(client: AsyncWebClient, *, channel: str, ts: str) -> str | None:
    try:
        return (await client.chat_getPermalink(channel=channel, message_ts=ts)).get("permalink")
    except SlackApiError:
        return None


async def judge_thread(
    *,
    core: Sentibot,
    client: AsyncWebClient,
    bot: BotIdentity,
    team: str,
    channel: str,
    root_ts: str,
    mention_ts: str,
    requester: str | None,
    lang_hint: str = "",
) -> None:
    """@-mention in a thread: read it all, judge the customer conversation, answer in the thread."""
    place = Place(channel=channel, thread_ts=root_ts)
    lang: Lang = detect_lang(lang_hint) if lang_hint else "en"
    placeholder_ts: str | None = None
    try:
        messages = await read_thread(client, channel=channel, ts=root_ts)
        turns = thread_turns(messages, bot=bot, agent_ids=core.settings.agent_ids, skip_ts=[mention_ts])
        lang = detect_lang(*(turn.text for turn in turns[:50])) if turns else lang
        if not turns:
            reply = error_reply(
                tr(
                    lang,
                    "这个对话里还没有可判定的发言（机器人和请求本身不算）。",
                    "There is nothing to judge in this thread yet (my messages and the request don't count).",
                ),
                lang,
            )
            await publish(client, core, place=place, reply=reply)
            return
        if len(turns) >= LONG_JOB_ITEMS:
            placeholder_ts = await post_message(
                client, place, working_message(lang, count=len(turns), conversation=True)
            )
        reply = await _judge(
            core,
            turns,
            team=team,
            channel=channel,
            root_ts=root_ts,
            requester=requester,
            permalink=await _permalink(client, channel=channel, ts=root_ts),
        )
        await publish(client, core, place=place, reply=reply, placeholder_ts=placeholder_ts)
    except Exception as exc:
        log.exception("judging thread %s/%s failed", channel, root_ts)
        await _say_failure(client, place, exc, lang, placeholder_ts=placeholder_ts)


async def _judge(
    core: Sentibot,
    turns: list[Turn],
    *,
    team: str,
    channel: str,
    root_ts: str,
    requester: str | None,
    permalink: str | None,
) -> Reply:
    context = MessageContext(
        source="slack", channel=channel, user=requester, thread_key=f"slack:{team}:{channel}:{root_ts}"
    )
    return await core.judge_conversation(turns, context=context, permalink=permalink)


# -- a message: one comment, a list, a transcript or a command ------------------------------------


class SlackTransport:
    """The chat pipeline's transport for a Slack channel/thread: a placeholder for long jobs that
    the answer then replaces, the chart uploaded after it, a failure said in one line."""

    def __init__(self, client: AsyncWebClient, core: Sentibot, place: Place) -> None:
        self.client = client
        self.core = core
        self.place = place
        self.placeholder_ts: str | None = None

    async def working(self, *, lang: Lang, count: int) -> None:
        message = working_message(lang, count=count, conversation=False)
        self.placeholder_ts = await post_message(self.client, self.place, message)

    def progress(self, done: int, total: int) -> None:
        """Nothing: the placeholder says the job is under way."""

    async def send(self, reply: Reply) -> None:
        await publish(
            self.client, self.core, place=self.place, reply=reply, placeholder_ts=self.placeholder_ts
        )

    async def failed(self, exc: BaseException, *, lang: Lang) -> None:
        await _say_failure(self.client, self.place, exc, lang, placeholder_ts=self.placeholder_ts)


async def answer_text(
    *,
    core: Sentibot,
    client: AsyncWebClient,
    text: str,
    place: Place,
    user: str | None,
    delivery_ids: tuple[str, ...] = (),
) -> None:
    """A DM or a mention outside a thread: through the chat pipeline (adapters/inbound.py).

    No thread_key: one message is not a conversation that is analysed again. A pasted transcript
    is keyed by its turns in the core, so pasting it again refreshes its review.
    """
    message = ChatMessage(
        text=text,
        context=MessageContext(source="slack", channel=place.channel, user=user),
        delivery_ids=delivery_ids,
    )
    await handle_chat_message(core, message, SlackTransport(client, core, place))


class SlashCommandTransport:
    """The chat pipeline's transport for `/sentiment`: answers through the command's response_url
    (bolt's `respond`); the chart goes to the channel after an in-channel answer. The ack already
    told the user that labelling is under way, so there is no placeholder."""

    def __init__(self, client: AsyncWebClient, core: Sentibot, respond: AsyncRespond, channel: str) -> None:
        self.client = client
        self.core = core
        self.respond = respond
        self.channel = channel

    async def working(self, *, lang: Lang, count: int) -> None:
        """Nothing: the command's ack said it is under way."""

    def progress(self, done: int, total: int) -> None:
        """Nothing: a response_url answer cannot be updated in place."""

    async def send(self, reply: Reply) -> None:
        message = render_reply(reply, public_url=self.core.settings.public_url)
        # Help, errors and watch switches concern only the person who typed the command (a
        # watched channel may hold customers: the bot stays silent there).
        response_type = "ephemeral" if reply.kind in ("help", "error", "watch") else "in_channel"
        await self.respond(text=message.text, blocks=message.blocks, response_type=response_type)
        if reply.chart_id and response_type == "in_channel":
            await upload_chart(self.client, self.core, place=Place(channel=self.channel), reply=reply)

    async def failed(self, exc: BaseException, *, lang: Lang) -> None:
        try:
            await self.respond(text=_oops_line(exc, lang), response_type="ephemeral")
        except Exception:
            log.exception("could not even tell the user that /sentiment failed")


async def answer_command(
    *,
    core: Sentibot,
    client: AsyncWebClient,
    respond: AsyncRespond,
    text: str,
    channel: str,
    user: str | None,
    delivery_ids: tuple[str, ...] = (),
) -> None:
    """`/sentiment …` through the chat pipeline (adapters/inbound.py); empty text is `help`."""
    message = ChatMessage(
        text=text or "help",
        context=MessageContext(source="slack", channel=channel, user=user),
        delivery_ids=delivery_ids,
    )
    await handle_chat_message(core, message, SlashCommandTransport(client, core, respond, channel))


# -- review buttons -------------------------------------------------------------------------------


async def resolve_from_slack(
    *,
    core: Sentibot,
    client: AsyncWebClient,
    respond: AsyncRespond,
    review_id: int,
    label: str | None,
    user_id: str,
    reviewer: str,
    channel: str | None,
    message: dict[str, Any] | None,
) -> None:
    """A review button was pressed: resolve it in the core, show who did what on the message."""
    text = (message or {}).get("text") or ""
    lang: Lang = detect_lang(text) if text else "en"
    try:
        try:
            review = core.review(review_id)
        except NotFound:
            await respond(
                text=tr(lang, f"⚠️ 找不到待审记录 #{review_id}。", f"⚠️ Review #{review_id} no longer exists."),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        try:
            note = tr(lang, "在 Slack 中处理", "via Slack")
            core.resolve_review(review_id, reviewer=reviewer, note=note, label=label)
            outcome = outcome_line(
                lang, user_id=user_id, review_id=review_id, label=label, previous=review.get("label")
            )
        except Conflict:  # resolved meanwhile (on the web, or by someone pressing at the same time)
            # Free text typed on the web or in the CLI: escaped, so a name like <!channel> pings nobody.
            by = escape(core.review(review_id).get("resolved_by") or "?")
            outcome = tr(
                lang, f"ℹ️ #{review_id} 已由 {by} 审核", f"ℹ️ Review #{review_id} was already resolved by {by}"
            )
        updated = resolved_message(
            (message or {}).get("blocks") or [], text, review_id=review_id, outcome=outcome
        )
        if channel and message and message.get("ts"):
            try:
                await client.chat_update(channel=channel, ts=message["ts"], **updated.kwargs())
                return
            except SlackApiError as exc:
                log.warning("chat.update after review #%s failed (%s); using response_url", review_id, exc)
        await respond(text=updated.text, blocks=updated.blocks, replace_original=True)
    except Exception as exc:
        log.exception("resolving review #%s from Slack failed", review_id)
        try:
            await respond(text=_oops_line(exc, lang), response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("could not even tell the user that the review update failed")
