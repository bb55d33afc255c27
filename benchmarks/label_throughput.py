"""Throughput of the Qwen3 labeller against the naive way tutorials show.

1 000 mixed comments (`../shared/data/comments_1000.txt`) go through the stand-in Qwen3 server
(tests/standins/llm_server.py, real HTTP on 127.0.0.1) configured like a small vLLM deployment:
every request costs `--latency` seconds plus `--per-item` seconds per comment in it (thinking and
answer tokens grow with the comments in a request), and at most `--server-slots` requests are
served at once (vLLM's `max_num_seqs`), the rest queue.

- naive: one blocking `ChatOpenAI(...).invoke` per comment, in a loop, as tutorials do. It is
  measured on the first `--naive-sample` comments and its per-comment time extrapolated to the
  full list (running 1 000 of them would take a quarter of an hour);
- QwenLabeler: `SENTIBOT_LLM_CONCURRENCY=--concurrency` requests in flight, batches of each size
  in `--batch-sizes`. For each: wall time, items/s, requests, the share of the server's capacity
  used (busy slot-seconds / (slots × wall)), and the latency of a typical chat message of 10
  comments (what a support lead waits for).

    uv run python benchmarks/label_throughput.py            # ~3 minutes
    uv run python benchmarks/label_throughput.py --quick    # latencies ÷10, ~20 s

Prints a markdown table. Targets (issue 2): ≥20× speed-up and ≥90% of server capacity used.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # runnable as a script from anywhere

from langchain_openai import ChatOpenAI  # noqa: E402

import prompts  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.labelers.qwen import QwenLabeler  # noqa: E402
from domain.models import TextIn  # noqa: E402
from tests.standins.llm_server import StandinLLMServer, oracle_label  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "comments_1000.txt"
CHAT_MESSAGE_SIZE = 10


@dataclass
class Row:
    batch_size: int
    wall_s: float
    requests: int
    capacity: float
    correct: int
    failed: int
    chat_latency_s: float
    items: int

    @property
    def items_per_s(self) -> float:
        return self.items / self.wall_s


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
        # Same prompt as the product with one item, so the stand-in bills one comment of work.
        llm.invoke(prompts.render("label_items", items=[{"id": 1, "text": text}], summary_language="English"))
    return (time.perf_counter() - started) / len(texts)


async def labeller_run(
    server: StandinLLMServer, texts: list[str], *, batch_size: int, concurrency: int
) -> Row:
    settings = Settings(
        llm_base_url=server.base_url,
        llm_model=server.config.model,
        llm_flavor_setting="vllm",
        llm_batch_size=batch_size,
        llm_concurrency=concurrency,
    )
    labeler = QwenLabeler(settings=settings)
    try:
        # A typical chat message first (its own measurement), then the whole list.
        started = time.perf_counter()
        await labeler.label([TextIn(id=n, text=t) for n, t in enumerate(texts[:CHAT_MESSAGE_SIZE])])
        chat_latency = time.perf_counter() - started

        server.reset_stats()
        started = time.perf_counter()
        result = await labeler.label([TextIn(id=n, text=t) for n, t in enumerate(texts)])
        wall = time.perf_counter() - started
    finally:
        await labeler.aclose()
    stats = server.stats()
    correct = sum(item.label == oracle_label(item.text) for item in result.items)
    failed = sum(item.status != "ok" for item in result.items)
    return Row(
        batch_size=batch_size,
        wall_s=wall,
        requests=stats.requests,
        capacity=stats.capacity_used(wall),
        correct=correct,
        failed=failed,
        chat_latency_s=chat_latency,
        items=len(texts),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.8, help="stand-in seconds per request (0.8)")
    parser.add_argument("--per-item", type=float, default=0.08, help="stand-in seconds per comment (0.08)")
    parser.add_argument(
        "--server-slots", type=int, default=16, help="requests the stand-in serves at once (16)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="SENTIBOT_LLM_CONCURRENCY (16)")
    parser.add_argument("--batch-sizes", default="1,4,8,16,32")
    parser.add_argument(
        "--default-batch-size", type=int, default=Settings.model_fields["llm_batch_size"].default
    )
    parser.add_argument("--naive-sample", type=int, default=100)
    parser.add_argument("--limit", type=int, default=1000, help="comments to label (1000)")
    parser.add_argument("--quick", action="store_true", help="divide the stand-in latencies by 10")
    args = parser.parse_args(argv)

    if not DATA.exists():
        print(f"skipped: {DATA} not found (the shared data folder is not next to the repo)")
        return 0
    texts = [line.strip() for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()][
        : args.limit
    ]
    latency, per_item = args.latency, args.per_item
    if args.quick:
        latency, per_item = latency / 10, per_item / 10
    sizes = [int(size) for size in args.batch_sizes.split(",")]
    if args.default_batch_size not in sizes:
        sizes.append(args.default_batch_size)

    server = StandinLLMServer(
        latency_s=latency, per_item_s=per_item, max_concurrency=args.server_slots
    ).start()
    try:
        print(
            f"stand-in: {latency:g} s + {per_item:g} s/comment per request, {args.server_slots} slots; "
            f"{len(texts)} comments; QwenLabeler concurrency {args.concurrency}",
            file=sys.stderr,
        )
        sample = texts[: args.naive_sample]
        print(f"naive: {len(sample)} blocking invokes…", file=sys.stderr)
        naive_per_item = naive(server, sample)
        naive_total = naive_per_item * len(texts)
        rows: list[Row] = []
        for size in sizes:
            print(f"QwenLabeler batch size {size}…", file=sys.stderr)
            rows.append(
                asyncio.run(labeller_run(server, texts, batch_size=size, concurrency=args.concurrency))
            )
    finally:
        server.stop()

    print(f"\n### Labelling {len(texts)} comments through the stand-in Qwen3 server\n")
    print(
        f"Stand-in: {latency:g} s per request + {per_item:g} s per comment in it, "
        f"{args.server_slots} requests served at once. QwenLabeler: concurrency {args.concurrency}.\n"
    )
    print(
        f"Naive (one blocking `invoke` per comment): {naive_per_item:.3f} s/comment measured on "
        f"{len(sample)} comments → {naive_total:.0f} s extrapolated for {len(texts)} "
        f"({1 / naive_per_item:.2f} items/s).\n"
    )
    print(
        f"| batch size | wall (s) | items/s | speed-up vs naive | requests | server capacity used "
        f"| chat message of {CHAT_MESSAGE_SIZE} (s) | right / failed |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        mark = " (default)" if row.batch_size == args.default_batch_size else ""
        print(
            f"| {row.batch_size}{mark} | {row.wall_s:.1f} | {row.items_per_s:.1f} | "
            f"{naive_total / row.wall_s:.0f}× | {row.requests} | {row.capacity:.0%} | "
            f"{row.chat_latency_s:.2f} | {row.correct} / {row.failed} |"
        )
    default = next(row for row in rows if row.batch_size == args.default_batch_size)
    speedup = naive_total / default.wall_s
    ok = speedup >= 20 and default.capacity >= 0.90 and default.failed == 0
    print(
        f"\nDefault batch size {default.batch_size}: {speedup:.0f}× faster than naive, "
        f"{default.capacity:.0%} of server capacity used — targets ≥20× and ≥90%: "
        f"{'met' if ok else 'NOT met'}."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
