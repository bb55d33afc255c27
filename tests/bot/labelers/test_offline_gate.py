"""The English sentiment gate of the shipped offline model (bot/labelers/offline/gate.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bot.labelers.offline import SHIPPED_MODEL_PATH, OfflineLabeler
from bot.labelers.offline.gate import FEATURES, Gate
from bot.labelers.offline_train import write_model

NEWS_POST = "RT @user The council votes on the new bus routes at 7pm tonight, full agenda here http://t.co/x1"


@pytest.fixture(scope="module")
def shipped() -> dict:
    with gzip.open(SHIPPED_MODEL_PATH, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def without_gate(shipped: dict, tmp_path_factory: pytest.TempPathFactory) -> OfflineLabeler:
    """The shipped model with its gate taken out: the bars alone decide, as before the gate."""
    langs = json.loads(json.dumps(shipped["langs"]))
    del langs["en"]["gate"]
    path = tmp_path_factory.mktemp("model") / "nogate.json.gz"
    write_model(langs, shipped["meta"], path)
    return OfflineLabeler(path)


def test_the_shipped_english_model_has_a_gate_and_chinese_has_none() -> None:
    subs = OfflineLabeler()._models()
    assert subs["en"].gate is not None
    assert subs["zh"].gate is None
    assert subs["en"].gate.bar <= subs["en"].gate.plain_bar


def test_a_news_post_the_bars_call_polar_is_neutral(without_gate: OfflineLabeler) -> None:
    assert without_gate.score(NEWS_POST).label == "positive"
    item = OfflineLabeler().predict(NEWS_POST)
    assert item.label == "neutral"
    assert item.confidence < 0.8
    assert item.explanation.startswith("Neutral")
    assert item.keywords == []  # plain words ("council", "routes") are no sentiment cue to name


@pytest.mark.parametrize(
    "text",
    [
        "The governor will speak at the state fair on Saturday morning before the parade",
        "Apple will unveil the new iPhone on Tuesday in Cupertino #apple",
        "Just finished chapter 12 of the Dune series, starting Children of Dune tomorrow",
    ],
)
def test_announcements_and_plans_are_neutral(text: str) -> None:
    item = OfflineLabeler().predict(text)
    assert item.label == "neutral"
    assert item.explanation.startswith("Neutral")
    assert len(item.keywords) <= 1  # at most a sentiment word read as weak ("fair")


@pytest.mark.parametrize(
    "text",
    [
        "The order was shipped on Monday.",  # plain words only
        "Can you tell me where my parcel is?",
    ],
)
def test_support_statements_and_questions_stay_neutral(text: str) -> None:
    assert OfflineLabeler().predict(text).label == "neutral"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("A clumsy, overlong mess that mistakes noise for excitement.", "negative"),
        ("Smart, funny and far more moving than it has any right to be.", "positive"),
        ("My refund still has not arrived after three weeks.", "negative"),
        ("Thanks so much, the agent fixed it in minutes!", "positive"),
        ("客服态度很好", "positive"),
    ],
)
def test_clear_opinions_pass_the_gate(text: str, label: str) -> None:
    assert OfflineLabeler().predict(text).label == label


def test_a_gate_for_other_features_is_refused_with_a_clear_error(shipped: dict) -> None:
    data = dict(shipped["langs"]["en"]["gate"])
    assert Gate.from_json(data).to_json() == data  # round trip
    data["features"] = [*FEATURES, "sarcasm_score"]
    data["coef"] = [*data["coef"], 1.0]
    with pytest.raises(ValueError, match="gate expects features"):
        Gate.from_json(data)


def test_a_gate_this_release_cannot_read_is_ignored_with_a_warning_and_labelling_goes_on(
    shipped: dict, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    langs = json.loads(json.dumps(shipped["langs"]))
    langs["en"]["gate"]["features"] = [*FEATURES, "sarcasm_score"]
    langs["en"]["gate"]["coef"] = [*langs["en"]["gate"]["coef"], 1.0]
    path = tmp_path / "other-release.json.gz"
    write_model(langs, shipped["meta"], path)
    labeler = OfflineLabeler(path)
    assert labeler.predict("Terrible service, never again.").label == "negative"
    assert labeler._models()["en"].gate is None
    assert "sentiment gate ignored" in caplog.text


def test_a_model_file_of_an_earlier_release_without_a_gate_still_loads(without_gate: OfflineLabeler) -> None:
    assert without_gate._models()["en"].gate is None
    assert without_gate.predict("Terrible service, never again.").label == "negative"


def test_gate_rows_leave_no_trace_in_a_trained_model(tmp_path: Path) -> None:
    """`sentibot train` models have no gate: the bars alone decide for them."""
    from bot.labelers.offline_train import train

    rows = [("great product love it", "positive"), ("awful, broke in a day", "negative")] * 20
    out = tmp_path / "m.json.gz"
    train(rows, out)
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        assert all("gate" not in sub for sub in json.load(fh)["langs"].values())
