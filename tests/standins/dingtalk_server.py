"""A stand-in for every DingTalk endpoint sentibot uses, on 127.0.0.1 (real HTTP + websocket).

One uvicorn server in a thread, port 0, serving:
- `POST /v1.0/gateway/connections/open` + websocket `/connect?ticket=…` (Stream mode): pushes
  CALLBACK frames shaped like DingTalk's and records the SDK's ACK frames;
- `POST /robot/sendBySession?session=…` (sessionWebhook; a session can be made to answer 300001);
- `POST /v1.0/oauth2/accessToken`, `GET /gettoken`;
- `POST /v1.0/robot/groupMessages/send`, `POST /v1.0/robot/oToMessages/batchSend`;
- `POST /media/upload?access_token=…&type=image` (multipart `media`);
- `POST /robot/send?access_token=…&timestamp=…&sign=…` (legacy custom robot, checks 加签);
- interactive / AI cards: `POST /v1.0/card/instances/createAndDeliver` (template + outTrackId +
  openSpaceId `dtv1.card//IM_GROUP.<cid>` or `IM_ROBOT.<staffId>`), `PUT /v1.0/card/streaming`
  (key/content/isFull/isFinalize/isError/guid) and `PUT /v1.0/card/instances` (cardParamMap).
  Like DingTalk, calls beyond `card_qps` per second per API answer HTTP 403
  `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`; `cards[outTrackId]` keeps what users see.
Every call is recorded; `fail_next` injects error answers (e.g. errcode 130101 once).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse

CLIENT_ID = "dingstandinclientid"
CLIENT_SECRET = "standin-app-secret-Zx9"
ROBOT_CODE = "dingstandinrobot"
WEBHOOK_TOKEN = "standin-webhook-token"
WEBHOOK_SECRET = "SECstandinwebhooksecret0123456789"
CHATBOT_TOPIC = "/v1.0/im/bot/messages/get"


@dataclass
class Call:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.time)


@dataclass
class Card:
    """One delivered card as users see it, with every accepted update in order."""

    out_track_id: str
    template_id: str
    open_space_id: str
    params: dict[str, Any]
    updates: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False
    failed: bool = False

    @property
    def content(self) -> str:
        """The streamed content (the last full update plus appended parts)."""
        text = ""
        for update in self.updates:
            text = update["content"] if update.get("isFull", True) else text + update["content"]
        return text


QPS_ERROR = {
    "code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
    "message": "当前应用调用该接口的QPS超出限制",
}


@dataclass
class Injected:
    status: int
    body: dict[str, Any]
    times: int


class DingTalkStandin:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.acks: list[dict[str, Any]] = []
        self.expired_sessions: set[str] = set()
        self.tokens: set[str] = set()
        self.media: dict[str, bytes] = {}
        self.connections_opened = 0
        self.cards: dict[str, Card] = {}
        self.card_qps = 20  # DingTalk's default per app and API; tests lower it
        self.throttled: list[str] = []  # paths answered with the QPS error
        self._api_calls: dict[str, list[float]] = {}
        self._injected: dict[str, list[Injected]] = {}
        self._lock = threading.Lock()
        self._sockets: list[WebSocket] = []
        self._tickets: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.app = self._build_app()

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DingTalkStandin:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=0, log_level="warning", ws="websockets-sansio", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="dingtalk-standin", daemon=True)
        self._thread.start()
        deadline = time.time() + 10
        while not self._server.started:
            if time.time() > deadline:
                raise RuntimeError("DingTalk stand-in did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
            if self._loop:
                for ws in list(self._sockets):
                    asyncio.run_coroutine_threadsafe(ws.close(), self._loop)
        if self._thread:
            self._thread.join(timeout=5)

    # -- test controls ------------------------------------------------------------------------

    def session_webhook(self, session: str | None = None) -> str:
        return f"{self.url}/robot/sendBySession?session={session or uuid.uuid4().hex}"

    def expire_session(self, webhook_url: str) -> None:
        self.expired_sessions.add(webhook_url.rsplit("session=", 1)[-1])

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/robot/send?access_token={WEBHOOK_TOKEN}"

    def fail_next(self, path: str, *, body: dict[str, Any], status: int = 200, times: int = 1) -> None:
        """The next `times` calls to `path` answer `body` with `status` (and are recorded)."""
        with self._lock:
            self._injected.setdefault(path, []).append(Injected(status, body, times))

    def calls_to(self, path: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.path == path]

    def push_callback(self, data: dict[str, Any], *, message_id: str | None = None) -> str:
        """Push a robot message over the (first) connected Stream websocket; returns messageId."""
        if not self._sockets or self._loop is None:
            raise RuntimeError("no Stream-mode client is connected")
        message_id = message_id or uuid.uuid4().hex
        frame = {
            "specVersion": "1.0",
            "type": "CALLBACK",
            "headers": {
                "appId": "standin-app",
                "connectionId": "standin-connection",
                "contentType": "application/json",
                "messageId": message_id,
                "time": str(int(time.time() * 1000)),
                "topic": CHATBOT_TOPIC,
            },
            "data": json.dumps(data, ensure_ascii=False),
        }
        future = asyncio.run_coroutine_threadsafe(
            self._sockets[0].send_text(json.dumps(frame, ensure_ascii=False)), self._loop
        )
        future.result(timeout=5)
        return message_id

    def stop_sockets(self) -> None:
        """Close every Stream websocket from the server side (the client must reconnect)."""
        if self._loop is None:
            return
        for ws in list(self._sockets):
            asyncio.run_coroutine_threadsafe(ws.close(code=1001), self._loop).result(timeout=5)

    @property
    def connected(self) -> bool:
        return bool(self._sockets)

    async def wait_for(self, predicate: Callable[[], bool], *, timeout: float = 10.0) -> None:
        """Poll from the test's event loop (the stand-in runs on its own thread)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s; calls: {[c.path for c in self.calls]}")
            await asyncio.sleep(0.02)

    # -- the app ------------------------------------------------------------------------------

    def _record(self, request: Request, payload: Any = None, files: dict[str, bytes] | None = None) -> None:
        with self._lock:
            self.calls.append(
                Call(
                    path=request.url.path,
                    query=dict(request.query_params),
                    headers={k.lower(): v for k, v in request.headers.items()},
                    json=payload,
                    files=files or {},
                )
            )

    def _injection(self, path: str) -> JSONResponse | None:
        with self._lock:
            queue = self._injected.get(path) or []
            if not queue:
                return None
            injected = queue[0]
            injected.times -= 1
            if injected.times <= 0:
                queue.pop(0)
        return JSONResponse(injected.body, status_code=injected.status)

    def _over_qps(self, path: str) -> bool:
        """Count a call against `card_qps` (a sliding second, per API, like DingTalk's limit)."""
        with self._lock:
            now = time.monotonic()
            recent = [t for t in self._api_calls.get(path, []) if now - t < 1.0]
            over = len(recent) >= self.card_qps
            if over:
                self.throttled.append(path)
            else:
                recent.append(now)
            self._api_calls[path] = recent
            return over

    def _token_ok(self, token: str | None) -> bool:
        return token is not None and token in self.tokens

    def _build_app(self) -> FastAPI:
        app = FastAPI()
        standin = self

        @app.post("/v1.0/gateway/connections/open")
        async def open_connection(request: Request) -> JSONResponse:
            body = await request.json()
            standin._loop = asyncio.get_running_loop()
            standin._record(request, body)
            if body.get("clientId") != CLIENT_ID or body.get("clientSecret") != CLIENT_SECRET:
                return JSONResponse({"code": "InvalidAuthentication", "message": "bad credential"}, 401)
            ticket = uuid.uuid4().hex
            standin._tickets.add(ticket)
            standin.connections_opened += 1
            return JSONResponse({"endpoint": f"ws://127.0.0.1:{standin.port}/connect", "ticket": ticket})

        @app.websocket("/connect")
        async def connect(websocket: WebSocket) -> None:
            if websocket.query_params.get("ticket") not in standin._tickets:
                await websocket.close(code=4401)
                return
            standin._loop = asyncio.get_running_loop()
            await websocket.accept()
            standin._sockets.append(websocket)
            try:
                while True:
                    raw = await websocket.receive_text()
                    with standin._lock:
                        standin.acks.append(json.loads(raw))
            except WebSocketDisconnect:
                pass
            finally:
                standin._sockets.remove(websocket)

        @app.post("/v1.0/oauth2/accessToken")
        async def access_token(request: Request) -> JSONResponse:
            body = await request.json()
            standin._record(request, body)
            if injected := standin._injection(request.url.path):
                return injected
            if body.get("appKey") != CLIENT_ID or body.get("appSecret") != CLIENT_SECRET:
                return JSONResponse(
                    {
                        "code": "invalidClientIdOrSecret",
                        "message": "无效的clientId或者clientSecret",
                        "requestid": uuid.uuid4().hex,
                    },
                    400,
                )
            token = f"tok-{uuid.uuid4().hex[:12]}"
            standin.tokens.add(token)
            return JSONResponse({"accessToken": token, "expireIn": 7200})

        @app.get("/gettoken")
        async def gettoken(request: Request) -> JSONResponse:
            standin._record(request)
            q = request.query_params
            if q.get("appkey") != CLIENT_ID or q.get("appsecret") != CLIENT_SECRET:
                return JSONResponse({"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})
            token = f"tok-{uuid.uuid4().hex[:12]}"
            standin.tokens.add(token)
            return JSONResponse({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

        @app.post("/robot/sendBySession")
        async def send_by_session(request: Request) -> JSONResponse:
            body = await request.json()
            standin._record(request, body)
            if injected := standin._injection(request.url.path):
                return injected
            if request.query_params.get("session") in standin.expired_sessions:
                return JSONResponse({"errcode": 300001, "errmsg": "session 不存在"})
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        def openapi_auth(request: Request) -> JSONResponse | None:
            if not standin._token_ok(request.headers.get("x-acs-dingtalk-access-token")):
                return JSONResponse(
                    {
                        "code": "InvalidAuthentication",
                        "message": "不合法的access_token",
                        "requestid": uuid.uuid4().hex,
                    },
                    401,
                )
            return None

        def check_robot_body(body: dict[str, Any]) -> JSONResponse | None:
            try:
                param = json.loads(body.get("msgParam") or "")
            except ValueError:
                param = None
            if (
                body.get("robotCode") != ROBOT_CODE
                or body.get("msgKey") != "sampleMarkdown"
                or not (isinstance(param, dict) and param.get("title") and param.get("text"))
            ):
                return JSONResponse(
                    {"code": "param.invalid", "message": f"bad robot message: {body}", "requestid": "x"}, 400
                )
            return None

        @app.post("/v1.0/robot/groupMessages/send")
        async def group_send(request: Request) -> JSONResponse:
            body = await request.json()
            standin._record(request, body)
            if injected := standin._injection(request.url.path):
                return injected
            refused = openapi_auth(request) or check_robot_body(body)
            if refused:
                return refused
            if not body.get("openConversationId"):
                return JSONResponse({"code": "param.invalid", "message": "openConversationId"}, 400)
            return JSONResponse({"processQueryKey": uuid.uuid4().hex})

        @app.post("/v1.0/robot/oToMessages/batchSend")
        async def batch_send(request: Request) -> JSONResponse:
            body = await request.json()
            standin._record(request, body)
            if injected := standin._injection(request.url.path):
                return injected
            refused = openapi_auth(request) or check_robot_body(body)
            if refused:
                return refused
            return JSONResponse(
                {
                    "processQueryKey": uuid.uuid4().hex,
                    "invalidStaffIdList": [],
                    "flowControlledStaffIdList": [],
                }
            )

        @app.post("/media/upload")
        async def media_upload(request: Request) -> JSONResponse:
            form = await request.form()
            media = form.get("media")
            data = await media.read() if media is not None and hasattr(media, "read") else b""
            standin._record(request, None, {"media": data})
            if injected := standin._injection(request.url.path):
                return injected
            if not standin._token_ok(request.query_params.get("access_token")):
                return JSONResponse({"errcode": 40014, "errmsg": "不合法的access_token"})
            if request.query_params.get("type") != "image" or not data.startswith(b"\x89PNG"):
                return JSONResponse({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
            media_id = f"@lADP{uuid.uuid4().hex[:16]}"
            standin.media[media_id] = data
            return JSONResponse(
                {
                    "errcode": 0,
                    "errmsg": "ok",
                    "media_id": media_id,
                    "type": "image",
                    "created_at": int(time.time() * 1000),
                }
            )

        @app.post("/v1.0/card/instances/createAndDeliver")
        async def card_create(request: Request) -> JSONResponse:
            body = await request.json()
            standin._record(request, body)
            if injected := standin._injection(request.url.path):
                return injected
            if refused := openapi_auth(request):
                return refused
            if standin._over_qps(request.url.path):
                return JSONResponse(QPS_ERROR, 403)
            space = str(body.get("openSpaceId") or "")
            if (
                not body.get("cardTemplateId")
                or not body.get("outTrackId")
                or not space.startswith(("dtv1.card//IM_GROUP.", "dtv1.card//IM_ROBOT."))
            ):
                return JSONResponse(
                    {"code": "param.invalid", "message": f"bad card: {body}", "requestid": "x"}, 400
                )
            card = Card(
                out_track_id=body["outTrackId"],
                template_id=body["cardTemplateId"],
                open_space_id=space,
                params=dict((body.get("cardData") or {}).get("cardParamMap") or {}),
            )
            standin.cards[card.out_track_id] = card
            return JSONResponse(
                {"success": True, "result": {"outTrackId": card.out_track_id, "deliverResults": [
                    {"spaceType": space.split("//")[1].split(".")[0], "success": True}
                ]}}
            )  # fmt: skip

        @app.put("/v1.0/card/streaming")
        async def card_streaming(request: Request) -> JSONResponse:
            body = await request.json()
            standin._record(request, body)
            if refused := openapi_auth(request):
                return refused
            if standin._over_qps(request.url.path):
                return JSONResponse(QPS_ERROR, 403)
            card = standin.cards.get(body.get("outTrackId") or "")
            if card is None or not body.get("key") or "content" not in body or not body.get("guid"):
                return JSONResponse(
                    {"code": "param.invalid", "message": "unknown card or missing field"}, 400
                )
            if card.finished:
                return JSONResponse({"code": "param.invalid", "message": "card already finalized"}, 400)
            card.updates.append(body)
            card.finished = bool(body.get("isFinalize"))
            card.failed = bool(body.get("isError"))
            return JSONResponse({"success": True, "result": True})

        @app.put("/v1.0/card/instances")
        async def card_update(request: Request) -> JSONResponse:
            body = await request.json()
            standin._record(request, body)
            if refused := openapi_auth(request):
                return refused
            if standin._over_qps(request.url.path):
                return JSONResponse(QPS_ERROR, 403)
            card = standin.cards.get(body.get("outTrackId") or "")
            if card is None:
                return JSONResponse({"code": "param.invalid", "message": "unknown card"}, 400)
            card.params.update((body.get("cardData") or {}).get("cardParamMap") or {})
            return JSONResponse({"success": True, "result": True})

        @app.post("/robot/send")
        async def robot_send(request: Request) -> JSONResponse:
            body = await request.json()
            standin._record(request, body)
            if injected := standin._injection(request.url.path):
                return injected
            q = request.query_params
            if q.get("access_token") != WEBHOOK_TOKEN:
                return JSONResponse({"errcode": 300005, "errmsg": "token is not exist"})
            timestamp, sign = q.get("timestamp", ""), q.get("sign", "")
            expected = base64.b64encode(
                hmac.new(
                    WEBHOOK_SECRET.encode(), f"{timestamp}\n{WEBHOOK_SECRET}".encode(), hashlib.sha256
                ).digest()
            ).decode()
            # Starlette already URL-decoded the query: `sign` is the plain base64 here.
            fresh = timestamp.isdigit() and abs(time.time() * 1000 - int(timestamp)) < 3_600_000
            if not fresh or not hmac.compare_digest(sign, expected):
                return JSONResponse({"errcode": 310000, "errmsg": "sign not match, more: [...]"})
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        return app
