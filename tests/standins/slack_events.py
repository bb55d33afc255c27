"""Slack `message` events as the Events API delivers them for `message.channels` /
`message.groups` (https://docs.slack.dev/reference/events/message and its subtypes).

Shapes follow the documented examples: a user message carries `user`, `text`, `ts`, `team`,
`user_team`/`source_team` (the author's workspace: another one in a Slack Connect channel),
`channel_type`; a thread reply adds `thread_ts`; `message_changed` is hidden and carries the new
`message` and the `previous_message`; `message_deleted` carries `deleted_ts` and the
`previous_message`; joins and leaves are `channel_join` / `channel_leave` with generated text;
other apps post with `bot_id` (and subtype `bot_message` for legacy integrations).
Timestamps come from a clock so tests under frozen time get matching `ts` values.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

HOME_TEAM = "T0SENTI"  # the stand-in's workspace: the one that installed the app
OTHER_TEAM = "T0CUSTOMER"  # a customer's workspace in a Slack Connect channel


@dataclass
class SlackEvents:
    """Builds events; `ts` values increase and follow `time.time()` (frozen in tests)."""

    home_team: str = HOME_TEAM
    channel_type: str = "channel"
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._seq):06d}"

    def message(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        thread_ts: str | None = None,
        team: str | None = None,
        ts: str | None = None,
    ) -> dict[str, Any]:
        ts = ts or self.next_ts()
        author_team = team or self.home_team
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "team": author_team,
            "user_team": author_team,
            "source_team": author_team,
            "channel_type": self.channel_type,
            "client_msg_id": f"msg-{ts}",
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
            event["parent_user_id"] = "U0PARENT"
        return event

    def changed(self, original: dict[str, Any], new_text: str) -> dict[str, Any]:
        edited_ts = self.next_ts()
        message = {
            key: original[key]
            for key in ("type", "user", "ts", "team", "user_team", "source_team", "thread_ts")
            if key in original
        }
        message.update(text=new_text, edited={"user": original.get("user"), "ts": edited_ts})
        previous = {key: original[key] for key in ("type", "user", "ts", "team", "text") if key in original}
        return {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": original["channel"],
            "channel_type": self.channel_type,
            "ts": edited_ts,
            "event_ts": edited_ts,
            "message": message,
            "previous_message": previous,
        }

    def deleted(self, original: dict[str, Any]) -> dict[str, Any]:
        ts = self.next_ts()
        return {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": original["channel"],
            "channel_type": self.channel_type,
            "ts": ts,
            "event_ts": ts,
            "deleted_ts": original["ts"],
            "previous_message": {
                key: original[key] for key in ("type", "user", "ts", "text", "team") if key in original
            },
        }

    def joined(self, channel: str, user: str) -> dict[str, Any]:
        ts = self.next_ts()
        return {
            "type": "message",
            "subtype": "channel_join",
            "channel": channel,
            "user": user,
            "text": f"<@{user}> has joined the channel",
            "ts": ts,
            "event_ts": ts,
            "channel_type": self.channel_type,
        }

    def left(self, channel: str, user: str) -> dict[str, Any]:
        event = self.joined(channel, user)
        event.update(subtype="channel_leave", text=f"<@{user}> has left the channel")
        return event

    def from_app(self, channel: str, text: str, *, bot_id: str, legacy: bool = False) -> dict[str, Any]:
        ts = self.next_ts()
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "bot_id": bot_id,
            "channel_type": self.channel_type,
        }
        if legacy:
            event.update(subtype="bot_message", username="helpdesk-integration")
        else:
            event.update(user="U0OTHERAPP", app_id="A0OTHER", team=self.home_team)
        return event
