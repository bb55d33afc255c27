"""What an adapter tells the watch about a message in a watched conversation, platform-neutral.

`org` / `home_org` are the author's organisation and the one that installed the bot (Slack
workspaces in a Slack Connect channel): in a channel shared with other organisations the home
organisation's people are the agents and everyone else a customer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.models import Role


@dataclass(frozen=True)
class ObservedMessage:
    """A new message (or a thread reply) in a watched conversation."""

    source: str  # "slack" | "dingtalk" | a helpdesk name
    channel: str
    external_id: str  # the platform's id of the message (unique within `source`)
    conversation_id: str  # the thread it belongs to: a top-level message starts its own
    author: str
    text: str
    created_at: datetime
    org: str | None = None
    home_org: str | None = None
    shared: bool = False  # the conversation is shared with other organisations
    permalink: str | None = None


@dataclass(frozen=True)
class EditedMessage:
    source: str
    channel: str
    external_id: str
    text: str


@dataclass(frozen=True)
class DeletedMessage:
    source: str
    channel: str
    external_id: str


def role_of(message: ObservedMessage, *, agent_ids: Iterable[str]) -> Role:
    """Who speaks, by rule:

    1. a listed agent (SENTIBOT_AGENT_IDS) is an agent;
    2. in a conversation shared with other organisations (Slack Connect), people of the
       organisation that installed the bot are agents, people of any other one customers;
    3. otherwise (an internal channel, a 1:1 chat) everyone else is a customer.
    """
    if message.author in set(agent_ids):
        return "agent"
    foreign = message.org is not None and message.home_org is not None and message.org != message.home_org
    if message.shared or foreign:
        return "customer" if foreign or message.org is None else "agent"
    return "customer"
