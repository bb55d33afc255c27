"""The history over HTTP: helpdesks post messages; tools and pages read messages and conversations.

`POST /api/messages` is authorised by the bearer token (SENTIBOT_WEB_TOKEN) or by
`X-Sentibot-Signature: sha256=<hex HMAC-SHA256(SENTIBOT_INGEST_SECRET, raw body)>`, checked over
the exact bytes received before anything is read from them. A bad signature is a 401 and nothing
is stored. With an ingest secret set and no web token, unsigned posts are refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from adapters.web.deps import ApiAuth, CoreDep
from adapters.web.security import is_authorized
from bot.core import Sentibot
from bot.errors import InputError
from bot.ingest import Busy
from domain.messages import MessageFilter

SIGNATURE_HEADER = "x-sentibot-signature"

router = APIRouter(prefix="/api")


class Unauthorized(Exception):
    """401 with the reason (handled below, as the other API errors: `{"error": ...}`)."""


def _check_ingest_auth(request: Request, body: bytes, core: Sentibot) -> None:
    secret = core.settings.ingest_secret
    has_token = bool(core.settings.web_token)
    signature = request.headers.get(SIGNATURE_HEADER)
    if signature is not None:
        if not secret:
            raise Unauthorized("X-Sentibot-Signature was sent but SENTIBOT_INGEST_SECRET is not set here")
        scheme, _, given = signature.strip().partition("=")
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if scheme.lower() != "sha256" or not hmac.compare_digest(given.strip().lower(), expected):
            raise Unauthorized(
                "bad X-Sentibot-Signature: send sha256=<hex HMAC-SHA256(SENTIBOT_INGEST_SECRET, raw body)>"
            )
        return
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if secret and not has_token and not bearer:
        raise Unauthorized("sign the body: X-Sentibot-Signature: sha256=<hex HMAC of the raw body>")
    if not is_authorized(request, core) or (secret and not has_token and bearer):
        raise Unauthorized(
            "this API needs the token (Authorization: Bearer <SENTIBOT_WEB_TOKEN>) or a signed body"
        )


@router.post(
    "/messages",
    status_code=202,
    summary="Post messages from a helpdesk (labelled in the background)",
    responses={
        401: {"description": "no token and no valid signature; nothing stored"},
        429: {"description": "the labelling queue is full; nothing stored; retry after `Retry-After`"},
    },
)
async def post_messages(request: Request, core: CoreDep) -> JSONResponse:
    """`{"source": "zendesk", "messages": [{"id", "conversation_id", "role", "author", "text",
    "created_at", "channel"}]}` (at most 1 000) → 202 `{"accepted", "duplicates", "rejected"}`."""
    body = await request.body()
    try:
        _check_ingest_auth(request, body, core)
    except Unauthorized as exc:
        return JSONResponse({"error": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InputError('the body must be JSON: {"source": ..., "messages": [...]}') from None
    if not isinstance(doc, dict):
        raise InputError('the body must be a JSON object: {"source": ..., "messages": [...]}')
    try:
        result = core.ingest_messages(source=doc.get("source"), messages=doc.get("messages"))  # type: ignore[arg-type]
    except Busy as exc:
        return JSONResponse(
            {"error": str(exc)}, status_code=429, headers={"Retry-After": str(exc.retry_after)}
        )
    return JSONResponse(result.public(), status_code=202)


def message_filter(
    from_: Annotated[str | None, Query(alias="from", description="first local day, YYYY-MM-DD")] = None,
    to: Annotated[str | None, Query(description="last local day, YYYY-MM-DD")] = None,
    channel: str | None = None,
    label: str | None = None,
    aspect: str | None = None,
    role: str | None = None,
    conversation_id: str | None = None,
    source: str | None = None,
    run_id: Annotated[str | None, Query(max_length=64, description="the messages of one run")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> MessageFilter:
    return MessageFilter(
        first_day=from_ or None,
        last_day=to or None,
        channel=channel or None,
        label=label or None,
        aspect=aspect or None,
        role=role or None,
        conversation_id=conversation_id or None,
        source=source or None,
        run_id=run_id or None,
        q=q or None,
        limit=limit,
        cursor=cursor or None,
    )


@router.get("/messages", dependencies=[ApiAuth], summary="Browse the history (newest first)")
async def list_messages(
    core: CoreDep, wanted: Annotated[MessageFilter, Depends(message_filter)]
) -> dict[str, Any]:
    """`?from=&to=&channel=&label=&aspect=&role=&conversation_id=&run_id=&q=&limit=&cursor=` →
    `{"messages": [...], "next_cursor"}` (pass `cursor=next_cursor` for the next page)."""
    messages, next_cursor = core.messages(wanted)
    return {"messages": [m.public() for m in messages], "next_cursor": next_cursor}


@router.get("/conversations/{conversation_id}", dependencies=[ApiAuth], summary="One conversation")
async def get_conversation(
    core: CoreDep, conversation_id: Annotated[str, Path(max_length=256)]
) -> dict[str, Any]:
    found = core.conversation(conversation_id)
    return {**found, "messages": [m.public() for m in found["messages"]]}
