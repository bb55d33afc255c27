"""`sentibot doctor`: one line per dependency, saying what is wrong and what to do."""

from __future__ import annotations

import httpx

from bot.config import Settings
from bot.core import Sentibot
from bot.errors import StorageError

CheckLine = tuple[str, bool, str]


async def run_checks(settings: Settings) -> list[CheckLine]:
    lines: list[CheckLine] = [await _check_db(settings)]
    lines += await _check_labeller(settings)
    if settings.slack_bot_token:
        lines.append(await _check_slack(settings))
    if settings.dingtalk_enabled:
        lines.append(await _check_dingtalk(settings))
    return lines


async def _check_db(settings: Settings) -> CheckLine:
    try:
        core = Sentibot(settings=settings)
        try:
            core.check_db()
        finally:
            await core.aclose()
    except StorageError as exc:
        return ("database", False, f"{exc} (set SENTIBOT_DB to a writable path)")
    return ("database", True, f"{settings.db} is writable")


async def _check_labeller(settings: Settings) -> list[CheckLine]:
    if not settings.uses_llm:
        return [("labeller", True, "offline labeller (set SENTIBOT_LLM_BASE_URL to use a Qwen3 server)")]
    from bot.labelers.qwen import QwenLabeler

    try:
        core: Sentibot | None = Sentibot(settings=settings)
    except StorageError:
        core = None  # the database line already says what is wrong; check the server anyway
    if core is not None:
        try:
            return [(line.name, line.ok, line.message) for line in await core.check_labeller()]
        finally:
            await core.aclose()
    labeler = QwenLabeler(settings=settings)
    try:
        return [(line.name, line.ok, line.message) for line in await labeler.check()]
    finally:
        await labeler.aclose()


async def _check_slack(settings: Settings) -> CheckLine:
    from slack_sdk.errors import SlackApiError

    from adapters.slack.app import build_web_client

    try:
        answer = await build_web_client(settings).auth_test()
    except SlackApiError as exc:
        return ("slack", False, f"auth.test refused: {exc.response.get('error')} (check SLACK_BOT_TOKEN)")
    except Exception as exc:
        return ("slack", False, f"cannot reach {settings.slack_api_url}: {exc}")
    return ("slack", True, f"signed in as {answer.get('user')} in {answer.get('team')}")


async def _check_dingtalk(settings: Settings) -> CheckLine:
    from adapters.dingtalk.client import DingTalkClient
    from adapters.dingtalk.errors import DingTalkError

    try:
        await DingTalkClient.from_settings(settings).access_token()
    except DingTalkError as exc:
        return ("dingtalk", False, f"access token refused: {exc} (check DINGTALK_CLIENT_ID/SECRET)")
    except httpx.HTTPError as exc:
        return ("dingtalk", False, f"cannot reach {settings.dingtalk_api_url}: {exc}")
    return ("dingtalk", True, f"access token issued for app {settings.dingtalk_client_id}")
