"""Language of the user's input: replies are Chinese for Chinese input, English otherwise."""

from __future__ import annotations

import re

from domain.models import Lang

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(*texts: str) -> Lang:
    """`zh` when CJK characters are at least a fifth of the letters, else `en`."""
    cjk = latin_words = 0
    for text in texts:
        cjk += len(_CJK.findall(text))
        latin_words += len(re.findall(r"[A-Za-z]+", text))
    if cjk == 0:
        return "en"
    # A Chinese character carries about a word's worth of meaning, so compare chars to words.
    return "zh" if cjk * 4 >= latin_words else "en"


def reply_lang(text: str) -> Lang:
    """The language of the reply to a chat message: the message's own; English for no text."""
    return detect_lang(text) if text.strip() else "en"


LABEL_WORDS: dict[Lang, dict[str, str]] = {
    "en": {"positive": "positive", "negative": "negative", "neutral": "neutral", "failed": "failed"},
    "zh": {"positive": "正面", "negative": "负面", "neutral": "中性", "failed": "失败"},
}
LABEL_EMOJI: dict[str, str] = {"positive": "🟢", "negative": "🔴", "neutral": "⚪", "failed": "⚠️"}


def label_word(label: str | None, lang: Lang) -> str:
    return LABEL_WORDS[lang][label or "failed"]


def tr(lang: Lang, zh: str, en: str) -> str:
    """The Chinese or the English text for a reply in `lang` (one language per reply)."""
    return zh if lang == "zh" else en
