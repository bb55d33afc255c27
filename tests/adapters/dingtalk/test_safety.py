"""No DingTalk request goes where a request body says: sessionWebhook allow-list, id shapes,
type-checked bodies (4xx, never 500), replays handled once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.background import BackgroundWork
from adapters.dingtalk.callback import dingtalk_router
from adapters.dingtalk.messages import IncomingMessage, deliver
from adapters.dingtalk.render import Markdown
from adapters.dingtalk.safety import UnsafeDestination, check_conversation_id, check_session_webhook
from bot.core import Sentibot
from tests.standins import dingtalk_server as standin_mod
from tests.standins.dingtalk_fixtures import FakeLabeler, fast_client, robot_message, signed_headers
from tests.standins.dingtalk_server import DingTalkStandin
from tests.standins.sink import RequestSink

SECRET = standin_mod.CLIENT_SECRET
DINGTALK = ("https://oapi.dingtalk.com", "https://api.dingtalk.com")


@pytest.fixture
def sink() -> Iterator[RequestSink]:
    with RequestSink() as server:
        yield server


class Callback:
    def __init__(self, core: Sentibot) -> None:
        self.core = core
        self.work = BackgroundWork()
        app = FastAPI()
        app.include_router(dingtalk_router(core, self.work, client=fast_client(core.settings)))
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    async def post(self, payload: Any) -> httpx.Response:
        response = await self.http.post(
            "/dingtalk/callback",
            content=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"content-type": "application/json", **signed_headers(SECRET)},
        )
        await self.work.drain(timeout=10)
        return response


@pytest.fixture
async def callback(dingtalk_core: Sentibot) -> AsyncIterator[Callback]:
    c = Callback(dingtalk_core)
    yield c
    await c.http.aclose()


def stored_runs(core: Sentibot) -> int:
    return len(core.recent_runs(limit=50))


@pytest.mark.parametrize(
    "target",
    [
        "{sink}/internal/admin",
        "{sink}/robot/sendBySession?session=x",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "file:///etc/passwd",
        "https://oapi.dingtalk.com.{sink_host}/robot/sendBySession?session=x",
        "https://user:pw@oapi.dingtalk.com/robot/sendBySession?session=x",
        "http://oapi.dingtalk.com/robot/sendBySession?session=x",
        "https://oapi.dingtalk.com/internal/admin",
    ],
)
async def test_callback_refuses_a_session_webhook_that_is_not_dingtalks(
    callback: Callback, dingtalk_standin: DingTalkStandin, sink: RequestSink, target: str
) -> None:
    payload = robot_message(dingtalk_standin, text="物流太慢了")
    payload["sessionWebhook"] = target.format(sink=sink.url, sink_host="127.0.0.1.nip.io")
    response = await callback.post(payload)
    assert response.status_code == 400
    assert "sessionWebhook" in response.json()["error"]
    assert sink.received == []
    assert dingtalk_standin.calls_to("/robot/sendBySession") == []
    assert stored_runs(callback.core) == 0  # nothing labelled, nothing stored


async def test_stream_message_with_a_foreign_webhook_replies_through_the_openapi_only(
    tmp_path: Path, dingtalk_core: Sentibot, dingtalk_standin: DingTalkStandin, sink: RequestSink
) -> None:
    """Stream mode has no HTTP refusal: the client itself refuses the address and the reply
    goes to the conversation through DingTalk's OpenAPI."""
    payload = robot_message(dingtalk_standin, text="物流太慢了")
    payload["sessionWebhook"] = f"{sink.url}/robot/sendBySession?session=x"
    message = IncomingMessage.from_payload(payload)
    way = await deliver(
        message, Markdown(title="t", text="hello"), client=fast_client(dingtalk_core.settings)
    )
    assert way == "group"
    assert sink.received == []
    [send] = dingtalk_standin.calls_to("/v1.0/robot/groupMessages/send")
    assert send.json["openConversationId"] == payload["conversationId"]


async def test_genuine_session_webhook_on_the_configured_base_is_still_used(
    callback: Callback, dingtalk_standin: DingTalkStandin
) -> None:
    response = await callback.post(robot_message(dingtalk_standin, text="物流太慢了"))
    assert response.status_code == 200
    assert len(dingtalk_standin.calls_to("/robot/sendBySession")) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": "hi"}, "text"),
        ({"sessionWebhookExpiredTime": [1]}, "sessionWebhookExpiredTime"),
        ({"sessionWebhookExpiredTime": "soon"}, "sessionWebhookExpiredTime"),
        ({"msgId": {"a": 1}}, "msgId"),
        ({"senderStaffId": ["x"]}, "senderStaffId"),
        ({"conversationType": "9"}, "conversationType"),
        ({"conversationId": "../../v1.0/oauth2"}, "conversation id"),
        ({"senderStaffId": "a b/../c"}, "staff id"),
    ],
)
async def test_signed_body_with_wrong_types_is_a_400_saying_which_field(
    callback: Callback, dingtalk_standin: DingTalkStandin, change: dict[str, Any], field: str
) -> None:
    payload = robot_message(dingtalk_standin, text="物流太慢了")
    payload.update(change)
    response = await callback.post(payload)
    assert response.status_code == 400
    assert field in response.json()["error"]
    assert stored_runs(callback.core) == 0
    assert dingtalk_standin.calls == []


async def test_replayed_message_is_handled_once(
    callback: Callback, dingtalk_standin: DingTalkStandin, fake_labeler: FakeLabeler
) -> None:
    payload = robot_message(dingtalk_standin, text="物流太慢了")
    first = await callback.post(payload)
    again = await callback.post(payload)
    assert first.status_code == again.status_code == 200
    assert len(fake_labeler.calls) == 1
    assert len(dingtalk_standin.calls_to("/robot/sendBySession")) == 1


async def test_stale_signature_is_refused(callback: Callback, dingtalk_standin: DingTalkStandin) -> None:
    from adapters.dingtalk.callback import MAX_SKEW_MS

    assert MAX_SKEW_MS == 3_600_000  # DingTalk's documented rule: more than an hour off is not genuine
    stale = signed_headers(SECRET, timestamp_ms=1_000_000_000_000)
    response = await callback.http.post(
        "/dingtalk/callback",
        content=json.dumps(robot_message(dingtalk_standin, text="hi")).encode(),
        headers={"content-type": "application/json", **stale},
    )
    assert response.status_code == 401


def test_digest_target_conversation_id_is_checked() -> None:
    assert check_conversation_id("cidAbC+/0==") == "cidAbC+/0=="
    for bad in ("", "abc", "cid", "cid../x", "cid\n"):
        with pytest.raises(UnsafeDestination):
            check_conversation_id(bad)


def test_real_dingtalk_session_webhook_is_allowed() -> None:
    check_session_webhook(
        "https://oapi.dingtalk.com/robot/sendBySession?session=abc", configured_bases=DINGTALK
    )
    with pytest.raises(UnsafeDestination):
        check_session_webhook("https://oapi.dingtalk.com:8443/robot/sendBySession", configured_bases=DINGTALK)
