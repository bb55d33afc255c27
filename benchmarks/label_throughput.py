"""Throughput of the Qwen3 labeller with DEFAULT settings, against stand-ins of each kind of server.

Everything runs over real HTTP on 127.0.0.1 against tests/standins/llm_server.py, which charges
what a model server does in shape: `--latency` seconds per request plus `--per-item` seconds per
comment in it, at most N requests served at once (vLLM's `max_num_seqs`), the rest queued.
Settings are the defaults (`SENTIBOT_LLM_CONCURRENCY=auto`, the default batch size); each
scenario gets a fresh database, as a new install would.

1. **Capacity used** on vLLM-like servers with 4, 16 and 64 slots, on the first job of a fresh
   database, and on a job after a short first job (`--short` comments) on the same database (what
   the bot learned is remembered per server). Capacity used = busy slot-seconds / (slots × wall).
2. **A quota server** (DashScope-like: 429 at once past 8 in flight, thinking streamed): share of
   requests answered 429 and items failed, on the first job and after a short first job.
3. **A 20-comment list on an idle 64-slot server**, as a multiple of one comment's time.
4. **1 000 comments vs the tutorials' loop** (one blocking `invoke` per comment, measured on
   `--naive-sample` comments and extrapolated) on the 16-slot server.
5. **Re-asks with and without structured output** in the stand-in's realistic mode (answers
   spoiled the way small models spoil them), at a fixed concurrency so both runs plan the same
   batches: extra requests per planned request, and items that still failed.

    uv run python benchmarks/label_throughput.py            # ~6 minutes
    uv run python benchmarks/label_throughput.py --quick    # latencies ÷4, fewer comments

The machine this runs on is small and shared, and the stand-in shares the labeller's process, so
each request also costs some CPU time that no real server charges; the 64-slot server therefore
runs at `--big-server-scale` times the latencies, so the client's own CPU does not become the
bottleneck being measured. Prints markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # runnable as a script from anywhere

from langchain_openai import ChatOpenAI  # noqa: E402

import prompts  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.labelers.adaptive_limit import forget_shared_limits  # noqa: E402
from bot.labelers.batching import request_count  # noqa: E402
from bot.labelers.qwen import QwenLabeler  # noqa: E402
from domain.models import LabelBatchResult, TextIn  # noqa: E402
from storage import Store  # noqa: E402
from tests.standins.llm_server import StandinLLMServer, oracle_label  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "comments_1000.txt"


@dataclass
class Job:
    comments: int
    wall_s: float
    requests: int
    capacity: float
    rate_limited: int
    failed: int
    wrong: int
    limit_after: int


def settings_for(server: StandinLLMServer, db: Path, **extra: Any) -> Settings:
    """The defaults, pointed at the stand-in (flavor guessed from the URL: vLLM)."""
    return Settings(llm_base_url=server.base_url, db=db, **extra)


async def run_job(settings: Settings, server: StandinLLMServer, texts: list[str]) -> Job:
    """One labelling job in a new process's shoes: only the database remembers the server."""
    forget_shared_limits()
    store = Store(settings.db)
    labeler = QwenLabeler(settings=settings, memory=store.llm_limits)
    server.reset_stats()
    try:
        started = time.perf_counter()
        result: LabelBatchResult = await labeler.label([TextIn(id=n, text=t) for n, t in enumerate(texts)])
        wall = time.perf_counter() - started
    finally:
        await labeler.aclose()
        store.close()
    stats = server.stats()
    return Job(
        comments=len(texts),
        wall_s=wall,
        requests=stats.requests,
        capacity=stats.capacity_used(wall),
        rate_limited=stats.rate_limited,
        failed=sum(item.status != "ok" for item in result.items),
        wrong=sum(item.status == "ok" and item.label != oracle_label(item.text) for item in result.items),
        limit_after=labeler.limiter.limit,
    )


def naive(server: StandinLLMServer, texts: list[str]) -> float:
    """Seconds per comment, the tutorial way: one blocking invoke per comment."""
    llm = ChatOpenAI(
        model=server.config.model,
        base_url=server.base_url,
        api_key="EMPTY",
        # What the tutorials pass (vLLM ignores both keys; thinking stays on by server default).
        extra_body={"enable_thinking": True, "return_reasoning": True},
    )
    started = time.perf_counter()
    for text in texts:
        llm.invoke(prompts.render("label_items", items=[{"id": 1, "text": text}], summary_language="English"))
    return (time.perf_counter() - started) / len(texts)


