"""Messages the bot starts itself (daily digest, review announcements) to DingTalk targets.

Target syntax (SENTIBOT_DIGEST_TARGETS / SENTIBOT_REVIEW_TARGETS):
- `dingtalk:OPEN_CONVERSATION_ID` → the app robot's OpenAPI group send, chart uploaded (or by
  URL when SENTIBOT_PUBLIC_URL is public);
- `dingtalk-webhook` → the legacy group custom robot (DINGTALK_WEBHOOK_URL, 加签 with
  DINGTALK_WEBHOOK_SECRET), at most 20 messages a minute, chart only by public URL.
A failed send raises `DingTalkError` (already logged with DingTalk's meaning): the caller keeps
the digest claimed-but-unsent and retries, nothing is lost.
"""

from __future__ import annotations

from adapters.dingtalk.client import DingTalkClient
from adapters.dingtalk.media import chart_ref
from adapters.dingtalk.render import Markdown, render_reply
from bot.core import Sentibot
from bot.replies import Reply

TARGET_PREFIX = "dingtalk:"
WEBHOOK_TARGET = "dingtalk-webhook"


def is_dingtalk_target(target: str) -> bool:
    return target == WEBHOOK_TARGET or target.startswith(TARGET_PREFIX)


async def render_for_group(reply: Reply, *, core: Sentibot, client: DingTalkClient) -> Markdown:
    chart = await chart_ref(reply, core=core, client=client)
    return render_reply(reply, chart=chart, public_url=core.settings.public_url)


async def send_reply_to_group(
    reply: Reply, *, core: Sentibot, open_conversation_id: str, client: DingTalkClient | None = None
) -> dict[str, object]:
    """The reply (digest, review note) in a group the app robot is in, with its chart."""
    client = client or DingTalkClient.from_settings(core.settings)
    markdown = await render_for_group(reply, core=core, client=client)
    return await client.send_group(open_conversation_id, markdown)


async def send_reply_to_webhook(
    reply: Reply, *, core: Sentibot, client: DingTalkClient | None = None
) -> dict[str, object]:
    """The reply through the legacy custom robot webhook (加签)."""
    client = client or DingTalkClient.from_settings(core.settings)
    chart = await chart_ref(reply, core=core, client=client, upload=False)
    return await client.send_robot_webhook(
        render_reply(reply, chart=chart, public_url=core.settings.public_url)
    )


async def send_to_target(
    reply: Reply, *, core: Sentibot, target: str, client: DingTalkClient | None = None
) -> dict[str, object]:
    """Send to one `dingtalk:…` / `dingtalk-webhook` target; ValueError for any other target."""
    if target == WEBHOOK_TARGET:
        return await send_reply_to_webhook(reply, core=core, client=client)
    if target.startswith(TARGET_PREFIX) and target[len(TARGET_PREFIX) :].strip():
        return await send_reply_to_group(
            reply, core=core, open_conversation_id=target[len(TARGET_PREFIX) :].strip(), client=client
        )
    raise ValueError(
        f"not a DingTalk target: {target!r} (use dingtalk:OPEN_CONVERSATION_ID or dingtalk-webhook)"
    )
