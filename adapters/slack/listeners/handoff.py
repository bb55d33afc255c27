"""The last step of every Slack listener: hand the work to BackgroundWork and return."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import BackgroundWork
from bot.core import Sentibot

Job = Callable[..., Coroutine[Any, Any, None]]


def hand_off(
    work: BackgroundWork,
    job: Job,
    /,
    *,
    name: str,
    core: Sentibot,
    client: AsyncWebClient,
    **params: Any,
) -> None:
    """The last step of every listener, once the payload is read (acked, claimed): start `job`
    (from adapters/slack/jobs) as background work and return at once, so Slack is answered
    before any model call. The job itself posts the answer, or one line saying what went wrong.
    """
    work.spawn(job(core=core, client=client, **params), name=f"slack-{name}")
