"""Daily digest delivery: at SENTIBOT_DIGEST_TIME, exactly once per (date, target).

Which day a digest covers: the one sent at 09:00 (SENTIBOT_DIGEST_TIME, SENTIBOT_TIMEZONE)
covers the PREVIOUS full local day — what a lead wants to read in the morning. The digest "due"
at a moment is therefore the one for yesterday once today's send time has passed, else the one
for the day before yesterday (sent yesterday). On every start, and at every send time, the
scheduler sends the due digest to each target that has not had it. So a digest missed while the
bot was down goes out when it starts; one missed by more than a day is superseded by the next
(older ones: `sentibot digest --date D --send`).

Exactly once: before sending, a worker claims (date, target) in SQLite (`digests` table, one
`BEGIN IMMEDIATE` transaction), so of two schedulers racing — two processes, or two instances on
one database — only one sends. The claim is marked `sent` after the platform accepted it, or
`failed` (with the reason) after `retries` attempts with exponential backoff; a failed row is
claimed again by a later pass (every `RETRY_PASS_S` while it is the due digest, at most
`RETRY_PASSES` times) and on the next start. A worker that crashed mid-send
leaves a `sending` row that another worker may take after `stale_after_s` (then, and only then,
a digest could be sent twice: at-least-once beats lost).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.digest import build_digest, digest_lang, digest_reply
from bot.errors import InputError
from bot.notify import Notifiers, Target, parse_targets
from bot.replies import Reply
from domain.models import Lang
from storage import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
DeliveryStatus = Literal["sent", "failed", "skipped"]

RETRIES = 3
BACKOFF_S = 5.0  # 5 s, 20 s between attempts: well inside the claim's stale window
STALE_AFTER_S = 600
MAX_NAP_S = 300.0  # wake up at least this often to re-read the clock (sleep, DST, NTP jumps)
RETRY_PASS_S = 900.0  # a failed delivery is tried again this much later…
RETRY_PASSES = 4  # …this many times while the bot runs (and again at every start)


def utc_clock() -> datetime:
    return datetime.now(UTC)


def worker_id() -> str:
    """Who holds a claim: host, process and a random part (two schedulers in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class DeliveryResult:
    day: date
    target: str
    status: DeliveryStatus  # skipped: already sent, or another worker holds the claim
    attempts: int = 0
    error: str | None = None  # why it failed (status "failed")
    detail: str | None = None  # why it was skipped: "already sent" / "being sent by …"


def send_time(settings: Settings) -> time:
    hours, minutes = settings.digest_time.split(":")
    return time(int(hours), int(minutes))


def due_day(settings: Settings, *, now: datetime) -> date:
    """The day whose digest is due at `now`: yesterday once today's send time has passed."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    days_back = 1 if local.time().replace(tzinfo=None) >= send_time(settings) else 2
    return local.date() - timedelta(days=days_back)


def next_send_at(settings: Settings, *, now: datetime) -> datetime:
    """The next send moment strictly after `now` (timezone-aware, DST handled by zoneinfo)."""
    tz = ZoneInfo(settings.timezone)
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), send_time(settings), tzinfo=tz)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), send_time(settings), tzinfo=tz)
    return moment.astimezone(UTC)


async def send_digest(
    *,
    store: Store,
    settings: Settings,
    notifiers: Notifiers,
    day: date,
    targets: list[Target],
    lang: Lang | None = None,
    worker: str | None = None,
    retries: int = RETRIES,
    backoff_s: float = BACKOFF_S,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = utc_clock,
    chart: bool = True,
) -> list[DeliveryResult]:
    """Send one day's digest to each target that has not had it; one DeliveryResult per target.

    Used by the scheduler and by `sentibot digest --date D --send`. Targets already sent (or being
    sent by another worker) are `skipped`; the digest is built only when some target was claimed.
    Raises InputError for a day that is not over yet (it would block the real digest).
    """
    day_over = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(settings.timezone))
    if clock() < day_over:
        # Sending a partial day would mark (day, target) sent and swallow the real digest.
        raise InputError(
            f"{day} is not over yet in {settings.timezone}: its digest can be sent from "
            f"{day + timedelta(days=1)} 00:00 (print today's so far without --send)"
        )
    worker = worker or worker_id()
    key = day.isoformat()
    claimed: list[Target] = []
    results: dict[str, DeliveryResult] = {}
    for target in targets:
        if store.digests.claim(date=key, target=str(target), worker=worker, stale_after_s=STALE_AFTER_S):
            claimed.append(target)
        else:
            row = store.digests.get(date=key, target=str(target)) or {}
            detail = (
                f"already sent at {row.get('sent_at')}"
                if row.get("status") == "sent"
                else f"being sent by {row.get('claimed_by')}"
            )
            results[str(target)] = DeliveryResult(day, str(target), "skipped", detail=detail)
    if claimed:
        try:
            digest = await build_digest(
                store,
                day=day,
                settings=settings,
                lang=lang or digest_lang(store, day=day, settings=settings),
                chart=chart,
                now=clock(),
            )
            reply = digest_reply(digest, public_url=settings.public_url)
            png = store.charts.get(digest.chart_id) if digest.chart_id else None
        except Exception as exc:
            log.exception("building the digest of %s failed", key)
            for target in claimed:
                reason = f"building the digest failed: {type(exc).__name__}: {exc}"
                store.digests.mark_failed(date=key, target=str(target), error=reason)
                results[str(target)] = DeliveryResult(day, str(target), "failed", 0, reason)
        else:
            sent = await asyncio.gather(
                *(
                    _deliver(
                        store=store,
                        notifiers=notifiers,
                        day=day,
                        target=target,
                        reply=reply,
                        png=png,
                        retries=retries,
                        backoff_s=backoff_s,
                        sleep=sleep,
                    )
                    for target in claimed
                )
            )
            results.update((r.target, r) for r in sent)
    return [results[str(t)] for t in targets]


async def _deliver(
    *,
    store: Store,
    notifiers: Notifiers,
    day: date,
    target: Target,
    reply: Reply,
    png: bytes | None,
    retries: int,
    backoff_s: float,
    sleep: Sleep,
) -> DeliveryResult:
    key, name = day.isoformat(), str(target)
    error = ""
    attempts = max(1, retries)
    for attempt in range(1, attempts + 1):
        try:
            await notifiers.send(target=target, reply=reply, chart_png=png)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if attempt < attempts:
                delay = backoff_s * 4 ** (attempt - 1)
                log.warning(
                    "digest %s → %s failed (attempt %d/%d): %s; retrying in %.0fs",
                    key, name, attempt, attempts, error, delay,
                )  # fmt: skip
                await sleep(delay)
            continue
        store.digests.mark_sent(date=key, target=name)
        log.info("digest %s sent to %s", key, name)
        return DeliveryResult(day, name, "sent", attempt)
    store.digests.mark_failed(date=key, target=name, error=error)
    log.error(
        "digest %s → %s FAILED after %d attempts: %s (kept as failed; retried at the next start "
        "or send time, or by `sentibot digest --date %s --send`)",
        key, name, attempts, error, key,
    )  # fmt: skip
    return DeliveryResult(day, name, "failed", attempts, error)


class DigestScheduler:
    """The core's `digest` background job (bot/jobs.py): `run()` until cancelled, in serve or connect."""

    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        notifiers: Notifiers,
        targets: list[Target] | None = None,
        clock: Clock = utc_clock,
        sleep: Sleep = asyncio.sleep,
        retries: int = RETRIES,
        backoff_s: float = BACKOFF_S,
        chart: bool = True,
        worker: str | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.notifiers = notifiers
        # Bad syntax raises TargetError here, i.e. at start-up, not at 09:00.
        self.targets = targets if targets is not None else parse_targets(settings.digest_targets)
        self.clock = clock
        self.sleep = sleep
        self.retries = retries
        self.backoff_s = backoff_s
        self.chart = chart
        self.worker = worker or worker_id()

    async def run_once(self) -> list[DeliveryResult]:
        """Send the currently due digest to every target still missing it (start-up catch-up)."""
        if not self.targets:
            return []
        day = due_day(self.settings, now=self.clock())
        return await send_digest(
            store=self.store,
            settings=self.settings,
            notifiers=self.notifiers,
            day=day,
            targets=self.targets,
            worker=self.worker,
            retries=self.retries,
            backoff_s=self.backoff_s,
            sleep=self.sleep,
            clock=self.clock,
            chart=self.chart,
        )

    async def run(self) -> None:
        """Catch up once, then send at every send time, forever (until cancelled)."""
        if not self.targets:
            log.info("digest scheduler: no SENTIBOT_DIGEST_TARGETS, nothing to send")
            return
        log.info(
            "digest scheduler: %s %s to %s",
            self.settings.digest_time,
            self.settings.timezone,
            ", ".join(map(str, self.targets)),
        )
        retry_passes, last_day = 0, None
        while True:
            day = due_day(self.settings, now=self.clock())
            if day != last_day:
                retry_passes, last_day = 0, day
            results = await self._pass()
            now = self.clock()
            wake = next_send_at(self.settings, now=now)
            if any(r.status == "failed" for r in results) and retry_passes < RETRY_PASSES:
                retry_passes += 1
                wake = min(wake, now + timedelta(seconds=RETRY_PASS_S))
            while (left := (wake - self.clock()).total_seconds()) > 0:
                await self.sleep(min(left, MAX_NAP_S))

    async def _pass(self) -> list[DeliveryResult]:
        try:
            return await self.run_once()
        except Exception:  # the loop must survive a bad day (e.g. the DB briefly locked)
            log.exception("digest scheduler pass failed; trying again at the next send time")
            return []
