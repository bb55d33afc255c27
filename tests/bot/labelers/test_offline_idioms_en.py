"""English idioms of a verdict, a kind of issue 14's eighth round (offline labeller): the model reads
their words one by one, and each was a foolish answer before it — "I could not be happier with the
result" was negative at 0.97 with "not be" as its reason, "Nothing beats a hot coffee on a cold
morning" negative, "Would give zero stars if I could" neutral, "…but the camera is a joke" negative
with no reason it could name, "Best customer service ever, no joke" negative with "no joke" as its
reason, "The new menu is fire 🔥" negative, "Can't stop listening to this album" barely positive
with "stop" as its reason, "Just landed in Tokyo!! Can't believe I'm finally here" negative with
"can't" as its reason. And news with a date is a statement of fact, like the seventh round's
announcements ("Apple announced the new iPad today" was positive at 0.92).
The phrasings are written for this table.
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler

# (text, label, a part of the reason that must be shown, or "")
CASES = [
    ("We could not be happier with the new kitchen", "positive", "happier"),
    ("Couldn't have asked for a better guide", "positive", ""),
    ("Nothing beats their fresh bread", "positive", "nothing beats"),
    ("You can't go wrong with these headphones", "positive", "go wrong"),
    ("The charger does exactly what it says", "positive", "what it says"),
    ("Their new burger is fire", "positive", "fire"),
    ("Not gonna lie, the new layout is great", "positive", "great"),
    ("Zero stars, avoid", "negative", "zero stars"),
    ("The warranty is a complete joke", "negative", "joke"),
    ("Three calls and they didn't fix the problem", "negative", "fix the problem"),
    ("Tracking says delivered, but the parcel is not here", "negative", "not here"),
    ("Customer care could not have been any worse", "negative", "worse"),
    ("I can't stop watching this show", "positive", "can't stop watching"),
    ("We waited two hours for the technician", "negative", "waited two hours"),
    ("I can't believe how slow this checkout is", "negative", "slow"),
]


@pytest.mark.parametrize(("text", "label", "shown"), CASES, ids=[t for t, _, _ in CASES])
def test_an_idiom_is_read_whole(labeler: OfflineLabeler, text: str, label: str, shown: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords, item.explanation)
    assert item.keywords, item.explanation
    if shown:
        assert any(shown in k for k in item.keywords), item.keywords
    assert not any(k in ("not", "no", "couldn't", "not gonna lie") for k in item.keywords), item.keywords


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("It could have been better", "negative"),  # no negation: a complaint, not the idiom
        ("The house down the road is on fire", "negative"),
    ],
)
def test_look_alikes_keep_their_sense(labeler: OfflineLabeler, text: str, label: str) -> None:
    assert labeler.predict(text).label == label


@pytest.mark.parametrize(
    "text",
    ["Google unveiled its new phone yesterday", "Tomorrow the council will announce the new bus routes"],
)
def test_news_with_a_date_is_a_statement(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "neutral", (item.label, item.confidence, item.keywords)


def test_news_with_a_feeling_keeps_it(labeler: OfflineLabeler) -> None:
    assert labeler.predict("I am so excited: Google unveiled its new phone yesterday!").label == "positive"


def test_cant_believe_names_no_reason(labeler: OfflineLabeler) -> None:
    item = labeler.predict("Just landed in Lisbon!! Can't believe I'm finally here")
    assert item.label != "negative", (item.label, item.keywords)
    assert not any("can't" in k for k in item.keywords), item.keywords


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # A negation does not reach across a clause break ("Nope, still broken" was neutral and
        # "Nope, terrible as ever" positive: VADER read the word after the comma as negated).
        ("Nope, still faulty", "negative"),
        ("Nope, terrible as ever", "negative"),
        ("Not really, it's great", "positive"),
        # Asking for help is a request, not praise ("Hi, I need help with my account" was positive
        # at 0.83 on "help"); help given is praise.
        ("Hello, I need some help with my invoice", "neutral"),
        ("Can someone please help with my booking", "neutral"),
        ("Your team really helped us", "positive"),
        # "meh" before a lukewarm verdict keeps it lukewarm ("Meh, it's fine" was positive at 0.83).
        ("Meh. It's okay", "neutral"),
    ],
)
def test_answers_requests_and_shrugs(labeler: OfflineLabeler, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords, item.explanation)
