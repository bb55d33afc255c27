"""Importing a file from the web: upload it (raw body, its name in `?filename=`) for a preview and
the recognised columns, then import it with the columns picked. The import is the core's, the
same runner as `sentibot import`."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from adapters.web.deps import ApiAuth, BackgroundDep, CoreDep
from adapters.web.routes.api import ERRORS, NOT_FOUND
from domain.messages import messages_url

router = APIRouter(prefix="/api", dependencies=[ApiAuth], responses=ERRORS)

UploadId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="the id the upload answered")]


class ImportIn(BaseModel):
    """The columns picked (field → column name; `text` is required unless recognised)."""

    fields: dict[str, str] = Field(default_factory=dict, max_length=20)
    source: str = Field(default="import", min_length=1, max_length=100)
    channel: str | None = Field(default=None, max_length=200)


@router.post("/imports", summary="Upload an export (CSV, TSV, XLSX, JSONL) for import: its preview")
async def upload(
    request: Request,
    core: CoreDep,
    filename: Annotated[str, Query(min_length=1, max_length=255, description="the file's name")],
) -> dict[str, Any]:
    """The raw file as the body (at most 5 MB; larger files: `sentibot import`) →
    `{"upload_id", "header", "rows", "fields"}`: its first rows and the recognised columns."""
    return core.preview_upload(filename=filename, data=await request.body()).public()


@router.post("/imports/{upload_id}", responses=NOT_FOUND, summary="Import an uploaded file")
async def run_import(
    upload_id: UploadId, body: ImportIn, core: CoreDep, background: BackgroundDep
) -> dict[str, Any]:
    """Stores and labels every row (duplicates of stored messages are not added again) →
    the import report and `messages_url`, the history page of this source."""
    task = background.spawn(
        core.import_upload(
            upload_id=upload_id, fields=body.fields, source=body.source.strip(), channel=body.channel
        ),
        name=f"import:{upload_id}",
    )
    report = await asyncio.shield(task)
    return {**report.public(), "messages_url": messages_url({"source": body.source.strip()})}
