"""Registering how the core reaches each chat platform for digests and review announcements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core import Sentibot
from bot.notify import Target
from bot.replies import Reply

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.dingtalk.client import DingTalkClient


class SlackNotifier:
    def __init__(self, core: Sentibot, client: AsyncWebClient) -> None:
        self._core = core
        self._client = client

    async def send(self, *, target: Target, reply: Reply, chart_png: bytes | None) -> None:
        from adapters.slack.jobs import Place, publish

        if not target.address:
            raise ValueError("a Slack target needs a channel id: slack:C0123ABCD")
        await publish(self._client, self._core, place=Place(channel=target.address), reply=reply)


class DingTalkNotifier:
    def __init__(self, core: Sentibot, client: DingTalkClient) -> None:
        self._core = core
        self._client = client  # one per process: it holds the token cache and the webhook rate limit

    async def send(self, *, target: Target, reply: Reply, chart_png: bytes | None) -> None:
        from adapters.dingtalk.outbound import send_to_target

        await send_to_target(reply, core=self._core, target=str(target), client=self._client)


def register_notifiers(core: Sentibot) -> None:
    """Register a notifier for each configured platform (senders raise on failure, for retries)."""
    settings = core.settings
    if settings.slack_bot_token:
        from adapters.slack.app import build_web_client

        core.notifiers.register("slack", SlackNotifier(core, build_web_client(settings)))
    if settings.dingtalk_enabled or settings.dingtalk_webhook_url:
        from adapters.dingtalk.client import DingTalkClient

        notifier = DingTalkNotifier(core, DingTalkClient.from_settings(settings))
        core.notifiers.register("dingtalk", notifier)
        core.notifiers.register("dingtalk-webhook", notifier)
