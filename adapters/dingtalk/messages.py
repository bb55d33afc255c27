"""A DingTalk robot message, from either way in (Stream mode or HTTP callback), to a reply:
the DingTalk translator (`IncomingMessage`) and transport (`DingTalkTransport`, `deliver`).

Both deliver the same JSON (msgId, msgtype, text/content, conversationId, conversationType,
senderStaffId, sessionWebhook, sessionWebhookExpiredTime, robotCode, …). This module reads it,
asks the core, renders the reply and sends it: through the sessionWebhook while it is valid,
else through the OpenAPI (group send for conversationType "2", one-to-one for "1").
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.dingtalk.cards import LONG_JOB_ITEMS, ProgressCard, progress_text
from adapters.dingtalk.client import DingTalkClient
from adapters.dingtalk.errors import DingTalkError, DingTalkNotConfigured, SessionWebhookExpired
from adapters.dingtalk.media import chart_ref
from adapters.dingtalk.render import Markdown, error_markdown, render_reply
from adapters.dingtalk.safety import UnsafeDestination, check_conversation_id, check_staff_id
from adapters.inbound import ChatMessage, handle_chat_message
from bot.commands import parse_command
from bot.core import MessageContext, Sentibot
from bot.i18n import detect_lang, tr
from bot.replies import Reply
from bot.watch.observed import ObservedMessage
from domain.models import Lang

log = logging.getLogger(__name__)

# Reply through the OpenAPI when the sessionWebhook has less than this left (ms): the reply
# would otherwise race its expiry.
WEBHOOK_SAFETY_MS = 60_000
_LEADING_MENTIONS = re.compile(r"^(?:\s*@\S+)+\s*")


@dataclass(frozen=True)
class IncomingMessage:
    msg_id: str
    text: str
    conversation_id: str
    conversation_type: str  # "1" one-to-one, "2" group
    sender_staff_id: str | None = None
    sender_nick: str | None = None
    session_webhook: str | None = None
    session_webhook_expires_ms: int | None = None
    robot_code: str | None = None
    conversation_title: str | None = None

    @property
    def is_group(self) -> bool:
        return self.conversation_type == "2"

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> IncomingMessage:
        """Read a robot message; ValueError (saying which field) when it is not one.

        Every field is type-checked: the callback body is not covered by DingTalk's signature,
        so a wrong type is bad input (400), never a crash. Ids must look like DingTalk's.
        """
        if not isinstance(data, dict):
            raise ValueError("the message is not a JSON object")
        msg_id = _optional_str(data, "msgId")
        conversation_id = _optional_str(data, "conversationId")
        if not msg_id or not conversation_id:
            raise ValueError("not a robot message: msgId and conversationId are required")
        check_conversation_id(conversation_id)
        conversation_type = str(data.get("conversationType") or "1")
        if conversation_type not in ("1", "2"):
            raise ValueError('`conversationType` must be "1" (one-to-one) or "2" (group)')
        text = message_text(data)
        if conversation_type == "2":
            text = strip_mention(text)
        staff_id = _optional_str(data, "senderStaffId")
        if staff_id:
            check_staff_id(staff_id)
        return cls(
            msg_id=msg_id,
            text=text,
            conversation_id=conversation_id,
            conversation_type=conversation_type,
            sender_staff_id=staff_id or None,
            sender_nick=_optional_str(data, "senderNick"),
            session_webhook=_optional_str(data, "sessionWebhook") or None,
            session_webhook_expires_ms=_optional_ms(data, "sessionWebhookExpiredTime"),
            robot_code=_optional_str(data, "robotCode"),
            conversation_title=_optional_str(data, "conversationTitle"),
        )

    def webhook_usable(self, *, now_ms: int | None = None) -> bool:
        if not self.session_webhook:
            return False
        if self.session_webhook_expires_ms is None:
            return True
        now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
        return now_ms + WEBHOOK_SAFETY_MS < self.session_webhook_expires_ms


def message_text(data: dict[str, Any]) -> str:
    """The text of a `text` or `richText` message ("" for pictures, audio, files).

    ValueError when `text` / `content` do not have DingTalk's shape."""
    msgtype = data.get("msgtype")
    if msgtype == "text":
        body = data.get("text")
        if body is None:
            return ""
        if not isinstance(body, dict) or not isinstance(body.get("content", ""), str | None):
            raise ValueError('`text` must be an object like {"content": "…"}')
        return str(body.get("content") or "").strip()
    if msgtype == "richText":
        content = data.get("content")
        parts = content.get("richText") if isinstance(content, dict) else None
        if content is not None and not isinstance(parts, list | None):
            raise ValueError('`content.richText` must be a list of {"text": "…"} parts')
        texts = [
            part["text"]
            for part in parts or []
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        ]
        return "\n".join(text.strip("\n") for text in texts if text).strip()
    return ""


def _optional_str(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"`{field}` must be a string")


def _optional_ms(data: dict[str, Any], field: str) -> int | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 20:
        return int(value)
    raise ValueError(f"`{field}` must be milliseconds since the epoch")


def strip_mention(text: str) -> str:
    """Drop the leading @bot (DingTalk keeps it in some clients) from a group message."""
    return _LEADING_MENTIONS.sub("", text, count=1).strip()


