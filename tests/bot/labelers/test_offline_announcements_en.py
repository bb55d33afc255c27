"""English kinds of issue 14's seventh round (offline labeller), each a foolish answer before it:
- an announcement, a forecast or a delivery status is a statement of fact: "Our office will be
  closed on Monday for the holiday" was positive at 0.91, "Heavy rain expected tomorrow, bring an
  umbrella" positive at 0.81 (a date is only one of the sentiment gate's signals); unless somebody
  says how they feel about it, or a clear sentiment word judges it;
- more complaint facts: things that keep timing out or glitching ("The app is fine but the login
  keeps timing out" was positive with "keeps timing" as its reason), a price that went up again or
  a bill that doubled;
- "meh" and "could be worse, I guess" are lukewarm verdicts, not complaints;
- "can't wait" (for Friday) is eagerness, not a negation ("I can't wait any longer" still complains);
- a locked or suspended account is a complaint fact ("Why is my account locked again??" was positive
  with "account locked" as its reason), and so is "just refund me";
- the courtesies of chat ("no worries, take your time", "sorry for the late reply") judge nothing
  (they were negative at 0.71–0.83, with "no" as the reason).
The phrasings are written for this table.
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler

# (kind, text, label)
LABELS = [
    ("announcement", "The pharmacy will be closed on Sunday for stocktaking", "neutral"),
    ("announcement", "Snow expected tonight across the north, take a warm coat", "neutral"),
    ("announcement", "Your parcel was delivered on Tuesday at 3:40pm", "neutral"),
    ("announcement", "Reminder: the team call is scheduled for 10am", "neutral"),
    ("feeling_about_it", "The show is back on Friday and I can't wait, love it", "positive"),
    ("feeling_about_it", "Great news: the pool will be open from Monday!", "positive"),
    ("feeling_about_it", "I can't wait for the new season on Friday", "positive"),
    # a strict xfail until the eighth round hid "honestly" from the model
    ("feeling_about_it", "The store will be closed on Sunday and honestly that is terrible", "negative"),
    ("complaint_fact", "Checkout keeps timing out on my phone", "negative"),
    ("complaint_fact", "The website is nice but payment keeps glitching", "negative"),
    ("complaint_fact", "Wait, the subscription price went up again?", "negative"),
    ("complaint_fact", "Our electricity bill doubled since the switch", "negative"),
    ("complaint_fact", "My account got locked after I changed my password", "negative"),
    ("complaint_fact", "Ugh, whatever. Just cancel it.", "negative"),
    ("courtesy", "No rush at all, take your time", "neutral"),
    ("courtesy", "No problem at all", "neutral"),
    # a strict xfail until the eighth round: one plain word left after a courtesy is thin evidence
    ("courtesy", "Sorry to bother you, quick question about my invoice", "neutral"),
    ("lukewarm", "meh", "neutral"),
    ("eager", "Only two days until the concert, can't wait!", "positive"),
    ("not_eager", "I can't wait any longer for this refund", "negative"),
    ("lukewarm", "Could have been worse, I suppose.", "neutral"),
]


@pytest.mark.parametrize(("kind", "text", "label"), LABELS, ids=[f"{k}:{t}" for k, t, _ in LABELS])
def test_each_kind_gets_its_label(labeler: OfflineLabeler, kind: str, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (kind, item.label, item.confidence, item.keywords, item.explanation)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("The app is fine but the login keeps timing out", "keeps timing out"),
        ("Wait, the subscription price went up again?", "price went up again"),
    ],
)
def test_the_complaint_is_the_reason(labeler: OfflineLabeler, text: str, shown: str) -> None:
    item = labeler.predict(text)
    assert item.label == "negative", (item.label, item.keywords)
    assert any(shown in kw for kw in item.keywords), item.keywords


# Written for the table with the rest and still wrong: kept so the day they pass is seen.
# (The courtesy is hidden; what is left, a plain statement, still leans on single words.)
STILL_WRONG = [
    ("Sorry for the slow response, I was on holiday", "neutral"),  # positive 0.97 on "holiday"
]


@pytest.mark.xfail(strict=True, reason="still wrong (see OFFLINE.md, seventh round)")
@pytest.mark.parametrize(("text", "label"), STILL_WRONG, ids=[t for t, _ in STILL_WRONG])
def test_still_wrong(labeler: OfflineLabeler, text: str, label: str) -> None:
    assert labeler.predict(text).label == label
