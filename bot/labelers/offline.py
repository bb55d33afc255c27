"""The built-in offline labeller: no server, no download, pure-Python scoring of a small shipped model.

The model file (gzip JSON, written by `bot.labelers.offline_train`) holds one linear sub-model per
language: TF-IDF weighted n-grams (Chinese: character 1–4-grams; English: word 1–2-grams) with
per-class weights, plus, for English, a baked-in copy of the VADER lexicon whose rule-based score
is an extra feature. A text is routed by `detect_lang`, scored, its score calibrated on held-out
data (Platt scaling for two classes, temperature for more), and called neutral when the calibrated
probability of its best polar label is below the model's `p_min`, i.e. when the model is unsure.

Keywords are the n-grams that pushed the score toward the chosen label, mapped back to the spans of
the text they came from and merged, so they read as whole words or phrases of the original text.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.i18n import detect_lang
from domain.models import Label, LabelBatchResult, LabeledItem, Lang, TextIn

MODEL_FORMAT = "sentibot-offline/1"
SHIPPED_MODEL_PATH = Path(__file__).resolve().parent / "data" / "offline_model.json.gz"
# Items scored per worker-thread hop: ~30 ms of work, so the event loop is never held long.
CHUNK = 200

# ---------------------------------------------------------------------------------------------
# Features (shared with training: `offline_train` calls these exact functions, so the numbers
# computed here at run time are the ones the weights were fitted on).
# ---------------------------------------------------------------------------------------------

Gram = tuple[str, int, int]  # (feature, start, end) with start/end indexes into the lower-cased text

_URL = re.compile(r"(?:https?://|www\.)\S+")
_MENTION = re.compile(r"@\w+")
# Chinese: character n-grams inside runs of letters/digits (punctuation and spaces break runs).
_ZH_RUN = re.compile(r"[^\s\W_]+")
# English tokens: "don't" -> "do" + "n't" (as in SST-2's tokenisation), clitics, words, a few
# emoticons, runs of !/?.
_EN_TOKEN = re.compile(
    r"[a-z0-9]+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|[a-z0-9]+(?:[-'][a-z0-9]+)*"
    r"|[:;=8][-o^']?[()\[\]dpo3/\\|*]|<3|[!?]+"
)
_ELONGATED = re.compile(r"(.)\1{2,}")
_SKIP_SPANS = (_URL, _MENTION)


def _masked(lower: str) -> str:
    """Blank out URLs and @mentions (keeping offsets) so they neither score nor become keywords."""
    for pattern in _SKIP_SPANS:
        lower = pattern.sub(lambda m: " " * len(m.group()), lower)
    return lower


def zh_grams(lower: str, ngram: tuple[int, int] = (1, 4)) -> list[Gram]:
    """Character n-grams of every run of word characters in `lower` (already lower-cased)."""
    lo, hi = ngram
    grams: list[Gram] = []
    for run in _ZH_RUN.finditer(_masked(lower)):
        s, chunk = run.start(), run.group()
        size = len(chunk)
        for i in range(size):
            for n in range(lo, min(hi, size - i) + 1):
                grams.append((chunk[i : i + n], s + i, s + i + n))
    return grams


def en_tokens(lower: str) -> list[Gram]:
    """Normalised English tokens with their spans ("sooo" -> "soo", "n't" kept apart)."""
    out: list[Gram] = []
    for m in _EN_TOKEN.finditer(_masked(lower)):
        tok = m.group()
        if len(tok) > 2:
            tok = _ELONGATED.sub(r"\1\1", tok)
        out.append((tok, m.start(), m.end()))
    return out


def en_grams(tokens: list[Gram], ngram: tuple[int, int] = (1, 2)) -> list[Gram]:
    lo, hi = ngram
    grams: list[Gram] = []
    for i in range(len(tokens)):
        for n in range(lo, min(hi, len(tokens) - i) + 1):
            if n == 1:
                grams.append(tokens[i])
            else:
                part = tokens[i : i + n]
                grams.append((" ".join(t[0] for t in part), part[0][1], part[-1][2]))
    return grams


@dataclass
class Lexicon:
    """A VADER-style valence lexicon with its negation and booster rules (baked into the model)."""

    valence: dict[str, float]
    negations: frozenset[str]
    boosters: dict[str, float]

    def scores(self, tokens: list[Gram]) -> list[tuple[int, float]]:
        """(token index, valence after negation/booster/"but" rules) for each lexicon hit."""
        words = [t[0] for t in tokens]
        # SST-2 style "do n't" arrives as two tokens; treat the "n't" as the negation.
        hits: list[tuple[int, float]] = []
        but_at = next((i for i, w in enumerate(words) if w == "but"), -1)
        for i, w in enumerate(words):
            v = self.valence.get(w)
            if v is None:
                continue
            for back in (1, 2, 3):
                j = i - back
                if j < 0:
                    break
                prev = words[j]
                if prev in self.boosters:
                    scalar = self.boosters[prev] * (1.0 if back == 1 else 0.95 if back == 2 else 0.9)
                    v += scalar if v > 0 else -scalar
                if prev in self.negations or prev == "n't":
                    v *= -0.74
                    break
            if but_at >= 0:
                v *= 0.5 if i < but_at else 1.5
            hits.append((i, v))
        return hits

    @staticmethod
    def dense(hits: list[tuple[int, float]], n_tokens: int) -> dict[str, float]:
        """The dense features the English sub-model was trained with."""
        pos = sum(v for _, v in hits if v > 0)
        neg = -sum(v for _, v in hits if v < 0)
        total = pos - neg
        denom = pos + neg + max(n_tokens - len(hits), 0) or 1.0
        return {
            "lex_compound": total / math.sqrt(total * total + 15.0),
            "lex_pos": pos / denom,
            "lex_neg": neg / denom,
        }


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------


@dataclass
class SubModel:
    """One language's linear model, as loaded from the model file."""

    lang: str
    kind: str  # "char" (Chinese) or "word" (English)
    ngram: tuple[int, int]
    classes: list[str]
    intercept: list[float]
    features: dict[str, int]  # n-gram -> row in `idf` / `weights`
    idf: list[float]
    weights: list[list[float]]  # per-class weights (one column for two classes)
    dense: dict[str, list[float]]
    calibration: dict[str, float]
    p_min: float
    lexicon: Lexicon | None = None
    norm_floor: float = 0.0  # TF-IDF vectors are divided by max(L2 norm, this)
    # Inquiry rule (shipped model only): a question or request is called neutral unless its best
    # polar probability reaches this. None: off (models built by `sentibot train`).
    inquiry_p: float | None = None

    @property
    def binary(self) -> bool:
        return len(self.classes) == 2

    def analyse(self, lower: str) -> Analysis:
        if self.kind == "char":
            return Analysis(zh_grams(lower, self.ngram))
        tokens = en_tokens(lower)
        analysis = Analysis(en_grams(tokens, self.ngram), tokens=tokens)
        if self.lexicon is not None:
            analysis.hits = self.lexicon.scores(tokens)
            analysis.dense = Lexicon.dense(analysis.hits, len(tokens))
        return analysis


