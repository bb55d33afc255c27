"""Text → features for the offline labeller: n-grams with their spans, and the VADER-style rule score.

Shared with training: `bot.labelers.offline_train` calls these exact functions, so the numbers
computed at run time are the ones the weights were fitted on. Changing them means rebuilding the
shipped model (`scripts/build_offline_model.py`).
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

Gram = tuple[str, int, int]  # (feature, start, end) with start/end indexes into the lower-cased text

URL = re.compile(r"(?:https?://|www\.)\S+")
MENTION = re.compile(r"@\w+")
# Chinese: character n-grams inside runs of letters/digits (punctuation and spaces break runs).
ZH_RUN = re.compile(r"[^\s\W_]+")
# English tokens: "don't" -> "do" + "n't" (as in SST-2's tokenisation), clitics, words, a few
# emoticons, runs of !/?.
_EN_TOKEN = re.compile(
    r"[a-z0-9]+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|[a-z0-9]+(?:[-'][a-z0-9]+)*"
    r"|[:;=8][-o^']?[()\[\]dpo3/\\|*]|<3|[!?]+"
)
_ELONGATED = re.compile(r"(.)\1{2,}")
_CLAUSE_BREAK = re.compile(r"[,.;:!?…]")
_SKIP_SPANS = (URL, MENTION)


def masked(lower: str) -> str:
    """Blank out URLs and @mentions (keeping offsets) so they neither score nor become keywords."""
    for pattern in _SKIP_SPANS:
        lower = pattern.sub(lambda m: " " * len(m.group()), lower)
    return lower


def zh_grams(lower: str, ngram: tuple[int, int] = (1, 4)) -> list[Gram]:
    """Character n-grams of every run of word characters in `lower` (already lower-cased)."""
    lo, hi = ngram
    grams: list[Gram] = []
    for run in ZH_RUN.finditer(masked(lower)):
        s, chunk = run.start(), run.group()
        size = len(chunk)
        for i in range(size):
            for n in range(lo, min(hi, size - i) + 1):
                grams.append((chunk[i : i + n], s + i, s + i + n))
    return grams


def en_tokens(lower: str) -> list[Gram]:
    """Normalised English tokens with their spans ("sooo" -> "soo", "n't" kept apart)."""
    out: list[Gram] = []
    for m in _EN_TOKEN.finditer(masked(lower)):
        tok = m.group()
        if len(tok) > 2:
            tok = _ELONGATED.sub(r"\1\1", tok)
        out.append((tok, m.start(), m.end()))
    return out


def en_grams(tokens: list[Gram], ngram: tuple[int, int] = (1, 2)) -> list[Gram]:
    """Word n-grams of `tokens` (from `en_tokens`), each with the span it covers."""
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

    def scores(self, tokens: list[Gram], text: str) -> list[tuple[int, float]]:
        """(token index, valence after negation/booster/"but" rules) for each lexicon hit.

        `text` is the string the tokens' spans point into. A negation or a booster does not reach
        across a clause break: in "Nope, still broken" and "Not bad, actually good" the second
        clause is not negated (VADER's own rule counts three words back, punctuation or not).
        """
        words = [t[0] for t in tokens]
        breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
        clause = [bisect.bisect(breaks, t[1]) for t in tokens]
        # SST-2 style "do n't" arrives as two tokens; treat the "n't" as the negation.
        hits: list[tuple[int, float]] = []
        but_at = next((i for i, w in enumerate(words) if w == "but"), -1)
        for i, w in enumerate(words):
            v = self.valence.get(w)
            if v is None:
                continue
            for back in (1, 2, 3):
                j = i - back
                if j < 0 or clause[j] != clause[i]:
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
