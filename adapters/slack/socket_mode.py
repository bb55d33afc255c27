"""Slack Socket Mode for `sentibot connect`: the same bolt app over a WebSocket, no public URL."""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.background import BackgroundWork
from adapters.slack.app import SlackNotConfigured, build_slack_app
from bot.core import Sentibot

log = logging.getLogger(__name__)


def build_socket_mode_handler(core: Sentibot, *, work: BackgroundWork) -> AsyncSocketModeHandler:
    """The handler (not yet connected) around the very app HTTP mode serves."""
    if not core.settings.slack_app_token:
        raise SlackNotConfigured("Slack Socket Mode is off: set SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN")
    return AsyncSocketModeHandler(build_slack_app(core, work=work), core.settings.slack_app_token)


async def run_socket_mode(core: Sentibot, work: BackgroundWork) -> None:
    """Connect and serve until cancelled; then close the socket. The caller drains `work`
    (`await work.drain()`) and closes the core, after every surface has stopped."""
    handler = build_socket_mode_handler(core, work=work)
    log.info("connecting to Slack in Socket Mode")
    try:
        await handler.start_async()
    finally:
        await handler.close_async()