@dataclass
class Analysis:
    """What scoring needs from a text: its n-grams, and for English the lexicon hits."""

    grams: list[Gram]
    tokens: list[Gram] = field(default_factory=list)
    hits: list[tuple[int, float]] = field(default_factory=list)
    dense: dict[str, float] = field(default_factory=dict)


@dataclass
class Scored:
    label: Label
    confidence: float
    keywords: list[str]
    cues: str  # "decisive" | "mixed" | "weak" | "none"
    lang: Lang
    probs: dict[str, float] = field(default_factory=dict)


def _softmax(xs: list[float]) -> list[float]:
    top = max(xs)
    exps = [math.exp(x - top) for x in xs]
    total = sum(exps)
    return [e / total for e in exps]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class OfflineModel:
    """A loaded model file: the per-language sub-models and the file's metadata."""

    def __init__(self, data: dict, path: Path) -> None:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"{path} is not a sentibot offline model (format {data.get('format')!r})")
        self.path = path
        self.meta: dict = data.get("meta", {})
        self.langs: dict[str, SubModel] = {}
        for lang, sub in data["langs"].items():
            feats = sub["features"]
            vocab: list[str] = feats["vocab"]
            idf: list[float] = feats["idf"]
            weights: list[list[float]] = feats["weights"]
            lex = None
            if sub.get("lexicon"):
                lx = sub["lexicon"]
                lex = Lexicon(lx["valence"], frozenset(lx["negations"]), lx["boosters"])
            self.langs[lang] = SubModel(
                lang=lang,
                kind=sub["kind"],
                ngram=tuple(sub["ngram"]),  # type: ignore[arg-type]
                classes=sub["classes"],
                intercept=sub["intercept"],
                features=dict(zip(vocab, range(len(vocab)), strict=True)),
                idf=idf,
                weights=weights,
                dense=sub.get("dense", {}),
                calibration=sub["calibration"],
                p_min=float(sub["p_min"]),
                lexicon=lex,
                norm_floor=float(sub.get("norm_floor", 0.0)),
                inquiry_p=float(sub["inquiry_p"]) if sub.get("inquiry_p") is not None else None,
            )

    @classmethod
    def load(cls, path: Path) -> OfflineModel:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            raise
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"cannot read offline model {path}: {exc}") from exc
        return cls(data, path)


