"""ASGI middleware that every web response goes through (see SECURITY.md):

- security headers: a Content-Security-Policy that allows scripts, styles, fonts, images and
  connections from this site only (no inline script; inline style attributes are allowed for
  the bar widths), no framing (`frame-ancestors 'none'` and `X-Frame-Options: DENY`),
  `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`;
- state-changing requests (POST, PUT, PATCH, DELETE) from a browser on another site are
  refused with 403 before any route runs (`security.cross_site_reason`), for the JSON API,
  `/login`, `/logout` and relabel alike. Slack and DingTalk endpoints are exempt: they are
  called by servers and check their own signatures;
- a path with a trailing slash is redirected with a relative `Location` (`/reviews/` →
  `/reviews`), never one built from the Host header.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.web.security import cross_site_reason
from bot.config import Settings

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Called by chat platforms' servers, which sign their requests; no browser session involved.
SERVER_TO_SERVER = ("/slack/", "/dingtalk/")


class Hardening:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if method in ("GET", "HEAD") and len(path) > 1 and path.endswith("/"):
            query = scope.get("query_string", b"").decode("latin-1")
            location = "/" + path.strip("/") + (f"?{query}" if query else "")
            await _respond(send, 308, b"", [(b"location", location.encode("latin-1", "replace"))])
            return
        if method in UNSAFE_METHODS and not path.startswith(SERVER_TO_SERVER):
            reason = cross_site_reason(Headers(scope=scope), self.settings)
            if reason:
                body = json.dumps({"error": reason}).encode()
                await _respond(send, 403, body, [(b"content-type", b"application/json")])
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in SECURITY_HEADERS if name not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})
