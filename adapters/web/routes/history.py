"""The history's pages: every run (`/runs`), the messages with search and filters (`/messages`,
its CSV `/messages.csv`), and importing a file (`/import`).

Filters live in the URL (the names of `GET /api/messages`), so a view can be shared; the pages are
plain GET forms and links, paged with the history's cursor.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from adapters.csv_export import message_csv_chunks
from adapters.web.deps import CoreDep, PageAuth
from adapters.web.render import filter_query
from adapters.web.routes.messages import message_filter
from adapters.web.routes.pages import PREVIEW_CHARS, _shorten, page
from domain.messages import MessageFilter, messages_url
from domain.models import ASPECTS

router = APIRouter(dependencies=[PageAuth], include_in_schema=False)

RUNS_PAGE = 50


@router.get("/runs", response_class=HTMLResponse)
async def runs_page(
    request: Request,
    core: CoreDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = RUNS_PAGE,
) -> HTMLResponse:
    runs, next_cursor = core.runs_page(limit=limit, cursor=cursor)
    shown = [
        {
            **run,
            "preview": _shorten(run["preview"] or "", PREVIEW_CHARS),
            "preview_title": _shorten(run["preview"] or "", 300),
            "labelled": sum(run["counts"].values()),
        }
        for run in runs
    ]
    next_url = f"/runs?cursor={next_cursor}" + (f"&limit={limit}" if limit != RUNS_PAGE else "")
    return page(
        request,
        "runs.html",
        core,
        runs=shown,
        total=core.runs_count(),
        next_url=next_url if next_cursor else None,
        first_url="/runs" if cursor else None,
    )


Wanted = Annotated[MessageFilter, Depends(message_filter)]


@router.get("/import", response_class=HTMLResponse)
async def import_page(request: Request, core: CoreDep) -> HTMLResponse:
    return page(request, "import.html", core)


@router.get("/messages.csv")
async def messages_csv(core: CoreDep, wanted: Wanted) -> StreamingResponse:
    """Every message of the view (all its pages, newest first), streamed."""
    messages = core.export_messages(wanted.model_copy(update={"cursor": None}))
    return StreamingResponse(
        message_csv_chunks(messages),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="sentibot-messages.csv"'},
    )


@router.get("/messages", response_class=HTMLResponse)
async def messages_page(request: Request, core: CoreDep, wanted: Wanted) -> HTMLResponse:
    found, next_cursor = core.messages(wanted)
    query = filter_query(wanted)
    paging = {"limit": str(wanted.limit)} if wanted.limit != 50 else {}
    return page(
        request,
        "messages.html",
        core,
        messages=found,
        corrections=core.label_corrections([m.id for m in found]),
        query=query,
        wanted=wanted,
        aspects=ASPECTS,
        filtered=bool(query),
        next_url=messages_url({**query, **paging, "cursor": next_cursor}) if next_cursor else None,
        first_url=messages_url({**query, **paging}) if wanted.cursor else None,
        csv_url=messages_url(query, "/messages.csv"),
        link=lambda **extra: messages_url(_with(query, extra)),
    )


def _with(query: dict[str, str], extra: dict[str, Any]) -> dict[str, str]:
    """The view's filter with some names set (a value of None drops that filter)."""
    out = dict(query)
    for name, value in extra.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = str(value)
    return out
