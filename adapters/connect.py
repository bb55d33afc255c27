"""`sentibot connect`: Slack Socket Mode and DingTalk Stream mode side by side, one core.

Like `serve`, it runs the core's background jobs (the daily digest, …): deployments without a
public URL get them too. Given the core of a running `serve` (one process), the jobs still run
once: they belong to the core, not to the runner.
"""

from __future__ import annotations

import asyncio
import logging

from adapters.background import BackgroundWork
from adapters.notifiers import register_notifiers
from bot.config import Settings
from bot.core import Sentibot

log = logging.getLogger(__name__)


async def run_connect(settings: Settings, *, core: Sentibot | None = None) -> None:
    """Connect every configured platform and run the background jobs until cancelled.

    Pass `core` to share one with another runner (then the caller closes it).
    """
    owned = core is None
    core = core or Sentibot(settings=settings)
    register_notifiers(core)
    work = BackgroundWork()
    runners = []
    if settings.slack_bot_token and settings.slack_app_token:
        from adapters.slack.socket_mode import run_socket_mode

        runners.append(run_socket_mode(core, work))
        log.info("Slack Socket Mode: connecting")
    if settings.dingtalk_enabled:
        from adapters.dingtalk.stream import run_stream_mode

        runners.append(run_stream_mode(core, work))
        log.info("DingTalk Stream mode: connecting")
    core.jobs.start()
    try:
        await asyncio.gather(*runners)
    finally:
        await core.jobs.stop()
        await work.drain(timeout=settings.llm_timeout_s + 30)
        if owned:
            await core.aclose()
