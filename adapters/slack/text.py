"""Slack's message markup → the plain text the core labels, and thread messages → turns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.models import Turn

_ANGLE = re.compile(r"<([^<>]+)>")
# Messages of these kinds carry something a person wrote; joins, topic changes etc. do not.
_SPOKEN_SUBTYPES = {None, "bot_message", "thread_broadcast", "file_share", "me_message"}


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is in this workspace (from auth.test, via bolt's context)."""

    user_id: str | None
    bot_id: str | None

    def wrote(self, message: dict[str, Any]) -> bool:
        return bool(
            (self.bot_id and message.get("bot_id") == self.bot_id)
            or (self.user_id and message.get("user") == self.user_id)
        )

    def mentioned_in(self, text: str) -> bool:
        return bool(self.user_id) and f"<@{self.user_id}" in text


def plain_text(text: str, *, bot_user_id: str | None = None) -> str:
    """Mentions of the bot removed, links and mentions as a reader sees them, entities decoded."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            if bot_user_id and target[1:] == bot_user_id:
                return ""
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            # <!here>, <!channel>, <!subteam^S123|@team>, <!date^…|fallback>
            if label:
                return label
            return "@" + target[1:].split("^")[0]
        return label or target.removeprefix("mailto:")

    text = _ANGLE.sub(replace, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    # Tidy what a removed mention leaves behind, line by line (lines matter: one comment each).
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def thread_turns(
    messages: Iterable[dict[str, Any]],
    *,
    bot: BotIdentity,
    agent_ids: Iterable[str],
    skip_ts: Iterable[str] = (),
) -> list[Turn]:
    """The conversation in a thread: who said what, customer or agent, in order.

    Left out: the bot's own messages, messages addressed to the bot (the request to judge the
    thread is not part of the conversation), non-speech events (joins, topic changes) and
    messages with no text.
    """
    agents = set(agent_ids)
    skip = set(skip_ts)
    turns: list[Turn] = []
    for message in messages:
        if message.get("ts") in skip or message.get("subtype") not in _SPOKEN_SUBTYPES:
            continue
        raw = message.get("text") or ""
        if bot.wrote(message) or bot.mentioned_in(raw):
            continue
        text = plain_text(raw, bot_user_id=bot.user_id)
        if not text:
            continue
        author = message.get("user") or message.get("bot_id") or message.get("username") or "unknown"
        turns.append(Turn(author=author, role="agent" if author in agents else "customer", text=text))
    return turns
