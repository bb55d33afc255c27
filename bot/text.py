"""Cleaning a comment before it is labelled. The original is always kept beside it."""

from __future__ import annotations

import re
import unicodedata

# What the model sees per item; longer comments are cut with a note rather than dropped.
MAX_LABEL_CHARS = 2000

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Slack's <@U123> / <#C1|name> / <!here>, and plain @handles (Twitter, DingTalk, WeChat).
_SLACK_REF = re.compile(r"<[@#!][^>\s]*>")
_MENTION = re.compile(r"(?<![\w.])@[\w\-.\u4e00-\u9fff]{1,32}")
# HTML/XML tags pasted with a comment (<br>, <script>…</script>, <img onerror=…>): markup is not
# sentiment. Text between tags is kept; "<3" and "a < b" are not tags and stay.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """True when `text` holds a UTF-16 surrogate on its own (JSON `"\\ud800"`): not Unicode text,
    it cannot be stored or sent on, so it is refused as bad input wherever it comes in."""
    return bool(_SURROGATE.search(text))


def _drop_control(text: str) -> str:
    # Keep newlines/tabs for the whitespace pass; keep ZWJ (U+200D) and variation selectors
    # (Mn/Cf inside emoji sequences) so emoji survive intact.
    return "".join(
        ch
        for ch in text
        if ch in "\n\t"
        or ch == "\u200d"
        or (
            unicodedata.category(ch) not in {"Cc", "Cs", "Co"}
            and not (unicodedata.category(ch) == "Cf" and ch not in "\u200d\ufe0f")
        )
    )


def clean_text(text: str, *, limit: int = MAX_LABEL_CHARS) -> tuple[str, str | None]:
    """Return (cleaned text, note). The note says what was cut when the text was truncated."""
    cleaned = unicodedata.normalize("NFC", text)
    cleaned = _SLACK_REF.sub(" ", cleaned)
    cleaned = _TAG.sub(" ", cleaned)
    cleaned = _URL.sub(" ", cleaned)
    cleaned = _MENTION.sub(" ", cleaned)
    cleaned = _drop_control(cleaned)
    cleaned = _SPACES.sub(" ", cleaned)
    cleaned = "\n".join(line.strip() for line in cleaned.splitlines() if line.strip())
    note = None
    if len(cleaned) > limit:
        note = f"truncated from {len(cleaned)} to {limit} characters"
        cleaned = cleaned[:limit]
    return cleaned, note
