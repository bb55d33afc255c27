"""DingTalk client and senders: token cache, errcodes, retries, 加签 webhook, digest targets, render."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlparse

import pytest

from adapters.dingtalk.client import RateLimiter, robot_sign, signed_webhook_url
from adapters.dingtalk.errors import DingTalkError, DingTalkNotConfigured, SessionWebhookExpired
from adapters.dingtalk.outbound import send_to_target
from adapters.dingtalk.render import Markdown, escape, is_public_url, render_reply
from bot.core import MessageContext, Sentibot
from bot.replies import Reply
from tests.standins import dingtalk_server as standin_mod
from tests.standins.dingtalk_fixtures import (
    dingtalk_settings,
    fast_client,
)
from tests.standins.dingtalk_server import DingTalkStandin

MD = Markdown(title="日报", text="#### 日报\n\n共 3 条")


# -- signing ---------------------------------------------------------------------------------------


def test_robot_sign_matches_dingtalks_documented_algorithm() -> None:
    # HMAC-SHA256(key=secret, msg="1700000000000\nSECabc"), base64 — computed independently:
    # printf '1700000000000\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64
    assert robot_sign("SECabc", 1700000000000) == "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM="
    url = signed_webhook_url(
        "https://oapi.dingtalk.com/robot/send?access_token=t", secret="SECabc", timestamp_ms=1
    )
    query = parse_qs(urlparse(url).query)
    assert query["timestamp"] == ["1"]
    assert query["sign"] == [robot_sign("SECabc", 1)]  # URL-encoded on the wire, decoded here
    assert url.endswith("&sign=" + quote_plus(robot_sign("SECabc", 1)))


# -- legacy custom robot -----------------------------------------------------------------------------


async def test_legacy_webhook_is_signed_and_accepted(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin))
    answer = await client.send_robot_webhook(MD)
    assert answer["errcode"] == 0
    [call] = dingtalk_standin.calls_to("/robot/send")
    assert call.json == {"msgtype": "markdown", "markdown": {"title": "日报", "text": "#### 日报\n\n共 3 条"}}
    assert call.query["access_token"] == standin_mod.WEBHOOK_TOKEN
    assert call.query["timestamp"].isdigit()


async def test_legacy_webhook_wrong_secret_is_an_error(
    tmp_path: Path, dingtalk_standin: DingTalkStandin, caplog: pytest.LogCaptureFixture
) -> None:
    settings = dingtalk_settings(tmp_path, dingtalk_standin, DINGTALK_WEBHOOK_SECRET="SECwrong")
    client = fast_client(settings)
    with caplog.at_level(logging.ERROR), pytest.raises(DingTalkError) as raised:
        await client.send_robot_webhook(MD)
    assert raised.value.code == 310000
    assert "加签" in raised.value.meaning
    assert len(dingtalk_standin.calls_to("/robot/send")) == 1  # a permanent error: not retried
    assert any("310000" in r.getMessage() for r in caplog.records)


async def test_legacy_webhook_130101_is_retried_then_succeeds(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    dingtalk_standin.fail_next("/robot/send", body={"errcode": 130101, "errmsg": "send too fast"})
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin))
    assert (await client.send_robot_webhook(MD))["errcode"] == 0
    calls = dingtalk_standin.calls_to("/robot/send")
    assert len(calls) == 2
    assert calls[0].query["sign"]  # each attempt is signed afresh
    assert calls[1].query["sign"]


async def test_legacy_webhook_without_url_says_what_to_set(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    settings = dingtalk_settings(tmp_path, dingtalk_standin, DINGTALK_WEBHOOK_URL=None)
    with pytest.raises(DingTalkNotConfigured, match="DINGTALK_WEBHOOK_URL"):
        await fast_client(settings).send_robot_webhook(MD)


async def test_rate_limiter_allows_20_per_minute() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(max_calls=20, period=60.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(20):
        await limiter.acquire()
        now[0] += 1.0
    assert slept == []
    await limiter.acquire()  # the 21st waits until the first is a minute old
    assert slept == [pytest.approx(40.0)]


# -- OpenAPI sends -----------------------------------------------------------------------------------


async def test_token_is_cached_and_renewed_when_refused(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin))
    await client.send_group("cidGroup==", MD)
    await client.send_group("cidGroup==", MD)
    assert len(dingtalk_standin.calls_to("/v1.0/oauth2/accessToken")) == 1
    dingtalk_standin.tokens.clear()  # DingTalk revoked it
    await client.send_group("cidGroup==", MD)
    assert len(dingtalk_standin.calls_to("/v1.0/oauth2/accessToken")) == 2
    sends = dingtalk_standin.calls_to("/v1.0/robot/groupMessages/send")
    assert len(sends) == 4  # the refused one + three accepted
    assert json.loads(sends[-1].json["msgParam"]) == {"title": "日报", "text": "#### 日报\n\n共 3 条"}


async def test_wrong_app_secret_is_a_clear_error(tmp_path: Path, dingtalk_standin: DingTalkStandin) -> None:
    settings = dingtalk_settings(tmp_path, dingtalk_standin, DINGTALK_CLIENT_SECRET="wrong")
    with pytest.raises(DingTalkError) as raised:
        await fast_client(settings).send_group("cidGroup==", MD)
    assert raised.value.code == "invalidClientIdOrSecret"
    assert "DINGTALK_CLIENT_SECRET" in raised.value.meaning


async def test_openapi_throttling_and_5xx_are_retried(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    dingtalk_standin.fail_next(
        "/v1.0/robot/groupMessages/send",
        status=429,
        body={"code": "Throttling.Api", "message": "请求被流控", "requestid": "r"},
    )
    dingtalk_standin.fail_next("/v1.0/robot/groupMessages/send", status=502, body={"message": "bad gateway"})
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin))
    answer = await client.send_group("cidGroup==", MD)
    assert answer["processQueryKey"]
    assert len(dingtalk_standin.calls_to("/v1.0/robot/groupMessages/send")) == 3


async def test_retries_give_up_and_raise(tmp_path: Path, dingtalk_standin: DingTalkStandin) -> None:
    dingtalk_standin.fail_next(
        "/robot/sendBySession", body={"errcode": 130101, "errmsg": "send too fast"}, times=10
    )
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin), max_attempts=3)
    with pytest.raises(DingTalkError) as raised:
        await client.send_session_webhook(dingtalk_standin.session_webhook(), MD)
    assert raised.value.code == 130101
    assert "too fast" in raised.value.meaning
    assert len(dingtalk_standin.calls_to("/robot/sendBySession")) == 3


async def test_session_webhook_expired_is_its_own_error(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    url = dingtalk_standin.session_webhook()
    dingtalk_standin.expire_session(url)
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin))
    with pytest.raises(SessionWebhookExpired):
        await client.send_session_webhook(url, MD)
    assert len(dingtalk_standin.calls_to("/robot/sendBySession")) == 1  # not retried


async def test_one_to_one_resends_flow_controlled_users(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    dingtalk_standin.fail_next(
        "/v1.0/robot/oToMessages/batchSend",
        body={"processQueryKey": "k1", "invalidStaffIdList": [], "flowControlledStaffIdList": ["u2"]},
    )
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin))
    await client.send_one_to_one(["u1", "u2"], MD)
    calls = dingtalk_standin.calls_to("/v1.0/robot/oToMessages/batchSend")
    assert [c.json["userIds"] for c in calls] == [["u1", "u2"], ["u2"]]


async def test_media_upload_returns_media_id(tmp_path: Path, dingtalk_standin: DingTalkStandin) -> None:
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin))
    media_id = await client.upload_image(b"\x89PNG\r\n\x1a\nfake")
    assert media_id.startswith("@lADP")
    dingtalk_standin.fail_next("/media/upload", body={"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
    with pytest.raises(DingTalkError) as raised:
        await client.upload_image(b"\x89PNG\r\n\x1a\nfake")
    assert raised.value.code == 40004


# -- digest / announcement targets ------------------------------------------------------------------


async def test_digest_to_group_target_with_uploaded_chart(
    dingtalk_core: Sentibot, dingtalk_standin: DingTalkStandin
) -> None:
    await dingtalk_core.handle_message("物流太慢了\n很满意", context=_ctx())
    reply = await dingtalk_core.digest_reply(lang="zh")
    assert reply.chart_id
    client = fast_client(dingtalk_core.settings)
    await send_to_target(reply, core=dingtalk_core, target="dingtalk:cidDigestGroup==", client=client)
    [send] = dingtalk_standin.calls_to("/v1.0/robot/groupMessages/send")
    assert send.json["openConversationId"] == "cidDigestGroup=="
    param = json.loads(send.json["msgParam"])
    assert param["title"] == reply.title
    assert "![chart](@lADP" in param["text"]


async def test_digest_to_legacy_webhook_target(
    dingtalk_core: Sentibot, dingtalk_standin: DingTalkStandin
) -> None:
    reply = await dingtalk_core.digest_reply(lang="en")
    client = fast_client(dingtalk_core.settings)
    answer = await send_to_target(reply, core=dingtalk_core, target="dingtalk-webhook", client=client)
    assert answer["errcode"] == 0
    [call] = dingtalk_standin.calls_to("/robot/send")
    assert call.json["markdown"]["title"] == reply.title
    assert dingtalk_standin.calls_to("/media/upload") == []  # custom robot: images by public URL only
    with pytest.raises(ValueError, match="not a DingTalk target"):
        await send_to_target(reply, core=dingtalk_core, target="slack:C1", client=client)


def _ctx() -> MessageContext:
    return MessageContext(source="dingtalk", channel="cidX==", user="u", thread_key="dingtalk:cidX==")


# -- rendering ---------------------------------------------------------------------------------------


def test_escape_keeps_user_text_literal() -> None:
    assert escape("**bold** [x](http://evil) <b>") == r"\*\*bold\*\* \[x\](http://evil) \<b\>"
    assert escape("# not a heading\n- not a list") == "\\# not a heading  \n\\- not a list"


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("http://127.0.0.1:8000", False),
        ("http://localhost:8000", False),
        ("http://192.168.1.5", False),
        ("http://10.0.0.2:8000", False),
        ("http://sentibot:8000", False),
        ("http://box.local", False),
        ("https://sentibot.example.com", True),
        ("https://8.8.8.8", True),
    ],
)
def test_public_url_decision(url: str, public: bool) -> None:
    assert is_public_url(url) is public


def test_long_reply_is_cut_but_keeps_its_link() -> None:
    reply = Reply(
        kind="stats", lang="zh", title="长", lines=["很长的一行" * 200] * 20, link="https://x.example/runs/1"
    )
    markdown = render_reply(reply)
    assert len(markdown.text.encode()) <= 12_000
    assert "已截断" in markdown.text
    assert markdown.text.endswith("[查看完整结果](https://x.example/runs/1)")


def test_no_tables_and_paragraphs_are_blank_line_separated() -> None:
    reply = Reply(kind="help", lang="en", title="How to use sentibot", lines=["a | b", "c"])
    text = render_reply(reply).text
    assert text == "#### How to use sentibot\n\n- a \\| b\n- c"