_CACHE: dict[Path, OfflineModel] = {}
_CACHE_LOCK = threading.Lock()


def load_model(path: Path | None = None) -> OfflineModel:
    """Load (once per process, then cached) the model at `path`, or the shipped one."""
    key = (path or SHIPPED_MODEL_PATH).resolve()
    with _CACHE_LOCK:
        model = _CACHE.get(key)
        if model is None:
            model = OfflineModel.load(key)
            _CACHE[key] = model
        return model


# ---------------------------------------------------------------------------------------------
# Scoring and explaining
# ---------------------------------------------------------------------------------------------

_MAX_KEYWORDS = 5
_READABLE = re.compile(r"[^\W\d_]|[!?]|[:;=]")  # a keyword needs a letter (or is an emoticon/!)
_MAX_SPAN = {"char": 6, "word": 24}  # merged keyword length cap (characters)
_MIN_CUE = 0.3  # a cue must move the score by at least this much (logit units) to be named
# Function characters/words: a keyword made only of these is a fragment, not a sentiment cue.
_ZH_FUNCTION = frozenset(
    "了吗呢吧啊呀哦哈嘛的地得是我你您他她它们这那个些在有和与及就都也还又"
    "把被给让将从到对向请问什么怎么如何为哪里儿多少几时候一下能会可以要想已经过着之其"
)
_EN_FUNCTION = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "they",
        "them",
        "their",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "about",
        "as",
        "into",
        "over",
        "after",
        "before",
        "so",
        "just",
        "also",
        "then",
        "there",
        "here",
        "and",
        "or",
        "if",
        "than",
        "too",
        "very",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "some",
        "such",
    ]
)
# Questions and requests: end with a question mark/particle or open with a request frame.
_ZH_INQUIRY = re.compile(
    r"(?:[?？]|[吗呢么嘛][?？。.!！~～]*)\s*$"
    r"|^\s*(?:请问|麻烦|能不能|能否|可不可以|怎么|如何|想问|想咨询|咨询|问一下|问下|我想|帮我|帮忙)"
)
_EN_INQUIRY = re.compile(
    r"\?\s*\W*$|^\W*(?:(?:hi|hello|hey)\W+)?(?:how|can|could|where|when|what|which|who|is|are|do|does"
    r"|will|would|should|may|please|i'd like|i would like|i want to|i need to|is there|is it)\b"
)
_EN_COMPLAINT_Q = re.compile(r"\b(?:why|how come|seriously|again)\b")  # rhetorical questions
_ZH_COMPLAINT_Q = re.compile(r"为什么|为啥|凭什么|到底|怎么还|还要等|多久了|又")


def is_inquiry(lower: str, kind: str) -> bool:
    """A question or request that is not an obviously rhetorical complaint."""
    if kind == "char":
        return bool(_ZH_INQUIRY.search(lower)) and not _ZH_COMPLAINT_Q.search(lower)
    return bool(_EN_INQUIRY.search(lower)) and not _EN_COMPLAINT_Q.search(lower)


def _is_cue(word: str, kind: str) -> bool:
    """A readable keyword: has a letter (or is an emoticon/!) and is not only function words."""
    if not _READABLE.search(word):
        return False
    if kind == "char":
        return any(ch not in _ZH_FUNCTION for ch in word if not ch.isspace() and ch.isalnum())
    return any(w not in _EN_FUNCTION for w in re.findall(r"[a-z0-9']+|[!?:;=()<3]+", word))


