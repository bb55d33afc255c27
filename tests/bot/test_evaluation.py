"""`sentibot eval`: the right confusion matrix from a seeded set of resolved reviews."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.evaluation import eval_json, evaluate, format_eval
from storage import Store
from tests.bot.test_digest import flag, seed

D = date(2024, 5, 10)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "eval.db")
    yield s
    s.close()


def review(store: Store, key: str, *, bot: str, human: str | None, labeler: str, prompt: str | None) -> None:
    """A conversation the bot labelled `bot`, resolved by a human (label None = agreed)."""
    run_id = seed(store, day=D, channel="c", labels=[bot], labeler=labeler, prompt_version=prompt)
    review_id = flag(store, key=key, channel="c", label=bot, run_id=run_id)
    store.reviews.resolve(review_id, reviewer="lead", note="", label=human)


@pytest.fixture
def seeded(store: Store) -> Store:
    q = ("qwen3:Qwen3-1.7B", "v2")
    off = ("offline", None)
    cases = [
        # (bot, human, labeller)
        ("negative", None, q),  # agreed (resolved without a label)
        ("negative", "negative", q),  # agreed (same label given)
        ("negative", "neutral", q),
        ("neutral", "negative", q),
        ("positive", None, q),
        ("negative", None, off),
        ("negative", "positive", off),
        ("neutral", "negative", off),
        ("neutral", "negative", off),
    ]
    for n, (bot, human, (labeler, prompt)) in enumerate(cases):
        review(store, f"k{n}", bot=bot, human=human, labeler=labeler, prompt=prompt)
    # An open review is not a judgement yet.
    flag(
        store,
        key="open",
        channel="c",
        label="negative",
        run_id=seed(store, day=D, channel="c", labels=["negative"]),
    )
    return store


def test_matrix_and_accuracy(seeded: Store) -> None:
    report = evaluate(seeded)
    o = report.overall
    assert (o.reviewed, o.agreed, o.corrected) == (9, 4, 5)
    assert o.accuracy == pytest.approx(4 / 9)
    # rows = human, columns = bot
    assert o.matrix == {
        "positive": {"positive": 1, "negative": 1, "neutral": 0},
        "negative": {"positive": 0, "negative": 3, "neutral": 3},
        "neutral": {"positive": 0, "negative": 1, "neutral": 0},
    }
    assert o.recall("negative") == pytest.approx(0.5)
    assert o.precision("negative") == pytest.approx(0.6)
    groups = {(g.labeler, g.prompt_version): (g.reviewed, g.agreed) for g in report.groups}
    assert groups == {("offline", "unknown"): (4, 1), ("qwen3:Qwen3-1.7B", "v2"): (5, 3)}


def test_text_table(seeded: Store) -> None:
    text = format_eval(evaluate(seeded))
    lines = text.splitlines()
    assert lines[0] == "Labeller vs human reviewers: 9 reviewed conversation(s)"
    assert lines[1] == "accuracy 44.4% (4/9 agreed, 5 corrected by a human)"
    assert "fewer than 30 reviews" in lines[2]
    header = next(i for i, line in enumerate(lines) if line.startswith("human \\ bot"))
    assert lines[header].split() == [
        "human",
        "\\",
        "bot",
        "positive",
        "negative",
        "neutral",
        "total",
        "recall",
    ]
    assert lines[header + 1].split() == ["positive", "1", "1", "0", "2", "50.0%"]
    assert lines[header + 2].split() == ["negative", "0", "3", "3", "6", "50.0%"]
    assert lines[header + 3].split() == ["neutral", "0", "1", "0", "1", "0.0%"]
    assert lines[header + 4].split() == ["total", "1", "5", "3", "9"]
    assert "offline" in text and "qwen3:Qwen3-1.7B" in text


def test_json(seeded: Store) -> None:
    data = eval_json(evaluate(seeded))
    assert data["reviewed"] == 9
    assert data["overall"]["matrix"]["negative"]["neutral"] == 3
    assert data["overall"]["accuracy"] == pytest.approx(0.4444)
    assert data["by_labeler"][1]["labeler"] == "qwen3:Qwen3-1.7B"


def test_empty(store: Store) -> None:
    report = evaluate(store)
    assert report.empty
    assert format_eval(report).startswith("no reviewed conversations yet")
    assert eval_json(report)["empty"] is True
