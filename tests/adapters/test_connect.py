"""`sentibot connect` end to end: DingTalk Stream mode through the real wiring, one core."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.connect import run_connect
from tests.standins.dingtalk_fixtures import dingtalk_settings, robot_message
from tests.standins.dingtalk_server import DingTalkStandin


async def test_connect_answers_a_stream_message_and_stops_cleanly(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    settings = dingtalk_settings(tmp_path, dingtalk_standin)
    connect = asyncio.create_task(run_connect(settings))
    await dingtalk_standin.wait_for(lambda: dingtalk_standin.connected, timeout=30)

    frame_id = dingtalk_standin.push_callback(
        robot_message(dingtalk_standin, text="物流太慢了，客服也不理人")
    )
    await dingtalk_standin.wait_for(
        lambda: len(dingtalk_standin.calls_to("/robot/sendBySession")) == 1, timeout=30
    )
    [ack] = dingtalk_standin.acks
    assert ack["headers"]["messageId"] == frame_id
    [reply] = dingtalk_standin.calls_to("/robot/sendBySession")
    assert "负面" in reply.json["markdown"]["text"]  # labelled by the offline labeller, in Chinese

    connect.cancel()  # Ctrl-C
    with pytest.raises(asyncio.CancelledError):
        await connect
    assert Path(settings.db).is_file()
