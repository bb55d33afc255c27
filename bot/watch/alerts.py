"""Real-time negative-share alerts per watched channel.

Rule: when, in one channel, the labelled messages created in the last
SENTIBOT_ALERT_WINDOW_MINUTES number at least SENTIBOT_ALERT_MIN_MESSAGES and the negative share
among them is above SENTIBOT_NEGATIVE_ALERT_RATIO, one alert goes to SENTIBOT_REVIEW_TARGETS
(the share, the count, the top aspects and three linked example messages). No other alert for
that channel until the share has fallen to the threshold or below (the episode is cleared) and
risen above it again.

Exactly once: raising is an INSERT that a unique index allows only while no episode of that
channel is open, inside one `BEGIN IMMEDIATE` transaction, so of two processes (`serve` and
`connect`) or a process and its restart, exactly one raises and sends. A send that failed for
every target is tried again by the next passes (`retry_unsent`); one that reached a target is
not repeated.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import quote

from bot.config import Settings
from bot.i18n import detect_lang
from bot.notify import Notifiers, Target
from bot.watch.replies import AlertExample, AlertFacts, alert_reply
from storage import Store
from storage.clock import iso, utc_now

log = logging.getLogger(__name__)


class AlertWatch:
    def __init__(
        self, *, settings: Settings, store: Store, notifiers: Notifiers, targets: list[Target], worker: str
    ) -> None:
        self.settings = settings
        self.store = store
        self.notifiers = notifiers
        self.targets = targets
        self.worker = worker

    def _since(self) -> str:
        return iso(utc_now() - timedelta(minutes=self.settings.alert_window_minutes))

    async def check(self, channel: str) -> bool:
        """Look at the channel's window now; True when this call raised (and sent) an alert."""
        since = self._since()
        total, negative = self.store.watched_messages.window(channel, since=since)
        share = negative / total if total else 0.0
        ratio = self.settings.negative_alert_ratio
        if share <= ratio:
            if self.store.watch_alerts.clear(channel):
                log.info("alert for %s cleared: negative share %.0f%% of %d", channel, share * 100, total)
            return False
        if total < self.settings.alert_min_messages:
            return False
        alert_id = self.store.watch_alerts.raise_once(
            channel, share=share, total=total, negative=negative, worker=self.worker
        )
        if alert_id is None:
            return False  # already raised (here, earlier, or by another process)
        log.warning("alert: %s is %.0f%% negative over %d messages", channel, share * 100, total)
        await self._send(alert_id, channel, since=since, total=total, negative=negative)
        return True

    async def _send(self, alert_id: int, channel: str, *, since: str, total: int, negative: int) -> None:
        public = self.settings.public_url.rstrip("/")
        examples = [
            AlertExample(
                text=row["text"],
                link=f"{public}/messages?conversation_id={quote(row['conversation_id'] or '', safe='')}",
            )
            for row in self.store.watched_messages.window_examples(channel, since=since)
        ]
        facts = AlertFacts(
            channel=channel,
            window_minutes=self.settings.alert_window_minutes,
            total=total,
            negative=negative,
            ratio=self.settings.negative_alert_ratio,
            aspects=self.store.watched_messages.window_aspects(channel, since=since),
            examples=examples,
        )
        lang = detect_lang(*(e.text for e in examples)) if examples else "en"
        reply = alert_reply(
            facts, lang=lang, link=f"{public}/messages?channel={quote(channel, safe='')}&label=negative"
        )
        # Never in the watched channel itself: the bot is silent there.
        chosen = [t for t in self.targets if t.address != channel]
        errors = []
        for target in chosen:
            try:
                await self.notifiers.send(target=target, reply=reply)
            except Exception as exc:
                log.error("alert #%s to %s failed: %s", alert_id, target, exc)
                errors.append(f"{target}: {type(exc).__name__}: {exc}")
        everything_failed = bool(chosen) and len(errors) == len(chosen)
        self.store.watch_alerts.mark(
            alert_id, status="failed" if everything_failed else "sent", error="; ".join(errors) or None
        )

    async def retry_unsent(self) -> int:
        """Send again the alerts no target received (claimed here first)."""
        rows = self.store.watch_alerts.unsent(worker=self.worker)
        for row in rows:
            await self._send(
                row["id"], row["channel"], since=self._since(), total=row["total"], negative=row["negative"]
            )
        return len(rows)
