"""Fixtures and builders for the DingTalk tests: the stand-in, a core wired to it, payloads."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.dingtalk.client import DingTalkClient, robot_sign
from bot.config import Settings
from bot.core import Sentibot
from bot.labelers import ProgressFn
from domain.models import ConversationVerdict, LabelBatchResult, LabeledItem, TextIn
from tests.standins import dingtalk_server as standin_mod
from tests.standins.dingtalk_server import DingTalkStandin

NEGATIVE_WORDS = ("差", "慢", "失望", "没有解决", "terrible", "slow", "bad", "broken")
POSITIVE_WORDS = ("好", "满意", "谢谢", "great", "love", "thanks")


class FakeLabeler:
    """Deterministic keyword labeller (the offline model may not be built in this checkout).

    A text containing `slow_marker` waits for `gate` before it is labelled (after setting
    `started`), to test what happens while the model has not answered yet.
    """

    name = "fake"
    model: str | None = None
    prompt_version: str | None = None

    def __init__(self, *, gate: asyncio.Event | None = None, slow_marker: str = "SLOW") -> None:
        self.gate = gate
        self.slow_marker = slow_marker
        self.calls: list[list[str]] = []
        self.started = asyncio.Event()

    async def label(self, items: list[TextIn], *, on_progress: ProgressFn | None = None) -> LabelBatchResult:
        self.calls.append([item.text for item in items])
        if self.gate is not None and any(self.slow_marker in item.text for item in items):
            self.started.set()
            await self.gate.wait()
        out = []
        for item in items:
            lower = item.text.lower()
            if any(word in lower for word in NEGATIVE_WORDS):
                label, keywords = "negative", [w for w in NEGATIVE_WORDS if w in lower]
            elif any(word in lower for word in POSITIVE_WORDS):
                label, keywords = "positive", [w for w in POSITIVE_WORDS if w in lower]
            else:
                label, keywords = "neutral", []
            out.append(
                LabeledItem(
                    id=item.id,
                    text=item.text,
                    label=label,  # type: ignore[arg-type]
                    confidence=0.9,
                    explanation=f"fake: {label}",
                    keywords=keywords,
                    labeler="fake",
                    role=item.role,
                )
            )
        if on_progress:
            on_progress(len(items), len(items))
        verdict = None
        if any(item.role for item in items):
            customer = [i for i in out if i.role == "customer"]
            flagged = bool(customer) and customer[-1].label == "negative"
            verdict = ConversationVerdict(
                label=customer[-1].label if customer else "neutral",  # type: ignore[arg-type]
                resolved=not flagged,
                flagged=flagged,
                reason="客户最后仍然不满" if flagged else "客户满意",
            )
        return LabelBatchResult(items=out, conversation=verdict)


@pytest.fixture
def dingtalk_standin() -> Iterator[DingTalkStandin]:
    server = DingTalkStandin().start()
    try:
        yield server
    finally:
        server.stop()


def dingtalk_settings(tmp_path: Path, standin: DingTalkStandin, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "SENTIBOT_DB": str(tmp_path / "sentibot.db"),
        "SENTIBOT_PUBLIC_URL": "http://127.0.0.1:8000",
        "DINGTALK_CLIENT_ID": standin_mod.CLIENT_ID,
        "DINGTALK_CLIENT_SECRET": standin_mod.CLIENT_SECRET,
        "DINGTALK_ROBOT_CODE": standin_mod.ROBOT_CODE,
        "DINGTALK_WEBHOOK_URL": standin.webhook_url,
        "DINGTALK_WEBHOOK_SECRET": standin_mod.WEBHOOK_SECRET,
        "SENTIBOT_DINGTALK_API_URL": standin.url,
        "SENTIBOT_DINGTALK_OAPI_URL": standin.url,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def fast_client(settings: Settings, **overrides: Any) -> DingTalkClient:
    """A client whose retry backoff is milliseconds, so retry tests stay fast."""
    options: dict[str, Any] = {"retry_wait": 0.01, "timeout": 5.0}
    options.update(overrides)
    return DingTalkClient.from_settings(settings, **options)


@pytest.fixture
def fake_labeler() -> FakeLabeler:
    return FakeLabeler()


@pytest.fixture
async def dingtalk_core(
    tmp_path: Path, dingtalk_standin: DingTalkStandin, fake_labeler: FakeLabeler
) -> AsyncIterator[Sentibot]:
    bot = Sentibot(settings=dingtalk_settings(tmp_path, dingtalk_standin), labeler=fake_labeler)
    yield bot
    await bot.aclose()


def robot_message(
    standin: DingTalkStandin,
    *,
    text: str,
    conversation_type: str = "2",
    msgtype: str = "text",
    msg_id: str | None = None,
    conversation_id: str = "cidStandinGroup==",
    sender_staff_id: str = "staff-001",
    webhook_expires_in_s: float = 5400,
) -> dict[str, Any]:
    """A robot message as DingTalk delivers it (HTTP callback body = Stream frame `data`)."""
    now_ms = int(time.time() * 1000)
    data: dict[str, Any] = {
        "conversationId": conversation_id if conversation_type == "2" else "cidStandinSingle==",
        "atUsers": [{"dingtalkId": "$:LWCP_v1:$bot"}] if conversation_type == "2" else [],
        "chatbotCorpId": "dingcorp",
        "chatbotUserId": "$:LWCP_v1:$bot",
        "msgId": msg_id or f"msg{uuid.uuid4().hex[:20]}",
        "senderNick": "张三",
        "isAdmin": False,
        "senderStaffId": sender_staff_id,
        "sessionWebhookExpiredTime": now_ms + int(webhook_expires_in_s * 1000),
        "createAt": now_ms,
        "senderCorpId": "dingcorp",
        "conversationType": conversation_type,
        "senderId": "$:LWCP_v1:$sender",
        "sessionWebhook": standin.session_webhook(),
        "robotCode": standin_mod.ROBOT_CODE,
        "msgtype": msgtype,
    }
    if conversation_type == "2":
        data["conversationTitle"] = "客服质检群"
        data["isInAtList"] = True
    if msgtype == "text":
        data["text"] = {"content": (" @sentibot " if conversation_type == "2" else "") + text}
    elif msgtype == "richText":
        lines = text.split("\n")
        rich: list[dict[str, Any]] = []
        for index, line in enumerate(lines):
            rich.append({"text": line})
            if index == 0:
                rich.append({"downloadCode": "dlcode-picture", "type": "picture"})
        data["content"] = {"richText": rich}
    else:
        data["content"] = {"downloadCode": "dlcode-picture"}
    return data


def signed_headers(secret: str, *, timestamp_ms: int | None = None) -> dict[str, str]:
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    return {"timestamp": str(timestamp_ms), "sign": robot_sign(secret, timestamp_ms)}


__all__ = [
    "FakeLabeler",
    "dingtalk_core",
    "dingtalk_settings",
    "dingtalk_standin",
    "fake_labeler",
    "fast_client",
    "robot_message",
    "signed_headers",
]