class DingTalkTransport:
    """The chat pipeline's transport for one robot message: replies where it came from (see
    `deliver`), the chart uploaded or linked (adapters/dingtalk/media.py), and for a long list a
    live progress card when a card template is configured (adapters/dingtalk/cards.py)."""

    def __init__(self, message: IncomingMessage, *, core: Sentibot, client: DingTalkClient) -> None:
        self.message = message
        self.core = core
        self.client = client
        self.card: ProgressCard | None = None
        self.zh = False

    async def working(self, *, lang: Lang, count: int) -> None:
        """A progress card, if configured (a robot cannot edit plain messages it sent)."""
        self.zh = lang == "zh"
        if count >= LONG_JOB_ITEMS:
            self.card = await progress_card(self.message, core=self.core, client=self.client, count=count)

    def progress(self, done: int, total: int) -> None:
        if self.card is not None:
            self.card.update(progress_text(done, total, zh=self.zh))

    async def send(self, reply: Reply) -> None:
        if self.card is not None:
            await self.card.finish(f"✅ {reply.title}")
        chart = await chart_ref(reply, core=self.core, client=self.client)
        await deliver(
            self.message,
            render_reply(reply, chart=chart, public_url=self.core.settings.public_url),
            client=self.client,
        )

    async def failed(self, exc: BaseException, *, lang: Lang) -> None:
        if self.card is not None:
            try:
                await self.card.finish(tr(lang, "⚠️ 内部错误", "⚠️ Internal error"), failed=True)
            except Exception:
                log.exception("could not close the progress card of %s", self.message.msg_id)
        if isinstance(exc, DingTalkError | DingTalkNotConfigured):
            return  # sending itself failed (already logged with DingTalk's meaning)
        message = tr(lang, "内部错误，已记录日志。", "Internal error, logged.")
        try:
            await deliver(self.message, error_markdown(message, lang=lang), client=self.client)
        except Exception:
            log.exception("could not even tell DingTalk message %s that it failed", self.message.msg_id)


async def handle_incoming(message: IncomingMessage, *, core: Sentibot, client: DingTalkClient) -> None:
    """Everything after the ack, through the chat pipeline (adapters/inbound.py): dedupe by msgId,
    ask the core, render, upload the chart, send. Runs as background work."""
    log.info(
        "DingTalk message %s in conversation %s (%s) from %s",
        message.msg_id,
        message.conversation_id,
        "group" if message.is_group else "one-to-one",
        message.sender_staff_id,
    )
    # No thread_key: a DingTalk chat is not one conversation, a pasted transcript is. The core
    # keys the review of a transcript by its turns, so each transcript gets its own review and
    # pasting the same one again refreshes that review.
    context = MessageContext(
        source="dingtalk",
        channel=message.conversation_id,
        user=message.sender_staff_id,
        # A group robot only receives @-messages: watching a group covers those only.
        hears_unmentioned=not message.is_group,
    )
    if watched_message(message, core=core):
        return  # recorded for the watch; silent, like a watched Slack channel
    chat = ChatMessage(text=message.text, context=context, delivery_ids=(message.msg_id,))
    await handle_chat_message(core, chat, DingTalkTransport(message, core=core, client=client))


def watched_message(message: IncomingMessage, *, core: Sentibot) -> bool:
    """In a watched chat, what the robot receives (a one-to-one message, or an @-message in a
    group: DingTalk delivers nothing else) is a history message of that chat's conversation,
    labelled and judged in the background; commands are still answered. True when recorded."""
    if not core.watchlist.is_watched("dingtalk", message.conversation_id):
        return False
    if not message.text.strip() or parse_command(message.text) is not None:
        return False
    core.watch_event(
        ObservedMessage(
            source="dingtalk",
            channel=message.conversation_id,
            external_id=message.msg_id,
            conversation_id=f"dingtalk:{message.conversation_id}",
            author=message.sender_staff_id or message.sender_nick or "unknown",
            text=message.text,
            created_at=datetime.now(UTC),
        )
    )
    return True


async def progress_card(
    message: IncomingMessage, *, core: Sentibot, client: DingTalkClient, count: int
) -> ProgressCard | None:
    """A live progress card for a long list (adapters/dingtalk/cards.py), or None (markdown only)."""
    template = core.settings.dingtalk_card_template_id
    if not template:
        return None
    card = ProgressCard(
        client, template_id=template, robot_code=client.robot_code or message.robot_code or ""
    )
    zh = detect_lang(message.text) == "zh"
    started = await card.start(
        group=message.is_group,
        conversation_id=message.conversation_id,
        staff_id=message.sender_staff_id,
        text=progress_text(0, count, zh=zh),
    )
    return card if started else None


async def deliver(message: IncomingMessage, markdown: Markdown, *, client: DingTalkClient) -> str:
    """Send a reply where the message came from; returns the way used ("webhook", "group", "user")."""
    if message.webhook_usable():
        try:
            await client.send_session_webhook(message.session_webhook or "", markdown)
            return "webhook"
        except SessionWebhookExpired:
            log.info("sessionWebhook of %s expired; replying through the OpenAPI", message.msg_id)
        except UnsafeDestination as exc:
            log.warning(
                "refused the sessionWebhook of %s (%s); replying through the OpenAPI", message.msg_id, exc
            )
    else:
        log.info("sessionWebhook of %s expired or absent; replying through the OpenAPI", message.msg_id)
    robot_code = client.robot_code or message.robot_code
    try:
        if message.is_group:
            await client.send_group(message.conversation_id, markdown, robot_code=robot_code)
            return "group"
        if not message.sender_staff_id:
            raise DingTalkNotConfigured(
                f"message {message.msg_id}: the sessionWebhook expired and there is no senderStaffId "
                "to reply to one-to-one"
            )
        await client.send_one_to_one([message.sender_staff_id], markdown, robot_code=robot_code)
        return "user"
    except (DingTalkError, DingTalkNotConfigured) as exc:
        log.error("DingTalk reply to message %s could not be sent: %s", message.msg_id, exc)
        raise
