"""DingTalk Stream mode through the official SDK against the stand-in gateway and websocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.background import BackgroundWork
from adapters.dingtalk.stream import run_stream_mode
from bot.core import Sentibot
from tests.standins import dingtalk_server as standin_mod
from tests.standins.dingtalk_fixtures import (
    FakeLabeler,
    dingtalk_settings,
    fast_client,
    robot_message,
)
from tests.standins.dingtalk_server import DingTalkStandin


class StreamHarness:
    def __init__(self, core: Sentibot, standin: DingTalkStandin) -> None:
        self.core = core
        self.standin = standin
        self.work = BackgroundWork()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(
            run_stream_mode(self.core, self.work, client=fast_client(self.core.settings))
        )
        await self.standin.wait_for(lambda: self.standin.connected)

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await self.task
        await self.work.drain(timeout=10)


@pytest.fixture
def gate() -> asyncio.Event:
    return asyncio.Event()


@pytest.fixture
async def stream(
    tmp_path: Path, dingtalk_standin: DingTalkStandin, gate: asyncio.Event
) -> AsyncIterator[StreamHarness]:
    core = Sentibot(settings=dingtalk_settings(tmp_path, dingtalk_standin), labeler=FakeLabeler(gate=gate))
    harness = StreamHarness(core, dingtalk_standin)
    await harness.start()
    yield harness
    gate.set()
    await harness.stop()
    await core.aclose()


async def test_gateway_is_opened_with_the_app_credentials(stream: StreamHarness) -> None:
    [call] = stream.standin.calls_to("/v1.0/gateway/connections/open")
    assert call.json["clientId"] == standin_mod.CLIENT_ID
    assert call.json["clientSecret"] == standin_mod.CLIENT_SECRET
    assert {"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"} in call.json["subscriptions"]


async def test_frame_is_acked_with_its_message_id_and_replied(
    stream: StreamHarness, gate: asyncio.Event
) -> None:
    gate.set()
    standin = stream.standin
    payload = robot_message(standin, text="物流太慢了\n质量很好", conversation_type="2")
    frame_id = standin.push_callback(payload)
    await standin.wait_for(lambda: len(standin.acks) == 1)
    [ack] = standin.acks
    assert ack["code"] == 200
    assert ack["headers"]["messageId"] == frame_id
    assert ack["headers"]["contentType"] == "application/json"
    assert json.loads(ack["data"]) == {"response": "OK"}
    await standin.wait_for(lambda: len(standin.calls_to("/robot/sendBySession")) == 1)
    [reply] = standin.calls_to("/robot/sendBySession")
    assert reply.json["markdown"]["title"] == "已标注 2 条评论"
    assert "![chart](@lADP" in reply.json["markdown"]["text"]


async def test_second_message_is_handled_while_the_first_waits_on_a_slow_model(
    stream: StreamHarness, gate: asyncio.Event
) -> None:
    standin = stream.standin
    slow = robot_message(standin, text="SLOW 这条要很久", conversation_type="2")
    fast = robot_message(standin, text="物流太慢了", conversation_type="1")
    slow_id = standin.push_callback(slow)
    await standin.wait_for(lambda: len(standin.acks) == 1)  # acked although still labelling
    fast_id = standin.push_callback(fast)
    await standin.wait_for(lambda: len(standin.acks) == 2)
    assert [a["headers"]["messageId"] for a in standin.acks] == [slow_id, fast_id]
    await standin.wait_for(lambda: len(standin.calls_to("/robot/sendBySession")) == 1)
    [first] = standin.calls_to("/robot/sendBySession")
    assert first.query["session"] in fast["sessionWebhook"]
    # The fast reply's task ends just after the stand-in records the send; the slow one is
    # still waiting on the model.
    await standin.wait_for(lambda: stream.work.pending == 1)
    gate.set()
    await standin.wait_for(lambda: len(standin.calls_to("/robot/sendBySession")) == 2)
    second = standin.calls_to("/robot/sendBySession")[1]
    assert second.query["session"] in slow["sessionWebhook"]


async def test_redelivered_frame_is_acked_but_replied_once(
    stream: StreamHarness, gate: asyncio.Event
) -> None:
    gate.set()
    standin = stream.standin
    payload = robot_message(standin, text="好评", msg_id="msgSTREAMDUP")
    standin.push_callback(payload)
    standin.push_callback(payload)
    # A frame is acked after its handling was handed to `work`: both are in it by now.
    await standin.wait_for(lambda: len(standin.acks) == 2)
    await stream.work.drain(timeout=10)
    assert len(standin.calls_to("/robot/sendBySession")) == 1


async def test_expired_webhook_in_stream_mode_uses_openapi(
    stream: StreamHarness, gate: asyncio.Event
) -> None:
    gate.set()
    standin = stream.standin
    payload = robot_message(standin, text="物流太慢了", conversation_type="1")
    standin.expire_session(payload["sessionWebhook"])
    standin.push_callback(payload)
    await standin.wait_for(lambda: len(standin.calls_to("/v1.0/robot/oToMessages/batchSend")) == 1)
    [send] = standin.calls_to("/v1.0/robot/oToMessages/batchSend")
    assert send.json["userIds"] == ["staff-001"]


async def test_unreadable_frame_is_acked_and_ignored(stream: StreamHarness) -> None:
    standin = stream.standin
    standin.push_callback({"unexpected": True})
    await standin.wait_for(lambda: len(standin.acks) == 1)
    assert standin.acks[0]["code"] == 200
    assert stream.work.pending == 0


async def test_reconnects_after_the_socket_drops(stream: StreamHarness, gate: asyncio.Event) -> None:
    gate.set()
    standin = stream.standin
    standin.stop_sockets()
    await standin.wait_for(lambda: standin.connections_opened == 2, timeout=10)
    await standin.wait_for(lambda: standin.connected)
    standin.push_callback(robot_message(standin, text="物流太慢了"))
    await standin.wait_for(lambda: len(standin.calls_to("/robot/sendBySession")) == 1)
