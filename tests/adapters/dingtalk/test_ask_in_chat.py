"""Asking about the history and correcting a label from DingTalk (HTTP callback, stand-in)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core import Sentibot
from tests.adapters.dingtalk.test_callback import Harness, webhook_texts
from tests.standins.dingtalk_fixtures import robot_message
from tests.standins.dingtalk_server import DingTalkStandin


@pytest.fixture
async def harness(dingtalk_core: Sentibot, dingtalk_standin: DingTalkStandin) -> AsyncIterator[Harness]:
    h = Harness(dingtalk_core, dingtalk_standin)
    yield h
    await h.settle()
    await h.http.aclose()


async def test_ask_then_correct_a_label_in_the_group(
    harness: Harness, dingtalk_standin: DingTalkStandin
) -> None:
    await harness.post(
        robot_message(dingtalk_standin, text="物流太慢了，非常失望\n质量很好，很满意\n包装一般")
    )
    await harness.settle()
    await harness.post(robot_message(dingtalk_standin, text="问 今天负面有多少条？"))
    await harness.settle()
    answer = webhook_texts(dingtalk_standin)[-1]
    assert "3 条已标注消息中 1 条负面（33%）" in answer
    assert "物流太慢了，非常失望" in answer  # the example, quoted with its link
    await harness.post(robot_message(dingtalk_standin, text="纠正 3 负面", sender_staff_id="lead-9"))
    await harness.settle()
    assert "第 3 条已改为负面" in webhook_texts(dingtalk_standin)[-1]
    await harness.post(robot_message(dingtalk_standin, text="问 今天负面有多少条？"))
    await harness.settle()
    assert "3 条已标注消息中 2 条负面（67%）" in webhook_texts(dingtalk_standin)[-1]


async def test_a_customers_own_question_is_labelled(
    harness: Harness, dingtalk_standin: DingTalkStandin
) -> None:
    await harness.post(robot_message(dingtalk_standin, text="为什么我的快递还没到？"))
    await harness.settle()
    [reply] = webhook_texts(dingtalk_standin)
    assert "根据已存消息回答" not in reply