async def capacity_rows(
    texts: list[str],
    *,
    short: int,
    latency: float,
    per_item: float,
    big_scale: float,
    jitter: float,
    tmp: Path,
) -> list[str]:
    rows = []
    for slots in (4, 16, 64):
        scale = big_scale if slots == 64 else 1.0
        server = StandinLLMServer(
            latency_s=latency * scale, per_item_s=per_item * scale, max_concurrency=slots, jitter=jitter
        ).start()
        try:
            first = await run_job(settings_for(server, tmp / f"first-{slots}.db"), server, texts)
            settings = settings_for(server, tmp / f"after-{slots}.db")
            warm_up = await run_job(settings, server, texts[:short])
            after = await run_job(settings, server, texts)
        finally:
            server.stop()
        print(f"  {slots} slots: first {first.capacity:.0%}, after {after.capacity:.0%}", file=sys.stderr)
        rows.append(
            f"| vLLM-like, {slots} slots{f' (latencies ×{scale:g})' if scale != 1 else ''} "
            f"| {first.capacity:.0%} ({first.wall_s:.1f} s, limit → {first.limit_after}) "
            f"| {after.capacity:.0%} ({after.wall_s:.1f} s; first job of {short} left the limit at "
            f"{warm_up.limit_after}, → {after.limit_after}) | {first.failed + after.failed} |"
        )
    return rows


async def quota_rows(
    texts: list[str], *, short: int, latency: float, per_item: float, tmp: Path
) -> list[str]:
    server = StandinLLMServer(
        latency_s=latency, per_item_s=per_item, quota=8, thinking_needs_stream=True
    ).start()
    try:
        # DashScope URLs are recognised by host; on 127.0.0.1 the flavor is set as it would be guessed.
        fresh = settings_for(server, tmp / "q-first.db", SENTIBOT_LLM_FLAVOR="dashscope")
        first = await run_job(fresh, server, texts)
        settings = settings_for(server, tmp / "q-after.db", SENTIBOT_LLM_FLAVOR="dashscope")
        await run_job(settings, server, texts[:short])
        after = await run_job(settings, server, texts)
    finally:
        server.stop()
    rows = []
    for name, job in (("first job", first), (f"after a first job of {short}", after)):
        rows.append(
            f"| {name} | {job.requests} | {job.rate_limited} ({job.rate_limited / job.requests:.1%}) "
            f"| {job.failed} | {job.wall_s:.1f} s | {job.limit_after} |"
        )
    return rows


async def small_list(
    texts: list[str], *, latency: float, per_item: float, big_scale: float, tmp: Path
) -> str:
    server = StandinLLMServer(
        latency_s=latency * big_scale, per_item_s=per_item * big_scale, max_concurrency=64
    ).start()
    try:
        lines = []
        databases = (
            ("fresh database", tmp / "small-fresh.db"),
            ("after a 1 000-comment job", tmp / "small.db"),
        )
        for name, db in databases:
            settings = settings_for(server, db)
            if "after" in name:
                await run_job(settings, server, texts)
            one = min([(await run_job(settings, server, texts[:1])).wall_s for _ in range(3)])
            twenty = min([(await run_job(settings, server, texts[1:21])).wall_s for _ in range(3)])
            requests = server.stats().requests
            lines.append(
                f"| {name} | {one:.2f} s | {twenty:.2f} s ({requests} requests) | **{twenty / one:.2f}×** |"
            )
    finally:
        server.stop()
    return "\n".join(lines)


