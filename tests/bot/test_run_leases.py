"""A crash loses nothing: batches are stored as they come back, a run whose process died is
marked interrupted at once, and `sentibot relabel --failed` completes it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from adapters.web.main import create_app
from bot.config import Settings
from bot.core import Sentibot
from bot.run_leases import RunLeases, is_abandoned, process_exists
from storage import Store
from storage.clock import iso, utc_now
from tests.standins.llm_server import StandinLLMServer, parse_items

REPO = Path(__file__).resolve().parents[2]
COMMENTS = [
    "物流太慢了，等了一周",
    "质量很好，很满意",
    "客服态度差，投诉",
    "包装不错，谢谢",
    "退款三天没到账，失望",
    "味道好，下次还买",
    "the app is slow and broken",
    "great support, thanks",
    "terrible experience, want a refund",
    "love it, excellent",
]
BATCH = 2
ANSWERED = 2  # requests the stand-in answers before it hangs
# Bounds only turn a hang into a failure; nothing measures time.
GUARD_S = 120


def wait_for(condition: Callable[[], bool], what: str, *, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + GUARD_S
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process ended first: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def cli_env(tmp_path: Path, server: StandinLLMServer) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "SENTIBOT_DB": str(tmp_path / "crash.db"),
        "SENTIBOT_LLM_BASE_URL": server.base_url,
        "SENTIBOT_LLM_BATCH_SIZE": str(BATCH),
        "SENTIBOT_LLM_CONCURRENCY": "1",  # one request at a time: "answered" is well defined
        "SENTIBOT_LLM_TIMEOUT_S": "600",
    }


def ok_texts(db: Path) -> set[str]:
    store = Store(db)
    try:
        rows = store.database.query("SELECT text FROM items WHERE status = 'ok'")
    finally:
        store.close()
    return {row["text"] for row in rows}


@pytest.mark.slow
@pytest.mark.timeout(600)  # three processes start on a loaded CI machine; nothing is timed
def test_kill_9_mid_run_keeps_every_answer_and_relabel_completes_the_rest(tmp_path: Path) -> None:
    comments = tmp_path / "comments.txt"
    comments.write_text("\n".join(COMMENTS), encoding="utf-8")
    db = tmp_path / "crash.db"
    with StandinLLMServer(hang_s=3600, max_concurrency=1) as server:
        server.inject("answer", times=ANSWERED)
        server.inject("hang")
        label = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli.main", "label", "--file", str(comments), "--format", "json"],
            cwd=REPO,
            env=cli_env(tmp_path, server),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            # The stand-in answered ANSWERED requests and holds the next one; their items are in
            # the database while the run is still going (it cannot end: a request hangs).
            wait_for(lambda: len(server.requests) == ANSWERED + 1, "the hanging request", process=label)
            answered = {
                text
                for body in server.requests[:ANSWERED]
                for _, _, text in parse_items(body["messages"][-1]["content"])
            }
            assert len(answered) == ANSWERED * BATCH
            wait_for(
                lambda: db.exists() and ok_texts(db) == answered, "the answered batches stored", process=label
            )
        finally:
            label.send_signal(signal.SIGKILL)
            label.wait()
        assert label.returncode == -signal.SIGKILL
        # The killed request still holds the stand-in's one slot (it hangs): give new ones theirs.
        server.configure(max_concurrency=4)

        # Everything the model answered before the kill is stored; the rest is pending.
        assert ok_texts(db) == answered
        store = Store(db)
        try:
            [run] = store.database.query("SELECT id, status, owner FROM runs")
            assert run["status"] == "running" and run["owner"].endswith(f":{label.pid}")
            # A new start marks it interrupted at once: the owner process is gone, no waiting.
            assert RunLeases(store).recover() == [run["id"]]
            assert store.runs.get(run["id"])["status"] == "interrupted"
        finally:
            store.close()
        assert_run_page_says_interrupted(tmp_path, run["id"])

        relabel = subprocess.run(
            [sys.executable, "-m", "adapters.cli.main", "relabel", "--failed"],
            cwd=REPO,
            env=cli_env(tmp_path, server),
            capture_output=True,
            text=True,
            timeout=GUARD_S,
        )
        assert relabel.returncode == 0, relabel.stderr
        # Only the unanswered comments went to the model again.
        relabelled = {
            text
            for body in server.requests[ANSWERED + 1 :]
            for _, _, text in parse_items(body["messages"][-1]["content"])
        }
        assert relabelled == set(COMMENTS) - answered
    assert ok_texts(db) == set(COMMENTS)
    store = Store(db)
    try:
        assert store.runs.get(run["id"])["status"] == "done"
    finally:
        store.close()


def assert_run_page_says_interrupted(tmp_path: Path, run_id: str) -> None:
    import asyncio

    async def page() -> str:
        core = Sentibot(settings=Settings(_env_file=None, SENTIBOT_DB=str(tmp_path / "crash.db")))  # type: ignore[call-arg]
        app = create_app(core=core)
        try:
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                html = (await client.get(f"/runs/{run_id}")).text
                api = (await client.get(f"/api/runs/{run_id}")).json()
        finally:
            await core.aclose()
        assert api["status"] == "interrupted"
        return html

    html = asyncio.run(page())
    assert "Interrupted" in html
    assert "relabel --failed" in html


# -- the lease rules, without processes --------------------------------------------------------


def test_a_dead_owner_on_this_host_is_abandoned_at_once() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    until = iso(utc_now() + timedelta(hours=1))  # the lease itself has not expired
    host = socket.gethostname()
    assert not process_exists(dead.pid)
    assert is_abandoned(f"{host}:{dead.pid}", until, now=utc_now())
    assert not is_abandoned(f"{host}:{os.getpid()}", until, now=utc_now())
    # Another host: only its lease says; no lease at all (an older release): abandoned.
    assert not is_abandoned(f"elsewhere:{dead.pid}", until, now=utc_now())
    assert is_abandoned(f"elsewhere:{os.getpid()}", iso(utc_now() - timedelta(seconds=1)), now=utc_now())
    assert is_abandoned(None, None, now=utc_now())


async def test_a_running_run_of_a_live_process_is_left_alone(core: Sentibot) -> None:
    from bot.analysis import AnalysisRequest

    run_id = core.analysis.submit(AnalysisRequest(texts=["great support"]))
    assert core.store.runs.get(run_id)["status"] == "running"
    assert RunLeases(core.store).recover() == []
    assert await core.analysis.relabel_failed() == []  # being labelled: not relabel's to take
    await core.analysis.complete(run_id, AnalysisRequest(texts=["great support"]))
    assert core.store.runs.get(run_id)["status"] == "done"
