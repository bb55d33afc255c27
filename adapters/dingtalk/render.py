"""A core `Reply` as DingTalk markdown (pure: no network; the chart comes as an argument).

DingTalk renders a subset of markdown: headings, bold, links, images, lists, quotes — no tables,
no HTML, and a single newline does not always break a line, so paragraphs are separated by blank
lines. The `title` is what the notification and the chat list show.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlparse

from bot.i18n import tr
from bot.replies import Reply, drill_rows, item_line
from domain.messages import messages_url
from domain.models import Lang

log = logging.getLogger(__name__)

# sampleMarkdown's msgParam may hold 15 000 bytes and a webhook body 20 000: stay well below.
MAX_TEXT_BYTES = 12_000
MAX_TITLE_CHARS = 64
_MARKUP = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+\.)(\s)")


@dataclass(frozen=True)
class Markdown:
    """One DingTalk markdown message: `title` (notification text) and `text` (the body)."""

    title: str
    text: str

    def msg_param(self) -> dict[str, str]:
        """The `sampleMarkdown` template parameters of the OpenAPI sends."""
        return {"title": self.title, "text": self.text}

    def webhook_body(self) -> dict[str, object]:
        """The body a sessionWebhook or a custom-robot webhook takes."""
        return {"msgtype": "markdown", "markdown": {"title": self.title, "text": self.text}}


def escape(text: str) -> str:
    """User text shown literally: markup characters escaped, line-start markers neutralised."""
    lines = []
    for line in text.splitlines() or [""]:
        line = _MARKUP.sub(r"\\\1", line)
        lines.append(_LINE_START.sub(r"\1\\\2\3", line))
    return "  \n".join(lines)


def render_reply(reply: Reply, *, chart: str | None = None, public_url: str | None = None) -> Markdown:
    """`chart` is a media_id or a public URL (see `adapters/dingtalk/media.py`), or None. With
    `public_url` (SENTIBOT_PUBLIC_URL), a stats reply links its labels, aspects and days to their
    messages on the web history page."""
    lang = reply.lang
    blocks: list[str] = [f"#### {escape(reply.title)}"]
    if reply.kind in ("help", "reviews"):
        if reply.lines:
            blocks.append("\n".join(f"- {escape(line)}" for line in reply.lines))
    else:
        blocks.extend(escape(line) for line in reply.lines if line)
    if reply.kind == "list" and reply.highlights:
        heading = tr(lang, "**最负面的几条**", "**Most negative**")
        items = "\n".join(f"- {escape(item_line(item, lang))}" for item in reply.highlights)
        blocks.append(f"{heading}\n\n{items}")
    if chart:
        blocks.append(f"![chart]({chart})")
    if public_url:
        blocks.extend(drill_lines(reply, public_url))
    link_block = _link_block(reply)
    text = "\n\n".join(blocks)
    text = _fit(text, tail=link_block, lang=lang)
    return Markdown(title=_title(reply.title), text=text)


def drill_lines(reply: Reply, public_url: str) -> list[str]:
    """One paragraph per drill-down row: `**See the messages:** [🔴 negative 12](url) · …`."""
    lines = []
    for row in drill_rows(reply):
        links = [f"[{escape(text)}]({messages_url(link.query, base=public_url)})" for text, link in row.links]
        lines.append(f"**{escape(row.heading)}** " + " · ".join(links))
    return lines


def _link_block(reply: Reply) -> str:
    if not reply.link:
        return ""
    lang = reply.lang
    if reply.kind == "conversation" and reply.review_id is not None:
        # The core's lines already say it was flagged and why; this is the way to the queue.
        return tr(
            lang,
            f"🚩 **在待审队列中**：[查看待审 #{reply.review_id}]({reply.link})",
            f"🚩 **In the review queue**: [open review #{reply.review_id}]({reply.link})",
        )
    if reply.kind == "reviews":
        return tr(lang, f"[打开待审队列]({reply.link})", f"[Open the review queue]({reply.link})")
    return tr(lang, f"[查看完整结果]({reply.link})", f"[See the full results]({reply.link})")


def _title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1] + "…"


def _fit(text: str, *, tail: str, lang: Lang) -> str:
    """Cut an oversized body at a paragraph boundary; the link to the full results always stays."""
    suffix = f"\n\n{tail}" if tail else ""
    if len((text + suffix).encode()) <= MAX_TEXT_BYTES:
        return text + suffix
    note = tr(lang, "……（内容过长，已截断）", "… (cut: too long for one message)")
    budget = MAX_TEXT_BYTES - len(suffix.encode()) - len(note.encode()) - 2
    kept = text.encode()[:budget].decode(errors="ignore")
    cut = kept.rfind("\n")
    kept = kept[:cut] if cut > 0 else kept
    return f"{kept}\n\n{note}{suffix}"


def error_markdown(message: str, *, lang: Lang) -> Markdown:
    """A reply for when the core could not be asked at all (it already logged why)."""
    title = tr(lang, "⚠️ 处理失败", "⚠️ Something went wrong")
    return Markdown(title=title, text=f"#### {title}\n\n{escape(message)}")


# -- the chart ----------------------------------------------------------------------------------


def is_public_url(url: str) -> bool:
    """Whether DingTalk's servers and clients can fetch from `url` (not loopback/private/local)."""
    host = (urlparse(url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host  # a bare name like `sentibot` only resolves inside a private network
    return address.is_global
