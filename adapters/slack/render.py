"""`Reply` → Block Kit: a headline, short paragraphs, the most negative items, review controls.

Readable on a phone (no tables, one idea per block), never raw JSON, within Slack's limits
(50 blocks, 150 characters in a header, 3000 in a section). Every piece of user or model text is
escaped, so a comment containing `<!channel>` cannot ping anyone. The plain `text` fallback is what
notifications and screen readers show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.i18n import LABEL_EMOJI, label_word, tr
from bot.replies import Button, Reply, drill_rows, item_line
from domain.messages import messages_url
from domain.models import LABELS, LabeledItem, Lang

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION = 3000
MAX_TEXT = 3000
# Actions blocks carrying review controls are found again by this prefix when a button is pressed.
REVIEW_BLOCK_PREFIX = "review:"
# Slack action ids of the core's two review buttons ("resolve_review", "correct_label").
RESOLVE_ACTION = "review_resolve"
WRONG_ACTION = "review_wrong"

Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    """What goes into chat.postMessage / chat.update / respond()."""

    text: str
    blocks: list[Block]

    def kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": _clip(text, MAX_HEADER), "emoji": True}}


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(mrkdwn, MAX_SECTION)}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(mrkdwn, MAX_SECTION)}]}


def sections(lines: list[str], *, bullet: str = "") -> list[Block]:
    """Escaped lines packed into as few sections as fit 3000 characters each."""
    blocks: list[Block] = []
    chunk = ""
    for raw in lines:
        line = bullet + escape(raw)
        if chunk and len(chunk) + 1 + len(line) > MAX_SECTION:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    return blocks


def render_reply(reply: Reply, *, public_url: str | None = None) -> SlackMessage:
    """The Block Kit message for any reply of the core. With `public_url` (SENTIBOT_PUBLIC_URL), a
    stats reply links its labels, aspects and days to their messages on the web history page."""
    if reply.kind == "error":
        line = error_line(reply)
        return SlackMessage(text=escape(line), blocks=[section(escape(line))])
    lang = reply.lang
    blocks: list[Block] = []
    if reply.kind == "label":
        # One comment: the labelled line in bold, then why (a header would be too loud).
        blocks.append(section(f"*{escape(reply.title)}*"))
        blocks.extend(sections(reply.lines))
    else:
        blocks.append(header(reply.title))
        bullet = "• " if reply.kind in ("help", "reviews") else ""
        blocks.extend(sections(reply.lines, bullet=bullet))
    if public_url:
        blocks.extend(drill_blocks(reply, public_url))
    if reply.highlights:
        blocks.append(section("*" + tr(lang, "最负面的评论", "Most negative") + "*"))
        blocks.extend(_item_block(item, lang) for item in reply.highlights)
    if reply.buttons and reply.review_id is not None:
        blocks.append(review_actions(reply.review_id, reply.buttons, lang))
    if reply.link:
        blocks.append(context(f"<{reply.link}|{tr(lang, '在 sentibot 中打开', 'Open in sentibot')}>"))
    return SlackMessage(text=_fallback(reply), blocks=_cap(blocks, lang))


def drill_blocks(reply: Reply, public_url: str) -> list[Block]:
    """One context line per drill-down row: `See the messages: <url|🔴 negative 12> · …`. Links
    are left out rather than cut, so a long line never ends in a broken link."""
    blocks: list[Block] = []
    for row in drill_rows(reply):
        line = f"*{escape(row.heading)}*"
        for at, (text, link) in enumerate(row.links):
            part = f"<{escape(messages_url(link.query, base=public_url))}|{escape(text)}>"
            part = f" {part}" if at == 0 else f" · {part}"
            if len(line) + len(part) > MAX_SECTION:
                break
            line += part
        blocks.append(context(line))
    return blocks


def error_line(reply: Reply) -> str:
    """The one clear line a failure gets: the core's explanation, or its headline."""
    if reply.lines:
        return f"⚠️ {reply.lines[0]}"
    return reply.title


