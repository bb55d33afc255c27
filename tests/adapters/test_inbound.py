"""The chat pipeline (adapters/inbound.py) on every platform: the same bad input gets the same
answer, in the language of the message, on Slack, DingTalk and the web chat; a redelivered
message is answered once."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from adapters.dingtalk.messages import IncomingMessage, handle_incoming
from adapters.web.main import create_app
from bot.config import Settings
from bot.core import Sentibot
from tests.standins.dingtalk_fixtures import fast_client, robot_message
from tests.standins.dingtalk_server import DingTalkStandin
from tests.standins.slack_fixtures import LEAD_ID, KeywordLabeler, SlackHarness

BAD_INPUTS = [
    # A pasted conversation with no customer in it, in each language.
    ("客服: 您好，请问有什么可以帮您？\n客服: 在吗？", "这段对话没有客户的发言"),
    ("Agent: hello, how can I help?\nAgent: are you there?", "the conversation has no customer turn"),
    # A list longer than one request takes.
    ("\n".join(["太慢了"] * 2001), "条目太多：2001 条"),
    ("\n".join(["too slow"] * 2001), "too many items: 2001"),
]


async def on_slack(slack: SlackHarness, text: str) -> str:
    ts = slack.server.next_ts()
    event = {"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEAD_ID}
    await slack.post_event({**event, "text": text, "ts": ts, "event_ts": ts})
    await slack.settle()
    [reply] = slack.server.bot_messages("D0LEAD")
    return reply["text"] + json.dumps(reply.get("blocks") or [], ensure_ascii=False)


async def on_slash_command(slack: SlackHarness, text: str) -> str:
    before = len(slack.server.responses)
    await slack.post_command(text)
    await slack.settle()
    [reply] = slack.server.responses[before:]
    assert reply["response_type"] == "ephemeral"  # an error concerns only the one who typed it
    return str(reply["text"]) + json.dumps(reply.get("blocks") or [], ensure_ascii=False)


async def on_dingtalk(core: Sentibot, standin: DingTalkStandin, text: str) -> str:
    message = IncomingMessage.from_payload(robot_message(standin, text=text, conversation_type="1"))
    await handle_incoming(message, core=core, client=fast_client(core.settings))
    [reply] = standin.calls_to("/robot/sendBySession")
    return str(reply.json["markdown"]["text"])


async def on_web(tmp_path: Path, text: str) -> str:
    core = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "web.db")), labeler=KeywordLabeler())
    app = create_app(core=core)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                answer = await client.post("/api/chat", json={"text": text})
    finally:
        await core.aclose()
    assert answer.status_code == 400
    return str(answer.json()["error"])


@pytest.mark.parametrize(("text", "said"), BAD_INPUTS)
async def test_the_same_bad_input_gets_the_same_answer_everywhere(
    text: str,
    said: str,
    tmp_path: Path,
    slack: SlackHarness,
    dingtalk_core: Sentibot,
    dingtalk_standin: DingTalkStandin,
) -> None:
    answers = {
        "slack": await on_slack(slack, text),
        "slack /sentiment": await on_slash_command(slack, text),
        "dingtalk": await on_dingtalk(dingtalk_core, dingtalk_standin, text),
        "web": await on_web(tmp_path, text),
    }
    assert {platform: said in answer for platform, answer in answers.items()} == {
        "slack": True,
        "slack /sentiment": True,
        "dingtalk": True,
        "web": True,
    }, answers
    chinese = said[0] >= "\u4e00"
    for answer in answers.values():  # one language per reply: no English sentence in a Chinese one
        assert ("the conversation" in answer or "too many" in answer) is not chinese


async def test_a_redelivered_message_is_answered_once(
    dingtalk_core: Sentibot, dingtalk_standin: DingTalkStandin
) -> None:
    payload = robot_message(dingtalk_standin, text="物流太慢了", conversation_type="1")
    for _ in range(2):
        message = IncomingMessage.from_payload(payload)
        await handle_incoming(message, core=dingtalk_core, client=fast_client(dingtalk_core.settings))
    assert len(dingtalk_standin.calls_to("/robot/sendBySession")) == 1
