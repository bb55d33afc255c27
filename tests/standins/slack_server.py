"""A stand-in for the Slack Web API on 127.0.0.1: real HTTP, a background thread, port 0.

It implements what sentibot calls, with the request and response shapes `slack_sdk` uses:
`auth.test`, `conversations.replies` (cursor pagination over seeded threads), `chat.postMessage`,
`chat.update`, `chat.getPermalink`, `users.info`, the three steps of `files_upload_v2`
(`files.getUploadURLExternal`, the upload URL it hands out, `files.completeUploadExternal`), and the
`response_url`s of slash commands and interactivity (`respond()`).

It keeps the channels' messages (seeded ones and what the bot posted or edited), so tests assert
what a user would see, and records every call. `rate_limit()` answers 429 with `Retry-After` for
the next N calls of a method; `fail()` answers a Slack error (`{"ok": false, "error": …}`).
Blocks are checked against Slack's limits, like the real API (`invalid_blocks`).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

__all__ = ["Call", "StandinSlackServer", "Upload"]

TEAM_ID = "T0SENTI"
BOT_USER_ID = "U0SENTIBOT"
BOT_ID = "B0SENTIBOT"
BOT_TOKEN = "xoxb-standin-token"


@dataclass
class Call:
    """One request the stand-in answered."""

    method: str
    params: dict[str, Any]
    status: int
    at: float  # time.monotonic()
    error: str | None = None


@dataclass
class Upload:
    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False


@dataclass
class _Fault:
    remaining: int
    status: int
    error: str
    retry_after: int | None = None


@dataclass
class _State:
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, Upload] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[str, list[_Fault]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)


class StandinSlackServer:
    """Start with `start()` (returns self), stop with `stop()`; `api_url` goes to `base_url`."""

    def __init__(self, *, token: str = BOT_TOKEN, page_size: int = 3) -> None:
        self.token = token
        # Small pages so that every thread longer than this exercises cursor pagination.
        self.page_size = page_size
        self.team_id = TEAM_ID
        self.bot_user_id = BOT_USER_ID
        self.bot_id = BOT_ID
        self._state = _State()
        self._lock = threading.RLock()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> StandinSlackServer:
        handler = type("Handler", (_Handler,), {"standin": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="slack-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start() the stand-in first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base, for `AsyncWebClient(base_url=…)` / `SENTIBOT_SLACK_API_URL`."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r") -> str:
        """A `response_url` for a slash command or interactivity payload, answered by the stand-in."""
        return f"{self.base_url}/response/{name}-{next(self._ids)}"

    # -- seeding --------------------------------------------------------------------------------

    def next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def seed_thread(self, channel: str, messages: list[dict[str, Any]]) -> str:
        """Put a thread in `channel`: the first message is the root. Returns the root's ts."""
        with self._lock:
            root_ts = ""
            for index, message in enumerate(messages):
                ts = self.next_ts()
                entry = {"type": "message", "ts": ts, "team": self.team_id, **message}
                if index == 0:
                    root_ts = ts
                    entry["reply_count"] = len(messages) - 1
                entry["thread_ts"] = root_ts
                self._state.messages.setdefault(channel, []).append(entry)
            return root_ts

    def seed_reply(self, channel: str, root_ts: str, message: dict[str, Any]) -> str:
        """One more message in an existing thread (e.g. the lead's @-mention). Returns its ts."""
        with self._lock:
            ts = self.next_ts()
            self._state.messages.setdefault(channel, []).append(
                {"type": "message", "ts": ts, "team": self.team_id, **message, "thread_ts": root_ts}
            )
            return ts

    def seed_message(self, channel: str, message: dict[str, Any]) -> str:
        """One message outside any thread. Returns its ts."""
        with self._lock:
            ts = self.next_ts()
            self._state.messages.setdefault(channel, []).append(
                {"type": "message", "ts": ts, "team": self.team_id, **message}
            )
            return ts

    def add_user(self, user_id: str, *, name: str, real_name: str | None = None) -> None:
        with self._lock:
            self._state.users[user_id] = {
                "id": user_id,
                "team_id": self.team_id,
                "name": name,
                "real_name": real_name or name,
                "profile": {"display_name": name, "real_name": real_name or name},
            }

    # -- faults ---------------------------------------------------------------------------------

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After: retry_after`."""
        with self._lock:
            self._state.faults.setdefault(method, []).append(
                _Fault(remaining=times, status=429, error="ratelimited", retry_after=retry_after)
            )

    def fail(self, method: str, *, error: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `{"ok": false, "error": error}`."""
        with self._lock:
            self._state.faults.setdefault(method, []).append(_Fault(remaining=times, status=200, error=error))

    # -- what tests look at ---------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._state.calls if method is None or c.method == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._state.messages.get(channel, [])]

    def thread(self, channel: str, root_ts: str) -> list[dict[str, Any]]:
        return [m for m in self.messages(channel) if m.get("thread_ts") == root_ts or m["ts"] == root_ts]

    def bot_messages(self, channel: str, *, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """What the bot posted in `channel` (in one thread when `thread_ts` is given), in order."""
        return [
            m
            for m in self.messages(channel)
            if m.get("bot_id") == self.bot_id and (thread_ts is None or m.get("thread_ts") == thread_ts)
        ]

    @property
    def uploads(self) -> list[Upload]:
        with self._lock:
            return list(self._state.uploads.values())

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Bodies posted to `response_url`s (each with its `_url`)."""
        with self._lock:
            return [dict(r) for r in self._state.responses]

    # -- the API --------------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self._state.calls.append(call)

    def _take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            queue = self._state.faults.get(method) or []
            while queue and queue[0].remaining <= 0:
                queue.pop(0)
            if not queue:
                return None
            queue[0].remaining -= 1
            return queue[0]

    def handle_api(self, method: str, params: dict[str, Any], token: str | None) -> tuple[int, dict, dict]:
        """(status, headers, body) for one Web API call."""
        fault = self._take_fault(method)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, headers, {"ok": False, "error": fault.error}
        if token != self.token:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        with self._lock:
            return 200, {}, handler(params)

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme Support",
            "user": "sentibot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if channel not in self._state.messages:
            return {"ok": False, "error": "channel_not_found"}
        found = next((m for m in self._state.messages[channel] if m["ts"] == ts), None)
        if found is None:
            return {"ok": False, "error": "thread_not_found"}
        root = found.get("thread_ts") or found["ts"]
        thread = sorted(
            (m for m in self._state.messages[channel] if m["ts"] == root or m.get("thread_ts") == root),
            key=lambda m: m["ts"],
        )
        start = int(params.get("cursor") or 0)
        size = min(int(params.get("limit") or 1000), self.page_size)
        page = thread[start : start + size]
        more = start + size < len(thread)
        return {
            "ok": True,
            "messages": [dict(m) for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + size) if more else ""},
        }

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        blocks = _blocks(params.get("blocks"))
        problem = _check_message(params.get("text"), blocks)
        if problem:
            return problem
        message: dict[str, Any] = {
            "type": "message",
            "ts": self.next_ts(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "text": params.get("text") or "",
            "blocks": blocks or [],
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        self._state.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": dict(message)}

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        message = next((m for m in self._state.messages.get(channel or "", []) if m["ts"] == ts), None)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("bot_id") != self.bot_id:
            return {"ok": False, "error": "cant_update_message"}
        blocks = _blocks(params.get("blocks"))
        problem = _check_message(params.get("text"), blocks)
        if problem:
            return problem
        message["text"] = params.get("text") or ""
        if blocks is not None:
            message["blocks"] = blocks
        message["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}
        return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": dict(message)}

    def _api_chat_getPermalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), str(params.get("message_ts") or "")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._state.users.get(params.get("user") or "")
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _api_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), params.get("length")
        if not filename or length in (None, ""):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        self._state.uploads[file_id] = Upload(file_id=file_id, filename=filename, length=int(length))
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _api_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        entries = json.loads(files) if isinstance(files, str) else files or []
        done = []
        for entry in entries:
            upload = self._state.uploads.get(entry.get("id"))
            if upload is None or upload.data is None:
                return {"ok": False, "error": "file_not_found"}
            upload.title = entry.get("title")
            upload.channel = params.get("channel_id") or None
            upload.thread_ts = params.get("thread_ts") or None
            upload.initial_comment = params.get("initial_comment") or None
            upload.completed = True
            done.append({"id": upload.file_id, "name": upload.filename, "title": upload.title})
            if upload.channel:
                # Slack shows a shared file as a message from the uploader in the channel/thread.
                message = {
                    "type": "message",
                    "subtype": "file_share",
                    "ts": self.next_ts(),
                    "user": self.bot_user_id,
                    "bot_id": self.bot_id,
                    "text": upload.initial_comment or "",
                    "files": [{"id": upload.file_id, "name": upload.filename, "title": upload.title}],
                }
                if upload.thread_ts:
                    message["thread_ts"] = upload.thread_ts
                self._state.messages.setdefault(upload.channel, []).append(message)
        return {"ok": True, "files": done}

    def handle_upload(self, file_id: str, data: bytes) -> tuple[int, str]:
        with self._lock:
            upload = self._state.uploads.get(file_id)
            if upload is None:
                return 404, "not found"
            if len(data) != upload.length:
                return 400, f"length mismatch: announced {upload.length}, got {len(data)}"
            upload.data = data
            return 200, f"OK - {len(data)}"

    def handle_response_url(self, path: str, body: dict[str, Any]) -> None:
        with self._lock:
            self._state.responses.append({"_url": path, **body})


# -- Slack's limits on messages (what makes the real API answer invalid_blocks) ----------------


def _blocks(raw: Any) -> list[dict[str, Any]] | None:
    if raw is None or raw == "":
        return None
    return json.loads(raw) if isinstance(raw, str) else raw


def _check_message(text: Any, blocks: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if not text and not blocks:
        return {"ok": False, "error": "no_text"}
    if blocks is None:
        return None
    errors = _block_errors(blocks)
    return {"ok": False, "error": "invalid_blocks", "errors": errors} if errors else None


def _block_errors(blocks: list[dict[str, Any]]) -> list[str]:
    errors: list[str] = []
    if len(blocks) > 50:
        errors.append(f"too many blocks: {len(blocks)} > 50")
    for index, block in enumerate(blocks):
        kind = block.get("type")
        where = f"blocks[{index}] ({kind})"
        if kind == "header":
            text = block.get("text", {})
            if text.get("type") != "plain_text" or len(text.get("text", "")) > 150:
                errors.append(f"{where}: header must be plain_text of at most 150 characters")
        elif kind == "section":
            text = block.get("text") or {}
            if not text.get("text") or len(text["text"]) > 3000:
                errors.append(f"{where}: section text must be 1–3000 characters")
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                errors.append(f"{where}: context needs 1–10 elements")
            for element in elements:
                if len(element.get("text", "")) > 3000:
                    errors.append(f"{where}: context text over 3000 characters")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                errors.append(f"{where}: actions needs 1–25 elements")
            for element in elements:
                errors.extend(f"{where}: {problem}" for problem in _element_errors(element))
        elif kind not in ("divider", "image", "rich_text"):
            errors.append(f"{where}: unknown block type")
        if len(block.get("block_id", "")) > 255:
            errors.append(f"{where}: block_id over 255 characters")
    return errors


def _element_errors(element: dict[str, Any]) -> list[str]:
    errors = []
    if element.get("type") == "button":
        if len(element.get("text", {}).get("text", "")) > 75:
            errors.append("button text over 75 characters")
        if len(element.get("value", "")) > 2000:
            errors.append("button value over 2000 characters")
    elif element.get("type") == "static_select":
        options = element.get("options") or []
        if not 1 <= len(options) <= 100:
            errors.append("static_select needs 1–100 options")
        if len(element.get("placeholder", {}).get("text", "")) > 150:
            errors.append("placeholder over 150 characters")
        for option in options:
            if len(option.get("text", {}).get("text", "")) > 75 or len(option.get("value", "")) > 150:
                errors.append("option text over 75 or value over 150 characters")
    else:
        errors.append(f"unexpected element {element.get('type')}")
    if len(element.get("action_id", "")) > 255:
        errors.append("action_id over 255 characters")
    return errors


class _Handler(BaseHTTPRequestHandler):
    standin: StandinSlackServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the stand-in's record of calls is what tests read."""

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(self.rfile.read(length) if length else b"")

    def _dispatch(self, body: bytes) -> None:
        url = urlparse(self.path)
        if url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
            params = self._params(url.query, body)
            auth = self.headers.get("Authorization") or ""
            token = auth.removeprefix("Bearer ").strip() or params.pop("token", None)
            status, headers, answer = self.standin.handle_api(method, params, token)
            self.standin._record(
                Call(
                    method=method,
                    params=params,
                    status=status,
                    at=time.monotonic(),
                    error=None if answer.get("ok") else answer.get("error"),
                )
            )
            self._send(status, json.dumps(answer).encode(), "application/json; charset=utf-8", headers)
        elif url.path.startswith("/upload/"):
            status, text = self.standin.handle_upload(url.path.removeprefix("/upload/"), body)
            self.standin._record(
                Call(method="upload", params={"bytes": len(body)}, status=status, at=time.monotonic())
            )
            self._send(status, text.encode(), "text/plain")
        elif url.path.startswith("/response/"):
            self.standin.handle_response_url(url.path, json.loads(body or b"{}"))
            self.standin._record(Call(method="response_url", params={}, status=200, at=time.monotonic()))
            self._send(200, b"ok", "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    def _params(self, query: str, body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if kind == "application/json" and body:
            params.update(json.loads(body))
        elif kind == "application/x-www-form-urlencoded" and body:
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        return params

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
