"""Top negative themes: the day's negative keywords, normalised and grouped (see bot/digest/)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date

from bot.digest.model import AspectTheme, Theme
from storage import Store

THEME_SAMPLE = 2000
TOP_THEMES = 5
TOP_ASPECTS = 3
_PUNCT = " \t\r\n.,;:!?'\"`()[]{}<>#*_-~|/\\，。；：！？、“”‘’（）【】《》〈〉「」『』…·"


def _themes(store: Store, *, day: date, channel: str | None, negatives: int, top: int) -> list[Theme]:
    lists = store.stats.negative_keyword_lists(
        day=day.isoformat(), channel=channel, limit=THEME_SAMPLE, expected=negatives
    )
    themes = group_themes(lists, top=top)
    factor = negatives / len(lists) if lists and negatives > len(lists) else 1.0
    for theme in themes:
        if factor > 1:
            theme.count, theme.estimated = round(theme.count * factor), True
        theme.share = round(theme.count / negatives, 4) if negatives else 0.0
    return themes


def aspect_themes(
    store: Store, *, day: date, channel: str | None, negatives: int, top: int, example_chars: int = 80
) -> list[AspectTheme]:
    """The day's negative messages by aspect (from the daily rollup), most frequent first, each
    with its most confident example. Empty when the labeller gave no aspects."""
    rows = store.messages.aspect_counts(first_day=day.isoformat(), last_day=day.isoformat(), channel=channel)
    counts = Counter({str(r["aspect"]): int(r["n"]) for r in rows if r["bucket"] == "negative" and r["n"]})
    themes = []
    for aspect, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        found = store.messages.examples(
            first_day=day.isoformat(), last_day=day.isoformat(), aspect=aspect, channel=channel, limit=1
        )
        text = " ".join((found[0].text or "").split()) if found else ""
        themes.append(
            AspectTheme(
                aspect=aspect,
                count=count,
                share=round(count / negatives, 4) if negatives else 0.0,
                example=(text[: example_chars - 1] + "…" if len(text) > example_chars else text) or None,
                example_id=found[0].id if found else None,
            )
        )
    return themes


# -- themes -----------------------------------------------------------------------------------


# A keyword made only of these says how strongly, not what about ("没有", "都不", "not really"):
# a lead cannot act on it as a theme.
_ZH_FILLER = frozenset("不没有无别都也还又就才很太挺真好是了的得地着过吧吗呢啊呀么这那个些我你他她它们在")
_EN_FILLER = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nothing",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "can't",
        "won't",
        "very",
        "too",
        "so",
        "really",
        "just",
        "at",
        "all",
        "the",
        "a",
        "an",
        "is",
        "was",
        "are",
        "it",
        "this",
        "that",
        "i",
        "you",
        "we",
        "they",
        "my",
        "your",
        "even",
        "still",
    ]
)


def normalise_keyword(keyword: str) -> str:
    """NFKC (full-width → ASCII), case folded, whitespace collapsed, punctuation trimmed; empty
    when the keyword is only negation, degree or function words (no theme in it)."""
    text = " ".join(unicodedata.normalize("NFKC", keyword).casefold().split()).strip(_PUNCT)
    if _has_cjk(text):
        return "" if set(text.replace(" ", "")) <= _ZH_FILLER else text
    return "" if set(text.split()) <= _EN_FILLER else text


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def related(a: str, b: str) -> bool:
    """Same normalised keyword, or one contained in the other (see the module docstring)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if _has_cjk(short):
        return len(short) >= 2 and short in long
    return len(short) >= 3 and f" {short} " in f" {long} "


def group_themes(keyword_lists: list[list[str]], *, top: int = TOP_THEMES) -> list[Theme]:
    """Top themes of negative items: keywords grouped as `related`, counted by items."""
    items = [{k for k in map(normalise_keyword, keywords) if k} for keywords in keyword_lists]
    freq: Counter[str] = Counter(k for keywords in items for k in keywords)
    groups: list[list[str]] = []
    for keyword in sorted(freq, key=lambda k: (-freq[k], len(k), k)):
        home = next((g for g in groups if any(related(keyword, member) for member in g)), None)
        if home is None:
            groups.append([keyword])
        else:
            home.append(keyword)
    themes = [
        Theme(keyword=g[0], count=sum(1 for keywords in items if keywords.intersection(g)), variants=g[1:])
        for g in groups
    ]
    themes.sort(key=lambda t: (-t.count, t.keyword))
    return themes[:top]
