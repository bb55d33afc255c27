"""`POST /slack/events` for the FastAPI app: Events API, interactivity and slash commands."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from adapters.background import BackgroundWork
from adapters.slack.app import SlackNotConfigured, build_slack_app
from bot.core import Sentibot

EVENTS_PATH = "/slack/events"
# Where the handler built for a FastAPI app is kept, when the core comes from the app's state.
_STATE_KEY = "slack_handler"


def _from_state(request: Request) -> tuple[Sentibot, BackgroundWork]:
    state = request.app.state
    work = getattr(state, "work", None) or getattr(state, "background", None)
    if work is None:
        raise RuntimeError("the app's lifespan must set app.state.work (or .background) to a BackgroundWork")
    return state.core, work


def _build(core: Sentibot, work: BackgroundWork) -> AsyncSlackRequestHandler:
    if not core.settings.slack_signing_secret:
        raise SlackNotConfigured("Slack HTTP mode is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
    return AsyncSlackRequestHandler(build_slack_app(core, work=work))


def slack_router(core: Sentibot | None = None, *, work: BackgroundWork | None = None) -> APIRouter:
    """The Slack endpoint.

    With `core` and `work` given, the bolt app serves that core. Without them, each FastAPI app
    that includes the router gets its own bolt app on its first Slack request, built from
    `request.app.state.core` and `request.app.state.work` (or `.background`), which the app's
    lifespan sets up. With Slack not configured the endpoint answers 503 saying what to set.
    """
    router = APIRouter()
    built: dict[str, AsyncSlackRequestHandler] = {}

    def handler(request: Request) -> AsyncSlackRequestHandler:
        if core is not None and work is not None:
            if "handler" not in built:
                built["handler"] = _build(core, work)
            return built["handler"]
        cached = getattr(request.app.state, _STATE_KEY, None)
        if cached is None:
            cached = _build(*_from_state(request))
            setattr(request.app.state, _STATE_KEY, cached)
        return cached

    @router.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        try:
            slack = handler(request)
        except SlackNotConfigured as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        return await slack.handle(request)

    return router


# For `app.include_router(router)` in an app whose lifespan sets app.state.core / .work (.background).
router = slack_router()
