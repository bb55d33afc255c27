"""DingTalk Stream mode (`sentibot connect`): the official `dingtalk-stream` SDK, no public URL.

The SDK parses frames, routes them to our `ChatbotHandler` and sends the ACK with the frame's
messageId. Its `process` runs on the event loop and its reply helpers use blocking `requests`,
so the handler acknowledges at once and does the work in a background task that replies with
the async `DingTalkClient`.

`SentibotStreamClient` overrides only the connection loop of `DingTalkStreamClient.start`,
because in the SDK (0.24):
- the gateway URL is fixed at import time from the env var `DINGTALK_OPENAPI_ENDPOINT`
  (`dingtalk_stream.utils`, copied into `DingTalkStreamClient.OPEN_CONNECTION_API`); here it
  comes from `SENTIBOT_DINGTALK_API_URL` like every other DingTalk call;
- `open_connection` is a blocking `requests.post` without a timeout, called on the event loop;
  here it is an async httpx call with a timeout;
- `start` catches `CancelledError` and reconnects, so it cannot be stopped; here cancelling the
  task stops it;
- frame tasks are created without keeping a reference (asyncio may drop them); here they are kept.
Frame routing (`route_message`) and the ACK format are the SDK's own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import platform
from typing import Any
from urllib.parse import quote_plus

import httpx
import websockets
from dingtalk_stream import AckMessage, ChatbotHandler, ChatbotMessage, Credential, DingTalkStreamClient
from dingtalk_stream.frames import CallbackMessage
from dingtalk_stream.version import VERSION_STRING

from adapters.background import BackgroundWork
from adapters.dingtalk.client import DingTalkClient
from adapters.dingtalk.messages import IncomingMessage, handle_incoming
from bot.core import Sentibot

log = logging.getLogger(__name__)

GATEWAY_PATH = "/v1.0/gateway/connections/open"
MAX_BACKOFF_S = 30.0


class SentibotChatbotHandler(ChatbotHandler):
    """Acks every robot message at once; the reply is background work."""

    def __init__(self, *, core: Sentibot, client: DingTalkClient, work: BackgroundWork) -> None:
        super().__init__()
        self.core = core
        self.client = client
        self.work = work

    async def process(self, callback: CallbackMessage) -> tuple[int, str]:  # type: ignore[override]
        try:
            message = IncomingMessage.from_payload(callback.data)
        except ValueError as exc:
            # Acked anyway: DingTalk would otherwise redeliver a message we can never read.
            log.warning("DingTalk Stream frame %s ignored: %s", callback.headers.message_id, exc)
            return AckMessage.STATUS_OK, "ignored"
        self.work.spawn(
            handle_incoming(message, core=self.core, client=self.client),
            name=f"dingtalk-stream:{message.msg_id}",
        )
        return AckMessage.STATUS_OK, "OK"


class SentibotStreamClient(DingTalkStreamClient):
    def __init__(self, credential: Credential, *, api_url: str, connect_timeout: float = 15.0) -> None:
        super().__init__(credential, logger=logging.getLogger("dingtalk_stream.client"))
        self.gateway_url = api_url.rstrip("/") + GATEWAY_PATH
        self.connect_timeout = connect_timeout
        self._frames: set[asyncio.Task[Any]] = set()
        self.connected = asyncio.Event()

    async def open_connection_async(self) -> dict[str, Any]:
        """`POST /v1.0/gateway/connections/open` → {"endpoint": "wss://…", "ticket": "…"}."""
        topics = [{"type": "CALLBACK", "topic": topic} for topic in self.callback_handler_map]
        if self._is_event_required:
            topics.append({"type": "EVENT", "topic": "*"})
        body = {
            "clientId": self.credential.client_id,
            "clientSecret": self.credential.client_secret,
            "subscriptions": topics,
            "ua": f"dingtalk-sdk-python/v{VERSION_STRING}-union sentibot",
            "localIp": "",
        }
        headers = {
            "Accept": "application/json",
            "User-Agent": f"DingTalkStream/1.0 SDK/{VERSION_STRING} Python/{platform.python_version()}",
        }
        async with httpx.AsyncClient(timeout=self.connect_timeout) as http:
            response = await http.post(self.gateway_url, json=body, headers=headers)
        if response.status_code >= 400:
            raise ConnectionError(
                f"gateway answered {response.status_code}: {response.text[:300]} "
                "(check DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET and that Stream mode is on)"
            )
        connection = response.json()
        if not connection.get("endpoint") or not connection.get("ticket"):
            raise ConnectionError(f"gateway answer without endpoint/ticket: {connection}")
        return connection

    async def start(self) -> None:
        """Connect, receive frames until the socket closes, reconnect with backoff; until cancelled."""
        self.pre_start()
        backoff = 1.0
        while True:
            try:
                connection = await self.open_connection_async()
                uri = f"{connection['endpoint']}?ticket={quote_plus(connection['ticket'])}"
                async with websockets.connect(uri, open_timeout=self.connect_timeout) as websocket:
                    self.websocket = websocket
                    self.connected.set()
                    backoff = 1.0
                    log.info("DingTalk Stream mode connected")
                    keepalive = asyncio.create_task(self.keepalive(websocket))
                    try:
                        async for raw in websocket:
                            self._on_frame(raw)
                    finally:
                        keepalive.cancel()
                        self.connected.clear()
                log.info("DingTalk Stream connection closed; reconnecting")
                continue
            except asyncio.CancelledError:
                raise
            except (
                OSError,
                ConnectionError,
                httpx.HTTPError,
                websockets.exceptions.WebSocketException,
            ) as exc:
                log.error("DingTalk Stream connection failed: %s; retrying in %.0fs", exc, backoff)
            except Exception:
                log.exception("DingTalk Stream: unexpected error; retrying in %.0fs", backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    def _on_frame(self, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
        except ValueError:
            log.warning("DingTalk Stream: a frame that is not JSON was ignored")
            return
        task = asyncio.create_task(self.background_task(frame))
        self._frames.add(task)
        task.add_done_callback(self._frames.discard)


def build_stream_client(
    core: Sentibot, work: BackgroundWork, *, client: DingTalkClient
) -> SentibotStreamClient:
    settings = core.settings
    if not settings.dingtalk_enabled:
        raise RuntimeError("DingTalk Stream mode needs DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET")
    stream = SentibotStreamClient(
        Credential(settings.dingtalk_client_id, settings.dingtalk_client_secret),
        api_url=settings.dingtalk_api_url,
    )
    stream.register_callback_handler(
        ChatbotMessage.TOPIC, SentibotChatbotHandler(core=core, client=client, work=work)
    )
    return stream


async def run_stream_mode(
    core: Sentibot, work: BackgroundWork, *, client: DingTalkClient | None = None
) -> None:
    """Receive DingTalk robot messages over Stream mode until cancelled. The caller drains `work`
    on shutdown (replies still being written finish; the client holds no connection to close)."""
    stream = build_stream_client(core, work, client=client or DingTalkClient.from_settings(core.settings))
    log.info("DingTalk Stream mode: connecting to %s", stream.gateway_url)
    await stream.start()
