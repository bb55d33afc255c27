"""`sentibot doctor`: one line per dependency, saying what is wrong and what to do."""

from __future__ import annotations

from datetime import date

import httpx

from bot.config import Settings
from storage import StorageError, Store

CheckLine = tuple[str, bool, str]


async def run_checks(settings: Settings) -> list[CheckLine]:
    lines: list[CheckLine] = [_check_db(settings)]
    labeller = await _check_labeller(settings)
    lines += labeller
    if settings.uses_llm and all(ok for _, ok, _ in labeller):
        lines.append(await _check_asking(settings))
    if settings.slack_bot_token:
        lines.append(await _check_slack(settings))
    if settings.dingtalk_enabled:
        lines.append(await _check_dingtalk(settings))
    return lines


def _check_db(settings: Settings) -> CheckLine:
    try:
        store = Store(settings.db)
        try:
            store.check_writable()
        finally:
            store.close()
    except StorageError as exc:
        return ("database", False, f"{exc} (set SENTIBOT_DB to a writable path)")
    return ("database", True, f"{settings.db} is writable")


async def _check_labeller(settings: Settings) -> list[CheckLine]:
    if not settings.uses_llm:
        return [("labeller", True, "offline labeller (set SENTIBOT_LLM_BASE_URL to use a Qwen3 server)")]
    from bot.labelers.qwen import QwenLabeler

    labeler = QwenLabeler(settings=settings)
    try:
        return [(line.name, line.ok, line.message) for line in await labeler.check()]
    finally:
        await labeler.aclose()


async def _check_asking(settings: Settings) -> CheckLine:
    from bot.ask.llm import AskModel

    ok, message = await AskModel(settings=settings).check(today=settings_today(settings))
    return ("asking (tool calls)", ok, message)


def settings_today(settings: Settings) -> date:
    from bot.ask.periods import today_in

    return today_in(settings.timezone)


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
