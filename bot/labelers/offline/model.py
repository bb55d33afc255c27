"""The offline model: loading the shipped (or a user's) model file, scoring a text, calibrating.

The model file (gzip JSON, written by `bot.labelers.offline_train`) holds one linear sub-model per
language: TF-IDF weighted n-grams (Chinese: character 1–4-grams; English: word 1–2-grams) with
per-class weights, plus, for English, a baked-in copy of the VADER lexicon whose rule-based score
is an extra feature. `evidence` turns a text into calibrated class probabilities (Platt scaling for
two classes, a temperature for more, both fitted on held-out data) and into signed spans: how much
each n-gram of the text pushed toward positive (> 0) or negative (< 0), for keywords.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.labelers.offline.features import Gram, Lexicon, en_grams, en_tokens, zh_grams
from bot.labelers.offline.gate import Gate

log = logging.getLogger(__name__)

MODEL_FORMAT = "sentibot-offline/1"
SHIPPED_MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "offline_model.json.gz"

Span = tuple[float, int, int]  # (signed push toward positive in logit units, start, end)


@dataclass
class Analysis:
    """What scoring needs from a text: its n-grams, and for English the lexicon hits."""

    grams: list[Gram]
    tokens: list[Gram] = field(default_factory=list)
    hits: list[tuple[int, float]] = field(default_factory=list)
    dense: dict[str, float] = field(default_factory=dict)


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
    # The bar for a polar label when the text holds a lexicon word or a rule cue (None: the
    # labeller's default, `calibration.P_MIN_WITH_CUES`).
    p_min_cued: float | None = None
    norm_floor: float = 0.0  # TF-IDF vectors are divided by max(L2 norm, this)
    # Inquiry rule (shipped model only): a question or request is called neutral unless its best
    # polar probability reaches this. None: off (models built by `sentibot train`).
    inquiry_p: float | None = None
    # The sentiment gate (`bot.labelers.offline.gate`; shipped English model only). None: bars alone.
    gate: Gate | None = None
    # Per feature, its weights as one push toward positive (`polarity`), computed once: scoring
    # attributes every n-gram's push to its spans, and this is the hot loop of the labeller.
    polarities: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.polarities = [self.polarity(ws) for ws in self.weights]

    @property
    def binary(self) -> bool:
        return len(self.classes) == 2

    def analyse(self, lower: str) -> Analysis:
        if self.kind == "char":
            return Analysis(zh_grams(lower, self.ngram))
        tokens = en_tokens(lower)
        analysis = Analysis(en_grams(tokens, self.ngram), tokens=tokens)
        if self.lexicon is not None:
            analysis.hits = self.lexicon.scores(tokens, lower)
            analysis.dense = Lexicon.dense(analysis.hits, len(tokens))
        return analysis

    def polarity(self, per_class: list[float]) -> float:
        """A per-class contribution as one number: its push toward positive minus toward negative."""
        if self.binary:
            return per_class[0] if self.classes[1] == "positive" else -per_class[0]
        pos = per_class[self.classes.index("positive")] if "positive" in self.classes else 0.0
        neg = per_class[self.classes.index("negative")] if "negative" in self.classes else 0.0
        return pos - neg

    def probabilities(self, raw: list[float]) -> dict[str, float]:
        """Calibrated class probabilities from raw decision values (fitted on held-out data)."""
        if self.binary:
            p1 = _sigmoid(self.calibration.get("a", 1.0) * raw[0] + self.calibration.get("b", 0.0))
            return {self.classes[0]: 1.0 - p1, self.classes[1]: p1}
        temp = self.calibration.get("T", 1.0) or 1.0
        return dict(zip(self.classes, _softmax([r / temp for r in raw]), strict=True))

    def raw_units(self, push: float) -> float:
        """A push in calibrated log-odds (positive vs negative) as raw decision units of this model."""
        if self.binary:
            return push / (self.calibration.get("a", 1.0) or 1.0)
        return push * (self.calibration.get("T", 1.0) or 1.0)

    def shift(self, raw: list[float], push: float) -> list[float]:
        """`raw` moved so the calibrated log-odds of positive over negative grow by `push` (< 0:
        toward negative); for a three-class model neutral loses as much as the losing side, so a
        clear rule cue can decide a text the n-grams leave neutral."""
        out = list(raw)
        units = self.raw_units(push)
        if self.binary:
            out[0] += units if self.classes[1] == "positive" else -units
            return out
        if "positive" in self.classes:
            out[self.classes.index("positive")] += units / 2
        if "negative" in self.classes:
            out[self.classes.index("negative")] -= units / 2
        if "neutral" in self.classes:
            out[self.classes.index("neutral")] -= abs(units) / 2
        return out


@dataclass
class Evidence:
    """A text as one sub-model sees it: raw decision values and the spans that moved them."""

    sub: SubModel
    lower: str
    raw: list[float]
    spans: list[Span]
    # Sentiment-lexicon words found (English): (start, end, valence after negation).
    lexicon_words: list[tuple[int, int, float]] = field(default_factory=list)

    @property
    def probs(self) -> dict[str, float]:
        return self.sub.probabilities(self.raw)


def evidence(sub: SubModel, lower: str) -> Evidence:
    """Score `lower` (a lower-cased text) with `sub`; pure Python, a few hundred microseconds."""
    analysis = sub.analyse(lower)
    features = sub.features
    counts: dict[int, list[Gram]] = {}  # feature row -> its occurrences, in order of first one
    for g in analysis.grams:
        row = features.get(g[0])
        if row is not None:
            occ = counts.get(row)
            if occ is None:
                counts[row] = [g]
            else:
                occ.append(g)
    idf = sub.idf
    values = [(row, (1.0 + math.log(len(occ))) * idf[row]) for row, occ in counts.items()]
    norm = max(math.sqrt(sum(v * v for _, v in values)), sub.norm_floor, 1e-9)
    k = len(sub.intercept)
    raw = list(sub.intercept)
    spans: list[Span] = []
    weights, polarities = sub.weights, sub.polarities
    for row, v in values:
        ws = weights[row]
        x = v / norm
        for c in range(k):
            raw[c] += x * ws[c]
        occ = counts[row]
        p = x * polarities[row] / len(occ)
        spans.extend([(p, s, e) for _, s, e in occ])
    lex_total = [0.0] * k
    for name, ws in sub.dense.items():
        x = analysis.dense.get(name, 0.0)
        for c in range(k):
            raw[c] += x * ws[c]
            lex_total[c] += x * ws[c]
    if analysis.hits:
        # The lexicon features' push is shared among the lexicon words, by valence.
        lex_p = sub.polarity(lex_total)
        vsum = sum(abs(v) for _, v in analysis.hits) or 1.0
        for i, v in analysis.hits:
            share = lex_p * abs(v) / vsum
            if (share > 0) == (v > 0):  # only words whose valence agrees with the lexicon's push
                spans.append((share, analysis.tokens[i][1], analysis.tokens[i][2]))
    words = [(analysis.tokens[i][1], analysis.tokens[i][2], v) for i, v in analysis.hits]
    return Evidence(sub, lower, raw, spans, words)


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


def _gate(data: dict | None, path: Path, lang: str) -> Gate | None:
    """The sub-model's sentiment gate; one this code cannot read (a model file of another release)
    is left out with a warning, so labelling goes on with the bars alone."""
    if not data:
        return None
    try:
        return Gate.from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("offline model %s: %s sentiment gate ignored (%s); the bars decide", path, lang, exc)
        return None


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
                idf=feats["idf"],
                weights=feats["weights"],
                dense=sub.get("dense", {}),
                calibration=sub["calibration"],
                p_min=float(sub["p_min"]),
                p_min_cued=float(sub["p_min_cued"]) if sub.get("p_min_cued") is not None else None,
                lexicon=lex,
                norm_floor=float(sub.get("norm_floor", 0.0)),
                inquiry_p=float(sub["inquiry_p"]) if sub.get("inquiry_p") is not None else None,
                gate=_gate(sub.get("gate"), path, lang),
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


def clear_cache() -> None:
    """Forget loaded models (benchmarks measure a cold load)."""
    with _CACHE_LOCK:
        _CACHE.clear()
