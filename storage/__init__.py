"""Persistence (sqlite-utils). All SQL of the product lives in this package."""

from __future__ import annotations

from pathlib import Path

from storage.ask_queries import AskQueries
from storage.cache import LabelCache, cache_key
from storage.charts import ChartRepository
from storage.corrections import CorrectionRepository, CorrectionTargetMissing
from storage.db import Database, StorageError
from storage.digests import DigestLog
from storage.events import ProcessedEvents
from storage.llm_limits import ServerLimits
from storage.messages import MessageRepository
from storage.reviews import ReviewNotFound, ReviewRepository, ReviewStateError
from storage.runs import RunRepository
from storage.sessions import WebSessions
from storage.stats import StatsRepository
from storage.watch import WatchAlerts, WatchConversations, WatchedMessages, WatchTargets

__all__ = [
    "CorrectionTargetMissing",
    "ReviewNotFound",
    "ReviewStateError",
    "StorageError",
    "Store",
    "cache_key",
]


class Store:
    """One SQLite file, one repository per domain."""

    def __init__(self, path: Path | str, *, timezone: str | None = None) -> None:
        """`timezone`: SENTIBOT_TIMEZONE, the zone message days are counted in (None keeps the file's)."""
        self.database = Database(path, timezone=timezone)
        self.runs = RunRepository(self.database)
        self.cache = LabelCache(self.database)
        self.charts = ChartRepository(self.database)
        self.reviews = ReviewRepository(self.database)
        self.events = ProcessedEvents(self.database)
        self.stats = StatsRepository(self.database)
        self.digests = DigestLog(self.database)
        self.llm_limits = ServerLimits(self.database)
        self.messages = MessageRepository(self.database)
        self.ask = AskQueries(self.database)
        self.corrections = CorrectionRepository(self.database)
        self.watch_targets = WatchTargets(self.database)
        self.watch_conversations = WatchConversations(self.database)
        self.watch_alerts = WatchAlerts(self.database)
        self.watched_messages = WatchedMessages(self.database)
        self.web_sessions = WebSessions(self.database)

    def check_writable(self) -> None:
        """Raise StorageError unless a write goes through (for `doctor` and `/healthz`)."""
        try:
            with self.database.write() as db:
                db.execute("CREATE TABLE IF NOT EXISTS _probe (x)")
                db.execute("DROP TABLE _probe")
        except Exception as exc:
            raise StorageError(f"database {self.database.path} is not writable: {exc}") from exc

    def close(self) -> None:
        self.database.close()
