"""The built-in offline labeller: no server, no download, pure-Python scoring of a small shipped model.

A text is routed to its language's sub-model (`bot.i18n.detect_lang`), scored (`model.evidence`),
decided (`calibration.decide`: neutral when unsure) and explained from the spans that decided it
(`keywords`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.i18n import detect_lang
from bot.labelers.aspects import aspects_of
from bot.labelers.offline.calibration import decide
from bot.labelers.offline.keywords import Reasons, explain, keywords, neutral_cues
from bot.labelers.offline.model import SHIPPED_MODEL_PATH, SubModel, evidence, load_model
from domain.models import Label, LabelBatchResult, LabeledItem, Lang, TextIn

# Items scored per worker-thread hop: ~30 ms of work, so the event loop is never held long.
CHUNK = 200


@dataclass
class Scored:
    """One text's label, confidence and reasons."""

    label: Label
    confidence: float
    keywords: list[str]
    cues: str  # "decisive" | "mixed" | "weak" | "none" | "inquiry"
    lang: Lang
    probs: dict[str, float] = field(default_factory=dict)
    contrast: str | None = None

    @property
    def explanation(self) -> str:
        return explain(Reasons(self.label, self.keywords, self.cues, self.lang, self.contrast))


def score(sub: SubModel, text: str) -> Scored:
    """Label one text with one sub-model; pure Python, a few hundred microseconds."""
    lower = text.lower()
    ev = evidence(sub, lower)
    probs = ev.probs
    decision = decide(sub, probs, lower)
    lang: Lang = "zh" if sub.kind == "char" else "en"
    if decision.label != "neutral":
        sign = 1 if decision.label == "positive" else -1
        kws = [w for w, _ in keywords(lower, ev.spans, sign, sub.kind)]
        return Scored(decision.label, decision.confidence, kws, "decisive", lang, probs)
    if decision.why in ("neutral", "inquiry"):
        # The model (or the inquiry rule) says neutral outright: the polar cues are not the reason.
        cues = "inquiry" if decision.why == "inquiry" else "none"
        return Scored("neutral", decision.confidence, [], cues, lang, probs)
    cues, kws = neutral_cues(keywords(lower, ev.spans, 1, sub.kind), keywords(lower, ev.spans, -1, sub.kind))
    return Scored("neutral", decision.confidence, kws, cues, lang, probs)


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

    def sub_for(self, text: str) -> SubModel:
        """The sub-model that serves `text` (by its language; any one if that one is missing)."""
        subs = self._models()
        return subs.get(detect_lang(text)) or next(iter(subs.values()))

    def score(self, text: str) -> Scored:
        return score(self.sub_for(text), text)

    def predict(self, text: str) -> LabeledItem:
        """Label one text (id 0)."""
        t0 = time.perf_counter()
        scored = self.score(text)
        return LabeledItem(
            id=0,
            text=text,
            label=scored.label,
            confidence=scored.confidence,
            keywords=scored.keywords,
            aspects=aspects_of(text),
            explanation=scored.explanation,
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
