"""Token auth for the web chat and API, and the refuse-to-start check for `sentibot serve`."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from fastapi import Request

from bot.config import Settings

COOKIE_NAME = "sentibot_session"
COOKIE_MAX_AGE = 30 * 24 * 3600


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`; anything else (0.0.0.0, ::, names) is exposed."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, settings: Settings) -> None:
    """Raise ValueError (one line) when `host` is reachable from the network and no token is set."""
    if not is_loopback(host) and not settings.web_token:
        raise ValueError(
            f"refusing to listen on {host or '0.0.0.0'} without SENTIBOT_WEB_TOKEN: anyone on the network "
            "could use the bot; set a token or bind 127.0.0.1"
        )


def session_value(token: str) -> str:
    """What the login cookie holds: derived from the token, so the token itself never sits in it."""
    return hmac.new(token.encode(), b"sentibot-web-session/1", hashlib.sha256).hexdigest()


def token_matches(candidate: str, token: str) -> bool:
    return secrets.compare_digest(candidate.encode(), token.encode())


def is_authorized(request: Request, settings: Settings) -> bool:
    """No token configured → open. Else a matching bearer header or login cookie is needed."""
    token = settings.web_token
    if not token:
        return True
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials and token_matches(credentials.strip(), token):
        return True
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        return False
    return secrets.compare_digest(cookie.encode(), session_value(token).encode())


def safe_next(target: str | None) -> str:
    """Only same-site relative paths after login (no `//host` or `https://…` open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
