"""Soak of the watch: signed Slack `message` events into `sentibot serve`, labelled by the stand-in
Qwen3 server at realistic latency, with Slack retries injected and the model down mid-run.

- `sentibot serve` runs as its own process (the product as deployed: bolt verifies every
  signature, the watch stores, micro-batches and labels), SQLite in a temp folder, 20 watched
  channels, the Slack Web API stand-in for auth.test;
- the stand-in model runs as its own process too: `--latency` s per request + `--per-item` s per
  message, `--server-slots` requests at once (like vLLM's max_num_seqs); for `--outage` seconds
  from the middle of the run it is stopped (connection refused), then started again;
- events: `--rate` messages/s for `--minutes`, spread over the channels, 30 % starting a thread
  and 70 % replying in one; `--retry-share` of the events are delivered again with
  `X-Slack-Retry-Num: 1` a second later (what Slack does when it thinks an ack was lost);
- measured: every event's ack time (client side), the delay from sending an event to its label
  being stored (the database is polled every 0.5 s, so ±0.5 s), how many messages were stored
  (0 lost, 0 twice), and the serve process's RSS at the start and the end.

    uv run python benchmarks/watch_soak.py                          # 50/s × 10 min, 2 min outage
    uv run python benchmarks/watch_soak.py --minutes 3 --outage 40  # shorter

Prints a markdown summary (copied into benchmarks/RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.standins.slack_server import BOT_TOKEN, StandinSlackServer  # noqa: E402

SECRET = "benchmark-signing-secret-0123456789"
TEAM = "T0SENTI"
CUSTOMERS = [f"UCUST{n:04d}" for n in range(200)]
AGENTS = [f"UAGENT{n:02d}" for n in range(10)]
TEMPLATES = [
    "My order {n} still has not arrived, this is terrible",
    "Thanks, the replacement for {n} works great",
    "Can you tell me when order {n} ships?",
    "The app crashes every time I open invoice {n}, awful",
    "订单{n}的物流太慢了，非常失望",
    "收到了，质量很好，谢谢客服{n}号",
    "请问订单{n}什么时候发货？",
    "退款{n}一直没到账，我要投诉",
    "I was charged twice for {n}, please refund",
    "Perfect, problem {n} solved, thank you",
]
AGENT_TEMPLATES = [
    "Sorry about that, checking order {n} now",
    "您好，正在为您查询{n}",
    "Done, refund {n} issued",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


@dataclass
class Load:
    channels: list[str]
    sent_at: dict[str, float] = field(default_factory=dict)  # external id → first send
    acks: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    roots: dict[str, list[str]] = field(default_factory=dict)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    _event_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def next_event(self, rng: random.Random) -> tuple[str, bytes]:
        channel = rng.choice(self.channels)
        n = next(self._seq)
        ts = f"{int(time.time())}.{n:06d}"
        roots = self.roots.setdefault(channel, [])
        event: dict[str, object] = {
            "type": "message",
            "channel": channel,
            "ts": ts,
            "channel_type": "channel",
        }
        if roots and rng.random() < 0.7:
            event["thread_ts"] = rng.choice(roots[-20:])
            agent = rng.random() < 0.3
        else:
            roots.append(ts)
            agent = False
        event["user"] = rng.choice(AGENTS if agent else CUSTOMERS)
        event["text"] = rng.choice(AGENT_TEMPLATES if agent else TEMPLATES).format(n=n)
        event["team"] = event["user_team"] = TEAM
        body = {
            "token": "x",
            "team_id": TEAM,
            "api_app_id": "A0SENTIBOT",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{next(self._event_ids):010d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "U0SENTIBOT", "is_bot": True}],
            "is_ext_shared_channel": False,
        }
        return f"{TEAM}:{channel}:{ts}", json.dumps(body).encode()

    async def post(self, http: aiohttp.ClientSession, url: str, body: bytes, *, retry: bool) -> None:
        headers = signed(body)
        if retry:
            headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        started = time.perf_counter()
        try:
            async with http.post(url, data=body, headers=headers) as response:
                text = await response.text()
                if response.status != 200:
                    self.errors.append(f"{response.status} {text[:100]}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.errors.append(repr(exc))
        self.acks.append(time.perf_counter() - started)


def start_model(port: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "tests.standins.llm_server", "--port", str(port),
        "--latency", str(args.latency), "--per-item", str(args.per_item),
        "--max-concurrency", str(args.server_slots),
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_http(url: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="watch-soak-"))
    db = work / "soak.db"
    slack = StandinSlackServer().start()
    model_port, serve_port = free_port(), free_port()
    model = start_model(model_port, args)
    channels = [f"C0WATCH{n:02d}" for n in range(args.channels)]
    env = {
        **os.environ,
        "SENTIBOT_DB": str(db),
        "SENTIBOT_LLM_BASE_URL": f"http://127.0.0.1:{model_port}/v1",
        "SENTIBOT_LLM_CONCURRENCY": str(args.concurrency),
        "SENTIBOT_LLM_BATCH_SIZE": str(args.batch_size),
        "SENTIBOT_LLM_TIMEOUT_S": "30",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SENTIBOT_SLACK_API_URL": slack.api_url,
        "SENTIBOT_WATCH_CHANNELS": ",".join(f"slack:{c}" for c in channels),
        "SENTIBOT_QA_IDLE_SECONDS": str(args.idle),
        "SENTIBOT_PUBLIC_URL": f"http://127.0.0.1:{serve_port}",
    }
    log_file = (work / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli.main", "serve", "--port", str(serve_port)],
        cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{model_port}/v1/models")
        wait_http(f"http://127.0.0.1:{serve_port}/healthz")
        load = Load(channels)
        url = f"http://127.0.0.1:{serve_port}/slack/events"
        # A fixed pool of senders (like Slack's delivery workers): each event is posted when due,
        # by the next free sender; `late` counts events that waited for a sender.
        connector = aiohttp.TCPConnector(limit=args.senders)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=30)
        ) as http:
            # Warm-up (bolt's auth.test, first imports) in a channel that is not watched.
            warm = Load(["C0NOTWATCHED"])
            _, body = warm.next_event(rng)
            await warm.post(http, url, body, retry=False)
            await asyncio.sleep(2)
            rss_start = rss_mb(serve.pid)
            total = int(args.rate * args.minutes * 60)
            outage_from = total / 2 / args.rate - args.outage / 2
            outage = (outage_from, outage_from + args.outage) if args.outage else None
            labelled_at: dict[str, float] = {}
            poller = asyncio.create_task(poll_labels(db, labelled_at))
            queue: asyncio.Queue[tuple[float, bytes, bool] | None] = asyncio.Queue()

            async def sender() -> None:
                while (job := await queue.get()) is not None:
                    due, body, retry = job
                    if (wait := due - time.perf_counter()) > 0:
                        await asyncio.sleep(wait)
                    await load.post(http, url, body, retry=retry)

            senders = [asyncio.create_task(sender()) for _ in range(args.senders)]
            began = time.perf_counter()
            model_down = False
            down_between: tuple[float, float] | None = None
            for i in range(total):
                due = began + i / args.rate
                if (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                elapsed = time.perf_counter() - began
                if outage and not model_down and down_between is None and elapsed >= outage[0]:
                    model.terminate()
                    model.wait()
                    model_down, down_started = True, time.perf_counter()
                if outage and model_down and elapsed >= outage[1]:
                    model = start_model(model_port, args)
                    model_down = False
                    down_between = (down_started - began, time.perf_counter() - began)
                key, body = load.next_event(rng)
                load.sent_at[key] = time.perf_counter()
                queue.put_nowait((due, body, False))
                if rng.random() < args.retry_share:
                    load.retries += 1
                    queue.put_nowait((due + 1.0, body, True))
            for _ in senders:
                queue.put_nowait(None)
            await asyncio.gather(*senders)
            send_s = time.perf_counter() - began
            if model_down:
                model = start_model(model_port, args)
            deadline = time.perf_counter() + args.drain_timeout
            while len(labelled_at) < len(load.sent_at) and time.perf_counter() < deadline:
                await asyncio.sleep(1)
            drained_s = time.perf_counter() - began
            poller.cancel()
            rss_end = rss_mb(serve.pid)
        report(args, load, labelled_at, db, send_s, drained_s, rss_start, rss_end, down_between, began)
    finally:
        serve.terminate()
        serve.wait(timeout=60)
        model.terminate()
        model.wait()
        slack.stop()
        log_file.close()
        print(f"\n(serve log and database in {work})", file=sys.stderr)


async def poll_labels(db: Path, labelled_at: dict[str, float]) -> None:
    """Note when each message is first seen labelled (every 0.5 s, read-only: WAL readers).

    Polled by the time of labelling, not by id: a message that failed during the outage is
    labelled long after newer ones, and must still be seen."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    since = ""
    try:
        while True:
            now = time.perf_counter()
            try:
                rows = conn.execute(
                    "SELECT external_id, labelled_at FROM messages WHERE status = 'ok' AND labelled_at >= ?",
                    (since,),
                ).fetchall()
            except sqlite3.Error:
                rows = []
            for external_id, at in rows:
                labelled_at.setdefault(external_id, now)
                since = max(since, at or "")
            await asyncio.sleep(0.5)
    finally:
        conn.close()


