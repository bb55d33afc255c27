"""Checks on a Slack HTTP request before bolt sees it.

- `X-Slack-Request-Timestamp` must be whole seconds: anything else is refused with 401 and a
  reason (bolt would crash on it with a 500).
- A validly signed request seen again (same timestamp and signature, i.e. the very same signed
  body) inside Slack's 5-minute signature window is a replay: it is acknowledged and not run
  again. Events are also deduplicated by `event_id` in the listeners; slash commands and
  interactions carry no such id, so this is what makes them run once.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from slack_sdk.signature import SignatureVerifier

from bot.core import Sentibot

TIMESTAMP_HEADER = "x-slack-request-timestamp"
SIGNATURE_HEADER = "x-slack-signature"


async def refuse_or_replay(request: Request, *, core: Sentibot, signing_secret: str) -> Response | None:
    """A response to send instead of handling the request, or None to hand it to bolt."""
    timestamp = request.headers.get(TIMESTAMP_HEADER)
    signature = request.headers.get(SIGNATURE_HEADER)
    if timestamp is not None and not (timestamp.isascii() and timestamp.strip().isdigit()):
        return JSONResponse({"error": f"{TIMESTAMP_HEADER} must be seconds since the epoch"}, status_code=401)
    if not timestamp or not signature:
        return None  # bolt answers 401
    body = await request.body()  # Starlette keeps it for bolt
    if not SignatureVerifier(signing_secret).is_valid(body, timestamp.strip(), signature):
        return None  # bolt answers 401
    if not core.first_delivery(platform="slack-request", delivery_id=f"{timestamp.strip()}:{signature}"):
        return Response(status_code=200)
    return None
