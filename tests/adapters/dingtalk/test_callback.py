"""DingTalk HTTP callback: signature check, ack, markdown reply with the chart, fallbacks, dedupe."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.background import BackgroundWork
from adapters.dingtalk.callback import dingtalk_router
from adapters.notifiers import register_notifiers
from bot.core import Sentibot
from tests.standins import dingtalk_server as standin_mod
from tests.standins.dingtalk_fixtures import (
    FakeLabeler,
    dingtalk_settings,
    fast_client,
    robot_message,
    signed_headers,
)
from tests.standins.dingtalk_server import DingTalkStandin

SECRET = standin_mod.CLIENT_SECRET
LIST_TEXT = "物流太慢了，非常失望\n质量很好，很满意\n包装一般"
TRANSCRIPT = "客户: 我的快递三天了还没到，太差了\n客服: 您好，请提供订单号\n客户: 还是没有解决，非常失望"
OTHER_TRANSCRIPT = (
    "客户: 耳机收到就是坏的，要退款\n客服: 请拍照给我们看看\n客户: 等了一周还是没有解决，太失望了"
)
REVIEW_GROUP = "cidReviewRoom=="
# Only turns a deadlock (an ack waiting on the model) into a failure; no test measures time.
DEADLOCK_GUARD_S = 30


class Harness:
    def __init__(self, core: Sentibot, standin: DingTalkStandin) -> None:
        self.core = core
        self.standin = standin
        self.work = BackgroundWork()
        app = FastAPI()
        app.include_router(dingtalk_router(core, self.work, client=fast_client(core.settings)))
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    async def post(self, payload: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        headers = signed_headers(SECRET) if headers is None else headers
        return await self.http.post(
            "/dingtalk/callback",
            content=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"content-type": "application/json", **headers},
        )

    async def settle(self) -> None:
        await self.work.drain(timeout=10)


@pytest.fixture
async def harness(dingtalk_core: Sentibot, dingtalk_standin: DingTalkStandin) -> AsyncIterator[Harness]:
    h = Harness(dingtalk_core, dingtalk_standin)
    yield h
    await h.settle()
    await h.http.aclose()


def webhook_texts(standin: DingTalkStandin) -> list[str]:
    return [call.json["markdown"]["text"] for call in standin.calls_to("/robot/sendBySession")]


@pytest.mark.parametrize(
    ("conversation_type", "msgtype"), [("1", "text"), ("2", "text"), ("1", "richText"), ("2", "richText")]
)
async def test_signed_list_reaches_session_webhook_with_uploaded_chart(
    harness: Harness, dingtalk_standin: DingTalkStandin, conversation_type: str, msgtype: str
) -> None:
    payload = robot_message(
        dingtalk_standin, text=LIST_TEXT, conversation_type=conversation_type, msgtype=msgtype
    )
    response = await harness.post(payload)
    assert response.status_code == 200
    assert response.json() == {}
    await harness.settle()

    [call] = dingtalk_standin.calls_to("/robot/sendBySession")
    assert call.query["session"] in payload["sessionWebhook"]
    assert call.json["msgtype"] == "markdown"
    markdown = call.json["markdown"]
    assert markdown["title"] == "已标注 3 条评论"
    text = markdown["text"]
    assert text.startswith("#### 已标注 3 条评论\n\n")
    assert "🔴 负面 1 (33%)" in text
    assert "**最负面的几条**" in text
    assert "- 🔴 负面 90% · 物流太慢了，非常失望" in text
    assert "|" not in text.replace("\\|", "")  # no tables
    # The chart went through /media/upload (public URL is loopback) and is embedded by media_id.
    [upload] = dingtalk_standin.calls_to("/media/upload")
    assert upload.query["type"] == "image"
    assert upload.files["media"].startswith(b"\x89PNG")
    [media_id] = dingtalk_standin.media
    assert f"![chart]({media_id})" in text
    assert "[查看完整结果](http://127.0.0.1:8000/runs/" in text
    # The message was judged with the @mention stripped and as a list of three.
    assert harness.core.labeler.calls == [["物流太慢了，非常失望", "质量很好，很满意", "包装一般"]]  # type: ignore[attr-defined]


async def test_callback_is_acked_while_the_model_is_still_working(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    """`{}` goes back to DingTalk while the labeller has not answered; the reply comes after."""
    gate = asyncio.Event()
    labeler = FakeLabeler(gate=gate)
    core = Sentibot(settings=dingtalk_settings(tmp_path, dingtalk_standin), labeler=labeler)
    h = Harness(core, dingtalk_standin)
    try:
        payload = robot_message(dingtalk_standin, text="SLOW 物流太慢了")
        # Were the ack waiting for the model, this would never return (the gate is not set);
        # the bound only turns such a deadlock into a failure.
        response = await asyncio.wait_for(h.post(payload), timeout=DEADLOCK_GUARD_S)
        assert response.status_code == 200 and response.json() == {}
        await asyncio.wait_for(labeler.started.wait(), timeout=DEADLOCK_GUARD_S)
        assert not gate.is_set()
        assert webhook_texts(dingtalk_standin) == []

        gate.set()
        await h.settle()
        [text] = webhook_texts(dingtalk_standin)
        assert "负面" in text
    finally:
        gate.set()
        await h.settle()
        await h.http.aclose()
        await core.aclose()


async def test_chart_by_url_when_public_url_is_public(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    settings = dingtalk_settings(
        tmp_path, dingtalk_standin, SENTIBOT_PUBLIC_URL="https://sentibot.example.com"
    )
    core = Sentibot(settings=settings, labeler=FakeLabeler())
    h = Harness(core, dingtalk_standin)
    try:
        assert (await h.post(robot_message(dingtalk_standin, text=LIST_TEXT))).status_code == 200
        await h.settle()
        [text] = webhook_texts(dingtalk_standin)
        assert "![chart](https://sentibot.example.com/charts/" in text
        assert ".png)" in text
        assert dingtalk_standin.calls_to("/media/upload") == []
    finally:
        await h.http.aclose()
        await core.aclose()


async def test_pasted_conversation_gives_verdict_and_review_link(
    harness: Harness, dingtalk_standin: DingTalkStandin
) -> None:
    payload = robot_message(dingtalk_standin, text=TRANSCRIPT, conversation_type="2")
    assert (await harness.post(payload)).status_code == 200
    await harness.settle()
    [text] = webhook_texts(dingtalk_standin)
    assert text.startswith("#### 🚩 客户整体情绪：负面 · 未解决")
    review = harness.core.reviews(status="open")
    assert len(review) == 1
    review_id = review[0]["id"]
    assert f"已加入待审队列（#{review_id}）" in text
    assert text.endswith(
        f"🚩 **在待审队列中**：[查看待审 #{review_id}](http://127.0.0.1:8000/reviews#review-{review_id})"
    )
    assert "![chart](@lADP" in text  # the conversation mood chart


def _announced(standin: DingTalkStandin) -> list[str]:
    """Review announcements sent to the review group (SENTIBOT_REVIEW_TARGETS)."""
    return [
        json.loads(call.json["msgParam"])["text"]
        for call in standin.calls_to("/v1.0/robot/groupMessages/send")
        if call.json["openConversationId"] == REVIEW_GROUP
    ]


@pytest.fixture
async def announcing(tmp_path: Path, dingtalk_standin: DingTalkStandin) -> AsyncIterator[Harness]:
    """A harness whose core announces new reviews to a DingTalk review group."""
    settings = dingtalk_settings(
        tmp_path, dingtalk_standin, SENTIBOT_REVIEW_TARGETS=f"dingtalk:{REVIEW_GROUP}"
    )
    core = Sentibot(settings=settings, labeler=FakeLabeler())
    register_notifiers(core)
    h = Harness(core, dingtalk_standin)
    yield h
    await h.settle()
    await h.http.aclose()
    await core.aclose()


async def test_each_pasted_transcript_in_a_group_is_its_own_review(
    announcing: Harness, dingtalk_standin: DingTalkStandin
) -> None:
    """A group is not a conversation: two transcripts pasted in one group are two reviews."""
    core = announcing.core
    await announcing.post(robot_message(dingtalk_standin, text=TRANSCRIPT))
    await announcing.settle()
    await announcing.post(robot_message(dingtalk_standin, text=OTHER_TRANSCRIPT))
    await announcing.settle()

    reviews = sorted(core.reviews(status="open"), key=lambda r: r["id"])
    assert [r["title"][:4] for r in reviews] == ["我的快递", "耳机收到"]
    assert {r["channel"] for r in reviews} == {"cidStandinGroup=="}
    first, second = reviews
    texts = webhook_texts(dingtalk_standin)
    assert f"已加入待审队列（#{first['id']}）" in texts[0]
    assert f"已加入待审队列（#{second['id']}）" in texts[1]
    # Each new review is announced once to the review group.
    announced = _announced(dingtalk_standin)
    assert len(announced) == 2
    assert f"新的待审对话 #{first['id']}" in announced[0]
    assert f"新的待审对话 #{second['id']}" in announced[1]

    # The same transcript pasted again is the same conversation: its review, not announced again.
    await announcing.post(robot_message(dingtalk_standin, text=OTHER_TRANSCRIPT))
    await announcing.settle()
    assert sorted(r["id"] for r in core.reviews(status=None)) == [first["id"], second["id"]]
    assert f"已加入待审队列（#{second['id']}）" in webhook_texts(dingtalk_standin)[2]
    assert len(_announced(dingtalk_standin)) == 2


async def test_another_transcript_in_the_group_leaves_a_resolved_review_alone(
    announcing: Harness, dingtalk_standin: DingTalkStandin
) -> None:
    core = announcing.core
    await announcing.post(robot_message(dingtalk_standin, text=TRANSCRIPT))
    await announcing.settle()
    [first] = core.reviews(status="open")
    core.resolve_review(first["id"], reviewer="lead.anna")

    await announcing.post(robot_message(dingtalk_standin, text=OTHER_TRANSCRIPT))
    await announcing.settle()

    resolved = core.review(first["id"])
    assert resolved["status"] == "resolved" and resolved["run_id"] == first["run_id"]
    assert resolved["title"] == first["title"]
    [second] = core.reviews(status="open")
    assert second["id"] != first["id"] and second["title"].startswith("耳机收到")
    assert len(_announced(dingtalk_standin)) == 2


async def test_one_line_and_commands(harness: Harness, dingtalk_standin: DingTalkStandin) -> None:
    await harness.post(
        robot_message(dingtalk_standin, text="The delivery was terrible", conversation_type="1")
    )
    await harness.post(robot_message(dingtalk_standin, text="帮助", conversation_type="2"))
    await harness.post(robot_message(dingtalk_standin, text="待审", conversation_type="2"))
    await harness.settle()
    texts = webhook_texts(dingtalk_standin)
    assert len(texts) == 3
    single = next(t for t in texts if "Negative" in t or "negative" in t)
    assert single.startswith("#### 🔴")
    assert "Labelled by fake" in single
    help_text = next(t for t in texts if "使用说明" in t)
    assert "- 统计 7d：近 7 天情感统计和趋势图。" in help_text
    reviews = next(t for t in texts if "待审对话" in t)
    assert "[打开待审队列](http://127.0.0.1:8000/reviews)" in reviews


async def test_picture_only_message_gets_the_cores_answer(
    harness: Harness, dingtalk_standin: DingTalkStandin
) -> None:
    await harness.post(robot_message(dingtalk_standin, text="", msgtype="picture"))
    await harness.settle()
    [text] = webhook_texts(dingtalk_standin)
    assert "the message is empty" in text


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"timestamp": str(int(time.time() * 1000)), "sign": "Zm9yZ2Vk"}, 403),
        ({}, 401),
        ({"timestamp": str(int(time.time() * 1000))}, 401),
        ("stale", 401),
        ("future", 401),
        ("other-secret", 403),
    ],
)
async def test_bad_signatures_are_refused(
    harness: Harness, dingtalk_standin: DingTalkStandin, headers: Any, status: int
) -> None:
    now_ms = int(time.time() * 1000)
    if headers == "stale":
        headers = signed_headers(SECRET, timestamp_ms=now_ms - 3_700_000)
    elif headers == "future":
        headers = signed_headers(SECRET, timestamp_ms=now_ms + 3_700_000)
    elif headers == "other-secret":
        headers = signed_headers("not-the-app-secret", timestamp_ms=now_ms)
    response = await harness.post(robot_message(dingtalk_standin, text="好"), headers=headers)
    assert response.status_code == status
    assert "error" in response.json()
    await harness.settle()
    assert dingtalk_standin.calls == []
    assert harness.core.labeler.calls == []  # type: ignore[attr-defined]


async def test_not_a_robot_message_is_400(harness: Harness) -> None:
    response = await harness.post({"hello": "world"})
    assert response.status_code == 400
    response = await harness.http.post(
        "/dingtalk/callback", content=b"{not json", headers=signed_headers(SECRET)
    )
    assert response.status_code == 400


async def test_duplicate_msg_id_gets_one_reply(harness: Harness, dingtalk_standin: DingTalkStandin) -> None:
    payload = robot_message(dingtalk_standin, text="物流太慢了", msg_id="msgDUPLICATE1")
    for _ in range(3):
        assert (await harness.post(payload)).status_code == 200
    await harness.settle()
    assert len(dingtalk_standin.calls_to("/robot/sendBySession")) == 1


async def test_duplicate_survives_a_restart(tmp_path: Path, dingtalk_standin: DingTalkStandin) -> None:
    payload = robot_message(dingtalk_standin, text="物流太慢了", msg_id="msgRESTART1")
    for _ in range(2):
        core = Sentibot(settings=dingtalk_settings(tmp_path, dingtalk_standin), labeler=FakeLabeler())
        h = Harness(core, dingtalk_standin)
        await h.post(payload)
        await h.settle()
        await h.http.aclose()
        await core.aclose()
    assert len(dingtalk_standin.calls_to("/robot/sendBySession")) == 1


@pytest.mark.parametrize("conversation_type", ["1", "2"])
async def test_expired_webhook_errcode_falls_back_to_openapi(
    harness: Harness, dingtalk_standin: DingTalkStandin, conversation_type: str
) -> None:
    payload = robot_message(dingtalk_standin, text=LIST_TEXT, conversation_type=conversation_type)
    dingtalk_standin.expire_session(payload["sessionWebhook"])
    await harness.post(payload)
    await harness.settle()
    assert len(dingtalk_standin.calls_to("/robot/sendBySession")) == 1  # tried, answered 300001
    if conversation_type == "2":
        [send] = dingtalk_standin.calls_to("/v1.0/robot/groupMessages/send")
        assert send.json["openConversationId"] == payload["conversationId"]
    else:
        [send] = dingtalk_standin.calls_to("/v1.0/robot/oToMessages/batchSend")
        assert send.json["userIds"] == ["staff-001"]
    assert send.json["robotCode"] == standin_mod.ROBOT_CODE
    assert send.json["msgKey"] == "sampleMarkdown"
    param = json.loads(send.json["msgParam"])
    assert param["title"] == "已标注 3 条评论"
    assert "![chart](@lADP" in param["text"]
    # One token for the upload and the send: cached, not fetched per call.
    assert len(dingtalk_standin.calls_to("/v1.0/oauth2/accessToken")) == 1


async def test_expired_webhook_time_skips_the_webhook(
    harness: Harness, dingtalk_standin: DingTalkStandin
) -> None:
    payload = robot_message(dingtalk_standin, text="物流太慢了", webhook_expires_in_s=-10)
    await harness.post(payload)
    await harness.settle()
    assert dingtalk_standin.calls_to("/robot/sendBySession") == []
    assert len(dingtalk_standin.calls_to("/v1.0/robot/groupMessages/send")) == 1


async def test_webhook_rate_limit_is_retried(harness: Harness, dingtalk_standin: DingTalkStandin) -> None:
    dingtalk_standin.fail_next(
        "/robot/sendBySession", body={"errcode": 130101, "errmsg": "send too fast"}, times=2
    )
    await harness.post(robot_message(dingtalk_standin, text="物流太慢了"))
    await harness.settle()
    calls = dingtalk_standin.calls_to("/robot/sendBySession")
    assert len(calls) == 3
    assert calls[0].json == calls[2].json


async def test_permanent_failure_is_logged_not_dropped(
    harness: Harness, dingtalk_standin: DingTalkStandin, caplog: pytest.LogCaptureFixture
) -> None:
    payload = robot_message(dingtalk_standin, text="物流太慢了")
    dingtalk_standin.expire_session(payload["sessionWebhook"])
    dingtalk_standin.fail_next(
        "/v1.0/robot/groupMessages/send",
        status=403,
        body={
            "code": "Forbidden.AccessDenied.AccessTokenPermissionDenied",
            "message": "没有调用该接口的权限",
            "requestid": "r1",
        },
    )
    await harness.post(payload)
    await harness.settle()
    assert len(dingtalk_standin.calls_to("/v1.0/robot/groupMessages/send")) == 1  # not retried
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert any("qyapi_robot_sendmsg" in r.getMessage() for r in errors)
    assert any(payload["msgId"] in r.getMessage() for r in errors)


async def test_with_the_offline_labeller_end_to_end(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    """The shipped offline labeller (no fake) behind the same callback path."""
    core = Sentibot(settings=dingtalk_settings(tmp_path, dingtalk_standin))
    h = Harness(core, dingtalk_standin)
    try:
        await h.post(robot_message(dingtalk_standin, text=LIST_TEXT, conversation_type="2"))
        await h.settle()
        [text] = webhook_texts(dingtalk_standin)
        assert text.startswith("#### 已标注 3 条评论")
        assert "标注来源：offline" in text
        assert "![chart](@lADP" in text
    finally:
        await h.http.aclose()
        await core.aclose()
