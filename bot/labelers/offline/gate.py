"""The sentiment gate: does an English text that leans polar carry sentiment at all?

The English sub-model was fitted on polar texts only (review phrases and the tweets' positive and
negative rows), so it leans one way on almost anything, news and plans included ("Watching the
game at Joe's tonight"). A single bar on its probability cannot serve both kinds of English text
the labeller meets: review prose is opinion through and through (any neutral call is wrong there),
while a third of posts and chat messages carry none. The gate is a small logistic model over a
few signals of *whether* a text expresses sentiment — how sure the polar model is, how much
sentiment vocabulary the text holds, its length, marks of posts and chat (links, @mentions,
hashtags, questions, exclamations, emoji, first person) and a time of day or date (announcements
and plans carry one, opinions seldom) — fitted by `scripts/build_offline_model.py`
on the tweets' fit part (polar against neutral) and on review sentences of SST-2's training split.

In use (`OfflineLabeler.score`), an English text is first scored with a loose bar (`loose_p`);
a polar call stands when the gate's probability of sentiment reaches `bar` (`plain_bar` when no
sentiment word backs the call), else the text is neutral and its cues are shown as weak. Models
without a gate (built by `sentibot train`, or the Chinese sub-model) keep the bars alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.labelers.offline.model import SubModel

FEATURES = (
    "polar_p",
    "lexicon_strength",
    "lexicon_share",
    "length",
    "link",
    "mention",
    "hashtag",
    "question",
    "exclaim",
    "emoji",
    "first_person",
    "when",
)

# When something happens: weekdays, months, today/tonight/tomorrow, clock times, dates. Announcements
# and plans carry them; opinions seldom do.
_WHEN = re.compile(
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:january|february|march|april|june|july|august|"
    r"september|october|november|december)\b|\b(?:today|tonight|tomorrow|this (?:morning|afternoon|"
    r"evening|weekend)|next (?:week|month|year))\b|\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b\d{1,2}/\d{1,2}\b"
)
_LINK = re.compile(r"https?://|www\.")
_MENTION = re.compile(r"(?<!\w)@\w")
_HASHTAG = re.compile(r"(?<!\w)#\w")
_EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]|(?<!\w)[:;=][-']?[()DPp](?!\w)")
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|i'm|im|i've|i'd|i'll)\b")


def gate_features(text: str, polar_p: float, sub: SubModel) -> list[float]:
    """The gate's inputs for `text`, in the order of `FEATURES` (`polar_p`: the calibrated
    probability of the label the loose scoring chose)."""
    lower = text.lower()
    dense = sub.analyse(lower).dense
    return [
        polar_p,
        abs(dense.get("lex_compound", 0.0)),
        dense.get("lex_pos", 0.0) + dense.get("lex_neg", 0.0),
        math.log1p(len(text.split())),
        float(bool(_LINK.search(lower))),
        float(bool(_MENTION.search(text))),
        float(bool(_HASHTAG.search(text))),
        float("?" in text),
        float("!" in text),
        float(bool(_EMOJI.search(text))),
        float(bool(_FIRST_PERSON.search(lower))),
        float(bool(_WHEN.search(lower))),
    ]


@dataclass(frozen=True)
class Gate:
    """A fitted gate, as stored in the model file under the sub-model's "gate" key."""

    coef: list[float]
    intercept: float
    bar: float  # the probability of sentiment a polar call backed by a sentiment word needs
    plain_bar: float  # ... and one resting on plain words only (no lexicon word, no sarcasm cue)
    loose_p: float  # the bar of the loose scoring whose polar calls the gate checks

    @classmethod
    def from_json(cls, data: dict) -> Gate:
        if list(data["features"]) != list(FEATURES):
            raise ValueError(f"the model's gate expects features {data['features']}, not {list(FEATURES)}")
        return cls(
            [float(c) for c in data["coef"]],
            float(data["intercept"]),
            float(data["bar"]),
            float(data["plain_bar"]),
            float(data["loose_p"]),
        )

    def to_json(self) -> dict:
        return {
            "features": list(FEATURES),
            "coef": self.coef,
            "intercept": self.intercept,
            "bar": self.bar,
            "plain_bar": self.plain_bar,
            "loose_p": self.loose_p,
        }

    def sentiment_p(self, features: Sequence[float]) -> float:
        """The probability that the text expresses sentiment at all."""
        z = self.intercept + sum(c * x for c, x in zip(self.coef, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