def score(sub: SubModel, text: str) -> Scored:
    """Label one text with one sub-model; pure Python, a few hundred microseconds."""
    lower = text.lower()
    analysis = sub.analyse(lower)
    counts: dict[str, list[Gram]] = {}
    for g in analysis.grams:
        if g[0] in sub.features:
            counts.setdefault(g[0], []).append(g)
    values: dict[str, float] = {}
    for feat, occ in counts.items():
        values[feat] = (1.0 + math.log(len(occ))) * sub.idf[sub.features[feat]]
    norm = max(math.sqrt(sum(v * v for v in values.values())), sub.norm_floor, 1e-9)
    k = len(sub.intercept)
    raw = list(sub.intercept)
    contrib: dict[str, list[float]] = {}
    for feat, v in values.items():
        ws = sub.weights[sub.features[feat]]
        x = v / norm
        contrib[feat] = [x * w for w in ws]
        for c in range(k):
            raw[c] += x * ws[c]
    lex_total = [0.0] * k
    for name, ws in sub.dense.items():
        x = analysis.dense.get(name, 0.0)
        for c in range(k):
            raw[c] += x * ws[c]
            lex_total[c] += x * ws[c]

    # Per-class probabilities, calibrated on held-out data at training time.
    if sub.binary:
        p1 = _sigmoid(sub.calibration.get("a", 1.0) * raw[0] + sub.calibration.get("b", 0.0))
        probs = {sub.classes[0]: 1.0 - p1, sub.classes[1]: p1}
    else:
        temp = sub.calibration.get("T", 1.0) or 1.0
        probs = dict(zip(sub.classes, _softmax([r / temp for r in raw]), strict=True))

    # Contribution of each feature toward "positive" minus toward "negative" (logit units).
    def polarity(ws: list[float]) -> float:
        if sub.binary:
            return ws[0] if sub.classes[1] == "positive" else -ws[0]
        pos = ws[sub.classes.index("positive")] if "positive" in sub.classes else 0.0
        neg = ws[sub.classes.index("negative")] if "negative" in sub.classes else 0.0
        return pos - neg

    spans: list[tuple[float, int, int]] = []  # (signed weight, start, end)
    for feat, cs in contrib.items():
        p = polarity(cs)
        occ = counts[feat]
        for _, s, e in occ:
            spans.append((p / len(occ), s, e))
    if analysis.hits:
        # The lexicon features' push is shared among the lexicon words, by valence.
        lex_p = polarity(lex_total)
        vsum = sum(abs(v) for _, v in analysis.hits) or 1.0
        for i, v in analysis.hits:
            share = lex_p * abs(v) / vsum
            if (share > 0) == (v > 0):  # only words whose valence agrees with the lexicon's push
                spans.append((share, analysis.tokens[i][1], analysis.tokens[i][2]))

    best_polar = max(
        (c for c in probs if c in ("positive", "negative")), key=lambda c: probs[c], default=None
    )
    best = max(probs, key=lambda c: probs[c])
    lang: Lang = "zh" if sub.kind == "char" else "en"
    pos_kw = _keywords(lower, spans, +1, sub.kind)
    neg_kw = _keywords(lower, spans, -1, sub.kind)
    inquiry = (
        sub.inquiry_p is not None
        and best_polar is not None
        and probs[best_polar] < sub.inquiry_p
        and is_inquiry(lower, sub.kind)
    )
    cap = _short_text_cap(lower, sub.kind)
    if best_polar is not None and best == best_polar and probs[best_polar] >= sub.p_min and not inquiry:
        label: Label = best_polar  # type: ignore[assignment]
        kws = pos_kw if label == "positive" else neg_kw
        conf_polar = round(min(probs[best_polar], cap), 4)
        return Scored(label, conf_polar, [w for w, _ in kws], "decisive", lang, probs)
    # Unsure (or the model says neutral): neutral. Confidence is highest when evidence is absent or
    # balanced and falls to 0.5 at the decision threshold.
    if best == "neutral":
        conf = probs["neutral"]
    else:
        top = probs[best_polar] if best_polar else 0.5
        bar = sub.inquiry_p if inquiry and sub.inquiry_p is not None else sub.p_min
        conf = 1.0 - 0.5 * min(max(top - 0.5, 0.0) / max(bar - 0.5, 1e-6), 1.0)
    conf = min(conf, cap)
    if best == "neutral" or inquiry:
        # The model (or the inquiry rule) says neutral outright: the polar cues are not the reason.
        cues = "inquiry" if sub.inquiry_p is not None and is_inquiry(lower, sub.kind) else "none"
        return Scored("neutral", round(conf, 4), [], cues, lang, probs)
    strong_pos = [w for w, s in pos_kw if s >= _MIN_CUE]
    strong_neg = [w for w, s in neg_kw if s >= _MIN_CUE]
    if strong_pos and strong_neg:
        cues, kws2 = "mixed", list(dict.fromkeys(strong_pos[:2] + strong_neg[:2]))
    elif strong_pos or strong_neg:
        cues, kws2 = "weak", (strong_pos or strong_neg)[:3]
    else:
        cues, kws2 = "none", []
    return Scored("neutral", round(conf, 4), kws2, cues, lang, probs)


