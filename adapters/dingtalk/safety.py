"""Where the bot may send a DingTalk reply, and what a DingTalk id looks like.

A robot message names its own reply address (`sessionWebhook`). The HTTP callback's signature
covers only the timestamp, not the body, so the bot never trusts that address on its own:

- a sessionWebhook is called only when it is `https` on one of DingTalk's own hosts
  (`oapi.dingtalk.com`, `api.dingtalk.com`) with the path `/robot/sendBySession`, or when it
  lies under one of the configured bases (`SENTIBOT_DINGTALK_OAPI_URL` /
  `SENTIBOT_DINGTALK_API_URL`: same scheme, host and port), which is how tests and private
  deployments point the bot at a stand-in; anything else (`http://127.0.0.1/…`, a cloud
  metadata address, `file://`, credentials in the URL) is refused and logged;
- conversation ids (`openConversationId`, sent to the OpenAPI) must look like DingTalk's
  (`cid…`, base64 characters), and staff ids must be short plain tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

DINGTALK_HOSTS = frozenset({"oapi.dingtalk.com", "api.dingtalk.com"})
SESSION_WEBHOOK_PATH = "/robot/sendBySession"
_CONVERSATION_ID = re.compile(r"^cid[A-Za-z0-9+/=_\-]{1,128}$")
_STAFF_ID = re.compile(r"^[A-Za-z0-9_\-$:.@]{1,64}$")


class UnsafeDestination(ValueError):
    """A reply address or id the bot refuses to use; the message says why."""


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


def check_session_webhook(url: str, *, configured_bases: Iterable[str]) -> None:
    """Raise UnsafeDestination unless `url` is a DingTalk sessionWebhook the bot may call."""
    if not isinstance(url, str) or not url or any(ch.isspace() for ch in url):
        raise UnsafeDestination("the sessionWebhook is empty or not a URL")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        raise UnsafeDestination(f"the sessionWebhook is not a valid URL: {exc}") from exc
    if parts.username or parts.password:
        raise UnsafeDestination("the sessionWebhook carries credentials")
    origin = _origin(url)
    if origin is None:
        raise UnsafeDestination(f"the sessionWebhook has no host: {url[:200]!r}")
    for base in configured_bases:
        if base and _origin(base) == origin:
            return
    scheme, host, port = origin
    if scheme != "https" or host not in DINGTALK_HOSTS or port not in (None, 443):
        raise UnsafeDestination(
            f"the sessionWebhook {url[:200]!r} is not https on a DingTalk host "
            f"({', '.join(sorted(DINGTALK_HOSTS))})"
        )
    if parts.path != SESSION_WEBHOOK_PATH:
        raise UnsafeDestination(f"the sessionWebhook path {parts.path[:100]!r} is not {SESSION_WEBHOOK_PATH}")


def check_conversation_id(value: str) -> str:
    """The id itself when it looks like a DingTalk openConversationId (`cid…`), else raise."""
    if not isinstance(value, str) or not _CONVERSATION_ID.match(value):
        raise UnsafeDestination(f"{str(value)[:80]!r} is not a DingTalk conversation id (cid…)")
    return value


def check_staff_id(value: str) -> str:
    if not isinstance(value, str) or not _STAFF_ID.match(value):
        raise UnsafeDestination(f"{str(value)[:80]!r} is not a DingTalk staff id")
    return value
