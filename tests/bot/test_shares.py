"""One rounding rule: whole percentages that add up to 100 (largest remainder)."""

from __future__ import annotations

import itertools
import random

from bot.shares import label_percentages, percentages
from domain.models import Summary


def test_the_issue_example_adds_up_and_rounds_the_same_way_everywhere() -> None:
    # 97 and 41 of 200: 48.5 % and 20.5 %. Rounding each alone gives 49 + 21 + 31 = 101 (or 48 + 20
    # + 31 = 99 with banker's rounding); the shares a user sees must add up to 100.
    shares = label_percentages(Summary(total=200, negative=97, neutral=41, positive=62))
    assert shares == {"positive": 31, "neutral": 20, "negative": 49}
    assert sum(shares.values()) == 100


def test_failed_items_are_not_part_of_the_shares() -> None:
    shares = label_percentages(Summary(total=10, positive=3, negative=3, neutral=3, failed=1))
    assert sum(shares.values()) == 100
    assert sorted(shares.values()) == [33, 33, 34]


def test_nothing_labelled_is_all_zero() -> None:
    assert label_percentages(Summary(total=2, failed=2)) == {"positive": 0, "neutral": 0, "negative": 0}


def test_ties_are_broken_the_same_way_every_time() -> None:
    assert percentages({"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert percentages({"a": 1, "b": 2}) == {"a": 33, "b": 67}


def _mixes() -> list[tuple[int, ...]]:
    small = list(itertools.product(range(8), repeat=3))  # every mix of up to 7 per label
    rng = random.Random(15)
    large = [tuple(rng.randint(0, 10_000) for _ in range(rng.randint(1, 6))) for _ in range(500)]
    return small + large


def test_any_counts_add_up_to_100_and_stay_within_one_point() -> None:
    for counts in _mixes():
        named = {f"k{i}": n for i, n in enumerate(counts)}
        shares = percentages(named)
        total = sum(counts)
        if total == 0:
            assert set(shares.values()) == {0}
            continue
        assert sum(shares.values()) == 100, counts
        for key, n in named.items():
            assert abs(shares[key] - 100 * n / total) < 1, counts