_EN_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
_SHORT_UNITS = 5  # texts with fewer words than this (Chinese: two characters a word) are capped


def _short_text_cap(lower: str, kind: str) -> float:
    """The highest confidence a text this short may get: one word is thin evidence, however strong
    the word ("ok", "满意" alone are 0.80 at most; 0.95 at four words; five or more: no cap)."""
    masked = _masked(lower)
    units = len(_LETTER.findall(masked)) / 2 if kind == "char" else len(_EN_WORD.findall(masked))
    if units >= _SHORT_UNITS:
        return 1.0
    return 0.75 + 0.05 * max(math.ceil(units), 1)


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


def _snap_to_words(start: int, end: int, text: str) -> tuple[int, int]:
    """Widen an English span so it neither starts nor ends inside a word of `text` (the tokenizer
    splits "don't" into "do" + "n't": a keyword must read "don't work", not "n't work")."""
    while _inside_word(text, start):
        start -= 1
    while _inside_word(text, end):
        end += 1
    return start, end


def _keywords(
    lower: str, spans: list[tuple[float, int, int]], sign: int, kind: str
) -> list[tuple[str, float]]:
    """Merge the spans pushing in direction `sign` into at most 5 readable substrings of `lower`."""
    cands = sorted(((w * sign, s, e) for w, s, e in spans if w * sign > 0), reverse=True)
    if not cands:
        return []
    floor = cands[0][0] * 0.12
    cap = _MAX_SPAN[kind]
    merged: list[list[float]] = []  # [weight, start, end]
    for w, s, e in cands[:24]:
        if w < floor:
            break
        for m in merged:
            # Chinese: overlapping or adjacent n-grams join; English: also words one space apart.
            gap = 0 if kind == "char" else 1
            touches = s <= m[2] + gap and e + gap >= m[1]
            if touches:
                lo, hi = min(s, int(m[1])), max(e, int(m[2]))
                if hi - lo <= cap:
                    m[1], m[2] = lo, hi
                    m[0] += w
                break
        else:
            merged.append([w, s, e])
    out: list[tuple[str, float]] = []
    seen: set[str] = set()
    clauses = [m.span() for m in _ZH_RUN.finditer(lower)] if kind == "char" else []
    masked = _masked(lower) if kind == "word" else lower
    for weight, start, end in sorted(merged, reverse=True):
        if kind == "word":
            start, end = _snap_to_words(int(start), int(end), masked)
        else:
            start, end = _snap_to_clause(int(start), int(end), clauses)
        word = lower[start:end].strip()
        if kind == "char" and len(word) == 1 and end - start < _clause_len(start, clauses):
            continue  # one character cut out of a longer phrase ("快" of "快递员") misleads

        if _is_cue(word, kind) and word not in seen and not any(word in other for other in seen):
            seen.add(word)
            out.append((word, weight))
        if len(out) >= _MAX_KEYWORDS:
            break
    return out


_SNAP_MAX = 10  # a Chinese clause this short reads better whole than as an n-gram cut out of it


def _snap_to_clause(start: int, end: int, clauses: list[tuple[int, int]]) -> tuple[int, int]:
    """Widen a Chinese n-gram to its whole clause when the clause is short (`员态度很好` →
    `快递员态度很好`), so keywords read as words rather than fragments."""
    for lo, hi in clauses:
        if lo <= start < hi:
            return (lo, hi) if hi - lo <= _SNAP_MAX and end <= hi else (start, end)
    return start, end


def _clause_len(start: int, clauses: list[tuple[int, int]]) -> int:
    return next((hi - lo for lo, hi in clauses if lo <= start < hi), 0)


