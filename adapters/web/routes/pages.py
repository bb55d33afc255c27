"""HTML pages: the chat, the review queue, one run (and its CSV), login, API docs."""

from __future__ import annotations

import importlib.resources
import io
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from adapters.csv_export import write_items_csv
from adapters.web.deps import CoreDep, PageAuth, SettingsDep
from adapters.web.page_text import page_lang, page_text
from adapters.web.render import (
    STATUS_MARKS,
    chart_path,
    full_chart_path,
    mix_json,
    review_json,
    run_aspects,
    status_marks,
)
from adapters.web.security import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    TooManyFailures,
    client_key,
    close_session,
    open_session,
    safe_next,
    throttle_of,
    token_matches,
)
from bot.core import Sentibot
from bot.errors import NotFound
from bot.replies import analysis_reply
from domain.messages import messages_url

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
# Autoescape on for every template: comment and model text always render as text.
templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True))
templates.env.globals["status_marks"] = status_marks
templates.env.globals["messages_url"] = messages_url

FONT_CACHE = "public, max-age=31536000, immutable"

router = APIRouter(dependencies=[PageAuth], include_in_schema=False)
open_router = APIRouter(include_in_schema=False)


def page(request: Request, name: str, core: Sentibot, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = page_lang(request)
    base = {
        "lang": lang,
        "t": page_text(lang),
        "labeler": core.labeler.name,
        "token_required": bool(core.settings.web_token),
        "open_reviews": len(core.reviews(status="open", limit=500)),
        "status_mark_names": STATUS_MARKS,
        "nav": name.removesuffix(".html"),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


PREVIEW_CHARS = 70


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def recent_runs(core: Sentibot, limit: int) -> list[dict[str, Any]]:
    """The latest runs for the sidebar, each with its first comment (shortened) and label counts."""
    return [
        {
            **run,
            "preview": _shorten(run["preview"] or "", PREVIEW_CHARS),
            "preview_title": _shorten(run["preview"] or "", 300),
        }
        for run in core.recent_runs(limit=limit)
    ]


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request, core: CoreDep) -> HTMLResponse:
    return page(request, "chat.html", core, recent=recent_runs(core, 8))


@router.get("/reviews", response_class=HTMLResponse)
async def reviews_page(request: Request, core: CoreDep) -> HTMLResponse:
    open_reviews = [review_json(core.review(r["id"])) for r in core.reviews(status="open", limit=200)]
    resolved = [review_json(core.review(r["id"])) for r in core.reviews(status="resolved", limit=50)]
    resolved.sort(key=lambda r: r.get("resolved_at") or "", reverse=True)
    return page(request, "reviews.html", core, open_list=open_reviews, resolved_list=resolved)


# Registered before `/runs/{run_id}` so that `abc.csv` is not read as a run id.
@router.get("/runs/{run_id}.csv")
async def run_csv(run_id: str, core: CoreDep) -> Response:
    result = core.run(run_id)
    out = io.StringIO()
    write_items_csv(result.items, out)
    # BOM so that spreadsheet apps read the Chinese correctly.
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sentibot-run-{run_id}.csv"'},
    )


@router.get("/runs/{run_id}", response_class=HTMLResponse)
async def run_page(request: Request, run_id: str, core: CoreDep) -> HTMLResponse:
    result = core.run(run_id)
    reply = (
        analysis_reply(result, public_url=core.settings.public_url) if result.status != "running" else None
    )
    return page(
        request,
        "run.html",
        core,
        run=result,
        reply=reply,
        chart=chart_path(result.chart_id),
        chart_full=full_chart_path(result.chart_id),
        mix=mix_json(result),
        aspects=run_aspects(result),
    )


# Swagger UI from the fastapi-offline package (mounted at /docs-assets by main.py), so the page
# works without internet; its start-up is a script file, not inline, as the CSP requires.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>sentibot API</title>
  <link rel="stylesheet" href="/docs-assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs-assets/swagger-ui-bundle.js"></script>
  <script src="/docs/start.js"></script>
</body>
</html>
"""
DOCS_START = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
});
"""


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE)


@router.get("/docs/start.js")
async def docs_start() -> Response:
    return Response(DOCS_START, media_type="text/javascript")


@router.get("/openapi.json")
async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


# -- open routes: login, logout, the CJK web font -----------------------------------------------


@open_router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, core: CoreDep, next: str = "/") -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "login.html",
        {
            "next": safe_next(next),
            "error": None,
            "labeler": core.labeler.name,
            "t": page_text(page_lang(request)),
        },
    )


@open_router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    settings: SettingsDep,
    core: CoreDep,
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = safe_next(next)
    if not settings.web_token:
        return RedirectResponse(target, status_code=303)
    throttle = throttle_of(request)
    wait = throttle.retry_after(client_key(request))
    if wait is not None:
        raise TooManyFailures(wait)
    if not token_matches(token.strip(), settings.web_token):
        throttle.failed(client_key(request))
        return templates.TemplateResponse(
            request,
            "login.html",
            {
                "next": target,
                "error": "That token is not right.",
                "labeler": core.labeler.name,
                "t": page_text(page_lang(request)),
            },
            status_code=401,
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        open_session(core),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@open_router.post("/logout")
async def logout(request: Request, core: CoreDep) -> Response:
    """Ends the session on the server too: a copied cookie stops working at once."""
    close_session(request, core)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


def _cjk_font() -> Path | None:
    try:
        path = Path(str(importlib.resources.files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


@open_router.get("/fonts/cjk.otf")
async def cjk_font() -> Response:
    """Last-resort CJK font for browsers on machines without one (the CSS lists local fonts first
    and limits it to CJK with unicode-range, so browsers only download it when nothing local can
    draw the Chinese on the page)."""
    path = _cjk_font()
    if path is None:
        raise NotFound("no CJK font installed")
    # The same font file for as long as the URL exists: let browsers keep it for a year unchecked.
    return FileResponse(path, media_type="font/otf", headers={"Cache-Control": FONT_CACHE})
