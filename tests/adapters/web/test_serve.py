"""`sentibot serve` as a user starts it: a real process, a real port, a clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_the_api_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "SENTIBOT_DB": str(tmp_path / "serve.db"),
        "SENTIBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "adapters.cli.main", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2).json()
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "sentibot serve did not come up"
                time.sleep(0.2)
        assert health == {"status": "ok", "labeler": "offline", "db": "ok"}
        answer = httpx.post(
            f"{base}/api/analyze", json={"texts": ["物流太慢了", "Great support, thanks!"]}, timeout=30
        )
        assert answer.status_code == 200
        doc = answer.json()
        assert [item["label"] for item in doc["items"]] == ["negative", "positive"]
        assert doc["chart_url"].startswith(f"{base}/charts/")
        chart = httpx.get(doc["chart_url"], timeout=10)
        assert chart.headers["content-type"] == "image/png" and chart.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert httpx.get(f"{base}/", timeout=10).status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Traceback" not in output
