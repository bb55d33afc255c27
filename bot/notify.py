"""Where the bot posts on its own (digests, new-review announcements), platform-neutral.

Targets (bot/targets.py) come from SENTIBOT_DIGEST_TARGETS / SENTIBOT_REVIEW_TARGETS. `web` is
the web UI: nothing is pushed, the digest is read at `/digests/{date}` and reviews on `/reviews`,
so its notifier only records success.

Adapters register a `Notifier` per platform into `Notifiers`; the core never imports them.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.targets import PLATFORMS, Target, TargetError, parse_target, parse_targets
from domain.replies import Reply

__all__ = [
    "PLATFORMS",
    "NoNotifier",
    "Notifier",
    "Notifiers",
    "Target",
    "TargetError",
    "announce_review",
    "parse_target",
    "parse_targets",
]

log = logging.getLogger(__name__)


@runtime_checkable
class Notifier(Protocol):
    """Posts a Reply to one target in the platform's idiom. Raises on failure (with the reason)."""

    async def send(self, *, target: Target, reply: Reply, chart_png: bytes | None) -> None: ...


class WebNotifier:
    """`web`: nothing to push (the page reads the data); a send simply succeeds."""

    async def send(self, *, target: Target, reply: Reply, chart_png: bytes | None) -> None:
        log.debug("web target: %s is readable on the web UI", reply.kind)


class NoNotifier(LookupError):
    """No notifier registered for a platform (e.g. Slack not configured)."""


class Notifiers:
    """Platform → notifier. `web` is built in; adapters register Slack and DingTalk ones."""

    def __init__(self) -> None:
        self._by_platform: dict[str, Notifier] = {"web": WebNotifier()}

    def register(self, platform: str, notifier: Notifier) -> None:
        if platform not in PLATFORMS:
            raise ValueError(f"unknown platform {platform!r}; one of {', '.join(PLATFORMS)}")
        self._by_platform[platform] = notifier

    def get(self, platform: str) -> Notifier:
        try:
            return self._by_platform[platform]
        except KeyError:
            raise NoNotifier(
                f"no sender for {platform}: is {platform} configured (tokens set) in this process?"
            ) from None

    def __contains__(self, platform: object) -> bool:
        return platform in self._by_platform

    @property
    def platforms(self) -> list[str]:
        return sorted(self._by_platform)

    async def send(self, *, target: Target, reply: Reply, chart_png: bytes | None = None) -> None:
        await self.get(target.platform).send(target=target, reply=reply, chart_png=chart_png)


@dataclass(frozen=True)
class AnnounceResult:
    target: str
    ok: bool
    error: str | None = None


def review_announcement(reply: Reply) -> Reply:
    """What a review channel receives: the verdict with "new flag" up front, buttons and link kept
    (Slack renders the buttons, DingTalk and web show the link to /reviews)."""
    head = (
        f"🚩 新的待审对话 #{reply.review_id}"
        if reply.lang == "zh"
        else f"🚩 New conversation to review #{reply.review_id}"
    )
    return reply.model_copy(update={"title": head, "lines": [reply.title, *reply.lines]})


async def announce_review(
    *,
    reply: Reply,
    created: bool,
    targets: list[Target],
    notifiers: Notifiers,
    origin: Target | None = None,
) -> list[AnnounceResult]:
    """Announce a NEWLY opened review to every review target; never raises (errors are logged).

    Nothing is sent unless `reply` is a conversation verdict with a review and `created` is True
    (re-analysing a thread refreshes its review and must not announce it again). `origin` is
    where the conversation itself was answered; it is skipped, the thread already has the reply.
    """
    if reply.kind != "conversation" or reply.review_id is None or not created:
        return []
    message = review_announcement(reply)

    async def one(target: Target) -> AnnounceResult:
        try:
            await notifiers.send(target=target, reply=message, chart_png=None)
        except Exception as exc:
            log.error("announcing review #%s to %s failed: %s", reply.review_id, target, exc)
            return AnnounceResult(str(target), False, f"{type(exc).__name__}: {exc}")
        return AnnounceResult(str(target), True)

    chosen = [t for t in targets if t != origin]
    return list(await asyncio.gather(*(one(t) for t in chosen)))
