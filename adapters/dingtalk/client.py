"""Async DingTalk HTTP client: access token, sessionWebhook, OpenAPI robot sends, media upload,
and the legacy custom-robot webhook with 加签.

Every DingTalk answer is checked: an HTTP error, an `errcode` ≠ 0 or an OpenAPI `code` body
raises `DingTalkError` (logged with its meaning). Rate limits and server trouble are retried with
backoff; a refused access token is renewed once; nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import quote_plus

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from adapters.dingtalk.errors import (
    SESSION_EXPIRED,
    DingTalkError,
    DingTalkNotConfigured,
    SessionWebhookExpired,
)
from adapters.dingtalk.render import Markdown
from adapters.dingtalk.safety import check_conversation_id, check_session_webhook
from bot.config import Settings

log = logging.getLogger(__name__)

# Renew the access token this long before DingTalk says it expires.
TOKEN_MARGIN_S = 300
# The legacy custom robot accepts 20 messages a minute; beyond that it answers 130101.
WEBHOOK_MAX_PER_MINUTE = 20
# oToMessages/batchSend takes at most 20 user ids per call.
BATCH_USERS = 20


def robot_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), not yet URL-encoded.

    The same function signs the custom-robot webhook (secret `SEC…`) and verifies the outgoing
    robot callback (secret = the app secret).
    """
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), digestmod=hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def signed_webhook_url(url: str, *, secret: str, timestamp_ms: int) -> str:
    """The webhook URL with `timestamp` and the URL-encoded `sign` appended (加签)."""
    sign = quote_plus(robot_sign(secret, timestamp_ms))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


class RateLimiter:
    """At most `max_calls` in any `period` seconds: waits (asynchronously) for a free slot."""

    def __init__(
        self,
        *,
        max_calls: int,
        period: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.max_calls = max_calls
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.period:
                    self._sent.popleft()
                if len(self._sent) < self.max_calls:
                    self._sent.append(now)
                    return
                wait = self.period - (now - self._sent[0])
                log.info(
                    "DingTalk webhook: %d messages in the last minute, waiting %.1fs", self.max_calls, wait
                )
                await self._sleep(wait)


def _is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, DingTalkError):
        return exc.retryable
    return isinstance(exc, httpx.TransportError)


