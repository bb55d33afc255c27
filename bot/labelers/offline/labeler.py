"""The built-in offline labeller: no server, no download, pure-Python scoring of a small shipped model.

A text is routed to its language's sub-model (`bot.i18n.detect_lang`), scored (`model.evidence`),
decided (`calibration.decide`: neutral when unsure) and explained from the spans that decided it
(`keywords`).
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.i18n import detect_lang
from bot.labelers.aspects import aspects_of
from bot.labelers.offline.blocked import blank, blocked_spans, is_capitalised_name
from bot.labelers.offline.calibration import decide, question_spans
from bot.labelers.offline.cues import (
    PUSH_FACT,
    Cue,
    find_cues,
    ironic_frames,
    is_announcement,
    is_lukewarm,
    praise_spans,
)
from bot.labelers.offline.cues import ironic as ironic_cues
from bot.labelers.offline.features import ZH_RUN
from bot.labelers.offline.gate import FEATURES, gate_features
from bot.labelers.offline.keywords import (
    EN_FUNCTION,
    MAX_KEYWORDS,
    Reasons,
    explain,
    is_cue,
    keywords,
    neutral_cues,
    uncut,
)
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
    contrast: str | None = None  # the contrast word whose clause decided ("but", 但是)
    ironic: list[str] = field(default_factory=list)  # keywords read as sarcasm
    cued: bool = False  # a rule cue (cues.py) pushed toward the label

    @property
    def explanation(self) -> str:
        return explain(Reasons(self.label, self.keywords, self.cues, self.lang, self.contrast, self.ironic))


MAX_PUSH = 5.0  # rule cues together move the calibrated log-odds by at most this much
# A rule cue is one phrase: in a short message it is most of the evidence, in a long Chinese review
# one point among many, so past this many characters its push shrinks as the n-grams' weight does
# under the L2 norm (√(LONG_CHARS / length)). Chosen on online_shopping's and waimai's tune parts:
# 20–40 gain there, support_dev and social_zh_dev unchanged; 15 costs both.
LONG_CHARS = 25
NEUTRAL_MIXED_CAP = 0.7  # the confidence of a neutral call whose cues pull both ways
CONTRAST_LEAN_P = 0.6  # the bar for the clause after "but" when it leans against a clear first clause
CONTRAST_LEAN_CAP = 0.75  # ... and the most confidence such a call gets
# A Chinese text as a whole overrules its "but"-clause when it is this sure of the other label
# (chosen on online_shopping's tune part: reviews whose last 但是 brings a quibble).
WHOLE_OVER_CONTRAST_P = 0.9
IRONY_REST_P = 0.8  # an ironic frame is sarcasm when the rest of the message is this likely negative
ONE_WORD_P = 0.75  # an English polar call resting on one plain word (no lexicon word, no cue) needs this
# Cues that only shape what is shown (a quibble) or hidden (a request for a person, a word in its
# plain sense, an A-not-A question, a wish for better): they are no sentiment, so a text with only
# these is "neutral outright", not "weak cues".
_SILENT_CUES = ("quibble", "request", "sense", "asked", "wish", "hurry")
NO_EVIDENCE_CONFIDENCE = 0.6  # a polar lean with no word to show for it: neutral, not confidently
QUIBBLE_ALONE_CONFIDENCE = 0.7  # a quibble (or a hurry) that is the whole message: a mild complaint


def score(sub: SubModel, text: str, *, p_min: float | None = None) -> Scored:
    """Label one text (or one clause) with one sub-model, its rule cues and its blocked spans
    (`p_min`: the bar for a polar label instead of the usual ones, for a contrast clause's lean)."""
    lower = text.lower()
    cues = find_cues(lower)
    if sub.kind == "word":
        cues += counterfactual_cues(lower)
    blocked = blocked_spans(text)
    frames = ironic_frames(lower, cues)
    if frames:
        # "Brilliant service, my order vanished": praise in an ironic frame is irony when the rest
        # of the message, praise words masked, leans negative.
        rest = sub.probabilities(evidence(sub, blank(lower, blocked + praise_spans(lower))).raw)
        if rest.get("negative", 0.0) >= IRONY_REST_P and rest.get("negative", 0.0) > rest.get(
            "positive", 0.0
        ):
            cues += ironic_cues(lower, frames, cues)
    hidden = blocked + [(c.start, c.end) for c in cues if c.mask]
    ev = evidence(sub, blank(lower, hidden))
    push = _push(cues)
    if sub.kind == "char" and len(lower) > LONG_CHARS:
        push *= math.sqrt(LONG_CHARS / len(lower))
    probs = sub.probabilities(sub.shift(ev.raw, push))
    worded = bool(ev.lexicon_words)
    decision = decide(sub, probs, lower, cued=any(c.push for c in cues), worded=worded, p_min=p_min)
    asked = _asked(lower, sub.kind)
    if not (asked and _stated(sub, lower, hidden + asked, probs)):
        asked = []  # what the message says outside its question does not carry it
    elif decision.why == "inquiry":
        decision = decide(sub, probs, lower, cued=False, worded=worded, p_min=p_min, stated=True)
    spans = ev.spans + [(sub.raw_units(c.push), c.start, c.end) for c in cues if c.push]
    lang: Lang = "zh" if sub.kind == "char" else "en"
    names = _name_spans(text, sub) + blocked
    # "稍微有点咸了", "物流快点啊": a quibble or a hurry with nothing said in praise is the message, a
    # mild complaint (the model reads 就是 / 有点 as the small print of a good review, 快 as praise).
    grumbles = list(
        dict.fromkeys(
            lower[c.start : c.end] for c in cues if (c.kind == "quibble" and not c.mask) or c.kind == "hurry"
        )
    )
    if decision.label != "neutral":
        sign = 1 if decision.label == "positive" else -1
        # A keyword never contradicts a rule cue of its own text: praise is no reason for "negative".
        small_print = ("quibble", "wish", "hurry") if sign > 0 else ()
        # A word in its plain sense ("moved to Friday", 差不多三点, 我很耐心) is no reason either way.
        against = [
            (c.start, c.end) for c in cues if c.push * sign < 0 or c.kind in small_print or c.kind == "sense"
        ]
        if sub.kind == "char":
            against += _clauses_against(sub, blank(lower, hidden), decision.label)
        # "Friendly staff, dirty rooms, overpriced bar" is no praise *because of* "dirty": an English
        # sentiment word saying the opposite (after its negation) is never a reason, unless a rule
        # cue read it ("I expected better"). When it was the only one, the label stands and the
        # explanation names no word.
        toward = [(c.start, c.end) for c in cues if c.push * sign > 0]
        opposite = [
            (a, b) for a, b, v in ev.lexicon_words
            if v * sign <= -OPPOSITE_VALENCE and not any(x < b and a < y for x, y in toward)
        ]  # fmt: skip
        # When its statements carry the message, its question is what it asks, not why it is polar.
        skip = names + against + asked
        kws = [w for w, _ in keywords(lower, spans, sign, sub.kind, skip=skip + opposite)]
        if opposite and not kws and keywords(lower, spans, sign, sub.kind, skip=skip):
            return Scored(decision.label, decision.confidence, [], "decisive", lang, probs)
        ironic = [lower[c.start : c.end] for c in cues if c.kind == "sarcasm" and c.push * sign > 0]
        pushed = any(c.push for c in cues)  # a cue that only hides words ("I need help") is no evidence
        bare = sub.kind == "word" and len(kws) == 1 and " " not in kws[0] and not (pushed or worded)
        if kws and not (bare and probs[decision.label] < ONE_WORD_P):
            return Scored(
                decision.label,
                decision.confidence,
                kws,
                "decisive",
                lang,
                probs,
                ironic=ironic,
                cued=any(c.push * sign > 0 for c in cues),
            )
        if not kws and sub.kind == "char":
            # A one-character rule cue in a long clause ("…怎一个差字了得") is cut as a fragment from
            # the keywords; the cue is still the reason, shown with its neighbours.
            kws = [_with_neighbours(lower, c.start, c.end) for c in cues if c.push * sign > 0][:MAX_KEYWORDS]
            if kws:
                return Scored(decision.label, decision.confidence, kws, "decisive", lang, probs, cued=True)
        if grumbles and not kws:
            return Scored("negative", QUIBBLE_ALONE_CONFIDENCE, grumbles, "decisive", lang, probs)
        # Nothing a reader could be shown pushed toward the label (only function words, names or
        # the model's prior), or one plain English word that is no sentiment word ("the blue
        # one"): that is weak evidence, so neutral.
        return Scored("neutral", NO_EVIDENCE_CONFIDENCE, [], "none", lang, probs)
    if grumbles and decision.why != "inquiry" and not any(c.push for c in cues):
        return Scored("negative", QUIBBLE_ALONE_CONFIDENCE, grumbles, "decisive", lang, probs)
    if decision.why in ("neutral", "inquiry") and not [c for c in cues if c.kind not in _SILENT_CUES]:
        # The model (or the inquiry rule) says neutral outright: the polar cues are not the reason.
        cue_kind = "inquiry" if decision.why == "inquiry" else "none"
        return Scored("neutral", decision.confidence, [], cue_kind, lang, probs)
    why, kws = neutral_cues(
        keywords(lower, spans, 1, sub.kind, skip=names), keywords(lower, spans, -1, sub.kind, skip=names)
    )
    # Clear cues that cancel out are not proof of neutrality: neutral, but not confidently so.
    conf = min(decision.confidence, NEUTRAL_MIXED_CAP) if why == "mixed" else decision.confidence
    return Scored("neutral", conf, kws, why, lang, probs)


OPPOSITE_VALENCE = 1.0  # a lexicon word this strong against the label (VADER scale) is no reason for it


def _with_neighbours(lower: str, start: int, end: int, reach: int = 3) -> str:
    """The span with up to `reach` characters either side, inside its clause."""
    clauses = (m.span() for m in ZH_RUN.finditer(lower))
    lo, hi = next(((a, b) for a, b in clauses if a <= start < b), (start, end))
    a, b = uncut(lower, max(lo, start - reach), min(hi, end + reach), lo, hi)
    return lower[a:b]


def _push(cues: list[Cue]) -> float:
    """The rule cues' push together, in calibrated log-odds, within ±MAX_PUSH."""
    return max(-MAX_PUSH, min(MAX_PUSH, sum(c.push for c in cues)))


# A clause opening with one of these is the small print of a review ("…，就是快递慢了两天").
_CLAUSE_OPENER = re.compile(r"^(?:就是|但是|但|可是|不过|只是|然而|唯一的?|美中不足的是)")
CLAUSE_AGAINST_P = 0.5  # ... never a reason when, read alone, it is this likely the other label
# A consolation or a hedge inside a complaint (好在饭菜没凉, 早餐倒是不错, 至少价格便宜, 位置还算方便)
# brings good news: never a reason for "negative" while another clause can be. (Not 不好在 / 刚好在…,
# 至少要三千, an amount, nor 还算很慢.) It does not move the label: in reviews it is as often the
# resolution that contents the reviewer ("…，幸好快递员处理好了" is praise).
_ZH_CONSOLATION = re.compile(
    r"好在(?<![不很太挺真刚正]好在)|幸好|幸亏|(?:至少|起码)(?![要得需有]?[0-9一二三四五六七八九十两几百千万])|倒是|倒还"
    r"|还算(?![很太])|还好"
)


def _clauses_against(sub: SubModel, lower: str, label: Label) -> list[tuple[int, int]]:
    """The clauses of a Chinese text that open with a contrast word and, read on their own (with
    their rule cues, without the contrast word), lean against `label`; and, for "negative", its
    clauses of consolation (好在 / 幸好 / 至少 / 倒是 / 还算…) when it has others.

    Keywords widen to their clause (`员态度很好` → `快递员态度很好`), and in reviews 就是 / 但是
    lean positive (a quibble after praise), so "就是快递慢了两天" was shown as a reason for
    "positive" while it reads as a complaint. Such clauses are never shown. (Only these: read
    alone, a short clause of plain praise often leans negative in this model — in food-delivery
    reviews it is the consolation in a complaint — so other clauses are left to the model.)"""
    other = "negative" if label == "positive" else "positive"
    runs = list(ZH_RUN.finditer(lower))
    consoling = [m.span() for m in runs if _ZH_CONSOLATION.search(m.group())] if label == "negative" else []
    out = consoling if len(consoling) < len(runs) else []
    for m in runs:
        opener = _CLAUSE_OPENER.match(m.group())
        if opener is None or m.start() == 0 or m.span() in out:
            continue
        clause = m.group()[opener.end() :]
        cues = find_cues(clause)
        ev = evidence(sub, blank(clause, [(c.start, c.end) for c in cues if c.mask]))
        p = sub.probabilities(sub.shift(ev.raw, _push(cues)))
        if p.get(other, 0.0) >= CLAUSE_AGAINST_P and p.get(other, 0.0) > p.get(label, 0.0):
            out.append(m.span())
    return out


STATED_P = 0.8  # a message's statements outside its question decide when they are this clearly polar
# ... and hold a sentiment word at least this strong (VADER scale: "good" 1.9, "terrible" -2.1). An
# English announcement needs one as strong to be more than a notice.
STATED_VALENCE = 2.0


def _asked(lower: str, kind: str) -> list[tuple[int, int]]:
    """The part of a message that asks, when something else is said before it: English question
    sentences ("All credibility is lost. Who is running this?"); the last clause of a Chinese
    message that ends as a question (…？, …吗, …呢, …多久: "装订不整齐，这是正版吗？")."""
    if kind == "char":
        if not _ZH_ASKING_END.search(lower):
            return []
        cuts = list(_ZH_LAST_CLAUSE.finditer(lower))
        return [(cuts[-1].end(), len(lower))] if cuts else []
    asked = question_spans(lower)
    return asked if asked and sum(e - s for s, e in asked) < len(lower.strip()) else []


# The last clause of a Chinese message and the end that makes it a question.
_ZH_LAST_CLAUSE = re.compile(r"[，,。；;！!？?…~～\s]+(?=[^，,。；;！!？?…~～\s]+[？?。.!！~～\s]*$)")
_ZH_ASKING_END = re.compile(
    r"(?:[?？]|[吗呢么嘛]|哪里|哪儿|在哪|到哪|什么时候|多久|几天|几号|多少钱)[了呀啊]?[?？。.!！~～\s]*$"
)
STATED_ZH_CHARS = 6  # Chinese statements before a question need this many characters to decide


def _stated(sub: SubModel, lower: str, hidden: list[tuple[int, int]], probs: dict[str, float]) -> bool:
    """Whether what a question-bearing message says outside its question (`hidden` covers the
    question) is clearly polar on its own and leans the way the whole message does: "May be the
    worst champion in history! Who booked this?" (English: with a sentiment word), "一打开书的味道
    很大，不舍得拿给小孩子看呢" (a review that closes with a question, or a 呢 of speech, is still a
    review)."""
    rest = blank(lower, hidden)
    if sub.kind == "char":
        if len(_CJK.findall(rest)) < STATED_ZH_CHARS:
            return False
    elif len(re.findall(r"[a-z]+", rest)) < 3:
        return False
    p = sub.probabilities(evidence(sub, rest).raw)
    lean = max(("positive", "negative"), key=lambda c: p.get(c, 0.0))
    whole = max(("positive", "negative"), key=lambda c: probs.get(c, 0.0))
    sign = 1 if lean == "positive" else -1
    clear = sub.kind == "char" or any(v * sign >= STATED_VALENCE for _, v in sub.analyse(rest).hits)
    return clear and lean == whole and p.get(lean, 0.0) >= STATED_P


# Unmet expectations: praise under a counterfactual ("should have been funnier", "would've worked
# better as a short", "might benefit from a kick in the pants", "could use more jokes") is a
# complaint. Negated ones are praise ("couldn't have been more helpful") and comparisons are not
# counterfactual ("smarter than you could have guessed"), so neither counts.
_COUNTERFACTUAL = re.compile(
    r"(?<!than you )(?<!than i )(?<!than we )(?<!than anyone )"
    r"\b(?:(?:would|could|should|might)\s*(?:have|'ve|of)\s+"
    r"(?:been|made|saved|worked|used|helped|done|liked|loved|preferred|appreciated|told|called|sent|warned)"
    r"|(?:would|could|might)\s+(?:benefit from|use (?:a|an|some|more|less)|do with)|if only)\b"
)


def counterfactual_cues(lower: str) -> list[Cue]:
    """A complaint push on each counterfactual frame and, for the model, its clause masked (its
    praise words are what was missed, not what was had)."""
    out: list[Cue] = []
    for m in _COUNTERFACTUAL.finditer(lower):
        if re.search(r"(?:n't|\bnot|\bnever)\s*$", lower[max(0, m.start() - 8) : m.start()]):
            continue
        stop = re.search(r"[,;.!?:(]|--|\bbut\b", lower[m.end() :])
        end = m.end() + (stop.start() if stop else len(lower) - m.end())
        if re.search(r"\bwithout\b", lower[m.end() : end]):
            continue  # "would have been lost without you": thanks
        # The keyword reads with the word it is about ("would have been funnier", "should've been
        # so much": when the frame itself is only function words, up to the first word that is not
        # one, at most four words on).
        shown = m.end()
        for i, word in enumerate(
            []
            if is_cue(m.group(), "word")
            else re.finditer(r"[^\W_]+(?:['’-][^\W_]+)*", lower[m.end() : end])
        ):
            shown = m.end() + word.end()
            if i >= 3 or word.group() not in EN_FUNCTION:
                break
        out += [
            Cue(-PUSH_FACT, m.start(), shown, "counterfactual"),
            Cue(0.0, m.start(), end, "counterfactual", mask=True),
        ]
    return out


def _name_spans(text: str, sub: SubModel) -> list[tuple[int, int]]:
    """Capitalised English words mid-sentence that are not sentiment words: likely names."""
    if sub.kind != "word":
        return []
    lexicon = sub.lexicon.valence if sub.lexicon else {}
    return [
        m.span()
        for m in re.finditer(r"[A-Z][a-z]+", text)
        if is_capitalised_name(text, m.start(), m.end()) and m.group().lower() not in lexicon
    ]


# "but"-clauses: the clause after the contrast word carries the message (VADER's rule; 但是 alike).
# "…, but at least it was clean": a consolation, not the point; the clause before "but" carries the
# message.
_EN_CONSOLATION = re.compile(r"\s*(?:,\s*)?at least\b")
_CONTRAST = re.compile(
    r"\b(?:but|however|(?<!even )(?<!as )though|yet|except that|only problem is|only issue is)\b"
    r"|(?<!不)但是|(?<![不非])但(?!愿)|可是|不过|然而|只是"
)
# 不过 / 只是 bring a quibble ("挺好的，不过量有点少" is praise) as often as the point ("有点贵，不过
# 质量很好"), unlike 但是 / 可是, which bring the point: when the two clauses disagree, the whole
# text decides.
_SOFTENERS = frozenset({"不过", "只是"})
# Earlier times, then a clause opening with "this time" (这次 / 这回 / 这批).
_ZH_BEFORE = re.compile(r"以前|之前|上次|上回|以往|前几次|前两次|第一次|一直|每次|很多次|好几次|原来")
_THIS_TIME = ("这次", "这回", "这一次", "这批", "这一批")
_ZH_THIS_TIME = re.compile(rf"[，,。；;！!~～\s](?:但是?|可是?|不过)?就?(?P<now>{'|'.join(_THIS_TIME)})")
_CONCESSIVE = re.compile(r"\b(?:although|even though|even if|while)\b|虽然|虽说|尽管")
_CLAUSE_END = re.compile(r"[,，;；]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORDS = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
# A run of one script, with the spaces, digits and punctuation around it.
_RUNS = re.compile(r"[\u4e00-\u9fff][^A-Za-z]*|[A-Za-z][^\u4e00-\u9fff]*")


def _contrast_tail(text: str) -> tuple[str, str, str] | None:
    """The contrast word, the clause that carries the message and the other part, if the text has
    a contrast."""
    marks = list(_CONTRAST.finditer(text.lower()))
    if marks:
        m = marks[-1]
        if re.search(r"\w", text[m.end() :]) and re.search(r"\w", text[: m.start()]):
            if m.group() in ("but", "yet") and _EN_CONSOLATION.match(text.lower(), m.end()):
                # "The room was tiny, but at least it was clean": a consolation, not the point.
                return "at least", text[: m.start()], text[m.end() :]
            if m.group() == "though" and not re.search(r"[.!?;]\s*$", text[: m.start()]):
                # "A stupid film, though occasionally fun": "though" opens a concession inside the
                # sentence, so the main clause is the one before it ("Though" after a full stop is
                # "however", like "but").
                return m.group(), text[: m.start()], text[m.end() :]
            return m.group(), text[m.end() :], text[: m.start()]
    now = _ZH_THIS_TIME.search(text)
    if now and _ZH_BEFORE.search(text[: now.start()]) and re.search(r"\w", text[now.end() :]):
        # "以前买过都不错，这次很不好": a repeat buyer's "this time" is the point, like a "but".
        return now.group("now"), text[now.start("now") :], text[: now.start()]
    conc = _CONCESSIVE.search(text.lower())
    if conc:
        comma = _CLAUSE_END.search(text, conc.end())
        if comma and re.search(r"\w", text[comma.end() :]):
            return conc.group(), text[comma.end() :], text[: comma.end() - len(conc.group())]
    return None


def _language_runs(text: str) -> list[str]:
    """The text cut where it switches between Chinese and English, when both carry content
    (at least two Chinese characters and two English words); else the whole text. Capitals-only
    tokens are model names and codes ("支持TV-OUT视频输出", "RS-MMC存储卡"), not English words."""
    runs = [m.group() for m in _RUNS.finditer(text)]
    zh = [r for r in runs if len(_CJK.findall(r)) >= 2]
    en = [r for r in runs if not _CJK.search(r) and sum(not w.isupper() for w in _LATIN_WORDS.findall(r)) > 1]
    return runs if zh and en else [text]


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

    def score(self, text: str, *, p_min: float | None = None) -> Scored:
        """Label `text` (`p_min`: a bar for polar labels instead of the model's own).

        With a sentiment gate (the shipped English model, `bot.labelers.offline.gate`), the text is
        scored with the gate's loose bar and a polar call stands only when the gate finds sentiment
        in the text at all (a higher bar when no sentiment word backs the call: "The order was
        shipped on Monday" leans on plain words); otherwise it is neutral, its cues shown as weak.
        An announcement ("Our office will be closed on Monday") with nobody saying how they feel and
        no strong sentiment word is neutral whatever the gate says. A call a rule cue backs (a
        complaint fact, praise, sarcasm) is not gated."""
        if is_lukewarm(text.lower()):
            # "It's okay I guess", "not great, not terrible": a verdict, neither praise nor complaint.
            sub = self.sub_for(text)
            probs = sub.probabilities(evidence(sub, text.lower()).raw)
            return Scored("neutral", NO_EVIDENCE_CONFIDENCE, [], "none", self._lang(text), probs)
        gate = self.sub_for(text).gate
        if gate is None or p_min is not None:
            return self._score(text, p_min=p_min)
        loose = self._score(text, p_min=gate.loose_p)
        if loose.label == "neutral" or loose.cued:
            return loose  # a rule cue (a complaint fact, praise, sarcasm) is sentiment by definition
        features = gate_features(text, loose.probs.get(loose.label, 0.5), self.sub_for(text))
        sentiment = gate.sentiment_p(features)
        if is_announcement(text.lower()) and not self._strong_word(text):
            sentiment = 0.0  # "Our office will be closed on Monday": a notice, unless a clear word judges
        worded = features[FEATURES.index("lexicon_share")] > 0 or bool(loose.ironic)
        if sentiment >= (gate.bar if worded else gate.plain_bar):
            return loose
        confidence = round(min(max(1.0 - sentiment, 0.5), NEUTRAL_MIXED_CAP), 4)
        # Sentiment words the gate overruled are shown as weak cues; plain words ("going to", "game")
        # are no cue at all, so none is named.
        shown = loose.keywords[:3] if worded else []
        return Scored("neutral", confidence, shown, "weak" if shown else "none", loose.lang, loose.probs)

    def _strong_word(self, text: str) -> bool:
        """`text` holds a sentiment-lexicon word of valence at least `STATED_VALENCE` (either way)."""
        hits = self.sub_for(text).analyse(text.lower()).hits
        return any(abs(valence) >= STATED_VALENCE for _, valence in hits)

    def _score(self, text: str, *, p_min: float | None = None, as_whole: bool = True) -> Scored:
        """Label `text` with the bars: a "but"-clause decides when it is clear; a message mixing Chinese and
        English is scored part by part, each by its own language's model. (`as_whole=False`: the
        part before a "but", whose label only is needed, is not also read as a whole.)"""
        contrast = _contrast_tail(text)
        if contrast is not None:
            word, main, other = contrast
            tail = self._score(main, p_min=p_min)
            head = self._score(other, p_min=p_min, as_whole=False)
            if tail.label == "neutral" and head.label != "neutral" and tail.cues not in ("none", "inquiry"):
                # "Friendly staff, but the room was filthy": a clause after "but" that leans against
                # a clear first clause carries the message, even when its own evidence is modest.
                lean = self._score(main, p_min=CONTRAST_LEAN_P)
                if lean.label not in ("neutral", head.label):
                    tail = lean
                    tail.confidence = min(tail.confidence, CONTRAST_LEAN_CAP)
            # After 不过 / 只是 a clause against the one before is a quibble as often as the point:
            # then the whole text decides.
            quibble = word in _SOFTENERS and tail.label != "neutral" and head.label != tail.label
            if tail.label != "neutral" and not quibble:
                # (Not after 这次: what a repeat buyer says of this time is the point, whatever came before.)
                zh_whole = as_whole and self._lang(text) == "zh" and word not in _THIS_TIME
                whole = self._whole(text, p_min=p_min) if zh_whole else None
                # Chinese (English "but" keeps the VADER rule: "friendly, but filthy"): a review
                # that weighs several points ("房间很舒服…但是隔音不行…") is read as a whole when the
                # whole is clearly the other way (its last 但是 brings a quibble), or when both
                # clauses agree (the contrast decided nothing; the reasons are the text's, not a
                # quibble's "了点" after 但是).
                if whole is not None and (
                    (whole.label not in ("neutral", tail.label) and whole.confidence >= WHOLE_OVER_CONTRAST_P)
                    or (head.label == tail.label == whole.label)
                ):
                    return whole
                cap = 0.9 if head.label not in ("neutral", tail.label) else 1.0
                tail.confidence = min(tail.confidence, cap)
                # The explanation says "after <word>" only when the deciding clause follows it.
                tail.contrast = None if text.startswith(main) else word.strip()
                tail.lang = self._lang(text)
                return tail
        return self._whole(text, p_min=p_min)

    def _whole(self, text: str, *, p_min: float | None = None) -> Scored:
        """Label `text` as a whole, with no "but"-clause deciding: a message mixing Chinese and
        English is scored part by part, each by its own language's model."""
        runs = _language_runs(text)
        if len(runs) == 1:
            return score(self.sub_for(text), text, p_min=p_min)
        parts = [self._score(run, p_min=p_min) for run in runs]
        decided = [p for p in parts if p.label != "neutral"]
        if not decided:
            return score(self.sub_for(text), text, p_min=p_min)
        labels = {p.label for p in decided}
        best = max(decided, key=lambda p: p.confidence) if len(labels) == 1 else decided[-1]
        kws = [k for p in decided if p.label == best.label for k in p.keywords]
        conf = best.confidence if len(labels) == 1 else min(best.confidence, 0.8)
        return Scored(
            best.label, conf, list(dict.fromkeys(kws))[:5], "decisive", self._lang(text), best.probs,
            ironic=[i for p in decided for i in p.ironic],
            cued=any(p.cued for p in decided if p.label == best.label),
        )  # fmt: skip

    @staticmethod
    def _lang(text: str) -> Lang:
        return detect_lang(text)

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
