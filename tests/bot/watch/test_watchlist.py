"""Switching the watch on and off: chat (`watch` / 监控), `/sentiment watch`, the setting, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from adapters.background import BackgroundWork
from adapters.cli.main import app as cli
from adapters.dingtalk.callback import dingtalk_router
from bot.config import Settings
from bot.core import MessageContext, Sentibot
from bot.errors import InputError
from tests.standins import dingtalk_server as standin_mod
from tests.standins.dingtalk_fixtures import (
    FakeLabeler,
    dingtalk_settings,
    fast_client,
    robot_message,
    signed_headers,
)
from tests.standins.dingtalk_server import DingTalkStandin
from tests.standins.slack_fixtures import SlackHarness

CHANNEL = "C0WATCHED"


async def test_watch_in_a_slack_channel_then_unwatch(slack: SlackHarness) -> None:
    root = slack.server.seed_message(CHANNEL, {"user": "ULEAD001", "text": f"<@{slack.bot_user_id}> watch"})
    await slack.post_event(
        {
            "type": "app_mention",
            "channel": CHANNEL,
            "user": "ULEAD001",
            "text": f"<@{slack.bot_user_id}> watch",
            "ts": root,
        }
    )
    await slack.settle()
    assert slack.core.watchlist.is_watched("slack", CHANNEL)
    [answer] = slack.server.bot_messages(CHANNEL)
    assert answer["thread_ts"] == root  # asked with a mention: answered under it
    assert "Watching this conversation" in answer["text"]

    await slack.post_command("unwatch", channel=CHANNEL)
    await slack.settle()
    assert not slack.core.watchlist.is_watched("slack", CHANNEL)
    [response] = slack.server.responses
    assert response["response_type"] == "ephemeral"  # nothing posted for the channel to see
    assert "No longer watching" in response["text"]


async def test_slash_command_watch_answers_only_the_lead(slack: SlackHarness) -> None:
    await slack.post_command("监控", channel=CHANNEL)
    await slack.settle()
    assert slack.core.watchlist.is_watched("slack", CHANNEL)
    [response] = slack.server.responses
    assert response["response_type"] == "ephemeral"
    assert "已开始监控" in response["text"]
    assert slack.server.bot_messages(CHANNEL) == []


async def test_watched_by_setting_cannot_be_unwatched_in_chat(tmp_path: Path) -> None:
    settings = Settings(SENTIBOT_DB=str(tmp_path / "s.db"), SENTIBOT_WATCH_CHANNELS=f"slack:{CHANNEL}")
    core = Sentibot(settings=settings, labeler=FakeLabeler())
    try:
        assert core.watchlist.is_watched("slack", CHANNEL)
        context = MessageContext(source="slack", channel=CHANNEL, user="ULEAD001")
        reply = await core.handle_message("unwatch", context=context)
        assert "SENTIBOT_WATCH_CHANNELS" in reply.title
        assert core.watchlist.is_watched("slack", CHANNEL)
        web = await core.handle_message("watch", context=MessageContext(source="web"))
        assert web.kind == "error" and "sentibot watch add" in web.title
        with pytest.raises(InputError, match="slack:CHANNEL_ID"):
            core.watch("#support")
    finally:
        await core.aclose()


def test_a_bad_watch_setting_names_the_entry(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot watch 'web'"):
        Settings(SENTIBOT_DB=str(tmp_path / "s.db"), SENTIBOT_WATCH_CHANNELS="slack:C0A,web")


@pytest.mark.parametrize(("conversation_type", "warned"), [("2", True), ("1", False)])
async def test_dingtalk_watch_in_a_group_says_only_mentions_are_seen(
    tmp_path: Path, dingtalk_standin: DingTalkStandin, conversation_type: str, warned: bool
) -> None:
    core = Sentibot(settings=dingtalk_settings(tmp_path, dingtalk_standin), labeler=FakeLabeler())
    work = BackgroundWork()
    app = FastAPI()
    app.include_router(dingtalk_router(core, work, client=fast_client(core.settings)))
    payload = robot_message(dingtalk_standin, text="监控", conversation_type=conversation_type)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.post(
            "/dingtalk/callback",
            content=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"content-type": "application/json", **signed_headers(standin_mod.CLIENT_SECRET)},
        )
        assert response.status_code == 200
        await work.drain(timeout=10)
    try:
        [call] = dingtalk_standin.calls_to("/robot/sendBySession")
        text = call.json["markdown"]["text"]
        assert "已开始监控" in text
        assert ("只能收到 @它 的消息" in text) is warned
        assert core.watchlist.is_watched("dingtalk", payload["conversationId"])
    finally:
        await core.aclose()


def test_cli_watch_list_add_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTIBOT_DB", str(tmp_path / "cli.db"))
    monkeypatch.setenv("SENTIBOT_WATCH_CHANNELS", "slack:C0FROMENV")
    runner = CliRunner()
    added = runner.invoke(cli, ["watch", "add", "slack:C0SUPPORT"])
    assert added.exit_code == 0, added.output
    assert "watching slack:C0SUPPORT" in added.output
    again = runner.invoke(cli, ["watch", "add", "slack:C0SUPPORT"])
    assert "already watched" in again.output
    listed = runner.invoke(cli, ["watch", "list"])
    assert "slack:C0FROMENV  (SENTIBOT_WATCH_CHANNELS)" in listed.output
    assert "slack:C0SUPPORT  (added" in listed.output
    bad = runner.invoke(cli, ["watch", "add", "#support"])
    assert bad.exit_code == 2 and "slack:CHANNEL_ID" in bad.output
    from_env = runner.invoke(cli, ["watch", "remove", "slack:C0FROMENV"])
    assert from_env.exit_code == 2 and "SENTIBOT_WATCH_CHANNELS" in from_env.output
    removed = runner.invoke(cli, ["watch", "remove", "slack:C0SUPPORT"])
    assert removed.exit_code == 0 and "no longer watching" in removed.output
    assert "C0SUPPORT" not in runner.invoke(cli, ["watch", "list"]).output


async def test_a_watched_dingtalk_chat_is_recorded_silently_commands_still_answered(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    single = "cidStandinSingle=="
    settings = dingtalk_settings(tmp_path, dingtalk_standin, SENTIBOT_WATCH_CHANNELS=f"dingtalk:{single}")
    core = Sentibot(settings=settings, labeler=FakeLabeler())
    core.watcher.batcher.max_wait_s = 0.01
    work = BackgroundWork()
    app = FastAPI()
    app.include_router(dingtalk_router(core, work, client=fast_client(core.settings)))
    headers = {"content-type": "application/json", **signed_headers(standin_mod.CLIENT_SECRET)}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            for text in ("快递三天了还没到，太慢了", "帮助"):
                payload = robot_message(dingtalk_standin, text=text, conversation_type="1")
                body = json.dumps(payload, ensure_ascii=False).encode()
                assert (
                    await http.post("/dingtalk/callback", content=body, headers=headers)
                ).status_code == 200
            await work.drain(timeout=10)
            await core.watcher.batcher.idle()
        [recorded] = core.store.messages.conversation(f"dingtalk:{single}")
        assert (recorded.text, recorded.label, recorded.role) == (
            "快递三天了还没到，太慢了",
            "negative",
            "customer",
        )
        [answer] = dingtalk_standin.calls_to("/robot/sendBySession")  # only the command is answered
        assert "使用说明" in answer.json["markdown"]["text"]
    finally:
        await core.aclose()
