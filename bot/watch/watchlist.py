"""Which conversations are watched: SENTIBOT_WATCH_CHANNELS plus those switched on in chat
(`watch` / 监控, `/sentiment watch`) or with `sentibot watch add`.

An entry is `platform:address`, the same syntax as the digest and review targets, for the two
platforms whose conversations can be watched: `slack:CHANNEL_ID` and
`dingtalk:OPEN_CONVERSATION_ID`. Entries from the setting cannot be removed in chat or with the
CLI (the setting would bring them back at the next start); the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.notify import Target, TargetError, parse_target
from storage.watch import WatchTargets

WATCHABLE = ("slack", "dingtalk")


def parse_watch_target(entry: str) -> Target:
    """`slack:C0123ABCD` or `dingtalk:cid…` → Target; raises TargetError saying what to write."""
    hint = "watch slack:CHANNEL_ID (e.g. slack:C0123ABCD) or dingtalk:OPEN_CONVERSATION_ID"
    try:
        target = parse_target(entry)
    except TargetError as exc:
        if entry.strip().partition(":")[0].lower() in WATCHABLE:
            raise  # the platform is right: the message says what is wrong with the address
        raise TargetError(f"cannot watch {entry.strip()!r}: {hint}") from exc
    if target.platform not in WATCHABLE:
        raise TargetError(f"cannot watch {entry.strip()!r}: {hint}")
    return target


@dataclass(frozen=True)
class WatchEntry:
    target: str
    origin: Literal["setting", "added"]
    added_at: str | None = None
    added_by: str | None = None


RemoveOutcome = Literal["removed", "not_watched", "from_setting"]


class WatchList:
    def __init__(self, *, configured: list[str], stored: WatchTargets) -> None:
        self._configured = {str(parse_watch_target(entry)) for entry in configured}
        self._stored = stored

    def is_watched(self, platform: str, address: str | None) -> bool:
        if not address:
            return False
        key = f"{platform}:{address}"
        return key in self._configured or self._stored.contains(key)

    def add(self, entry: str, *, by: str | None = None) -> bool:
        """True when newly watched; False when it already was (by the setting or earlier)."""
        target = str(parse_watch_target(entry))
        if target in self._configured:
            return False
        return self._stored.add(target, by=by)

    def remove(self, entry: str) -> RemoveOutcome:
        target = str(parse_watch_target(entry))
        if self._stored.remove(target):
            return "removed"
        return "from_setting" if target in self._configured else "not_watched"

    def entries(self) -> list[WatchEntry]:
        found = [WatchEntry(target, "setting") for target in sorted(self._configured)]
        found += [
            WatchEntry(row["target"], "added", row["added_at"], row["added_by"])
            for row in self._stored.all()
            if row["target"] not in self._configured
        ]
        return found
