"""Where the bot posts on its own: `platform[:address]` entries of SENTIBOT_DIGEST_TARGETS and
SENTIBOT_REVIEW_TARGETS, checked when the settings load (a bad entry stops start-up, not 09:00).

* `slack:CHANNEL_ID` — a Slack channel, e.g. `slack:C0123ABCD`
* `dingtalk:OPEN_CONVERSATION_ID` — a DingTalk group, e.g. `dingtalk:cidAbC==`
* `dingtalk-webhook` — the legacy custom-robot webhook (DINGTALK_WEBHOOK_URL), no address
* `web` — the web UI, no address

The core reads only the platform name and keeps the address opaque: what an address means, and
how to reach it, is the business of the adapter that registered a notifier for the platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Platform = Literal["slack", "dingtalk", "dingtalk-webhook", "web"]
PLATFORMS: tuple[str, ...] = ("slack", "dingtalk", "dingtalk-webhook", "web")
_NEEDS_ADDRESS = {"slack", "dingtalk"}
# What the address of each platform is called, with an example (for error messages).
_ADDRESS = {"slack": ("a channel id", "C0123ABCD"), "dingtalk": ("an open conversation id", "cid…")}
_EXAMPLES = "slack:CHANNEL_ID, dingtalk:OPEN_CONVERSATION_ID, dingtalk-webhook or web"


class TargetError(ValueError):
    """A target entry that cannot be read; the message names the entry and the right syntax."""


@dataclass(frozen=True)
class Target:
    platform: str
    address: str | None = None

    def __str__(self) -> str:
        """The entry as configured (`slack:C0123`, `web`): also the key in the digests table."""
        return f"{self.platform}:{self.address}" if self.address else self.platform


def parse_target(entry: str) -> Target:
    """One `platform[:address]` entry, checked; raises TargetError saying what is wrong."""
    raw = entry.strip()
    platform, sep, address = raw.partition(":")
    platform, address = platform.strip().lower(), address.strip()
    if platform not in PLATFORMS:
        raise TargetError(f"unknown target {raw!r}: use {_EXAMPLES}")
    if platform in _NEEDS_ADDRESS:
        if not address:
            what, example = _ADDRESS[platform]
            raise TargetError(f"target {raw!r} needs {what}: {platform}:{example}")
        if any(ch.isspace() for ch in address):
            raise TargetError(f"target {raw!r}: the address must not contain spaces")
        if address.startswith(("#", "@")):
            what, example = _ADDRESS[platform]
            raise TargetError(
                f"target {raw!r}: {platform} needs {what} (like {example}, from the conversation's "
                "details), not its name"
            )
        return Target(platform, address)
    if sep:
        raise TargetError(f"target {raw!r}: {platform} takes no address, write just `{platform}`")
    return Target(platform)


def parse_targets(entries: str | Iterable[str]) -> list[Target]:
    """A comma list (or list of entries) → targets, duplicates dropped, order kept."""
    if isinstance(entries, str):
        entries = entries.split(",")
    targets: list[Target] = []
    for entry in entries:
        if not entry.strip():
            continue
        target = parse_target(entry)
        if target not in targets:
            targets.append(target)
    return targets
