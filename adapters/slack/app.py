"""The Slack app: one bolt `AsyncApp` serving HTTP (`POST /slack/events`) and Socket Mode alike."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import BackgroundWork
from adapters.slack.listeners import register_all
from bot.config import Settings
from bot.core import Sentibot

log = logging.getLogger(__name__)

# Tier 3 methods allow ~50 calls a minute; three waits of Retry-After cover a burst.
RATE_LIMIT_RETRIES = 3


class SlackNotConfigured(RuntimeError):
    """Slack settings are missing; the message names the variables to set."""


def build_web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: the configured base URL, and retries on 429 (after Retry-After),
    on connection errors and on Slack's 500/503."""
    if not settings.slack_bot_token:
        raise SlackNotConfigured("Slack is off: set SLACK_BOT_TOKEN (xoxb-…)")
    base_url = (
        settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    )
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_slack_app(core: Sentibot, *, work: BackgroundWork) -> AsyncApp:
    """The bolt app with every sentibot listener.

    `process_before_response=False`: bolt answers Slack as soon as a listener acks; the listeners
    ack at once and hand the real work to `work`, so a slow model never makes Slack retry, and
    shutdown waits for that work (`work.drain()`) instead of dropping it.
    """
    settings = core.settings
    app = AsyncApp(
        name="sentibot",
        client=build_web_client(settings),
        # HTTP mode verifies every request with it (401 when forged or stale); Socket Mode needs none.
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=False,
    )
    register_all(app, core=core, work=work)
    return app
