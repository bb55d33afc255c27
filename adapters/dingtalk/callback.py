"""`POST /dingtalk/callback`: the app robot's HTTP message receiving mode (outgoing robot).

DingTalk signs each delivery with headers `timestamp` (ms) and
`sign` = base64(HMAC-SHA256(key=app secret, msg=timestamp + "\\n" + app secret)).
A missing or stale timestamp is 401, a wrong sign 403: DingTalk's documented rule is that a
timestamp more than an hour off the server's clock is not a genuine request. The signature covers
only the timestamp (the same sign for every message of that millisecond), not the body, so a
captured pair could carry another body within that hour. Hence:

- the body is type-checked (400 saying which field), and a `sessionWebhook` that is not
  DingTalk's own (see `adapters.dingtalk.safety`) is refused (400, logged): the bot never posts
  to an address a request body chose, only into DingTalk;
- each msgId is handled once (`handle_incoming`), so a replayed message does nothing.

A good delivery is acknowledged at once with `{}`; the reply goes to the message's
sessionWebhook from background work, so a slow model never makes DingTalk time out and redeliver.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from adapters.background import BackgroundWork
from adapters.dingtalk.client import DingTalkClient, robot_sign
from adapters.dingtalk.messages import IncomingMessage, handle_incoming
from adapters.dingtalk.safety import UnsafeDestination, check_session_webhook
from bot.core import Sentibot

log = logging.getLogger(__name__)

MAX_SKEW_MS = 3_600_000


def check_signature(
    *, timestamp: str | None, sign: str | None, secret: str, now_ms: int
) -> tuple[int, str] | None:
    """None when the delivery is genuine, else (HTTP status, reason)."""
    if not timestamp or not sign:
        return 401, "missing timestamp or sign header"
    if not timestamp.isdigit():
        return 401, "timestamp header is not milliseconds since the epoch"
    if abs(now_ms - int(timestamp)) > MAX_SKEW_MS:
        return 401, "timestamp is more than an hour off: stale or replayed delivery"
    expected = robot_sign(secret, int(timestamp))
    if not hmac.compare_digest(expected.encode(), sign.encode()):
        return 403, "sign does not match"
    return None


def dingtalk_router(
    core: Sentibot,
    work: BackgroundWork,
    *,
    client: DingTalkClient | None = None,
    clock: Callable[[], float] = time.time,
) -> APIRouter:
    """The router to include in the FastAPI app: `app.include_router(dingtalk_router(core, work))`."""
    router = APIRouter(tags=["dingtalk"])
    dingtalk = client or DingTalkClient.from_settings(core.settings)

    @router.post("/dingtalk/callback")
    async def dingtalk_callback(request: Request) -> JSONResponse:
        secret = core.settings.dingtalk_client_secret
        if not secret:
            return JSONResponse(
                {"error": "DingTalk is not configured: set DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET"},
                status_code=503,
            )
        refused = check_signature(
            timestamp=request.headers.get("timestamp"),
            sign=request.headers.get("sign"),
            secret=secret,
            now_ms=int(clock() * 1000),
        )
        if refused:
            status, reason = refused
            log.warning("DingTalk callback refused (%d): %s", status, reason)
            return JSONResponse({"error": reason}, status_code=status)
        try:
            message = IncomingMessage.from_payload(json.loads(await request.body()))
            if message.session_webhook:
                check_session_webhook(
                    message.session_webhook, configured_bases=(dingtalk.oapi_url, dingtalk.api_url)
                )
        except UnsafeDestination as exc:
            log.warning("DingTalk callback refused (400): %s", exc)
            return JSONResponse({"error": f"refused: {exc}"}, status_code=400)
        except ValueError as exc:  # also UnicodeDecodeError and JSONDecodeError
            return JSONResponse({"error": f"not a DingTalk robot message: {exc}"}, status_code=400)
        work.spawn(
            handle_incoming(message, core=core, client=dingtalk), name=f"dingtalk-callback:{message.msg_id}"
        )
        return JSONResponse({})

    return router
