"""English error kinds of the offline labeller found on the dev data (SST-2 held-out dev half,
tweeteval tune part, support_dev), each in phrasings of our own — none of these sentences is in
any data set — plus the support questions that must stay neutral.

Kinds (benchmarks/OFFLINE.md, "Rule cues"):
- statements that only look like questions: a sentence opening with a verb ("is easily the most
  tedious ...", "will leave you grinning"), a wh-clause used as a subject ("what keeps this thriller
  moving is ..."), an exclamation ("what a gorgeous film", "how delightful") are not inquiries;
- a question after clearly polar statements is no plain inquiry ("Worst service ever. Is anyone
  even reading these?");
- unmet expectations: praise under a counterfactual is a complaint ("should have been far more
  moving", "could use a few more screenshots"), but a negated one is praise;
- "though" inside a sentence opens a concession, and "even though" is no "but";
- a whole message that is a lukewarm verdict ("it's okay I guess", "not great, not terrible") is
  neutral: a model that only knows polar texts reads "I guess" or "not terrible" as a complaint.
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler
from bot.labelers.offline.calibration import is_inquiry

KINDS = [
    # statements that open like questions (review sentences)
    ("verb_opening", "will leave you grinning long after the credits roll", "positive"),
    ("verb_opening", "is easily the most tedious thing i have sat through this year", "negative"),
    ("verb_opening", "are as charming and funny as anything in the genre", "positive"),
    ("verb_opening", "should be required viewing for anyone who loves cinema", "positive"),
    ("wh_subject", "what keeps this thriller moving is its wonderfully nasty sense of humour", "positive"),
    ("wh_subject", "what begins as a promising comedy ends as a dreary slog", "negative"),
    ("exclamation", "what a gorgeous, heartfelt little film", "positive"),
    ("exclamation", "how delightful it is to see these two on screen together", "positive"),
    # a question after clearly polar statements
    ("stated", "Worst delivery service I have ever used. Is anyone even reading these?", "negative"),
    ("stated", "Your team is amazing! Will the new version have the same features?", "positive"),
    ("stated", "Absolutely thrilled with the upgrade. Can I buy another licence for my partner?", "positive"),
    # unmet expectations
    ("counterfactual", "the ending should have been far more moving", "negative"),
    ("counterfactual", "this could have been a great little thriller", "negative"),
    ("counterfactual", "The checkout would have been easier with a guest option.", "negative"),
    ("counterfactual", "It would've been nice if someone had called me back.", "negative"),
    ("counterfactual", "The tutorial could use a few more screenshots", "negative"),
    ("counterfactual", "The app might benefit from an offline mode", "negative"),
    ("counterfactual_negated", "The engineer could not have been more helpful", "positive"),
    # concessions
    ("though", "a dull film, though the score is lovely at times", "negative"),
    ("even_though", "Even though the courier was late, the driver was incredibly kind.", "positive"),
    # rhetorical questions stay complaints
    ("rhetorical", "how could you lose my parcel twice?", "negative"),
    # real support questions and requests stay neutral
    ("inquiry", "How do I reset my password?", "neutral"),
    ("inquiry", "can you check the status of my refund", "neutral"),
    ("inquiry", "What time does the store open on Sundays?", "neutral"),
    ("inquiry", "I'd like to change my delivery address", "neutral"),
    ("inquiry", "Is there a way to download all my invoices at once?", "neutral"),
    ("inquiry", "How long does shipping to Norway usually take?", "neutral"),
    ("inquiry", "Where can I find my order history?", "neutral"),
    ("inquiry", "Which plan includes priority support?", "neutral"),
    ("inquiry", "Please send me the invoice for last month", "neutral"),
    ("inquiry", "Got my code. How do I apply it at checkout?", "neutral"),
    # a whole message that is a lukewarm verdict is neutral, not a complaint
    ("lukewarm", "It's ok, I suppose", "neutral"),
    ("lukewarm", "Not bad but not amazing", "neutral"),
    ("lukewarm", "the food was alright", "neutral"),
    ("lukewarm", "Could have been worse.", "neutral"),
    # ...but only the whole message: with a complaint after it, the complaint decides
    ("lukewarm", "The screen is okay but the battery drains in two hours", "negative"),
    ("lukewarm", "Fine, but my order still hasn't arrived", "negative"),
]


@pytest.mark.parametrize(("kind", "text", "label"), KINDS, ids=[f"{k}:{t[:24]}" for k, t, _ in KINDS])
def test_english_kinds(labeler: OfflineLabeler, kind: str, text: str, label: str) -> None:
    scored = labeler.score(text)
    assert scored.label == label, (kind, scored.label, scored.cues, scored.probs, scored.keywords)
    if label != "neutral":
        assert scored.keywords, "a polar label names what decided it"
        assert all(k.lower() in text.lower() for k in scored.keywords)
        assert 0.5 <= scored.confidence < 0.99


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("how do i change my email", True),
        ("what size should i order", True),
        ("where's my parcel", True),
        ("is there a way to merge accounts", True),
        ("can you send me the invoice", True),
        ("how many devices can i use on one license", True),
        ("isn't it possible to pay later", True),
        ("is ultimately effective enough", False),
        ("will find in these characters a timeless perspective", False),
        ("what sets this comedy apart is its low-key way", False),
        ("what a mess", False),
        ("how lovely this film is", False),
        ("how much they engage and even touch us", False),
        ("when something goes bump in the night", False),
        ("how could they do this?", False),
    ],
)
def test_inquiry_word_order(text: str, asks: bool) -> None:
    assert is_inquiry(text, "word") is asks


def test_counterfactual_keyword_reads_as_a_phrase(labeler: OfflineLabeler) -> None:
    scored = labeler.score("It would have been nice to get a reply")
    assert scored.label == "negative"
    assert "would have been nice" in scored.keywords


def test_concession_explanation_does_not_say_after(labeler: OfflineLabeler) -> None:
    item = labeler.predict("a dull film, though the score is lovely at times")
    assert item.label == "negative"
    assert "after" not in item.explanation.lower()
