"""One pipeline for chat messages, whatever the platform (Slack, DingTalk; the web chat shares
its core steps):

    dedupe by the platform's message ids → understand (command, text, list, conversation; a
    "question" slot comes next) and answer in the message's language (the core:
    `Sentibot.answer_message`) → render → send

The adapter of a platform supplies only what is its own: a translator (platform event →
`ChatMessage`: plain text, ids, a platform-neutral `MessageContext`), a renderer (core `Reply` →
its message format, pure, no network) and a `Transport` (sends, uploads charts, shows "working
on it", says when something failed). See adapters/README.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.core import MessageContext, Sentibot
from bot.i18n import reply_lang
from bot.replies import Reply
from domain.models import Lang

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatMessage:
    """A chat message as the core reads it, translated from a platform event."""

    text: str  # plain text: the platform's markup and the @bot mention already taken out
    context: MessageContext  # where it came from, in neutral terms (source is the platform name)
    delivery_ids: tuple[str, ...] = ()  # the platform's ids of this message/event: handled once


class Transport(Protocol):
    """How a platform sends replies to where a message came from (all the network I/O)."""

    async def working(self, *, lang: Lang, count: int) -> None:
        """A "working on it" note before a long job (`count` items); may do nothing."""

    def progress(self, done: int, total: int) -> None:
        """Items labelled so far (called while the core works); may do nothing."""

    async def send(self, reply: Reply) -> None:
        """Render the reply (with its chart) and send it; raises when it could not be sent."""

    async def failed(self, exc: BaseException, *, lang: Lang) -> None:
        """Tell the sender, in one line, that answering failed; must not raise."""


async def handle_chat_message(core: Sentibot, message: ChatMessage, transport: Transport) -> Reply | None:
    """Answer one chat message. None when it was handled before (a platform redelivery).

    Never raises: a failure of the core or of sending is logged and told to the sender.
    """
    for key in message.delivery_ids:
        if not core.first_delivery(platform=message.context.source, delivery_id=key):
            log.info("%s message %s was delivered again; already handled", message.context.source, key)
            return None
    lang = reply_lang(message.text)
    try:
        count = core.workload(message.text)
        if count >= LONG_JOB_ITEMS:
            await transport.working(lang=lang, count=count)
        reply = await core.answer_message(
            message.text, context=message.context, on_progress=transport.progress
        )
        await transport.send(reply)
    except Exception as exc:
        log.exception("answering a %s message in %s failed", message.context.source, message.context.channel)
        await transport.failed(exc, lang=lang)
        return None
    return reply


# From this many comments on, a "working on it" note comes first.
LONG_JOB_ITEMS = 10
