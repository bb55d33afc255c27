"""Setting the right label of a message (from `/messages`, a run page, or any API client)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from adapters.web.deps import ApiAuth, CoreDep
from adapters.web.routes.api import ERRORS, NOT_FOUND
from adapters.web.schemas import CorrectionOut, LabelIn

router = APIRouter(prefix="/api", dependencies=[ApiAuth], responses=ERRORS)
# SQLite integers are 64-bit: a larger id is a 4xx, not an overflow.
MessageId = Annotated[int, Path(ge=1, le=2**63 - 1, description="a message id")]
ItemNo = Annotated[int, Path(ge=1, le=100_000, description="an item's number on the run page")]
RunId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/messages/{message_id}/label",
    response_model=CorrectionOut,
    responses=NOT_FOUND,
    summary="Set the right label of a stored message",
)
async def label_message(message_id: MessageId, body: LabelIn, core: CoreDep) -> dict[str, Any]:
    """Who (`by`) and when are kept; stats and `sentibot eval` use the label from now on."""
    return core.set_message_label(message_id, label=body.label, by=body.by, via="messages", note=body.note)


@router.post(
    "/runs/{run_id}/items/{idx}/label",
    response_model=CorrectionOut,
    responses=NOT_FOUND,
    summary="Set the right label of one item of a run",
)
async def label_item(run_id: RunId, idx: ItemNo, body: LabelIn, core: CoreDep) -> dict[str, Any]:
    return core.set_item_label(run_id, idx, label=body.label, by=body.by, via="run", note=body.note)
