"""How a reply's chart reaches DingTalk (transport: uploads happen here, never in render.py)."""

from __future__ import annotations

import logging

from adapters.dingtalk.client import DingTalkClient
from adapters.dingtalk.render import is_public_url
from bot.core import Sentibot
from bot.replies import Reply

log = logging.getLogger(__name__)


async def chart_ref(
    reply: Reply, *, core: Sentibot, client: DingTalkClient, upload: bool = True
) -> str | None:
    """The one place that decides how a chart reaches DingTalk: by URL or uploaded.

    A public `SENTIBOT_PUBLIC_URL` serves `/charts/{id}.png` to DingTalk directly; otherwise the
    PNG is uploaded (`/media/upload`) and embedded by media_id. A failed upload is logged and the
    reply goes out without the image rather than not at all. `upload=False` (the legacy custom
    robot, which is not the app and only shows images by URL) gives no image without a public URL.
    """
    if not reply.chart_id:
        return None
    base = core.settings.public_url.rstrip("/")
    if is_public_url(base):
        return f"{base}/charts/{reply.chart_id}.png"
    if not upload:
        log.info("chart %s left out: SENTIBOT_PUBLIC_URL %s is not public", reply.chart_id, base)
        return None
    try:
        png = core.chart(reply.chart_id)
        return await client.upload_image(png, filename=f"{reply.chart_id}.png")
    except Exception:
        log.exception("chart %s could not be uploaded to DingTalk; replying without it", reply.chart_id)
        return None