class DingTalkClient:
    """One per process (it caches the access token). Cheap to build; holds no open connections
    unless an `http` client is passed in (then the caller closes it)."""

    def __init__(
        self,
        *,
        client_id: str | None,
        client_secret: str | None,
        robot_code: str | None = None,
        api_url: str = "https://api.dingtalk.com",
        oapi_url: str = "https://oapi.dingtalk.com",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 15.0,
        max_attempts: int = 5,
        retry_wait: float = 1.0,
        webhook_limiter: RateLimiter | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.robot_code = robot_code
        self.api_url = api_url.rstrip("/")
        self.oapi_url = oapi_url.rstrip("/")
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self._http = http
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._retry_wait = retry_wait
        self._token: tuple[str, float] | None = None
        self._token_lock = asyncio.Lock()
        self._webhook_limiter = webhook_limiter or RateLimiter(max_calls=WEBHOOK_MAX_PER_MINUTE, period=60.0)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> DingTalkClient:
        options: dict[str, Any] = {
            "client_id": settings.dingtalk_client_id,
            "client_secret": settings.dingtalk_client_secret,
            "robot_code": settings.dingtalk_robot_code,
            "api_url": settings.dingtalk_api_url,
            "oapi_url": settings.dingtalk_oapi_url,
            "webhook_url": settings.dingtalk_webhook_url,
            "webhook_secret": settings.dingtalk_webhook_secret,
        }
        options.update(overrides)
        return cls(**options)

    # -- access token ---------------------------------------------------------------------------

    async def access_token(self) -> str:
        """The app's access token (`POST /v1.0/oauth2/accessToken`), cached until shortly before
        it expires. The same token works for the old API (`oapi`, e.g. media upload) — this is
        what the official `dingtalk-stream` SDK does in `upload_to_dingtalk`."""
        async with self._token_lock:
            if self._token and time.monotonic() < self._token[1]:
                return self._token[0]
            if not (self.client_id and self.client_secret):
                raise DingTalkNotConfigured("DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET are not set")
            body = await self._request(
                "POST",
                f"{self.api_url}/v1.0/oauth2/accessToken",
                endpoint="oauth2/accessToken",
                json={"appKey": self.client_id, "appSecret": self.client_secret},
            )
            token = body.get("accessToken")
            if not token:
                raise DingTalkError(
                    endpoint="oauth2/accessToken", code=None, message="no accessToken in answer", body=body
                )
            expires_in = float(body.get("expireIn", 7200))
            self._token = (token, time.monotonic() + max(expires_in - TOKEN_MARGIN_S, 60.0))
            return token

    def reset_token(self) -> None:
        self._token = None

    # -- sends ------------------------------------------------------------------------------------

    async def send_session_webhook(
        self, url: str, markdown: Markdown, *, at_user_ids: Sequence[str] = ()
    ) -> dict[str, Any]:
        """Reply in the conversation a message came from. Raises `SessionWebhookExpired` on 300001,
        `UnsafeDestination` (nothing sent) unless the URL is DingTalk's own (see `safety`)."""
        check_session_webhook(url, configured_bases=(self.oapi_url, self.api_url))
        payload: dict[str, Any] = markdown.webhook_body()
        if at_user_ids:
            payload["at"] = {"atUserIds": list(at_user_ids), "isAtAll": False}
        return await self._call("POST", url, endpoint="sessionWebhook", json=payload)

    async def send_group(
        self, open_conversation_id: str, markdown: Markdown, *, robot_code: str | None = None
    ) -> dict[str, Any]:
        """`POST /v1.0/robot/groupMessages/send` as the app robot (the robot must be in the group)."""
        check_conversation_id(open_conversation_id)
        body = {
            "robotCode": self._robot_code(robot_code),
            "openConversationId": open_conversation_id,
            "msgKey": "sampleMarkdown",
            "msgParam": json.dumps(markdown.msg_param(), ensure_ascii=False),
        }
        return await self._openapi("/v1.0/robot/groupMessages/send", body, endpoint="groupMessages/send")

    async def send_one_to_one(
        self, user_ids: Sequence[str], markdown: Markdown, *, robot_code: str | None = None
    ) -> dict[str, Any]:
        """`POST /v1.0/robot/oToMessages/batchSend` (20 users per call). Users DingTalk
        flow-controls are sent again; users it calls invalid are an error (unless some got it)."""
        if not user_ids:
            raise ValueError("send_one_to_one needs at least one user id")
        msg_param = json.dumps(markdown.msg_param(), ensure_ascii=False)
        answers: dict[str, Any] = {"processQueryKeys": [], "invalidStaffIdList": []}
        for start in range(0, len(user_ids), BATCH_USERS):
            pending = list(user_ids[start : start + BATCH_USERS])
            for attempt in range(1, self._max_attempts + 1):
                body = {
                    "robotCode": self._robot_code(robot_code),
                    "userIds": pending,
                    "msgKey": "sampleMarkdown",
                    "msgParam": msg_param,
                }
                answer = await self._openapi(
                    "/v1.0/robot/oToMessages/batchSend", body, endpoint="oToMessages/batchSend"
                )
                answers["processQueryKeys"].append(answer.get("processQueryKey"))
                invalid = answer.get("invalidStaffIdList") or []
                answers["invalidStaffIdList"].extend(invalid)
                if invalid:
                    log.error(
                        "DingTalk oToMessages/batchSend: invalid user ids %s (not in the org?)", invalid
                    )
                throttled = answer.get("flowControlledStaffIdList") or []
                if not throttled:
                    break
                if attempt == self._max_attempts:
                    raise DingTalkError(
                        endpoint="oToMessages/batchSend",
                        code="Throttling.flowControlledStaffIdList",
                        message=f"still flow-controlled after {attempt} attempts: {throttled}",
                        body=answer,
                    )
                log.warning("DingTalk flow-controlled %s; sending to them again", throttled)
                pending = list(throttled)
                await asyncio.sleep(self._retry_wait * 2 ** (attempt - 1))
        if len(answers["invalidStaffIdList"]) >= len(user_ids):
            raise DingTalkError(
                endpoint="oToMessages/batchSend",
                code="invalidStaffIdList",
                message=f"no valid recipient among {list(user_ids)}",
                body=answers,
            )
        return answers

    async def upload_image(self, png: bytes, *, filename: str = "chart.png") -> str:
        """Upload a PNG (`POST {oapi}/media/upload?type=image`) and return its media_id, which a
        markdown message embeds as `![chart](media_id)`."""

        async def attempt(token: str) -> dict[str, Any]:
            return await self._request(
                "POST",
                f"{self.oapi_url}/media/upload",
                endpoint="media/upload",
                params={"access_token": token, "type": "image"},
                files={"media": (filename, png, "image/png")},
            )

        body = await self._with_token(attempt)
        media_id = body.get("media_id")
        if not media_id:
            raise DingTalkError(
                endpoint="media/upload", code=None, message="no media_id in answer", body=body
            )
        return str(media_id)

    async def send_robot_webhook(
        self,
        markdown: Markdown,
        *,
        url: str | None = None,
        secret: str | None = None,
        at_mobiles: Sequence[str] = (),
        at_all: bool = False,
    ) -> dict[str, Any]:
        """The legacy group custom robot (`DINGTALK_WEBHOOK_URL`), signed with 加签 when a secret
        (`DINGTALK_WEBHOOK_SECRET`, `SEC…`) is set; at most 20 messages a minute (waits)."""
        url = url or self.webhook_url
        secret = secret if secret is not None else self.webhook_secret
        if not url:
            raise DingTalkNotConfigured("DINGTALK_WEBHOOK_URL is not set")
        payload: dict[str, Any] = markdown.webhook_body()
        if at_mobiles or at_all:
            payload["at"] = {"atMobiles": list(at_mobiles), "isAtAll": at_all}

        async def send() -> dict[str, Any]:
            await self._webhook_limiter.acquire()
            # Signed per attempt: DingTalk refuses a timestamp older than an hour (and a retry
            # must not reuse the one of a refused attempt).
            target = (
                signed_webhook_url(url, secret=secret, timestamp_ms=int(time.time() * 1000))
                if secret
                else url
            )
            return await self._request("POST", target, endpoint="robot/send", json=payload)

        return await self._retrying(send)

    # -- plumbing ---------------------------------------------------------------------------------

    def _robot_code(self, override: str | None = None) -> str:
        # An app robot's code is usually its client id (AppKey); DINGTALK_ROBOT_CODE says so
        # explicitly, and a received message carries it as `robotCode`.
        code = override or self.robot_code or self.client_id
        if not code:
            raise DingTalkNotConfigured("DINGTALK_ROBOT_CODE is not set")
        return code

    async def openapi_once(
        self, method: str, path: str, body: dict[str, Any], *, endpoint: str
    ) -> dict[str, Any]:
        """One OpenAPI call with a valid token and no retries (a refused token is renewed once).

        For calls whose failure the caller handles itself, e.g. card progress updates: a
        throttled update is skipped, the next one carries the newer progress anyway.
        """
        token = await self.access_token()
        headers = {"x-acs-dingtalk-access-token": token}
        url = f"{self.api_url}{path}"
        try:
            return await self._request(method, url, endpoint=endpoint, json=body, headers=headers)
        except DingTalkError as exc:
            if not exc.token_invalid:
                raise
            self.reset_token()
            headers = {"x-acs-dingtalk-access-token": await self.access_token()}
            return await self._request(method, url, endpoint=endpoint, json=body, headers=headers)

    async def _openapi(self, path: str, body: dict[str, Any], *, endpoint: str) -> dict[str, Any]:
        async def attempt(token: str) -> dict[str, Any]:
            return await self._request(
                "POST",
                f"{self.api_url}{path}",
                endpoint=endpoint,
                json=body,
                headers={"x-acs-dingtalk-access-token": token},
            )

        return await self._with_token(attempt)

    async def _with_token(self, send: Callable[[str], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
        """Retry as `_retrying` does; a refused token is renewed and the call made again once."""

        async def once() -> dict[str, Any]:
            token = await self.access_token()
            try:
                return await send(token)
            except DingTalkError as exc:
                if not exc.token_invalid:
                    raise
                log.warning("DingTalk refused the access token (%s); renewing it", exc.code)
                self.reset_token()
                return await send(await self.access_token())

        return await self._retrying(once)

    async def _call(self, method: str, url: str, *, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        async def send() -> dict[str, Any]:
            return await self._request(method, url, endpoint=endpoint, **kwargs)

        return await self._retrying(send)

    async def _retrying(self, send: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
        retrying = AsyncRetrying(
            retry=retry_if_exception(_is_retryable),
            stop=stop_after_attempt(self._max_attempts),
            wait=wait_exponential(multiplier=self._retry_wait, max=30 * self._retry_wait),
            before_sleep=lambda state: log.warning(
                "DingTalk call failed (%s), attempt %d; retrying",
                state.outcome.exception() if state.outcome else "?",
                state.attempt_number,
            ),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await send()
        raise AssertionError("unreachable")  # pragma: no cover

    async def _request(self, method: str, url: str, *, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        """One HTTP call; DingTalk's error answers become `DingTalkError` (logged with meaning)."""
        if self._http is not None:
            response = await self._http.request(method, url, timeout=self._timeout, **kwargs)
        else:
            async with httpx.AsyncClient(timeout=self._timeout) as http:
                response = await http.request(method, url, **kwargs)
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        error = _error_of(endpoint, response.status_code, body, response.text)
        if error is not None:
            level = (
                logging.WARNING
                if error.retryable or isinstance(error, SessionWebhookExpired)
                else logging.ERROR
            )
            log.log(level, "%s", error)
            raise error
        return body if isinstance(body, dict) else {}


def _error_of(endpoint: str, status: int, body: Any, text: str) -> DingTalkError | None:
    if isinstance(body, dict):
        errcode = body.get("errcode")
        if errcode not in (None, 0, "0"):
            code = int(errcode) if str(errcode).lstrip("-").isdigit() else errcode
            kind = SessionWebhookExpired if code == SESSION_EXPIRED else DingTalkError
            return kind(
                endpoint=endpoint, code=code, message=str(body.get("errmsg", "")), status=status, body=body
            )
        if status >= 400 or ("code" in body and "message" in body and "requestid" in body):
            return DingTalkError(
                endpoint=endpoint,
                code=body.get("code"),
                message=str(body.get("message") or body.get("errmsg") or text[:200]),
                status=status,
                body=body,
            )
    if status >= 400:
        return DingTalkError(endpoint=endpoint, code=None, message=text[:200], status=status, body=body)
    return None
