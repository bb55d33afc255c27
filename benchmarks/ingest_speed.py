"""`POST /api/messages` against the stand-in Qwen3 server at realistic latency.

    uv run python benchmarks/ingest_speed.py [--rate 40] [--seconds 30] [--burst 10]

The real app (httpx over ASGI, lifespan run) labels with the Qwen labeller against the stand-in
server (tests/standins/llm_server.py: 0.8 s per request + 0.08 s per comment, 16 slots — the
setting of benchmarks/label_throughput.py), SENTIBOT_LLM_CONCURRENCY=16, batch 8.

1. Sustained: posts of 20 messages at `--rate` messages/s for `--seconds` seconds; for every
   message, the delay from its 202 to its label being stored (p50, p95, max).
2. Burst: `--burst` posts of 1 000 messages sent back to back: how many messages/s are accepted
   (202s), and how many posts were refused with 429 (Retry-After) because the queue was full.

Prints a markdown table to stdout; bounded by --seconds plus the time to drain.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.web.main import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core import Sentibot  # noqa: E402
from tests.standins.llm_server import StandinLLMServer  # noqa: E402

TEXTS = [
    "物流太慢了，三天还没到",
    "客服回复很快，谢谢",
    "the refund never arrived",
    "great app, love it",
    "包装破损，很失望",
    "price is ok",
    "登录不了，怎么办",
    "support solved it in minutes",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=40.0, help="messages per second offered")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--burst", type=int, default=10, help="posts of 1 000 sent back to back")
    args = parser.parse_args()

    server = StandinLLMServer(latency_s=0.8, per_item_s=0.08, max_concurrency=16).start()
    folder = tempfile.TemporaryDirectory()
    settings = Settings(
        SENTIBOT_DB=str(Path(folder.name) / "ingest.db"),
        SENTIBOT_LLM_BASE_URL=server.base_url,
        SENTIBOT_LLM_CONCURRENCY=16,
        SENTIBOT_LLM_BATCH_SIZE=8,
    )
    core = Sentibot(settings=settings)
    app = create_app(core=core)
    accepted_at: dict[str, float] = {}
    labelled_at: dict[str, float] = {}
    n = 0
    transport = httpx.ASGITransport(app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://b") as client,
    ):

        async def watch_labels() -> None:
            seen = 0
            while True:
                rows = core.store.database.query(
                    "SELECT id, external_id FROM messages WHERE status != 'pending' AND id > ? ORDER BY id",
                    (seen,),
                )
                now = time.perf_counter()
                for row in rows:
                    labelled_at.setdefault(row["external_id"], now)
                    seen = max(seen, row["id"])
                await asyncio.sleep(0.05)

        watcher = asyncio.create_task(watch_labels())
        per_post = 20
        started = time.perf_counter()
        while time.perf_counter() - started < args.seconds:
            body = {"source": "bench", "messages": []}
            for _ in range(per_post):
                n += 1
                body["messages"].append({"id": f"s{n}", "text": f"{TEXTS[n % len(TEXTS)]} #{n}"})
            response = await client.post("/api/messages", json=body)
            now = time.perf_counter()
            assert response.status_code == 202, response.text
            for message in body["messages"]:
                accepted_at[message["id"]] = now
            await asyncio.sleep(max(0.0, started + (n / args.rate) - time.perf_counter()))
        await core.ingest.drained()
        await asyncio.sleep(0.2)
        delays = [labelled_at[k] - accepted_at[k] for k in accepted_at if k in labelled_at]

        burst_started = time.perf_counter()
        refused = accepted = 0
        for b in range(args.burst):
            body = {
                "source": "burst",
                "messages": [
                    {"id": f"b{b}-{i}", "text": f"{TEXTS[i % len(TEXTS)]} burst {b}-{i}"} for i in range(1000)
                ],
            }
            response = await client.post("/api/messages", json=body)
            if response.status_code == 429:
                refused += 1
            else:
                accepted += response.json()["accepted"]
        burst_seconds = time.perf_counter() - burst_started
        watcher.cancel()
        await core.ingest.stop()
    await core.aclose()
    server.stop()
    folder.cleanup()

    print(
        f"sustained: {len(accepted_at)} messages offered at {args.rate:g}/s for {args.seconds:g}s, "
        f"{len(delays)} labelled",
        file=sys.stderr,
    )
    print("| what | result |")
    print("|---|---|")
    print(f"| sustained offered load | {args.rate:g} messages/s (posts of 20) for {args.seconds:g} s |")
    print(
        f"| accept → labelled p50 / p95 / max | {statistics.median(delays):.1f} s / "
        f"{percentile(delays, 0.95):.1f} s / {max(delays):.1f} s |"
    )
    print(
        f"| burst: {args.burst} posts of 1 000 back to back | {accepted / burst_seconds:,.0f} messages/s "
        f"accepted (202), {refused} posts refused with 429 + Retry-After |"
    )


if __name__ == "__main__":
    asyncio.run(main())
