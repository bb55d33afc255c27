"""Live progress in a DingTalk AI card: created, updated within the platform's QPS, finalized;
a throttled update is skipped, not fatal; no template or a refused card → markdown only."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from fastapi import FastAPI

from adapters.background import BackgroundWork
from adapters.dingtalk.callback import dingtalk_router
from adapters.dingtalk.cards import CardThrottle, ProgressCard
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

TEMPLATE = "standin-ai-card.schema"
GROUP = "cidStandinGroup=="
LONG_LIST = "\n".join(["物流太慢了"] * 6 + ["质量很好，很满意"] * 6)


class FakeTime:
    """The card throttle's clock: it moves only when the card waits, so no test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_updates_beyond_our_qps_are_skipped_and_dingtalk_never_throttles(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    dingtalk_standin.card_qps = 5
    fake = FakeTime()
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin))
    card = ProgressCard(
        client,
        template_id=TEMPLATE,
        robot_code=standin_mod.ROBOT_CODE,
        min_interval_s=0.0,
        throttle=CardThrottle(qps=3, clock=fake.clock),  # below DingTalk's 5
        sleep=fake.sleep,
    )
    assert await card.start(group=True, conversation_id=GROUP, staff_id=None, text="⏳ 0/40")
    for done in range(1, 41):
        card.update(f"⏳ {done}/40")
        await card._flusher  # type: ignore[misc]  # each update's send (or skip) completes here
    assert await card.finish("✅ 40/40")  # after waiting for the next second (fake clock)
    assert fake.now >= 0.9
    shown = dingtalk_standin.cards[card.out_track_id]
    assert shown.open_space_id == f"dtv1.card//IM_GROUP.{GROUP}"
    assert shown.finished and shown.content == "✅ 40/40"
    assert dingtalk_standin.throttled == []  # we kept under DingTalk's limit ourselves
    assert card.skipped >= 30  # most intermediate steps were dropped, not queued up


async def test_a_dingtalk_qps_refusal_skips_that_update_and_the_card_still_finishes(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    dingtalk_standin.card_qps = 1  # DingTalk is stricter than we assumed
    client = fast_client(dingtalk_settings(tmp_path, dingtalk_standin))
    card = ProgressCard(
        client,
        template_id=TEMPLATE,
        robot_code=standin_mod.ROBOT_CODE,
        min_interval_s=0.0,
        throttle=CardThrottle(qps=50),
    )
    assert await card.start(group=False, conversation_id="cidSingle", staff_id="staff-001", text="0/3")
    for done in (1, 2, 3):
        card.update(f"{done}/3")
        await card._flusher  # type: ignore[misc]
    assert "/v1.0/card/streaming" in dingtalk_standin.throttled  # answered 403 QpsLimit…
    assert card.skipped >= 1
    assert await card.finish("done")  # waits and tries again: the last state always lands
    shown = dingtalk_standin.cards[card.out_track_id]
    assert shown.open_space_id == "dtv1.card//IM_ROBOT.staff-001"
    assert shown.finished and shown.content == "done"


async def _post_long_list(tmp_path: Path, standin: DingTalkStandin, **settings: str) -> None:
    core = Sentibot(settings=dingtalk_settings(tmp_path, standin, **settings), labeler=FakeLabeler())
    work = BackgroundWork()
    app = FastAPI()
    app.include_router(dingtalk_router(core, work, client=fast_client(core.settings)))
    payload = robot_message(standin, text=LONG_LIST)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            response = await http.post(
                "/dingtalk/callback",
                content=json.dumps(payload, ensure_ascii=False).encode(),
                headers={"content-type": "application/json", **signed_headers(standin_mod.CLIENT_SECRET)},
            )
            assert response.status_code == 200
            await work.drain(timeout=20)
    finally:
        await core.aclose()


async def test_a_long_list_shows_a_progress_card_then_the_markdown_reply(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    await _post_long_list(tmp_path, dingtalk_standin, SENTIBOT_DINGTALK_CARD_TEMPLATE_ID=TEMPLATE)
    [card] = dingtalk_standin.cards.values()
    assert card.template_id == TEMPLATE
    assert card.params["content"].startswith("⏳ 正在标注 0/12")
    assert card.finished and card.content.startswith("✅")
    [reply] = dingtalk_standin.calls_to("/robot/sendBySession")  # the full answer, as before
    assert "负面" in reply.json["markdown"]["text"]


async def test_without_a_template_or_when_the_card_is_refused_only_markdown(
    tmp_path: Path, dingtalk_standin: DingTalkStandin
) -> None:
    await _post_long_list(tmp_path, dingtalk_standin)
    assert dingtalk_standin.calls_to("/v1.0/card/instances/createAndDeliver") == []
    dingtalk_standin.fail_next(
        "/v1.0/card/instances/createAndDeliver",
        status=403,
        body={
            "code": "Forbidden.AccessDenied.AccessTokenPermissionDenied",
            "message": "没有调用该接口的权限",
        },
    )
    await _post_long_list(tmp_path, dingtalk_standin, SENTIBOT_DINGTALK_CARD_TEMPLATE_ID=TEMPLATE)
    assert dingtalk_standin.cards == {}
    assert dingtalk_standin.calls_to("/v1.0/card/streaming") == []
    assert len(dingtalk_standin.calls_to("/robot/sendBySession")) == 2  # both answered in markdown
