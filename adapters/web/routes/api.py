"""The JSON API: analyze, chat (for the web page), runs, stats, reviews."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from adapters.web.deps import ApiAuth, BackgroundDep, CoreDep
from adapters.web.render import reply_json, review_json, run_json
from adapters.web.schemas import (
    AnalyzeIn,
    AnalyzeOut,
    AskIn,
    AskOut,
    ChatIn,
    ChatOut,
    ErrorOut,
    ReopenIn,
    ResolveIn,
    ReviewOut,
    ReviewsOut,
    RunOut,
    StatsOut,
)
from bot.analysis import AnalysisRequest
from bot.core import MessageContext, PendingRun
from bot.errors import InputError
from domain.models import Turn

# How long `POST /api/chat` waits for a run before answering "running, poll it".
QUICK_WAIT_S = 1.0

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "bad input; `error` says what to fix"},
    401: {"model": ErrorOut, "description": "SENTIBOT_WEB_TOKEN is set and was not sent"},
    413: {"model": ErrorOut, "description": "request body too large"},
    422: {"model": ErrorOut, "description": "wrong JSON shape or types; `error` says which field"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no such run or review"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "the review is already in that state (resolved, or open)"}
}

# Review ids are SQLite's 64-bit row ids.
ReviewId = Annotated[int, Path(ge=1, le=2**63 - 1, description="a review number")]

router = APIRouter(prefix="/api", dependencies=[ApiAuth], responses=ERRORS)


def analysis_request(body: AnalyzeIn) -> AnalysisRequest:
    given = [name for name in ("text", "texts", "conversation") if getattr(body, name) is not None]
    if len(given) != 1:
        raise InputError(
            "send exactly one of `text`, `texts` or `conversation`"
            + (f" (got {', '.join(f'`{g}`' for g in given)})" if given else "")
        )
    common = {"source": "api", "channel": body.channel}
    if body.conversation is not None:
        turns = [Turn(author=t.author, role=t.role, text=t.text) for t in body.conversation]
        return AnalysisRequest(conversation=turns, **common)
    texts = [body.text] if body.text is not None else body.texts
    return AnalysisRequest(texts=texts, **common)


@router.post("/analyze", response_model=AnalyzeOut, summary="Label a comment, a list or a conversation")
async def analyze(body: AnalyzeIn, core: CoreDep, background: BackgroundDep) -> dict:
    """Validates, stores the run (items pending), labels it and answers the contract's JSON.

    The labelling runs as background work, so a client that hangs up does not leave the run
    half-done; the answer is also readable later at `GET /api/runs/{run_id}`.
    """
    context = MessageContext(source="api", channel=body.channel)
    pending = core.start_run(analysis_request(body), context=context)
    task = background.spawn(core.finish_run(pending), name=f"analyze:{pending.run_id}")
    result = await asyncio.shield(task)
    return result.api_json(public_url=core.settings.public_url)


@router.post("/chat", response_model=ChatOut, summary="A message typed in the web chat")
async def chat(body: ChatIn, core: CoreDep, background: BackgroundDep) -> dict:
    """A command (`stats 7d`, `统计 7d`, `review`, `help`, …) answers at once; anything else starts
    a run. Quick runs come back finished; long ones come back `running`: poll `GET /api/runs/{id}`."""
    accepted = await core.accept_message(body.text, context=MessageContext(source="web"))
    if not isinstance(accepted, PendingRun):
        return {"reply": reply_json(accepted)}
    task = background.spawn(core.finish_run(accepted), name=f"chat:{accepted.run_id}")
    await asyncio.wait({task}, timeout=QUICK_WAIT_S)
    return {"run": run_json(core.run(accepted.run_id), public_url=core.settings.public_url)}


@router.post("/ask", response_model=AskOut, summary="Ask about the stored history in plain language")
async def ask(body: AskIn, core: CoreDep) -> dict:
    """Answered from storage: every number in `answer` is one of `facts`; `examples` are stored messages."""
    answer = await core.ask(body.question)
    return answer.api_json(public_url=core.settings.public_url)


@router.get("/runs", summary="Recent runs")
async def recent_runs(core: CoreDep, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict:
    runs = core.recent_runs(limit=limit)
    return {"runs": [{**run, "run_url": f"/runs/{run['id']}"} for run in runs]}


@router.get("/runs/{run_id}", response_model=RunOut, responses=NOT_FOUND, summary="One run (poll it)")
async def get_run(run_id: str, core: CoreDep) -> dict:
    return run_json(core.run(run_id), public_url=core.settings.public_url)


@router.post(
    "/runs/{run_id}/relabel", response_model=RunOut, responses=NOT_FOUND, summary="Label failed items again"
)
async def relabel(run_id: str, core: CoreDep, background: BackgroundDep) -> dict:
    core.run(run_id)  # 404 for an unknown run, before any work starts
    task = background.spawn(core.relabel_failed(run_id=run_id), name=f"relabel:{run_id}")
    await asyncio.shield(task)
    return run_json(core.run(run_id), public_url=core.settings.public_url)


@router.get("/stats", response_model=StatsOut, summary="Sentiment mix over the last N days or a date range")
async def stats(
    core: CoreDep,
    days: Annotated[int, Query(description="1–365")] = 7,
    lang: Annotated[Literal["en", "zh"], Query(description="chart language")] = "en",
    channel: str | None = None,
    from_: Annotated[str | None, Query(alias="from", description="first local day, YYYY-MM-DD")] = None,
    to: Annotated[str | None, Query(description="last local day, YYYY-MM-DD")] = None,
) -> dict:
    """Messages counted by `created_at` in SENTIBOT_TIMEZONE, per day, with `aspects`."""
    report = await core.stats(
        days=days, lang=lang, channel=channel, first=_day(from_, "from"), last=_day(to, "to")
    )
    return report.api_json(public_url=core.settings.public_url)


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"`{name}` must be a date YYYY-MM-DD") from None


@router.get("/reviews", response_model=ReviewsOut, summary="The review queue")
async def reviews(
    core: CoreDep,
    status: Annotated[Literal["open", "resolved", "all"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict:
    found = core.reviews(status=None if status == "all" else status, limit=limit)
    return {"status": status, "count": len(found), "reviews": [review_json(r) for r in found]}


@router.get("/reviews/{review_id}", response_model=ReviewOut, responses=NOT_FOUND, summary="One review")
async def review(review_id: ReviewId, core: CoreDep) -> dict:
    return review_json(core.review(review_id))


@router.post(
    "/reviews/{review_id}/resolve",
    response_model=ReviewOut,
    responses={**NOT_FOUND, **CONFLICT},
    summary="Mark reviewed",
)
async def resolve(review_id: ReviewId, body: ResolveIn, core: CoreDep) -> dict:
    return review_json(
        core.resolve_review(review_id, reviewer=body.reviewer, note=body.note, label=body.label)
    )


@router.post(
    "/reviews/{review_id}/reopen",
    response_model=ReviewOut,
    responses={**NOT_FOUND, **CONFLICT},
    summary="Reopen",
)
async def reopen(review_id: ReviewId, body: ReopenIn, core: CoreDep) -> dict:
    """Back to the open queue. Send `reviewer` (who reopens it), as for resolve."""
    reviewer = body.reviewer.strip()
    if not reviewer:
        raise InputError("reviewer is required: say who reopens it")
    return review_json(core.reopen_review(review_id, actor=reviewer, note=body.note))