async def reask_rows(texts: list[str], *, tmp: Path) -> list[str]:
    rows = []
    for structured in (True, False):
        server = StandinLLMServer(
            latency_s=0.02, per_item_s=0.002, realistic=True, seed=7, structured_output=structured
        ).start()
        try:
            settings = settings_for(server, tmp / f"reask-{structured}.db", SENTIBOT_LLM_CONCURRENCY="16")
            job = await run_job(settings, server, texts)
            stats = server.stats()
            # Requests refused for carrying the schema (sent before the first refusal came back).
            refused = 0 if structured else sum("response_format" in body for body in server.requests)
        finally:
            server.stop()
        # What the labeller plans at a fixed 16: whole rounds of 16 requests, at most a batch each.
        planned = request_count(len(texts), batch_size=settings.llm_batch_size, free_slots=16, slots=16)
        extra = job.requests - planned - refused
        rows.append(
            f"| {'sent, held to by the server' if structured else 'refused by the server'} "
            f"| {planned} | {job.requests} | {stats.malformed} | **{extra / planned:.1%}** | {job.failed} |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.8, help="stand-in seconds per request (0.8)")
    parser.add_argument("--per-item", type=float, default=0.08, help="stand-in seconds per comment (0.08)")
    parser.add_argument("--big-server-scale", type=float, default=2.0, help="latency factor for 64 slots")
    parser.add_argument("--short", type=int, default=200, help="comments in the short first job (200)")
    parser.add_argument("--naive-sample", type=int, default=50)
    parser.add_argument("--limit", type=int, default=1000, help="comments per job (1000)")
    parser.add_argument("--speed-comments", type=int, default=1000, help="comments for the speed-up (1000)")
    parser.add_argument("--jitter", type=float, default=0.0, help="± share of each request's latency")
    parser.add_argument("--quick", action="store_true", help="latencies ÷4, 400 comments")
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"skipped: {DATA} not found (the shared data folder is not next to the repo)")
        return 0
    all_texts = [line.strip() for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = all_texts
    latency, per_item, limit = args.latency, args.per_item, args.limit
    if args.quick:
        latency, per_item, limit = latency / 4, per_item / 4, min(limit, 400)
    texts = texts[:limit]
    defaults = Settings()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        print("capacity…", file=sys.stderr)
        capacity = asyncio.run(
            capacity_rows(
                texts,
                short=args.short,
                latency=latency,
                per_item=per_item,
                big_scale=args.big_server_scale,
                jitter=args.jitter,
                tmp=tmp,
            )
        )
        print("quota server…", file=sys.stderr)
        quota = asyncio.run(quota_rows(texts, short=args.short, latency=latency, per_item=per_item, tmp=tmp))
        print("20-comment list…", file=sys.stderr)
        small = asyncio.run(
            small_list(texts, latency=latency, per_item=per_item, big_scale=args.big_server_scale, tmp=tmp)
        )
        print("naive loop and 1 000 comments…", file=sys.stderr)
        server = StandinLLMServer(latency_s=latency, per_item_s=per_item, max_concurrency=16).start()
        try:
            naive_per_item = naive(server, all_texts[: args.naive_sample])
            speed_texts = all_texts[: args.speed_comments]
            job = asyncio.run(run_job(settings_for(server, tmp / "speed.db"), server, speed_texts))
        finally:
            server.stop()
        print("re-asks…", file=sys.stderr)
        reasks = asyncio.run(reask_rows(texts, tmp=tmp))

    print(f"### Qwen3 labeller with default settings ({len(texts)} comments per job)\n")
    print(
        f"Defaults: SENTIBOT_LLM_CONCURRENCY={defaults.llm_concurrency}, SENTIBOT_LLM_BATCH_SIZE="
        f"{defaults.llm_batch_size}. Stand-in: {latency:g} s per request + {per_item:g} s per comment "
        f"(±{args.jitter:.0%} jitter); the 64-slot server at ×{args.big_server_scale:g}.\n"
    )
    print("| server | capacity used, first job | capacity used, after a short first job | failed |")
    print("|---|---:|---:|---:|")
    print("\n".join(capacity))
    print("\nDashScope-like quota server (429 at once past 8 in flight; thinking streamed):\n")
    print("| job | requests | answered 429 | failed | wall | limit after |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(quota))
    print("\nA 20-comment list on an idle 64-slot server:\n")
    print("| database | one comment | 20 comments | ratio |")
    print("|---|---:|---:|---:|")
    print(small)
    naive_total = naive_per_item * len(speed_texts)
    print(
        f"\n{len(speed_texts)} comments on the 16-slot server: {job.wall_s:.1f} s with the defaults vs "
        f"{naive_total:.0f} s for the tutorials' loop ({naive_per_item:.3f} s/comment measured on "
        f"{args.naive_sample} comments, extrapolated): **{naive_total / job.wall_s:.0f}× faster**, "
        f"{job.capacity:.0%} of capacity, {job.failed} failed, {job.wrong} off the stand-in's oracle.\n"
    )
    print("Re-asks in realistic mode (SENTIBOT_LLM_CONCURRENCY=16 so both runs plan the same batches):\n")
    print("| structured output | planned requests | sent | answers spoiled | extra requests | failed |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(reasks))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
