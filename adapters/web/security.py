"""Who may use the web chat and API, and the refuse-to-start check for `sentibot serve`.

Rules (see SECURITY.md):
- No SENTIBOT_WEB_TOKEN: open, and `serve` only binds loopback. Any other address needs a
  strong token (at least 16 characters, 8 of them different, about 80 bits by the character
  classes used) or `serve` stops with one line and exit 2.
- With a token, a request needs `Authorization: Bearer <token>` or a login session cookie. The
  cookie is a random 256-bit session id stored server-side (`storage/sessions.py`) with an
  expiry; logging out deletes it, and changing the token voids every older session.
- Wrong tokens (login form or bearer) are throttled per client address: after
  `MAX_FAILURES` in `FAILURE_WINDOW_S` the client gets 429 with Retry-After until the oldest
  failure leaves the window.
- State-changing requests carried by a browser must come from this site: an `Origin` (or
  `Sec-Fetch-Site: cross-site`) naming another site is refused with 403 (`check_same_origin`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import Request

from bot.config import Settings
from bot.core import Sentibot

COOKIE_NAME = "sentibot_session"
SESSION_LIFETIME = timedelta(days=7)
COOKIE_MAX_AGE = int(SESSION_LIFETIME.total_seconds())
MIN_TOKEN_CHARS = 16
MIN_DISTINCT_CHARS = 8
MIN_TOKEN_BITS = 80
MAX_FAILURES = 5
FAILURE_WINDOW_S = 300.0
TOKEN_HINT = 'e.g. python -c "import secrets; print(secrets.token_urlsafe(24))"'


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`; anything else (0.0.0.0, ::, names) is exposed."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def token_bits(token: str) -> float:
    """A rough strength estimate: length × log2(size of the character classes it uses)."""
    pool = 0
    if any(c.islower() for c in token):
        pool += 26
    if any(c.isupper() for c in token):
        pool += 26
    if any(c.isdigit() for c in token):
        pool += 10
    if any(not c.isalnum() for c in token):
        pool += 33
    return len(token) * math.log2(pool) if pool > 1 else 0.0


def token_weakness(token: str) -> str | None:
    """Why `token` is too weak to guard a server on the network, or None when it is strong."""
    if len(token) < MIN_TOKEN_CHARS:
        return f"it has {len(token)} characters (at least {MIN_TOKEN_CHARS})"
    if len(set(token)) < MIN_DISTINCT_CHARS:
        return f"it repeats too few characters ({len(set(token))} different, at least {MIN_DISTINCT_CHARS})"
    if token_bits(token) < MIN_TOKEN_BITS:
        return f"it is too predictable (about {token_bits(token):.0f} bits, at least {MIN_TOKEN_BITS})"
    return None


def check_bind(host: str, settings: Settings) -> None:
    """Raise ValueError (one line) when `host` is reachable from the network without a strong token."""
    if is_loopback(host):
        return
    where = host or "0.0.0.0"
    if not settings.web_token:
        raise ValueError(
            f"refusing to listen on {where} without SENTIBOT_WEB_TOKEN: anyone on the network "
            f"could use the bot; set a long random token ({TOKEN_HINT}) or bind 127.0.0.1"
        )
    weakness = token_weakness(settings.web_token)
    if weakness:
        raise ValueError(
            f"refusing to listen on {where}: SENTIBOT_WEB_TOKEN is too weak, {weakness}; "
            f"use a long random token ({TOKEN_HINT}) or bind 127.0.0.1"
        )


def token_matches(candidate: str, token: str) -> bool:
    return secrets.compare_digest(candidate.encode(), token.encode())


def token_tag(token: str) -> str:
    """Stored with each session: sessions opened under another token are void."""
    return hmac.new(token.encode(), b"sentibot-web-session/2", hashlib.sha256).hexdigest()[:32]


def open_session(core: Sentibot) -> str:
    """A new login session; returns the id for the cookie."""
    session_id = secrets.token_urlsafe(32)
    core.web_sessions.open(
        session_id, token_tag=token_tag(core.settings.web_token or ""), lifetime=SESSION_LIFETIME
    )
    return session_id


def close_session(request: Request, core: Sentibot) -> None:
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        core.web_sessions.close(cookie)


class FailureThrottle:
    """Failed token attempts per client: at most `MAX_FAILURES` in `FAILURE_WINDOW_S` seconds."""

    def __init__(
        self,
        *,
        max_failures: int = MAX_FAILURES,
        window_s: float = FAILURE_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.get(client, deque())
        cutoff = self._clock() - self.window_s
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            self._failures.pop(client, None)
        return failures

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None when it may try now."""
        failures = self._recent(client)
        if len(failures) < self.max_failures:
            return None
        return max(1, math.ceil(failures[0] + self.window_s - self._clock()))

    def failed(self, client: str) -> None:
        self._recent(client)
        self._failures.setdefault(client, deque()).append(self._clock())


class TooManyFailures(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def throttle_of(request: Request) -> FailureThrottle:
    return request.app.state.login_throttle


def is_authorized(request: Request, core: Sentibot) -> bool:
    """No token configured → open. Else a matching bearer header or a live login session.

    Raises TooManyFailures for a client that sent too many wrong tokens lately.
    """
    token = core.settings.web_token
    if not token:
        return True
    throttle = throttle_of(request)
    wait = throttle.retry_after(client_key(request))
    if wait is not None:
        raise TooManyFailures(wait)
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials:
        if token_matches(credentials.strip(), token):
            return True
        throttle.failed(client_key(request))
        return False
    cookie = request.cookies.get(COOKIE_NAME)
    return cookie is not None and core.web_sessions.is_valid(cookie, token_tag=token_tag(token))


def cross_site_reason(headers: Mapping[str, str], settings: Settings) -> str | None:
    """Why a state-changing request comes from another site (CSRF), or None when it does not.

    Browsers send `Origin` with every POST; API clients (curl, scripts) send none and pass. The
    origin must be this server as the browser reached it (the Host header) or SENTIBOT_PUBLIC_URL.
    """
    if headers.get("sec-fetch-site") == "cross-site":
        return "cross-site request refused"
    origin = headers.get("origin")
    if origin is None:
        return None
    allowed = {headers.get("host", "").lower(), urlsplit(settings.public_url).netloc.lower()}
    netloc = urlsplit(origin).netloc.lower() if origin != "null" else ""
    if not netloc or netloc not in allowed:
        return f"request from another site ({origin[:100]}) refused"
    return None


def safe_next(target: str | None) -> str:
    """Only same-site relative paths after login (no `//host` or `https://…` open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