def report(
    args: argparse.Namespace,
    load: Load,
    labelled_at: dict[str, float],
    db: Path,
    send_s: float,
    drained_s: float,
    rss_start: float,
    rss_end: float,
    down: tuple[float, float] | None,
    began: float,
) -> None:
    conn = sqlite3.connect(db)
    stored, distinct = conn.execute("SELECT count(*), count(DISTINCT external_id) FROM messages").fetchone()
    by_status = dict(conn.execute("SELECT status, count(*) FROM messages GROUP BY status").fetchall())
    conn.close()
    sent = len(load.sent_at)
    lost = len(set(load.sent_at) - set(labelled_at))
    delays = [labelled_at[k] - t for k, t in load.sent_at.items() if k in labelled_at]
    normal, during = [], []
    for key, sent_t in load.sent_at.items():
        if key not in labelled_at:
            continue
        at = sent_t - began
        (during if down and down[0] <= at <= down[1] else normal).append(labelled_at[key] - sent_t)
    acks_ms = [a * 1000 for a in load.acks]
    p = percentile
    lines = [
        f"## Watch soak: {args.rate:g} msg/s × {args.minutes:g} min, {args.channels} channels",
        "",
        f"- model stand-in: {args.latency} s/request + {args.per_item} s/message, {args.server_slots} "
        f"slots; SENTIBOT_LLM_CONCURRENCY={args.concurrency}, batch {args.batch_size}",
    ]
    if down:
        lines.append(f"- model down from {down[0]:.0f} s to {down[1]:.0f} s (connection refused)")
    lines += [
        f"- events sent: {sent} in {send_s:.0f} s ({sent / send_s:.1f}/s); "
        f"Slack retries injected: {load.retries}",
        f"- stored: {stored} rows, {distinct} distinct messages → lost {sent - distinct}, "
        f"stored twice {stored - distinct}",
        f"- labelled: {by_status.get('ok', 0)} ok, {by_status.get('failed', 0)} failed, "
        f"{by_status.get('pending', 0)} pending; never seen labelled: {lost}; "
        f"everything labelled {drained_s:.0f} s after the start",
        f"- event → stored label: p50 {p(delays, 0.5):.1f} s, p95 {p(delays, 0.95):.1f} s "
        f"(sent while the model was up: p50 {p(normal, 0.5):.1f} s, p95 {p(normal, 0.95):.1f} s)",
    ]
    if during:
        lines.append(
            f"- sent while the model was down: {len(during)}, labelled after it came back: "
            f"p50 {p(during, 0.5):.0f} s, max {max(during):.0f} s after sending"
        )
    lines += [
        f"- ack: p50 {statistics.median(acks_ms):.0f} ms, p99 {p(acks_ms, 0.99):.0f} ms, "
        f"max {max(acks_ms):.0f} ms; HTTP errors: {len(load.errors)} {load.errors[:3]}",
        f"- serve RSS: {rss_start:.0f} MB at the start, {rss_end:.0f} MB at the end",
    ]
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--outage", type=float, default=120.0, help="seconds the model is down mid-run")
    parser.add_argument("--retry-share", type=float, default=0.05)
    parser.add_argument("--latency", type=float, default=0.8)
    parser.add_argument("--per-item", type=float, default=0.08)
    parser.add_argument("--server-slots", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--idle", type=int, default=1800)
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument("--senders", type=int, default=64, help="concurrent event deliveries")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