def explain(scored: Scored) -> str:
    """One sentence built from the keywords, in the text's language."""
    kws = scored.keywords
    if scored.lang == "zh":
        quoted = "".join(f"“{k}”" for k in kws)
        more = "等词" if len(kws) > 1 else ""
        if scored.label == "positive":
            return f"判为正面：{quoted}{more}表达了满意。"
        if scored.label == "negative":
            return f"判为负面：{quoted}{more}表达了不满。"
        if scored.cues == "mixed":
            return f"判为中性：{quoted}等正负线索相互抵消，没有明显倾向。"
        if scored.cues == "weak":
            return f"判为中性：只有{quoted}等较弱的情感线索，不足以判断倾向。"
        if scored.cues == "inquiry":
            return "判为中性：像是询问、请求或陈述事实，没有发现明显的情感词。"
        return "判为中性：没有发现明显的情感词。"
    quoted = ", ".join(f'"{k}"' for k in kws)
    verb = "signals" if len(kws) == 1 else "signal"
    if scored.label == "positive":
        return f"Positive: {quoted} {verb} satisfaction." if kws else "Positive overall tone."
    if scored.label == "negative":
        return f"Negative: {quoted} {verb} dissatisfaction." if kws else "Negative overall tone."
    if scored.cues == "mixed":
        return f"Neutral: the sentiment cues were mixed ({quoted})."
    if scored.cues == "weak":
        return f"Neutral: only weak sentiment cues ({quoted}) were found."
    if scored.cues == "inquiry":
        return "Neutral: a question, request or statement of fact with no strong sentiment cue."
    return "Neutral: no strong sentiment cue was found."


class OfflineLabeler:
    """Built-in labeller for Chinese and English; CPU-only, no network."""

    name = "offline"
    model: str | None = None  # storage records this; the offline labeller has no model name
    prompt_version: str | None = None

    def __init__(self, model_path: Path | None = None) -> None:
        """`model_path`: a model written by `sentibot train` (None: the shipped model).

        A user model that lacks a language (say, trained on Chinese comments only) falls back to
        the shipped model for texts in the other language. Loading is lazy and cached per process.
        """
        self.model_path = Path(model_path) if model_path is not None else None
        self._subs: dict[str, SubModel] | None = None
        self.load_seconds: float | None = None

    def _models(self) -> dict[str, SubModel]:
        if self._subs is None:
            t0 = time.perf_counter()
            subs: dict[str, SubModel] = {}
            if self.model_path is not None:
                subs.update(load_model(self.model_path).langs)
            if ("zh" not in subs or "en" not in subs) and SHIPPED_MODEL_PATH.exists():
                for lang, sub in load_model(None).langs.items():
                    subs.setdefault(lang, sub)
            if not subs:
                raise FileNotFoundError(f"no offline model found at {self.model_path or SHIPPED_MODEL_PATH}")
            self._subs = subs
            self.load_seconds = time.perf_counter() - t0
        return self._subs

    def _sub_for(self, text: str) -> SubModel:
        subs = self._models()
        lang = detect_lang(text)
        return subs.get(lang) or next(iter(subs.values()))

    def predict(self, text: str) -> LabeledItem:
        """Label one text (id 0)."""
        t0 = time.perf_counter()
        scored = score(self._sub_for(text), text)
        return LabeledItem(
            id=0,
            text=text,
            label=scored.label,
            confidence=scored.confidence,
            keywords=scored.keywords,
            explanation=explain(scored),
            labeler=self.name,
            status="ok",
            latency_ms=round((time.perf_counter() - t0) * 1000, 3),
        )

    async def label(
        self, items: list[TextIn], *, on_progress: Callable[[int, int], None] | None = None
    ) -> LabelBatchResult:
        """Label a batch in worker-thread chunks, so a long list never stalls the event loop
        (Slack and DingTalk acks, other web requests) and progress is reported as it goes."""
        out: list[LabeledItem] = []
        total = len(items)
        for start in range(0, total, CHUNK):
            out += await asyncio.to_thread(self._label_chunk, items[start : start + CHUNK])
            if on_progress is not None:
                on_progress(len(out), total)
        if on_progress is not None and total == 0:
            on_progress(0, 0)
        return LabelBatchResult(items=out)

    def _label_chunk(self, chunk: list[TextIn]) -> list[LabeledItem]:
        labelled = []
        for item in chunk:
            one = self.predict(item.text)
            one.id, one.role, one.author = item.id, item.role, item.author
            labelled.append(one)
        return labelled
