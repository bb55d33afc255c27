"""Kinds found by a tester typing messages one at a time (issue 14, fourth round), each with the
tester's phrasing and one of ours:
- praise said through a negation ("no complaints", "can't recommend it enough", "the food wasn't
  cold", 没有想象中那么差, 态度不差);
- sarcasm by thanks for a fault ("thanks for losing my package"), "love waiting on hold",
  "yeah, because …", scare-quoted praise (真是让人“惊喜”);
- requests for a person ("talk to a human", 转人工) and requests after a statement ("…, can you
  check it", "…，麻烦备注一下") are neutral like any inquiry;
- plain praise words the lexicon lacked (耐用, 友善, 有启发) so their negation is a complaint and
  neither is shown as a reason for the opposite label;
- names and contractions are never keywords ("John from billing", 我叫张伟, "i'm").
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler

CASES = [
    # praise through a negation
    ("The refund was processed quickly, no complaints", "positive"),
    ("Honestly no complaints at all, it does what it says", "positive"),
    ("Can't complain, the courier was on time", "positive"),
    ("never had a problem with them", "positive"),
    ("Been a customer for years and never had any issues", "positive"),
    ("I can't recommend this enough", "positive"),
    ("Can't recommend this shop enough!", "positive"),
    ("This novel is a page-turner, couldn't put it down", "positive"),
    ("没有想象中那么糟糕", "positive"),
    ("用了一个月，没有想象的那么差，还挺好用", "positive"),
    ("The delivery wasn't late and the food wasn't cold", "positive"),
    ("The courier wasn't rude at all, very quick too", "positive"),
    ("I wouldn't say I'm unhappy with it", "positive"),
    ("快递员态度不差", "positive"),
    # ...but a complaint next to the negated one still decides
    ("It isn't broken, just painfully slow", "negative"),
    # sarcasm
    ("Wow, thanks for losing my package, really appreciate it", "negative"),
    ("Thanks so much for cancelling my order without telling me", "negative"),
    ("Love waiting on hold for 45 minutes, best part of my day", "negative"),
    ("Yeah, because paying extra for late delivery is totally worth it", "negative"),
    ("这质量，真是让人“惊喜”呢", "negative"),
    ("客服真是“专业”，问什么都不知道", "negative"),
    # requests
    ("talk to a human", "neutral"),
    ("Can I speak to a real person please", "neutral"),
    ("转人工", "neutral"),
    ("人工客服", "neutral"),
    ("my order number is 88213, can you check it", "neutral"),
    ("I moved last week, could you update my address", "neutral"),
    ("我是回族，吃不了猪肉，麻烦备注一下", "neutral"),
    ("明天不在家，麻烦放快递柜", "neutral"),
    # plain praise words and their negations
    ("书的内容很有启发，强烈推荐给大家", "positive"),
    ("电池很耐用，充一次用两天", "positive"),
    ("电池不耐用，半天就没电了", "negative"),
    ("前台的小姐姐很友善", "positive"),
    ("it's not terrible", "neutral"),
]


@pytest.mark.parametrize(("text", "label"), CASES)
def test_audit_kinds(labeler: OfflineLabeler, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords, item.explanation)
    if label != "neutral":
        assert item.keywords, "a polar label names what decided it"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("John from billing was rude and hung up on me", "john"),
        ("Priya from support fixed it in five minutes", "priya"),
        ("我叫张伟，你们的快递三天还没到", "张伟"),
    ],
)
def test_names_are_never_keywords(labeler: OfflineLabeler, text: str, name: str) -> None:
    item = labeler.predict(text)
    assert item.label != "neutral", item
    assert not any(name in kw.lower() for kw in item.keywords), item.keywords


def test_contractions_alone_are_never_keywords(labeler: OfflineLabeler) -> None:
    for text in ("I'm a Muslim customer, is this food halal", "just got my new phone and I'm in love 😍"):
        item = labeler.predict(text)
        assert not any(kw in ("i'm", "i'm a", "i'm in") for kw in item.keywords), item.keywords
