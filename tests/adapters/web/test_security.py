"""The web token as an attacker meets it: strong token for network binds, throttled guesses,
sessions that logout really ends, security headers, no Host-built redirects, same-origin checks,
offline /docs, unguessable chart ids."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import time_machine

from adapters.web.main import create_app
from adapters.web.security import COOKIE_NAME, FailureThrottle, check_bind, token_weakness
from bot.config import Settings
from bot.core import Sentibot
from tests.adapters.web.helpers import KeywordLabeler

TOKEN = "kX9-pQ2_vL7zR4mN8wT1"
REPO = Path(__file__).resolve().parents[3]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _client(
    tmp_path: Path, **extra: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Sentibot, FakeClock]]:
    core = Sentibot(
        settings=Settings(
            SENTIBOT_DB=str(tmp_path / "sec.db"), SENTIBOT_PUBLIC_URL="http://127.0.0.1:8000", **extra
        ),
        labeler=KeywordLabeler(),
    )
    app = create_app(core=core)
    clock = FakeClock()
    app.state.login_throttle = FailureThrottle(clock=clock)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client, core, clock
    finally:
        await core.aclose()


@pytest.fixture
async def guarded(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Sentibot, FakeClock]]:
    async for triple in _client(tmp_path, SENTIBOT_WEB_TOKEN=TOKEN):
        yield triple


@pytest.fixture
async def open_app(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Sentibot, FakeClock]]:
    async for triple in _client(tmp_path):
        yield triple


def as_cookie(session: str) -> dict[str, str]:
    """The session cookie as a browser (or a thief who copied it) sends it."""
    return {"Cookie": f"{COOKIE_NAME}={session}"}


# -- a strong token for network binds ------------------------------------------------------------


@pytest.mark.parametrize(
    "weak", ["a", "s3cret-token", "aaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababab", "1234567890123456"]
)
def test_weak_token_is_refused_on_a_network_address(tmp_path: Path, weak: str) -> None:
    settings = Settings(SENTIBOT_DB=str(tmp_path / "x.db"), SENTIBOT_WEB_TOKEN=weak)
    assert token_weakness(weak)
    with pytest.raises(ValueError, match="too weak") as raised:
        check_bind("0.0.0.0", settings)
    assert "\n" not in str(raised.value)
    check_bind("127.0.0.1", settings)  # loopback: any token (or none) is fine


def test_strong_token_is_accepted(tmp_path: Path) -> None:
    for strong in (TOKEN, "correct horse battery staple 42", "Zq4pX0b7Lm2Vt9Kd"):
        assert token_weakness(strong) is None, strong
        check_bind("0.0.0.0", Settings(SENTIBOT_DB=str(tmp_path / "x.db"), SENTIBOT_WEB_TOKEN=strong))


@pytest.mark.slow
def test_serve_on_all_interfaces_with_a_weak_token_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "SENTIBOT_DB": str(tmp_path / "s.db"),
        "SENTIBOT_WEB_TOKEN": "a",
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", "serve", "--host", "0.0.0.0", "--port", "9"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SENTIBOT_WEB_TOKEN is too weak" in lines[0], done.stderr


# -- throttled guesses ---------------------------------------------------------------------------


async def test_wrong_logins_are_throttled_per_client(guarded) -> None:
    client, _, clock = guarded
    for _ in range(5):
        r = await client.post("/login", data={"token": "guess", "next": "/"})
        assert r.status_code == 401
    blocked = await client.post("/login", data={"token": TOKEN, "next": "/"})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "too many wrong tokens" in blocked.text
    # Bearer guesses from that client are blocked too, even with the right token for now.
    assert (await client.get("/api/stats", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 429

    clock.now += int(blocked.headers["retry-after"]) + 1
    assert (await client.post("/login", data={"token": TOKEN, "next": "/"})).status_code == 303


async def test_wrong_bearer_tokens_count_as_failures(guarded) -> None:
    client, _, _ = guarded
    for _ in range(5):
        assert (await client.get("/api/stats", headers={"Authorization": "Bearer nope"})).status_code == 401
    r = await client.get("/api/stats", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 429 and r.json()["error"].startswith("too many wrong tokens")


# -- revocable sessions --------------------------------------------------------------------------


async def _login(client: httpx.AsyncClient) -> str:
    r = await client.post("/login", data={"token": TOKEN, "next": "/reviews"})
    assert r.status_code == 303
    return r.cookies[COOKIE_NAME]


async def test_session_ids_are_random_and_logout_ends_a_copied_session(guarded) -> None:
    client, core, _ = guarded
    first = await _login(client)
    second = await _login(client)
    assert first != second and len(first) >= 40 and TOKEN not in first
    stored = core.store.database.query("SELECT id_sha256 FROM web_sessions")
    assert first not in str(stored)  # only a hash of the id is kept

    client.cookies.clear()
    stolen = as_cookie(first)
    assert (await client.get("/api/reviews", headers=stolen)).status_code == 200
    assert (await client.post("/logout", headers=stolen)).status_code == 303
    assert (await client.get("/api/reviews", headers=stolen)).status_code == 401
    assert (await client.get("/api/reviews", headers=as_cookie(second))).status_code == 200


async def test_sessions_expire(guarded) -> None:
    client, _, _ = guarded
    session = await _login(client)
    client.cookies.clear()
    with time_machine.travel("2099-01-01T00:00:00Z"):
        assert (await client.get("/api/reviews", headers=as_cookie(session))).status_code == 401


async def test_changing_the_token_ends_older_sessions(tmp_path: Path) -> None:
    async for client, _, _ in _client(tmp_path, SENTIBOT_WEB_TOKEN=TOKEN):
        session = await _login(client)
    async for client, _, _ in _client(tmp_path, SENTIBOT_WEB_TOKEN=TOKEN + "-rotated"):
        assert (await client.get("/api/reviews", headers=as_cookie(session))).status_code == 401


# -- headers, redirects, origin ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/reviews", "/api/stats", "/static/app.css", "/healthz", "/nothing-here"]
)
async def test_every_response_carries_the_security_headers(open_app, path: str) -> None:
    client, _, _ = open_app
    r = await client.get(path)
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/reviews/", "/api/reviews/", "/docs/"])
async def test_redirects_do_not_reflect_the_host_header(open_app, path: str) -> None:
    client, _, _ = open_app
    r = await client.get(path, headers={"Host": "evil.example"})
    assert r.status_code in (307, 308)
    assert r.headers["location"] == path.rstrip("/")
    assert "evil" not in r.headers["location"]


async def test_login_redirect_is_relative(guarded) -> None:
    client, _, _ = guarded
    r = await client.get("/reviews", headers={"Host": "evil.example"})
    assert r.headers["location"] == "/login?next=/reviews"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/logout", None),
        ("POST", "/login", {"token": TOKEN}),
        ("POST", "/api/runs/abc/relabel", None),
        ("POST", "/api/analyze", {"text": "hi"}),
        ("POST", "/api/reviews/1/resolve", {"reviewer": "x"}),
    ],
)
async def test_state_changes_from_another_site_are_refused(guarded, method: str, path: str, body) -> None:
    client, core, _ = guarded
    session = await _login(client)
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        kwargs = {"data": body} if path == "/login" else {"json": body} if body else {}
        r = await client.request(method, path, headers=headers, **kwargs)
        assert r.status_code == 403, (path, headers)
        assert "another site" in r.json()["error"] or "cross-site" in r.json()["error"]
    assert core.store.database.query("SELECT count(*) AS n FROM runs")[0]["n"] == 0
    # The same request from this site goes through (the session is still alive).
    same = await client.post("/api/analyze", json={"text": "great"}, headers={"Origin": "http://testserver"})
    assert same.status_code == 200
    assert (await client.get("/api/reviews", headers=as_cookie(session))).status_code == 200


async def test_platform_webhooks_are_not_origin_checked(open_app) -> None:
    client, _, _ = open_app
    r = await client.post("/dingtalk/callback", json={}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 503  # reached the route: DingTalk is not configured here


# -- /docs offline, chart ids --------------------------------------------------------------------


async def test_docs_page_uses_only_local_assets(open_app) -> None:
    client, _, _ = open_app
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "http" not in page.text and "<script>" not in page.text  # no CDN, no inline script
    for asset in ("/docs-assets/swagger-ui.css", "/docs-assets/swagger-ui-bundle.js", "/docs/start.js"):
        assert asset in page.text
        r = await client.get(asset)
        assert r.status_code == 200 and len(r.content) > 20, asset


async def test_chart_ids_are_random_not_a_hash_of_the_picture(open_app) -> None:
    _, core, _ = open_app
    png_a, png_b = b"\x89PNG fake a", b"\x89PNG fake b"
    id_a = core.store.charts.save(png_a, kind="test")
    id_b = core.store.charts.save(png_b, kind="test")
    assert len(id_a) >= 22 and id_a != id_b
    assert id_a not in hashlib.sha256(png_a).hexdigest()
    assert core.store.charts.save(png_a, kind="test") == id_a  # stored once
    assert core.chart(id_a) == png_a
