"""From calibrated probabilities to a label and a confidence people can trust.

Rules:
- Positive or negative only when that label is the most likely one and its calibrated probability
  reaches the sub-model's `p_min`; otherwise neutral (unsure).
- A question or request (`is_inquiry`) is neutral unless its best polar probability reaches the
  model's `inquiry_p` (shipped model only), so "where is my order?" is not a complaint.
- Short texts are capped: one word is thin evidence, however strong (`short_text_cap`).
- No label is ever 100 % sure: a bag of n-grams and a few rules are not proof (`MAX_CONFIDENCE`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.labelers.offline.features import masked
from bot.labelers.offline.model import SubModel
from domain.models import Label

# Questions and requests: end with a question mark/particle or open with a request frame.
_ZH_INQUIRY = re.compile(
    r"(?:[?？]|[吗呢么嘛][?？。.!！~～]*)\s*$"
    # a question word at the end needs no question mark: 订单到哪了, 什么时候到账, 要多久, 多少钱
    r"|(?:哪里|哪儿|在哪|到哪|什么时候|多久|几天|几号|多少钱)[了呀啊]?[。.~～]*\s*$"
    r"|^\s*(?:请问|麻烦|能不能|能否|可不可以|怎么|如何|想问|想咨询|咨询|问一下|问下|我想|帮我|帮忙)"
    # a request after a statement (吃不了猪肉，麻烦备注一下), and asking for a person (转人工)
    r"|[，,。；;]\s*(?:请问|麻烦|能不能|能否|可不可以|帮我|帮忙)"
    r"|^\s*(?:转人工|人工客服|人工服务|找人工|我要人工)"
)
# English: a question mark at the end, a request frame, or a question's word order at the start —
# an auxiliary before its subject ("can you", "is there", "do I") or a wh-word before an auxiliary
# ("how do", "what size should", "where's"). A review sentence that merely opens with a verb
# ("is ultimately effective", "will find in these characters"), a wh-clause used as a subject
# ("what sets this film apart is ...") or an exclamation ("what a mess", "how lovely") is no inquiry.
_EN_AUX = r"(?:can|could|is|are|am|was|were|do|does|did|will|would|should|shall|may|might|have|has|must)"
_EN_SUBJECT = (
    r"(?:i|you|u|we|they|he|she|it|there|this|these|those|my|your|our|their|his|her|its|me"
    r"|someone|anyone|somebody|anybody|everyone|one)"
)
_EN_INQUIRY = re.compile(
    r"\?\s*\W*$"
    r"|^\W*(?:(?:hi|hello|hey)\W+)?(?:"
    r"please|i'd like|i would like|i want to|i need to|i'm looking for"
    r"|(?:let me |can i |could i )?(?:talk|speak|chat) (?:to|with)|connect me|transfer me|put me through"
    rf"|{_EN_AUX}(?:n't|\s*n't)?\s+{_EN_SUBJECT}"
    rf"|(?:how|what|where|when|which|who|whom|whose)(?:\s+[a-z-]+)?\s*(?:{_EN_AUX}|to|'s|’s)"
    rf"|how\s+(?:much|many|long|soon|often|far)(?:\s+[a-z-]+)?\s*(?:{_EN_AUX}|to|until|till|before)"
    r")\b"
    # a request after a statement: "my order number is 88213, can you check it"
    r"|[,;.]\s*(?:can|could|would|will) you\s+(?!believe|imagine)"
)
# Rhetorical questions (complaints) and exclamations ("how could they", "what a joke").
_EN_COMPLAINT_Q = re.compile(
    r"\b(?:why|how come|seriously|again|how could|how dare|how hard|how many times|how long do i have to)\b"
)
# Rhetorical questions in Chinese: why-questions and "still/again", a doubled question mark
# ("送的可乐呢？？") or an exclamation mark after the question particle ("是在省布料吗！"), 难道
# ("could it be"), "what is this supposed to mean" (什么情况 / 啥意思 / 几个意思), "can't you even …"
# (就不能), "what was promised" (说好的…呢), 情何以堪, and openers that only look like 怎么 questions
# (怎么感觉 "how come it feels", 怎么说呢 "how shall I put it").
_ZH_COMPLAINT_Q = re.compile(
    r"为什么|为啥|凭什么|到底|怎么还|还要等|多久了|又|[?？][?？!！]|[吗呢么嘛][!！]|难[道到]|就不能"
    r"|(?:什么|啥|嘛|几个)(?:情况|意思)|怎么感觉|怎么说呢|说好的|情何以堪"
)


_EN_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")


def question_spans(lower: str) -> list[tuple[int, int]]:
    """The sentences of an English message that ask (or request) something, as spans; the rest is
    what it states ("All credibility is lost. Who is running this?")."""
    return [
        m.span()
        for m in _EN_SENTENCE.finditer(lower)
        if m.group().strip() and _EN_INQUIRY.search(m.group().strip())
    ]


def is_inquiry(lower: str, kind: str) -> bool:
    """A question or request that is not an obviously rhetorical complaint."""
    if kind == "char":
        return bool(_ZH_INQUIRY.search(lower)) and not _ZH_COMPLAINT_Q.search(lower)
    return bool(_EN_INQUIRY.search(lower)) and not _EN_COMPLAINT_Q.search(lower)


_EN_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
_SHORT_UNITS = 5  # texts with fewer words than this (Chinese: two characters a word) are capped


def short_text_cap(lower: str, kind: str) -> float:
    """The highest confidence a text this short may get: one word is thin evidence, however strong
    the word ("ok", "满意" alone are 0.80 at most; 0.95 at four words; five or more: no cap)."""
    text = masked(lower)
    units = len(_LETTER.findall(text)) / 2 if kind == "char" else len(_EN_WORD.findall(text))
    if units >= _SHORT_UNITS:
        return 1.0
    return 0.75 + 0.05 * max(math.ceil(units), 1)


MAX_CONFIDENCE = 0.97
# With clear sentiment words in the text (a lexicon hit or a rule cue), a polar label needs only
# this calibrated probability; without them the model's own `p_min` (0.70 shipped) holds, so
# neutral is what a text gets when its evidence is really weak.
P_MIN_WITH_CUES = 0.55


@dataclass
class Decision:
    label: Label
    confidence: float
    why: str  # "decisive" | "unsure" | "neutral" (the model says neutral) | "inquiry"


def decide(
    sub: SubModel,
    probs: dict[str, float],
    lower: str,
    *,
    cued: bool = False,
    worded: bool = False,
    p_min: float | None = None,
    stated: bool = False,
) -> Decision:
    """The label and confidence for calibrated `probs` of `lower` under the rules above.

    `cued`: a rule cue (`bot.labelers.offline.cues`) moved the score: a question that holds a
    complaint fact or praise is not a plain inquiry. `cued` or `worded` (sentiment-lexicon words
    found): the evidence is not weak, so the lower bar `P_MIN_WITH_CUES` applies. `p_min`: a bar
    the caller sets instead (the lean of a contrast clause). `stated`: the message's sentences
    outside its question are clearly polar on their own ("This is costing us money. Any ETA?"), so
    it is no plain inquiry either."""
    if p_min is None:
        cued_bar = sub.p_min_cued if sub.p_min_cued is not None else P_MIN_WITH_CUES
        p_min = min(sub.p_min, cued_bar) if cued or worded else sub.p_min
    best_polar = max(
        (c for c in probs if c in ("positive", "negative")), key=lambda c: probs[c], default=None
    )
    best = max(probs, key=lambda c: probs[c])
    inquiry = (
        sub.inquiry_p is not None
        and best_polar is not None
        and probs[best_polar] < sub.inquiry_p
        and not cued
        and not stated
        and is_inquiry(lower, sub.kind)
    )
    cap = min(short_text_cap(lower, sub.kind), MAX_CONFIDENCE)
    if best_polar is not None and best == best_polar and probs[best_polar] >= p_min and not inquiry:
        return Decision(best_polar, round(min(probs[best_polar], cap), 4), "decisive")  # type: ignore[arg-type]
    # Unsure (or the model says neutral): neutral. Confidence is highest when evidence is absent or
    # balanced and falls to 0.5 at the decision threshold (two classes).
    if best == "neutral":
        conf = probs["neutral"]
    elif "neutral" in probs and not inquiry and best_polar is not None:
        # Three classes: the model leans polar, short of the bar. Neutral is as sure as that lean
        # is not ("台风预计周五登陆广东" leaning 0.48 positive is neutral at 0.52, not 0.97).
        conf = 1.0 - probs[best_polar]
    else:
        top = probs[best_polar] if best_polar else 0.5
        bar = sub.inquiry_p if inquiry and sub.inquiry_p is not None else p_min
        conf = 1.0 - 0.5 * min(max(top - 0.5, 0.0) / max(bar - 0.5, 1e-6), 1.0)
    conf = round(min(conf, cap), 4)
    if best == "neutral" or inquiry:
        # The model (or the inquiry rule) says neutral outright: the polar cues are not the reason.
        why = "inquiry" if sub.inquiry_p is not None and is_inquiry(lower, sub.kind) else "neutral"
        return Decision("neutral", conf, why)
    return Decision("neutral", conf, "unsure")
