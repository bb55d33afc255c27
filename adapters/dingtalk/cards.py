"""Live progress of long work in a DingTalk AI card (互动卡片, streaming updates), as Slack
updates its "working on it" message.

Rules
- A card is used only when SENTIBOT_DINGTALK_CARD_TEMPLATE_ID names an AI card template (made
  in DingTalk's card builder, with a markdown variable `content`) and the job is long (a list of
  at least `LONG_JOB_ITEMS` lines). Otherwise — or when the card cannot be created — the reply is
  the markdown message alone, as before (the fallback).
- The card is created and delivered in one call (`POST /v1.0/card/instances/createAndDeliver`,
  into the group, or the one-to-one chat with the robot); progress goes out as full-content
  streaming updates (`PUT /v1.0/card/streaming`); the last update finalizes it.
- Throttled to DingTalk's limits: at most one update per card every `min_interval_s`, and at
  most `qps` card calls per second across the whole process (DingTalk counts per app and API).
  An update refused with 403 `Forbidden.AccessDenied.QpsLimit…` is skipped — the next one
  carries newer progress anyway — and that card's interval doubles. The final update is tried a
  few times, after the same waits.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable

from adapters.dingtalk.client import DingTalkClient
from adapters.dingtalk.errors import DingTalkError

log = logging.getLogger(__name__)

LONG_JOB_ITEMS = 10
CONTENT_KEY = "content"
CARD_QPS = 20  # DingTalk's default per app and API
FINAL_ATTEMPTS = 4
THROTTLED_WAIT_S = 1.0


class CardThrottle:
    """At most `qps` calls in any second, across every card of the process (non-blocking)."""

    def __init__(self, qps: int = CARD_QPS, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.qps = qps
        self._clock = clock
        self._sent: deque[float] = deque()

    def try_acquire(self) -> bool:
        now = self._clock()
        while self._sent and now - self._sent[0] >= 1.0:
            self._sent.popleft()
        if len(self._sent) >= self.qps:
            return False
        self._sent.append(now)
        return True

    def wait_s(self) -> float:
        return max(0.0, 1.0 - (self._clock() - self._sent[0])) if self._sent else 0.0


_THROTTLE = CardThrottle()


def progress_text(done: int, total: int, *, zh: bool) -> str:
    filled = round(20 * done / total) if total else 0
    bar = "▓" * filled + "░" * (20 - filled)
    return f"⏳ 正在标注 {done}/{total}\n\n{bar}" if zh else f"⏳ Labelling {done}/{total}\n\n{bar}"


class ProgressCard:
    def __init__(
        self,
        client: DingTalkClient,
        *,
        template_id: str,
        robot_code: str,
        min_interval_s: float = 1.0,
        throttle: CardThrottle | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.template_id = template_id
        self.robot_code = robot_code
        self.min_interval_s = min_interval_s
        self.throttle = throttle or _THROTTLE
        self._sleep = sleep
        self.out_track_id = f"sentibot-{uuid.uuid4().hex}"
        self.live = False
        self._latest: str | None = None
        self._sent: str | None = None
        self._last_at = 0.0
        self._flusher: asyncio.Task[None] | None = None
        self.skipped = 0  # updates dropped because DingTalk (or our throttle) said slow down

    async def start(self, *, group: bool, conversation_id: str, staff_id: str | None, text: str) -> bool:
        """Create and deliver the card; False (markdown fallback) when DingTalk refuses."""
        space: dict[str, object]
        if group:
            space = {
                "openSpaceId": f"dtv1.card//IM_GROUP.{conversation_id}",
                "imGroupOpenDeliverModel": {"robotCode": self.robot_code},
            }
        elif staff_id:
            space = {
                "openSpaceId": f"dtv1.card//IM_ROBOT.{staff_id}",
                "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": self.robot_code},
            }
        else:
            return False
        body = {
            "cardTemplateId": self.template_id,
            "outTrackId": self.out_track_id,
            "cardData": {"cardParamMap": {CONTENT_KEY: text, "flowStatus": "1"}},
            "callbackType": "STREAM",
            "imGroupOpenSpaceModel": {"supportForward": False},
            "imRobotOpenSpaceModel": {"supportForward": False},
            **space,
        }
        try:
            self.throttle.try_acquire()  # counted; creation goes out even when the second is full
            await self.client.openapi_once(
                "POST", "/v1.0/card/instances/createAndDeliver", body, endpoint="card.createAndDeliver"
            )
        except (DingTalkError, OSError) as exc:
            log.warning("progress card could not be created (%s); the reply comes as markdown", exc)
            return False
        self.live = True
        self._sent = text
        self._last_at = time.monotonic()
        return True

    def update(self, text: str) -> None:
        """Show `text` (the newest progress); sent now or at the next allowed moment."""
        if not self.live:
            return
        self._latest = text
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush(), name="dingtalk-card")

    async def _flush(self) -> None:
        wait = self._last_at + self.min_interval_s - time.monotonic()
        if wait > 0:
            await self._sleep(wait)
        text = self._latest
        if text is None or text == self._sent:
            return
        if not self.throttle.try_acquire():
            self.skipped += 1
            return
        try:
            await self._stream(text, final=False)
        except DingTalkError as exc:
            if not exc.throttled:
                log.warning("progress card update failed: %s", exc)
            self.skipped += 1
            self.min_interval_s *= 2  # DingTalk says slow down: this card updates less often
        finally:
            self._last_at = time.monotonic()

    async def _stream(self, text: str, *, final: bool, failed: bool = False) -> None:
        body = {
            "outTrackId": self.out_track_id,
            "guid": uuid.uuid4().hex,
            "key": CONTENT_KEY,
            "content": text,
            "isFull": True,
            "isFinalize": final,
            "isError": failed,
        }
        await self.client.openapi_once("PUT", "/v1.0/card/streaming", body, endpoint="card.streaming")
        self._sent = text

    async def finish(self, text: str, *, failed: bool = False) -> bool:
        """The last update (finalizes the card). True when it reached DingTalk."""
        if not self.live:
            return False
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        for attempt in range(FINAL_ATTEMPTS):
            wait = self.throttle.wait_s()
            if self.throttle.try_acquire():
                try:
                    await self._stream(text, final=True, failed=failed)
                    self.live = False
                    return True
                except DingTalkError as exc:
                    if not exc.throttled:
                        log.warning("progress card could not be finished: %s", exc)
                        return False
                    wait = THROTTLED_WAIT_S * (attempt + 1)  # DingTalk counts per second
            await self._sleep(wait)
        log.warning("progress card %s stayed unfinished: DingTalk kept throttling", self.out_track_id)
        return False
