"""DingTalk's error answers as one typed exception, with what each code means for an operator."""

from __future__ import annotations

from typing import Any

# errcode answers of the old API (oapi), the robot webhooks and the session webhook.
ERRCODE_MEANINGS: dict[int, str] = {
    -1: "DingTalk system busy; try again",
    40014: "invalid access_token",
    42001: "access_token expired",
    130101: "sending too fast: the robot's rate limit (20 messages/minute) was hit",
    300001: "the sessionWebhook expired (about 90 minutes after the message); use the OpenAPI send",
    300005: "the robot webhook's access_token does not exist: check DINGTALK_WEBHOOK_URL",
    310000: "the custom robot's security setting refused the message "
    "(加签 sign mismatch or stale timestamp, keyword missing, or IP not whitelisted)",
    460101: "message too long (the body must stay under 20 000 bytes)",
}
# `code` answers of the new OpenAPI (api.dingtalk.com), by prefix.
CODE_MEANINGS: dict[str, str] = {
    # Checked before the generic Forbidden.AccessDenied below (first matching prefix wins).
    "Forbidden.AccessDenied.QpsLimit": "DingTalk's QPS limit for this app and API was hit; slowed down",
    "InvalidAuthentication": "the access token is invalid or expired",
    "Forbidden.AccessDenied": "the app lacks a permission: grant 企业内机器人发送消息权限 "
    "(qyapi_robot_sendmsg) to the app in the developer console",
    "invalidClientIdOrSecret": "DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET are wrong",
    "Throttling": "DingTalk throttled the call; retried with backoff",
    "resource.not.found": "the robot code or conversation was not found: check DINGTALK_ROBOT_CODE "
    "and that the robot is in the group",
    "param.invalid": "DingTalk refused a parameter of the request",
}
RETRYABLE_ERRCODES = frozenset({-1, 130101})
TOKEN_ERRCODES = frozenset({40014, 42001})
SESSION_EXPIRED = 300001


class DingTalkError(Exception):
    """A DingTalk answer that is not a success: HTTP error, `errcode` ≠ 0 or an OpenAPI `code`."""

    def __init__(
        self,
        *,
        endpoint: str,
        code: int | str | None,
        message: str,
        status: int | None = None,
        body: Any = None,
    ) -> None:
        self.endpoint = endpoint
        self.code = code
        self.message = message
        self.status = status
        self.body = body
        super().__init__(f"DingTalk {endpoint}: {code} {message} ({self.meaning})")

    @property
    def meaning(self) -> str:
        if isinstance(self.code, int) and self.code in ERRCODE_MEANINGS:
            return ERRCODE_MEANINGS[self.code]
        if isinstance(self.code, str):
            for prefix, meaning in CODE_MEANINGS.items():
                if self.code.startswith(prefix):
                    return meaning
        if self.status is not None and self.status >= 500:
            return "DingTalk server error; retried"
        if self.status == 429:
            return "rate limited by DingTalk; retried"
        return "see https://open.dingtalk.com/document/ for this code"

    @property
    def retryable(self) -> bool:
        """Whether the same request may succeed later (rate limits, server trouble)."""
        if isinstance(self.code, int) and self.code in RETRYABLE_ERRCODES:
            return True
        if self.throttled:
            return True
        return self.status is not None and (self.status >= 500 or self.status == 429)

    @property
    def throttled(self) -> bool:
        """DingTalk's flow control: `Throttling…`, or 403 `Forbidden.AccessDenied.QpsLimit…`."""
        return isinstance(self.code, str) and self.code.startswith(
            ("Throttling", "Forbidden.AccessDenied.QpsLimit")
        )

    @property
    def token_invalid(self) -> bool:
        """The cached access token was refused: fetch a new one and try again once."""
        if isinstance(self.code, int):
            return self.code in TOKEN_ERRCODES
        return self.status == 401 or (isinstance(self.code, str) and self.code == "InvalidAuthentication")


class SessionWebhookExpired(DingTalkError):
    """errcode 300001 (or `sessionWebhookExpiredTime` passed): reply through the OpenAPI instead."""


class DingTalkNotConfigured(RuntimeError):
    """A send needs settings that are not set (the message names them)."""
