"""Bolt listeners: read a Slack payload, claim it, hand the work to BackgroundWork, return."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from adapters.background import BackgroundWork
from adapters.slack.listeners import actions, commands, events, watch
from adapters.slack.listeners.handoff import hand_off
from bot.core import Sentibot

__all__ = ["hand_off", "register_all"]


def register_all(app: AsyncApp, *, core: Sentibot, work: BackgroundWork) -> None:
    # First: bolt runs the first listener that matches, and this one takes only channel messages.
    watch.register(app, core=core, work=work)
    events.register(app, core=core, work=work)
    actions.register(app, core=core, work=work)
    commands.register(app, core=core, work=work)
