"""Consolations and opposite words, kinds of issue 14's eighth round (offline labeller), each a
foolish answer before it:
- English "…, but at least …" brings a consolation, not the point: "The room was tiny, but at least
  it was clean" was positive at 0.96, because the clause after "but" decided (VADER's rule). The
  clause before it carries the message.
- Chinese 好在 / 幸好 / 至少 / 倒是 / 倒还 mark a consolation inside a complaint: "房间很小，隔音很差，
  早餐倒是不错" was negative, rightly, with "餐倒是" as a reason, and "等了一个半小时，幸好菜还是热的"
  with "幸好菜还是热的" as a reason. A consolation is never a reason for "negative", and a hedge
  (位置还算方便) read alone against the label never a reason for it. Unlike English, the consolation
  does not move the label: in reviews it is as often the resolution that contents the reviewer
  ("…有个别坏了，幸好快递员处理好了" is praise), so a complaint that ends in a consolation can still be
  read as praise (strict xfails below).
- An English sentiment word that says the opposite of the label, after its negation, is never a
  reason for it: "Sad ending, beautiful film" was positive, rightly, with "sad" as a reason, and
  "The staff were rude and the room smelled, the view was nice though" showed "rude and" as praise.
  "Not bad" still reads as praise. The label does not move.
- A wait of a week or a month is a complaint fact ("Delivery took a month" was positive with "took a
  month" as its reason); "only took a week" is not.
The phrasings are written for this table.
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler

# (text, label, the consolation: no keyword may overlap it)
EN = [
    ("The hotel was noisy and overpriced, but at least the bed was comfy", "negative", "bed was comfy"),
    ("Delivery took a month, but at least it finally came", "negative", "finally came"),
    ("My flight got cancelled twice but at least the refund was quick", "negative", "refund was quick"),
    ("The sequel is a mess, but at least the soundtrack is good", "negative", "soundtrack is good"),
    ("Customer service was useless, but at least they were polite", "negative", "they were polite"),
]

ZH = [
    ("酒店隔音太差，一晚上没睡好，早餐倒是挺丰富", "negative", "早餐倒是挺丰富"),
    ("衣服洗了一次就起球，颜色倒还正", "negative", "颜色倒还正"),
    ("手机屏幕总是闪，太让人失望了，至少续航还行", "negative", "至少续航还行"),
    ("外卖晚到了五十分钟，好在饭菜没凉", "negative", "好在饭菜没凉"),
    ("耳机用了三天就断线，幸好客服同意换货", "negative", "幸好客服同意换货"),
    ("屏幕有坏点，做工粗糙，外观倒是挺好看", "negative", "外观倒是挺好看"),
    ("房间又旧又潮，位置还算方便", "negative", "位置还算方便"),
]


def _overlaps(keyword: str, text: str, consolation: str) -> bool:
    """`keyword` is a span of `text` (lower-cased) that shares a character with `consolation`."""
    lower = text.lower()
    c0 = lower.index(consolation.lower())
    c1 = c0 + len(consolation)
    start = lower.find(keyword)
    while start >= 0:
        if start < c1 and c0 < start + len(keyword):
            return True
        start = lower.find(keyword, start + 1)
    return False


@pytest.mark.parametrize(("text", "label", "consolation"), EN + ZH, ids=[t for t, _, _ in EN + ZH])
def test_a_consolation_is_not_the_point(
    labeler: OfflineLabeler, text: str, label: str, consolation: str
) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords, item.explanation)
    assert item.keywords, item.explanation
    shown = [k for k in item.keywords if _overlaps(k, text, consolation)]
    assert not shown, (shown, item.explanation)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # The rest of the contrast rule holds: "but" without "at least" still brings the point
        # (VADER's rule), and a consolation that is the verdict after a concession is praise.
        ("The staff were lovely, but the room was dirty", "negative"),
        ("Shipping was slow, but the jacket is perfect", "positive"),
        ("虽然价格贵了点，好在质量确实很好", "positive"),
        # A long wait is a complaint fact; a short one is not.
        ("The refund took a month", "negative"),
        ("Took over a week to get a reply", "negative"),
        ("It only took a week, which is fine", "positive"),
    ],
)
def test_label(labeler: OfflineLabeler, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords, item.explanation)


@pytest.mark.parametrize("text", ["酒店环境不好在闹市区很吵", "这个价格至少要三千一晚，房间却很旧"])
def test_no_consolation_where_the_words_only_look_alike(labeler: OfflineLabeler, text: str) -> None:
    """不好在… is no 好在, and 至少 before an amount is no consolation: the complaint is still shown."""
    item = labeler.predict(text)
    assert item.label == "negative", (item.label, item.keywords)
    complaints = ("不好在", "至少要三千", "很吵", "很旧")
    assert any(c in k for c in complaints for k in item.keywords), item.keywords


@pytest.mark.xfail(strict=True, reason="still wrong (see OFFLINE.md, eighth round)")
@pytest.mark.parametrize(
    "text", ["书的印刷很模糊，错别字也多，至少价格便宜", "鞋子穿了两天就开胶了，起码退货很顺利"]
)
def test_still_wrong(labeler: OfflineLabeler, text: str) -> None:
    assert labeler.predict(text).label == "negative"


@pytest.mark.parametrize(
    ("text", "label", "opposite"),
    [
        ("Sad ending, beautiful film", "positive", "sad"),
        ("The staff were rude and the room smelled, the view was nice though", "positive", "rude"),
        ("Friendly staff, dirty rooms, overpriced bar", "positive", "dirty"),
    ],
)
def test_a_word_saying_the_opposite_is_no_reason(
    labeler: OfflineLabeler, text: str, label: str, opposite: str
) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords)
    assert not any(opposite in k for k in item.keywords), (item.keywords, item.explanation)


def test_a_negated_word_agrees_with_its_label(labeler: OfflineLabeler) -> None:
    item = labeler.predict("Not bad at all, I love it")
    assert item.label == "positive"
    assert any("not bad" in k for k in item.keywords), item.keywords
