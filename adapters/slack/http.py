"""`POST /slack/events` for the FastAPI app: Events API, interactivity and slash commands."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from adapters.background import BackgroundWork
from adapters.slack.app import SlackNotConfigured, build_slack_app
from bot.core import Sentibot

EVENTS_PATH = "/slack/events"


def slack_router(core: Sentibot | None = None, *, work: BackgroundWork | None = None) -> APIRouter:
    """The Slack endpoint.

    Give `core` and `work` when they exist before the app is built; otherwise they are taken on
    the first request from `request.app.state.core` and `request.app.state.work` (what a FastAPI
    lifespan sets up). With Slack not configured the endpoint answers 503 saying what to set.
    """
    router = APIRouter()
    built: dict[str, AsyncSlackRequestHandler] = {}

    def handler(request: Request) -> AsyncSlackRequestHandler:
        if "handler" not in built:
            the_core = core if core is not None else request.app.state.core
            the_work = work if work is not None else request.app.state.work
            if not the_core.settings.slack_signing_secret:
                raise SlackNotConfigured(
                    "Slack HTTP mode is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"
                )
            built["handler"] = AsyncSlackRequestHandler(build_slack_app(the_core, work=the_work))
        return built["handler"]

    @router.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        try:
            slack = handler(request)
        except SlackNotConfigured as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        return await slack.handle(request)

    return router
