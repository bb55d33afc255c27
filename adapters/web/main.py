"""The FastAPI app: lifespan (one core), exception handlers, routers. `sentibot serve` runs it."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.background import BackgroundWork
from adapters.notifiers import register_notifiers
from adapters.web.deps import LoginRequired
from adapters.web.hardening import Hardening
from adapters.web.page_text import page_lang, page_text
from adapters.web.routes import (
    api,
    charts,
    corrections,
    digests,
    health,
    history,
    imports,
    messages,
    pages,
)
from adapters.web.security import FailureThrottle, TooManyFailures
from adapters.web.validation import describe_validation_error
from bot.config import Settings
from bot.core import Sentibot
from bot.errors import Conflict, InputError, NotFound

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SWAGGER_UI_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
# Largest request body accepted. 2 000 comments of a few hundred characters fit easily.
MAX_BODY_BYTES = 5 * 1024 * 1024


def create_app(
    settings: Settings | None = None, *, core: Sentibot | None = None, scheduler: bool = False
) -> FastAPI:
    """The web chat, API and chart files. Pass `core` to share one (then the caller closes it)."""

    owned = core is None
    # Built eagerly (not in the lifespan) because the chat platform routers need the core.
    app_core = core or Sentibot(settings=settings or Settings())
    work = BackgroundWork()

    register_notifiers(app_core)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if scheduler:
            app_core.jobs.start()  # the digest (and every other background job) runs once per core
        try:
            yield
        finally:
            if scheduler:
                await app_core.jobs.stop()
            # Long enough for a model request in flight to finish: acked work is not dropped.
            await work.drain(timeout=app_core.settings.llm_timeout_s + 30)
            if owned:
                await app_core.aclose()

    app = FastAPI(
        title="sentibot",
        summary="Sentiment labels, conversation checks and a review queue for customer-support leads.",
        version="0.1.0",
        lifespan=lifespan,
        # Served by `pages` behind the token instead of FastAPI's open defaults.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # Starlette's slash redirects build the Location from the Host header; Hardening
        # redirects with a relative one instead.
        redirect_slashes=False,
    )
    app.state.core = app_core
    app.state.background = work
    app.state.login_throttle = FailureThrottle()
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(Hardening, settings=app_core.settings)  # outermost: every response
    _exception_handlers(app)

    app.include_router(health.router)
    app.include_router(charts.router)
    app.include_router(api.router)
    app.include_router(messages.router)
    app.include_router(corrections.router)
    app.include_router(imports.router)
    app.include_router(digests.api_router)
    app.include_router(pages.open_router)
    app.include_router(history.router)
    app.include_router(pages.router)
    app.include_router(digests.page_router)
    # CSS and JS only: nothing secret, so no token needed.
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Swagger UI's files as the fastapi-offline package ships them: /docs works without internet.
    app.mount("/docs-assets", StaticFiles(directory=SWAGGER_UI_DIR), name="docs-assets")

    # Chat platforms check their own signatures, so they are not behind SENTIBOT_WEB_TOKEN.
    _mount_chat_platforms(app, app_core, work)
    return app


def _mount_chat_platforms(app: FastAPI, core: Sentibot, work: BackgroundWork) -> None:
    from adapters.dingtalk.callback import dingtalk_router
    from adapters.slack.http import slack_router

    # Always mounted: without their settings they answer 503 saying what to set.
    app.include_router(dingtalk_router(core, work))
    app.include_router(slack_router(core, work=work))


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/charts/", "/healthz", "/slack/", "/dingtalk/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request):
        return pages.templates.TemplateResponse(
            request,
            "error.html",
            {
                "status": status,
                "message": message,
                "labeler": "",
                "nav": "error",
                "open_reviews": 0,
                "lang": page_lang(request),
                "t": page_text(page_lang(request)),
            },
            status_code=status,
            headers=headers,
        )
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _exception_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return _error(request, 400, str(exc))

    # A subclass of InputError: Starlette picks the handler of the closest class, so this wins.
    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> Response:
        return _error(request, 409, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        content_type = request.headers.get("content-type")
        return _error(request, 422, describe_validation_error(exc.errors(), content_type=content_type))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return _error(request, exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(TooManyFailures)
    async def too_many_failures(request: Request, exc: TooManyFailures) -> Response:
        message = f"too many wrong tokens from your address; try again in {exc.retry_after} s"
        return _error(request, 429, message, headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)


class BodyLimit:
    """413 with a JSON error for bodies over `max_bytes`, declared or streamed (chunked)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        if declared is not None:
            # The server never hands the app more than the declared length.
            await self.app(scope, receive, send)
            return
        # No length given (chunked): read it all here, up to the limit, then replay it.
        chunks: list[Message] = []
        size = 0
        while True:
            message = await receive()
            chunks.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._too_large(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        limit_mb = self.max_bytes // (1024 * 1024)
        message = f"the request body is larger than {limit_mb} MB; send fewer items"
        body = json.dumps({"error": message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
