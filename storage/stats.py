"""Label counts per day and channel, read from the daily rollup of messages.

Also the read-only queries behind the daily digest and `sentibot eval` (review counts per
channel, resolved reviews), and two helpers for the 1 000 000-item benchmark.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from storage.db import Database


class StatsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def latest_day(self, *, up_to: str) -> str | None:
        """The latest local day (YYYY-MM-DD, at most `up_to`) with a labelled message, or None
        (read from the same per-day rollup as `daily_counts`, so it agrees with the digest)."""
        rows = self._db.query(
            "SELECT max(day) AS day FROM message_counts"
            " WHERE day <= ? AND bucket NOT IN ('pending', 'failed') AND n > 0",
            (up_to,),
        )
        return rows[0]["day"] if rows and rows[0]["day"] else None

    def daily_counts(
        self, *, first_day: str, last_day: str, channel: str | None = None, by_channel: bool = True
    ) -> list[dict[str, object]]:
        """Rows of (day, channel, label, status, n) of the messages of days [first_day, last_day].

        Read from the per-day rollup that triggers keep on `messages` (see migration 2): a few
        rows per day whatever the volume. Messages still waiting for a label are not counted;
        failed ones come back with `status = 'failed'` and no label. With `by_channel=False`
        the channels are summed in SQL (channel None): a year is ~1 500 rows instead of ~10 000.
        """
        select = (
            "SELECT day, nullif(channel, '') AS channel, bucket, n"
            if by_channel
            else "SELECT day, NULL AS channel, bucket, sum(n) AS n"
        )
        sql = select + (" FROM message_counts WHERE day >= ? AND day <= ? AND bucket != 'pending' AND n > 0")
        params: tuple = (first_day, last_day)
        if channel is not None:
            sql += " AND channel = ?"
            params += (channel,)
        if not by_channel:
            sql += " GROUP BY day, bucket"
        return [
            {
                "day": row["day"],
                "channel": row["channel"],
                "label": row["bucket"] if row["bucket"] != "failed" else None,
                "status": "ok" if row["bucket"] != "failed" else "failed",
                "n": row["n"],
            }
            for row in self._db.query(sql, params)
        ]

    def negative_keyword_lists(
        self, *, day: str, channel: str | None = None, limit: int = 5000, expected: int | None = None
    ) -> list[list[str]]:
        """The keyword lists of (at most `limit`) negative messages of one day, one list per message.

        When the caller knows how many negatives there are (`expected`, from `daily_counts`) and
        that is more than `limit`, every k-th message by id is taken (`id % k = 0`) so the sample
        spreads over the whole day instead of being its first hours. The rowid is part of every
        index entry, so the filter runs on the index and only the sampled rows are read.
        """
        step = -(-expected // limit) if expected and expected > limit else 1
        rows = self._db.query(*_negatives_sql(day, channel, step, limit))
        out: list[list[str]] = []
        for row in rows:
            try:
                keywords = json.loads(row["keywords"] or "[]")
            except ValueError:
                continue
            out.append([k for k in keywords if isinstance(k, str)])
        return out

    def review_counts(self, *, opened_from: str, opened_to: str) -> list[dict[str, Any]]:
        """Per review channel: reviews opened in [from, to) and still open, and every review
        opened before `to` that is still open (the queue) with the oldest one's time.

        Times are the stored ISO-8601 UTC strings. Lives here rather than in reviews.py because
        it is a digest statistic; the reviews table is small, so a scan is fine.
        """
        return self._db.query(
            "SELECT channel,"
            " sum(created_at >= :f) AS opened,"
            " sum(created_at >= :f AND status = 'open') AS opened_open,"
            " sum(status = 'open') AS open,"
            " min(CASE WHEN status = 'open' THEN created_at END) AS oldest_open_at"
            " FROM reviews WHERE created_at < :t GROUP BY channel",
            {"f": opened_from, "t": opened_to},
        )

    def resolved_reviews(self) -> list[dict[str, Any]]:
        """Every resolved review with what the bot said and what the human said.

        `corrected` is NULL when the reviewer resolved it without giving a label, i.e. agreed
        with the bot.
        """
        return self._db.query(
            "SELECT r.id, r.label AS predicted, r.corrected_label AS corrected,"
            " runs.labeler AS labeler, runs.prompt_version AS prompt_version"
            " FROM reviews r LEFT JOIN runs ON runs.id = r.run_id"
            " WHERE r.status = 'resolved' ORDER BY r.id"
        )

    def run_langs(self, *, created_from: str, created_to: str) -> Counter[str]:
        """How many runs of each reply language were created in [from, to) (UTC ISO strings)."""
        rows = self._db.query(
            "SELECT lang, count(*) AS n FROM runs WHERE created_at >= ? AND created_at < ? GROUP BY lang",
            (created_from, created_to),
        )
        return Counter({str(row["lang"]): int(row["n"]) for row in rows if row["lang"]})

    # -- benchmark helpers ------------------------------------------------------------------

    def query_plans(self, *, first_day: str, last_day: str, day: str, channel: str) -> dict[str, str]:
        """EXPLAIN QUERY PLAN of the stats and digest queries, for the benchmark to print."""
        queries = {
            "label mix (stats, digest)": (
                "SELECT day, channel, bucket, n FROM message_counts WHERE day >= ? AND day <= ?",
                (first_day, last_day),
            ),
            "themes (one day's negatives, sampled)": _negatives_sql(day, None, 3, 2000),
            "themes per channel": _negatives_sql(day, channel, 2, 2000),
        }
        return {
            name: " / ".join(
                str(row["detail"]) for row in self._db.query("EXPLAIN QUERY PLAN " + sql, params)
            )
            for name, (sql, params) in queries.items()
        }


def _negatives_sql(day: str, channel: str | None, step: int, limit: int) -> tuple[str, tuple]:
    sql = "SELECT keywords FROM messages WHERE day = ? AND label = 'negative' AND status = 'ok'"
    params: tuple = (day,)
    if channel is not None:
        sql += " AND channel = ?"
        params += (channel,)
    if step > 1:
        sql += " AND id % ? = 0"
        params += (step,)
    return sql + " LIMIT ?", (*params, limit)
