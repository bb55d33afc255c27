"""`sentibot import` speed and memory on generated exports (offline labeller).

    uv run python benchmarks/import_speed.py [--rows 1000000] [--small 100000] [--keep DIR]

Generates a helpdesk-shaped CSV (ticket id, ISO time over 365 days, conversation id, role, text,
one extra column; Chinese and English texts built from varied parts so nearly every text is
distinct and really goes through the labeller), then runs the real command in a subprocess:

1. `sentibot import FILE --source bench` on `--small` rows and on `--rows` rows (fresh databases):
   rows/s and the peak RSS of the process (`ru_maxrss`), to show memory stays flat as the file
   grows;
2. the same import of the big file again (nothing new): rows/s of a re-import.

Prints a markdown table to stdout. Bounded: the big import is the only long step.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

ZH_SUBJECTS = ["物流", "快递", "客服", "退款", "质量", "包装", "价格", "账号", "App", "发票"]
ZH_PREDICATES = [
    "太慢了",
    "很好",
    "一般",
    "态度差",
    "非常满意",
    "有问题",
    "还没到账",
    "很贵",
    "登录不了",
    "挺快的",
]
EN_SUBJECTS = [
    "delivery",
    "the courier",
    "support",
    "my refund",
    "the quality",
    "the price",
    "login",
    "the app",
]
EN_PREDICATES = [
    "is terrible",
    "was great",
    "is okay",
    "took forever",
    "is amazing",
    "keeps failing",
    "is too expensive",
    "works fine",
]


def generate(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    start = datetime(2025, 12, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["ticket_id", "created_at", "conversation_id", "role", "comment", "priority"])
        for i in range(rows):
            moment = start + timedelta(seconds=rng.randrange(365 * 86400))
            if rng.random() < 0.6:
                text = f"{rng.choice(ZH_SUBJECTS)}{rng.choice(ZH_PREDICATES)}，订单{rng.randrange(10**7)}"
            else:
                text = f"{rng.choice(EN_SUBJECTS)} {rng.choice(EN_PREDICATES)} (order {rng.randrange(10**7)})"
            out.writerow(
                [
                    f"T{i}",
                    moment.isoformat(timespec="seconds"),
                    f"C{i // 4}",
                    "agent" if i % 4 == 1 else "customer",
                    text,
                    rng.choice(["low", "normal", "high"]),
                ]
            )


def run_import(csv_path: Path, db: Path) -> tuple[float, int, str]:
    """Seconds, peak RSS (MB) of the import process, and its last stderr line."""
    env = {**os.environ, "SENTIBOT_DB": str(db), "COLUMNS": "120"}
    env.pop("SENTIBOT_LLM_BASE_URL", None)
    script = (
        "import resource, sys\n"
        "from adapters.cli.main import main\n"
        "sys.argv = ['sentibot', 'import', sys.argv[1], '--source', 'bench']\n"
        "try:\n    main()\nfinally:\n"
        "    print('peak_rss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, str(csv_path)], env=env, cwd=REPO, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    peak = next(int(line.split()[1]) for line in lines if line.startswith("peak_rss_kb"))
    summary = next((line for line in lines if " new · " in line), lines[-1] if lines else "")
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, peak // 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sentibot-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for rows in (args.small, args.rows):
        csv_path = folder / f"export-{rows}.csv"
        if not csv_path.exists():
            generate(csv_path, rows)
        db = folder / f"import-{rows}.db"
        for leftover in folder.glob(f"import-{rows}.db*"):
            leftover.unlink()
        seconds, peak, summary = run_import(csv_path, db)
        results.append((f"import {rows:,} rows", rows / seconds, peak, seconds, summary))
        print(
            f"{rows:,} rows: {seconds:.1f}s, {rows / seconds:,.0f} rows/s, peak RSS {peak} MB | {summary}",
            file=sys.stderr,
            flush=True,
        )
    seconds, peak, summary = run_import(folder / f"export-{args.rows}.csv", folder / f"import-{args.rows}.db")
    results.append(
        (f"re-import {args.rows:,} rows (nothing new)", args.rows / seconds, peak, seconds, summary)
    )
    size_mb = (folder / f"export-{args.rows}.csv").stat().st_size / 1e6
    print(f"file size {size_mb:.0f} MB, cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print("| run | rows/s | peak RSS | wall | outcome |")
    print("|---|---|---|---|---|")
    for name, rate, peak, seconds, summary in results:
        print(f"| {name} | {rate:,.0f} | {peak} MB | {seconds:.1f} s | {summary} |")


if __name__ == "__main__":
    main()
