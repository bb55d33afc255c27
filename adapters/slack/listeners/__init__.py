"""Bolt listeners: read a Slack payload, claim it, hand the work to BackgroundWork, return."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import BackgroundWork
from bot.core import Sentibot

__all__ = ["hand_off", "register_all"]

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


def register_all(app: AsyncApp, *, core: Sentibot, work: BackgroundWork) -> None:
    # Imported here: the listener modules import `hand_off` from this package.
    from adapters.slack.listeners import actions, commands, events, watch

    # First: bolt runs the first listener that matches, and this one takes only channel messages.
    watch.register(app, core=core, work=work)
    events.register(app, core=core, work=work)
    actions.register(app, core=core, work=work)
    commands.register(app, core=core, work=work)