def _item_block(item: LabeledItem, lang: Lang) -> Block:
    text = escape(item_line(item, lang))
    if item.explanation:
        text += f"\n> {escape(item.explanation)}"
    return section(text)


def review_actions(review_id: int, buttons: list[Button], lang: Lang) -> Block:
    """`Mark reviewed` as a button; `Label was wrong` as a menu of the right labels (one tap)."""
    elements: list[Block] = []
    for button in buttons:
        if button.action == "resolve_review":
            element: Block = {
                "type": "button",
                "action_id": RESOLVE_ACTION,
                "text": {"type": "plain_text", "text": _clip(button.text, 75), "emoji": True},
                "value": button.value,
            }
            if button.style:
                element["style"] = button.style
            elements.append(element)
        elif button.action == "correct_label":
            elements.append(
                {
                    "type": "static_select",
                    "action_id": WRONG_ACTION,
                    "placeholder": {
                        "type": "plain_text",
                        "text": _clip(f"{button.text} →", 150),
                        "emoji": True,
                    },
                    "options": [
                        {
                            "text": {
                                "type": "plain_text",
                                "text": f"{LABEL_EMOJI[label]} {label_word(label, lang)}",
                                "emoji": True,
                            },
                            "value": f"{button.value}:{label}",
                        }
                        for label in LABELS
                    ],
                }
            )
    return {"type": "actions", "block_id": f"{REVIEW_BLOCK_PREFIX}{review_id}", "elements": elements}


def _fallback(reply: Reply) -> str:
    return _clip(escape(reply.text), MAX_TEXT)


def _cap(blocks: list[Block], lang: Lang) -> list[Block]:
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    keep = blocks[: MAX_BLOCKS - 1]
    return [*keep, context(tr(lang, "……其余内容请在 sentibot 中查看", "… the rest is in sentibot"))]


# -- progress and review outcomes ----------------------------------------------------------------


def working_message(lang: Lang, *, count: int, conversation: bool) -> SlackMessage:
    """The placeholder posted before a long job, edited into the answer when it is done."""
    if conversation:
        text = tr(
            lang,
            f"⏳ 正在阅读这个对话（{count} 条发言）并判定…",
            f"⏳ Reading the thread ({count} messages)…",
        )
    else:
        text = tr(lang, f"⏳ 正在标注 {count} 条评论…", f"⏳ Labelling {count} comments…")
    return SlackMessage(text=text, blocks=[section(text)])


def outcome_line(lang: Lang, *, user_id: str, review_id: int, label: str | None, previous: str | None) -> str:
    """Who did what to a review, shown where the buttons were."""
    who = f"<@{user_id}>"
    if label is None:
        return tr(
            lang, f"✅ {who} 已标记为已审（#{review_id}）", f"✅ Marked reviewed by {who} (#{review_id})"
        )
    before = f"{LABEL_EMOJI.get(previous or '', '')} {label_word(previous, lang)} → " if previous else ""
    after = f"{LABEL_EMOJI[label]} {label_word(label, lang)}"
    return tr(
        lang,
        f"✏️ {who} 纠正了标注：{before}{after}，已审（#{review_id}）",
        f"✏️ {who} corrected the label: {before}{after} · review #{review_id} resolved",
    )


def resolved_message(blocks: list[Block], text: str, *, review_id: int, outcome: str) -> SlackMessage:
    """The original message with its review controls replaced by who did what."""
    kept: list[Block] = []
    replaced = False
    for block in blocks:
        if block.get("type") == "actions" and block.get("block_id") == f"{REVIEW_BLOCK_PREFIX}{review_id}":
            kept.append(context(outcome))
            replaced = True
        else:
            kept.append(block)
    if not replaced:
        kept.append(context(outcome))
    return SlackMessage(
        text=_clip(f"{text}\n{outcome}" if text else outcome, MAX_TEXT), blocks=kept[:MAX_BLOCKS]
    )
