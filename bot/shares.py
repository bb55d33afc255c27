"""Whole-number percentages that add up to 100: the one rounding rule of every surface.

Charts, chat replies, the digest and the web page all show label shares through this module, so
"97 of 200" never reads 49 % in one place and 48 % in another, and the parts of a mix always add
up to exactly 100 %.

The rules:

* Shares are of the **labelled** items (positive + neutral + negative); failed items are counted
  apart and are never part of a share (as in `Summary.share`).
* Largest remainder (Hamilton): every part gets the floor of its exact percentage, then the parts
  with the largest fractional remainders get one more point each until the total is 100.
* Ties in the remainder go to the larger count, then to the order the parts were given in, so
  the same counts always round the same way.
* Nothing labelled → every share is 0 (and callers show "–").
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.models import Summary

LABELS: tuple[str, str, str] = ("positive", "neutral", "negative")


def percentages(counts: Mapping[str, int]) -> dict[str, int]:
    """Whole percentages of `counts` that add up to 100 (or all 0 when the counts are all 0)."""
    total = sum(counts.values())
    if total <= 0:
        return dict.fromkeys(counts, 0)
    exact = {key: 100 * n / total for key, n in counts.items()}
    result = {key: int(value) for key, value in exact.items()}
    short = 100 - sum(result.values())
    order = list(counts)
    ranked = sorted(order, key=lambda k: (-(exact[k] - result[k]), -counts[k], order.index(k)))
    for key in ranked[:short]:
        result[key] += 1
    return result


def label_percentages(summary: Summary) -> dict[str, int]:
    """`{"positive": p, "neutral": q, "negative": r}` of the labelled items, adding up to 100."""
    return percentages({label: int(getattr(summary, label)) for label in LABELS})


def percent_text(value: int, *, labelled: int = 1) -> str:
    """`48%`, or `–` when nothing was labelled (a 0 % there would be a claim, not a number)."""
    return f"{value}%" if labelled else "–"
