"""Keywords and the one-sentence explanation of an offline label.

Rules (tested in tests/bot/labelers/test_offline_kinds.py and test_offline.py):
- Keywords are spans of the text that pushed the score toward the chosen label (n-grams and rule
  cues), merged so they read as whole words or phrases of the original text; at most five.
- A keyword is never only function words or characters (stop-words), never a number, and never
  contains a person's name or an identity term (`bot.labelers.offline.identity`): those spans are
  blocked before scoring, so they neither move the label nor show up as its reason.
- The explanation is built from the same keywords and says the same label, in the text's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.labelers.offline.features import ZH_RUN, masked
from bot.labelers.offline.model import Span
from domain.models import Label, Lang

MAX_KEYWORDS = 5
MIN_CUE = 0.3  # a cue must move the score by at least this much (logit units) to be named
_READABLE = re.compile(r"[^\W\d_]|[!?]|[:;=]")  # a keyword needs a letter (or is an emoticon/!)
_MAX_SPAN = {"char": 6, "word": 24}  # merged keyword length cap (characters)
_LAUGHTER = re.compile(r"哈{2,}|嘻{2,}|嘿{2,}")  # laughter: made of function characters, yet a cue
# Function characters/words: a keyword made only of these is a fragment, not a sentiment cue.
ZH_FUNCTION = frozenset(
    "了吗呢吧啊呀哦哈嘛的地得是我你您他她它们这那个些在有和与及就都也还又"
    "把被给让将从到对向请问什么怎么如何为哪里儿多少几时候一下能会可以要想已经过着之其"
    "零一二三四五六七八九十百千万两天号月年次个件"
)
EN_FUNCTION = frozenset(
    """a an the this that these those it its i me my we our you your he she they them their is are
    was were be been being am do does did have has had will would can could shall should may might
    must to of in on at for with by from about as into over after before so just also then there
    here and or if than too very what which who whom whose when where why how all any some such
    one two three four five six seven eight nine ten first second day days week weeks month months
    year years time times hour hours minute minutes today yesterday tomorrow again still get got
    tonight morning afternoon evening night weekend monday tuesday wednesday thursday friday
    saturday sunday january february march april june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec
    i'm i've i'll i'd you're you've you'll we're we've we'll they're they've it's that's there's
    he's she's let's what's
    'd 'll 're 's 've 'm""".split()  # noqa: SIM905 (a word list reads better as text)
)


# A greeting opens a message of any mood: never a reason ("你好，为什么还没发货？" is no praise).
_GREETING = re.compile(r"(?:你好|您好|你们好|大家好|在吗|在不在|亲|hi|hello|hey|dear)[啊呀呢]?")


def is_cue(word: str, kind: str) -> bool:
    """A readable keyword: has a letter (or is an emoticon/!) and is not only function words
    or a greeting."""
    if not _READABLE.search(word) and not _has_emoji(word):
        return False
    if _GREETING.fullmatch(word.strip()):
        return False
    if kind == "char":
        if _LAUGHTER.fullmatch(word.strip()):
            return True  # 哈 alone is a filler, 哈哈哈 is laughter: a reason a reader recognises
        return any(
            ch not in ZH_FUNCTION for ch in word if not ch.isspace() and (ch.isalnum() or _has_emoji(ch))
        )
    words = re.findall(r"[a-z']+|[!?:;=()<3]+|[^\x00-\x7f]", word)
    # A lone letter ("l" of "L.A.") is no word a reader would take for a reason.
    return any(w not in EN_FUNCTION and not (len(w) == 1 and w.isalpha()) for w in words)


def _has_emoji(text: str) -> bool:
    return any(ord(ch) >= 0x2600 and not ("\u4e00" <= ch <= "\u9fff") and not ch.isalnum() for ch in text)


@dataclass
class Reasons:
    """What the explanation says: the label, its keywords and, for neutral, why."""

    label: Label
    keywords: list[str]
    cues: str  # "decisive" | "mixed" | "weak" | "none" | "inquiry"
    lang: Lang
    # Set when a contrast ("but", 但是) decided: the keywords come from the clause after it.
    contrast: str | None = None
    ironic: list[str] = field(default_factory=list)  # keywords that are praise read as sarcasm


_JOINERS = "'’-"


def _inside_word(text: str, i: int) -> bool:
    """True when position `i` (between text[i-1] and text[i]) falls inside a word; an apostrophe or
    hyphen between letters is part of the word ("don't", "check-in")."""
    if i <= 0 or i >= len(text):
        return False
    a, b = text[i - 1], text[i]
    if a.isalnum() and b.isalnum():
        return True
    if a in _JOINERS and b.isalnum():
        return i >= 2 and text[i - 2].isalnum()
    if b in _JOINERS and a.isalnum():
        return i + 1 < len(text) and text[i + 1].isalnum()
    return False


def snap_to_words(start: int, end: int, text: str) -> tuple[int, int]:
    """Widen an English span so it neither starts nor ends inside a word of `text` (the tokenizer
    splits "don't" into "do" + "n't": a keyword must read "don't work", not "n't work")."""
    while _inside_word(text, start):
        start -= 1
    while _inside_word(text, end):
        end += 1
    return start, end


_SNAP_MAX = 10  # a Chinese clause this short reads better whole than as an n-gram cut out of it


def _snap_to_clause(start: int, end: int, clauses: list[tuple[int, int]]) -> tuple[int, int]:
    """Widen a Chinese n-gram to its whole clause when the clause is short (`员态度很好` →
    `快递员态度很好`), so keywords read as words rather than fragments."""
    for lo, hi in clauses:
        if lo <= start < hi:
            return (lo, hi) if hi - lo <= _SNAP_MAX and end <= hi else (start, end)
    return start, end


_LATIN_PAIR = re.compile(r"[a-z0-9]{2}")
_EDGE = " \t\n,.;:，。；：、!?！？"  # stripped from a keyword's ends


def uncut(lower: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """Widen `start:end` (within `lo:hi`) so it does not cut a Latin word or a number in two:
    "cpu还是差了点", never "u还是差了点"; "买的12个", never "买的1"."""
    hi = len(lower) if hi is None else hi
    while start > lo and _LATIN_PAIR.match(lower, start - 1, start + 1):
        start -= 1
    while end < hi and _LATIN_PAIR.match(lower, end - 1, end + 1):
        end += 1
    return start, end


def _clause_len(start: int, clauses: list[tuple[int, int]]) -> int:
    return next((hi - lo for lo, hi in clauses if lo <= start < hi), 0)


def keywords(
    lower: str,
    spans: list[Span],
    sign: int,
    kind: str,
    *,
    skip: list[tuple[int, int]] = (),  # type: ignore[assignment]
) -> list[tuple[str, float]]:
    """Merge the spans pushing in direction `sign` into at most 5 readable substrings of `lower`,
    strongest first, each with its summed push. Spans overlapping `skip` (names) are left out."""
    cands = sorted(
        ((w * sign, s, e) for w, s, e in spans if w * sign > 0 and not any(a < e and s < b for a, b in skip)),
        reverse=True,
    )
    if not cands:
        return []
    floor = cands[0][0] * 0.12
    cap = _MAX_SPAN[kind]
    merged: list[list[float]] = []  # [weight, start, end]
    gap = 0 if kind == "char" else 1  # Chinese: overlapping or adjacent n-grams join; English:
    for w, s, e in cands[:24]:  # also words one space apart (unless the phrase gets too long)
        if w < floor:
            break
        for m in merged:
            lo, hi = min(s, int(m[1])), max(e, int(m[2]))
            if s <= m[2] + gap and e + gap >= m[1] and hi - lo <= max(cap, e - s, m[2] - m[1]):
                m[0], m[1], m[2] = m[0] + w, lo, hi
                break
        else:
            merged.append([w, s, e])
    out: list[tuple[str, float]] = []
    shown: list[tuple[int, int]] = []  # the span of each keyword in `out`
    seen: set[str] = set()
    clauses = [m.span() for m in ZH_RUN.finditer(lower)] if kind == "char" else []
    text = masked(lower) if kind == "word" else lower
    for weight, start, end in sorted(merged, reverse=True):
        raw_span = (int(start), int(end))
        if kind == "word":
            start, end = snap_to_words(*raw_span, text)
        else:
            start, end = uncut(lower, *_snap_to_clause(*raw_span, clauses))
        if any(a < end and start < b for a, b in skip):
            start, end = raw_span  # widening must not pull in a name or an identity term
            if any(a < end and start < b for a, b in skip):
                continue
        near = next((i for i, (a, b) in enumerate(shown) if a < end and start < b), None)
        if kind == "char" and near is not None:
            # Widened to whole numbers and words, two keywords may now overlap ("买的12", "12个都是小"):
            # they are one phrase.
            a, b = min(start, shown[near][0]), max(end, shown[near][1])
            shown[near] = (a, b)
            out[near] = (lower[a:b].strip(_EDGE), out[near][1] + weight)
            continue
        word = lower[start:end].strip(_EDGE)  # "!" alone is no reason to show
        one_char = kind == "char" and len(word) == 1 and not _has_emoji(word)
        if one_char and end - start < _clause_len(start, clauses):
            continue  # one character cut out of a longer phrase ("快" of "快递员") misleads
        if is_cue(word, kind) and word not in seen and not any(word in other for other in seen):
            seen.add(word)
            out.append((word, weight))
            shown.append((start, end))
        if len(out) >= MAX_KEYWORDS:
            break
    return out


def neutral_cues(pos: list[tuple[str, float]], neg: list[tuple[str, float]]) -> tuple[str, list[str]]:
    """Why an unsure text is neutral: both directions named ("mixed"), one weak direction, or none."""
    strong_pos = [w for w, s in pos if s >= MIN_CUE]
    # A span named on both sides (Chinese spans widen to their clause) is not two cues.
    strong_neg = [w for w, s in neg if s >= MIN_CUE and not any(w in p or p in w for p in strong_pos)]
    if strong_pos and strong_neg:
        return "mixed", list(dict.fromkeys(strong_pos[:2] + strong_neg[:2]))
    if strong_pos or strong_neg:
        return "weak", (strong_pos or strong_neg)[:3]
    return "none", []


def explain(r: Reasons) -> str:
    """One sentence built from the keywords, in the text's language, saying the label."""
    kws = r.keywords
    irony = [k for k in kws if any(k in i or i in k for i in r.ironic)]
    if r.lang == "zh":
        quoted = "".join(f"“{k}”" for k in kws)
        if irony and r.label == "negative":
            said = "".join(f"“{k}”" for k in irony)
            rest = "".join(f"“{k}”" for k in kws if k not in irony)
            return f"判为负面：{said}是反话" + (f"，{rest}表达了不满。" if rest else "，表达了不满。")
        more = "等词" if len(kws) > 1 else ""
        lead = f"转折之后的“{r.contrast}”部分决定了倾向：" if r.contrast else ""
        if r.label == "positive":
            return f"判为正面：{lead}{quoted}{more}表达了满意。" if kws else f"判为正面：{lead}整体语气满意。"
        if r.label == "negative":
            return f"判为负面：{lead}{quoted}{more}表达了不满。" if kws else f"判为负面：{lead}整体语气不满。"
        if r.cues == "mixed":
            return f"判为中性：{quoted}等正负线索都很弱，相互抵消，没有明显倾向。"
        if r.cues == "weak":
            return f"判为中性：只有{quoted}等较弱的情感线索，不足以判断倾向。"
        if r.cues == "inquiry":
            return "判为中性：像是询问、请求或陈述事实，没有发现明显的情感词。"
        return "判为中性：没有发现明显的情感词。"
    quoted = ", ".join(f'"{k}"' for k in kws)
    verb = "signals" if len(kws) == 1 else "signal"
    if irony and r.label == "negative":
        said = ", ".join(f'"{k}"' for k in irony)
        rest = ", ".join(f'"{k}"' for k in kws if k not in irony)
        return f"Negative: sarcasm ({said})" + (
            f" and {rest} signal dissatisfaction." if rest else " signals dissatisfaction."
        )
    lead = f'after "{r.contrast}", ' if r.contrast else ""
    if r.label == "positive":
        return f"Positive: {lead}{quoted} {verb} satisfaction." if kws else "Positive overall tone."
    if r.label == "negative":
        return f"Negative: {lead}{quoted} {verb} dissatisfaction." if kws else "Negative overall tone."
    if r.cues == "mixed":
        return f"Neutral: only weak cues, pulling both ways ({quoted})."
    if r.cues == "weak":
        return f"Neutral: only weak sentiment cues ({quoted}) were found."
    if r.cues == "inquiry":
        return "Neutral: a question, request or statement of fact with no strong sentiment cue."
    return "Neutral: no strong sentiment cue was found."
