"""Liveness for operators and load balancers (open even when a token is set)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from adapters.web.deps import CoreDep
from adapters.web.schemas import HealthOut

router = APIRouter()


@router.get("/healthz", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def healthz(core: CoreDep) -> JSONResponse:
    try:
        await asyncio.to_thread(core.check_db)
        db = "ok"
    except Exception as exc:
        db = f"error: {exc}"
    body = {"status": "ok" if db == "ok" else "error", "labeler": core.labeler.name, "db": db}
    return JSONResponse(body, status_code=200 if db == "ok" else 503)
