"""Stats and digest latency over 10 000 000 stored messages, 365 days (target: < 200 ms).

    uv run python benchmarks/stats_digest.py [--items 10000000] [--days 365] [--repeat 5] [--db PATH]

Fills a temporary SQLite file through the storage layer (`messages.bulk_insert_for_benchmark`:
executemany, rows in arrival order; the rollup triggers run as for any insert), then times —
median of `--repeat` runs, after one warm-up — `Sentibot.stats(days=7)`, the stats of the whole
period (what `/api/stats?from&to` answers, with aspects) and `build_digest` for one day, without
and with the chart. Prints the query plans and a markdown table to stdout.

How it stays fast: label mixes and aspect counts come from the daily rollups that triggers keep
on `messages` (message_counts, message_aspect_counts: a few rows per day and channel, whatever
the volume); the day's themes read only that day's negative messages through
messages(day, label, status), at most THEME_SAMPLE of them, sampled by `id % k` on the index;
review counts scan the small reviews table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.config import Settings  # noqa: E402
from bot.core import Sentibot  # noqa: E402
from bot.digest import build_digest  # noqa: E402
from storage import Store  # noqa: E402

CHANNELS = ["C0SUPPORT", "C0SHOP", "C0VIP", "cidDingGroup==", None]
NEGATIVE_WORDS = [
    "物流慢",
    "物流",
    "客服",
    "客服态度差",
    "退款",
    "delivery",
    "late delivery",
    "refund",
    "app crash",
]
OTHER_WORDS = ["好评", "fast", "nice", "包装"]


ASPECTS = ["delivery", "service", "quality", "price", "billing", "account", "product"]


def rows(*, items: int, days: int, today: date, seed: int = 7) -> Iterator[tuple]:
    """Messages in arrival order over `days` days ending today, several channels, ~1% failed,
    each with zero to two aspects (BENCH_COLUMNS order)."""
    rng = random.Random(seed)
    per_day = items // days
    n = 0
    for offset in range(days - 1, -1, -1):
        day = (today - timedelta(days=offset)).isoformat()
        count = per_day if offset else items - per_day * (days - 1)
        created = f"{day}T00:00:00+00:00"
        for _ in range(count):
            channel = rng.choice(CHANNELS)
            r = rng.random()
            aspects = json.dumps(rng.sample(ASPECTS, rng.choice((0, 1, 1, 2))))
            if r < 0.01:
                label, status, keywords, aspects = None, "failed", "[]", "[]"
            elif r < 0.30:
                label, status = "negative", "ok"
                keywords = json.dumps(rng.sample(NEGATIVE_WORDS, 2), ensure_ascii=False)
            elif r < 0.70:
                label, status, keywords = (
                    "positive",
                    "ok",
                    json.dumps([rng.choice(OTHER_WORDS)], ensure_ascii=False),
                )
            else:
                label, status, keywords = "neutral", "ok", "[]"
            n += 1
            yield (
                f"bench-{n}",
                "bench",
                str(n),
                channel,
                f"comment {n}",
                created,
                day,
                created,
                label,
                0.9 if label else None,
                aspects,
                keywords,
                status,
            )


def fill(store: Store, *, items: int, days: int, today: date) -> float:
    started = time.perf_counter()
    store.messages.bulk_insert_for_benchmark(rows(items=items, days=days, today=today))
    return time.perf_counter() - started


async def median_ms(fn: Callable[[], Awaitable[object]], repeat: int) -> float:
    await fn()  # warm-up: page cache, matplotlib import, font registration
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, default=None, help="reuse/keep this file (filled when new)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    path = args.db or Path(tmp.name) / "bench.db"
    fresh = not path.exists()
    settings = Settings(db=path, timezone="Asia/Shanghai")
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    store = Store(path, timezone=settings.timezone)
    if fresh:
        seconds = fill(store, items=args.items, days=args.days, today=today)
        print(
            f"filled {args.items:,} messages over {args.days} days in {seconds:.1f} s ({path})",
            file=sys.stderr,
        )
    total = store.messages.count()
    core = Sentibot(settings=settings, store=store)
    day = today - timedelta(days=1)

    print("## Query plans\n")
    plans = store.stats.query_plans(
        first_day=(today - timedelta(days=7)).isoformat(),
        last_day=today.isoformat(),
        day=day.isoformat(),
        channel="C0SUPPORT",
    )
    for name, plan in plans.items():
        print(f"- {name}: `{plan}`")

    year = today - timedelta(days=args.days - 1)
    cases: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("`core.stats(days=7)` numbers", lambda: core.stats(days=7, chart=False)),
        (
            f"`core.stats(first..last)` {args.days} days numbers (as `/api/stats?from&to`, with aspects)",
            lambda: core.stats(first=year, last=today, chart=False),
        ),
        ("`core.stats(days=7)` + chart", lambda: core.stats(days=7, chart=True)),
        (
            "`build_digest(day)` numbers",
            lambda: build_digest(store, day=day, settings=settings, lang="en", chart=False),
        ),
        (
            "`build_digest(day)` + chart",
            lambda: build_digest(store, day=day, settings=settings, lang="en", chart=True),
        ),
    ]
    results = [(name, await median_ms(fn, args.repeat)) for name, fn in cases]
    digest = await build_digest(store, day=day, settings=settings, lang="en", chart=False)

    print(f"\n## Stats and digest over {total:,} messages ({args.days} days, {len(CHANNELS)} channels)\n")
    print(f"median of {args.repeat} after a warm-up · Python {sys.version.split()[0]} · SQLite {_sqlite()}\n")
    print("| what | median ms | target |")
    print("|---|---:|---|")
    for name, ms in results:
        target = "< 200 ms" if "numbers" in name else "(chart render, not in the target)"
        mark = " ✅" if "numbers" in name and ms < 200 else (" ❌" if "numbers" in name else "")
        print(f"| {name} | {ms:.1f}{mark} | {target} |")
    print(
        f"\ndigest of {day}: {digest.total.labelled:,} labelled, {len(digest.channels)} channel sections, "
        f"themes: {', '.join(f'{t.keyword} ×{t.count}' for t in digest.total.themes)}"
    )
    await core.aclose()
    tmp.cleanup()


def _sqlite() -> str:
    import sqlite3

    return sqlite3.sqlite_version


if __name__ == "__main__":
    asyncio.run(main())
