"""Chart PNGs by id.

Deliberately open even when SENTIBOT_WEB_TOKEN is set: Slack and DingTalk fetch these URLs
without our token. Chart ids are 128-bit random (`secrets.token_urlsafe(16)`), so they cannot
be guessed or listed, and a chart shows counts, never comment text.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import Response

from adapters.web.deps import CoreDep
from bot.errors import NotFound

router = APIRouter()
_CHART_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@router.get(
    "/charts/{chart_id}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, 404: {"description": "no such chart"}},
    summary="A chart image",
)
async def chart(chart_id: str, core: CoreDep) -> Response:
    if not _CHART_ID.match(chart_id):
        raise NotFound(f"no chart {chart_id}")
    png = core.chart(chart_id)
    # A chart never changes once stored.
    return Response(
        png, media_type="image/png", headers={"Cache-Control": "public, max-age=604800, immutable"}
    )
