"""`POST /slack/events` for the FastAPI app: Events API, interactivity and slash commands."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from adapters.background import BackgroundWork
from adapters.slack.app import SlackNotConfigured, build_slack_app
from adapters.slack.request_checks import refuse_or_replay
from bot.core import Sentibot

EVENTS_PATH = "/slack/events"


def slack_router(core: Sentibot, *, work: BackgroundWork) -> APIRouter:
    """The Slack endpoint, serving `core`; listeners hand their jobs to `work`.

    The bolt app is built on the first Slack request (building it needs the Slack settings);
    with Slack not configured the endpoint answers 503 saying what to set.
    """
    router = APIRouter()
    built: list[AsyncSlackRequestHandler] = []

    def handler() -> AsyncSlackRequestHandler:
        if not built:
            if not core.settings.slack_signing_secret:
                raise SlackNotConfigured(
                    "Slack HTTP mode is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"
                )
            built.append(AsyncSlackRequestHandler(build_slack_app(core, work=work)))
        return built[0]

    @router.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        try:
            slack = handler()
        except SlackNotConfigured as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        refused = await refuse_or_replay(
            request, core=core, signing_secret=core.settings.slack_signing_secret or ""
        )
        return refused or await slack.handle(request)

    return router
