"""Long Chinese reviews that weigh several points before a last 但是 / 就是 (issue 14, fifth round).

A product or hotel review often lists what was good, then ends with the small print: "……下次还会
再来。但是停车有点不方便。" The "but"-clause rule let that last clause decide, so such reviews were
called negative; on online_shopping's tune part the whole text was right about four times as
often whenever it was clearly (≥ 0.9) the other way. So a Chinese text as a whole overrules its
last "but"-clause when it is that sure; English keeps the rule ("friendly, but the room was
filthy"). And the small print is never shown as a reason for the label it argues against
("就是快递慢了两天" is no sign of satisfaction). Also:
- a rule cue is one phrase, so in a long review its push shrinks as the n-grams' weight does;
- a review that ends in a question (…这是正版吗？, …呢) is explained by what it says, and decided
  by it when that is clearly polar;
- 别 is no negation that turns a complaint into praise (别上当 is a warning, 特别糟糕 holds 别);
- a greeting (你好, hello) is never a reason.
The phrasings are written for this table.
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler

LONG_REVIEWS = [
    (
        "酒店位置很好，离地铁站很近，房间宽敞干净，早餐种类丰富，服务员态度热情，下次还会再来。"
        "但是停车有点不方便。",
        "positive",
        "但是停车有点不方便",
    ),
    (
        "手机用了一个星期，运行很流畅，拍照清晰，电池也耐用，性价比很高，推荐购买，但是包装盒有点压坏了",
        "positive",
        "但是包装盒有点压坏了",
    ),
    (
        "书的内容很精彩，印刷清楚，纸张也好，孩子很喜欢看，就是快递慢了两天",
        "positive",
        "就是快递慢了两天",
    ),
    (
        "屏幕有坏点，充电很慢，客服也不理人，退货还要自己出运费，不过外观还行",
        "negative",
        "不过外观还行",
    ),
]


@pytest.mark.parametrize(("text", "label", "small_print"), LONG_REVIEWS, ids=[r[2] for r in LONG_REVIEWS])
def test_a_long_review_is_read_as_a_whole_and_its_small_print_is_no_reason(
    labeler: OfflineLabeler, text: str, label: str, small_print: str
) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords)
    assert item.keywords, "a polar label names what decided it"
    tail = small_print[2:]  # the clause without its contrast word
    assert not any(tail in kw or kw in small_print for kw in item.keywords), (small_print, item.keywords)
    assert small_print not in item.explanation


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # the clause after the contrast still decides a short message, in both languages
        ("The staff were friendly, but my room was filthy", "negative"),
        ("包装很好，但是东西用了两天就坏了", "negative"),
        ("价格有点贵，但是质量非常好", "positive"),
    ],
)
def test_the_clause_after_but_still_decides_a_short_message(
    labeler: OfflineLabeler, text: str, label: str
) -> None:
    assert labeler.predict(text).label == label


def test_clauses_that_agree_are_explained_by_the_whole_text(labeler: OfflineLabeler) -> None:
    # Both sides of 但是 are positive: the reasons are the praise, not a fragment of the quibble.
    item = labeler.predict("衣服质量很好，做工精细，穿着舒服，颜色和图片一样，但是发货稍微慢了点")
    assert item.label == "positive"
    assert "但是" not in item.explanation
    assert any("质量很好" in kw or "做工精细" in kw or "穿着舒服" in kw for kw in item.keywords), (
        item.keywords
    )


def test_one_phrase_does_not_outweigh_a_long_review(labeler: OfflineLabeler) -> None:
    # A rule cue is one phrase: in a long review its push shrinks as the n-grams' weight does, so
    # "以为会很难安装" (a worry that did not come true) does not make this praise a complaint.
    item = labeler.predict("一开始以为会很难安装，没想到半小时就装好了，用起来很顺手，噪音也小")
    assert item.label == "positive", (item.label, item.confidence, item.keywords)


@pytest.mark.parametrize(
    ("text", "label", "question"),
    [
        ("装订一点不整齐，纸张也很差，这是正版吗？", "negative", "这是正版吗"),
        (
            "屏幕很清晰，运行也流畅，电池很耐用，这么好的手机怎么才卖这个价呢",
            "positive",
            "这么好的手机怎么才卖这个价呢",
        ),
    ],
)
def test_a_review_that_ends_in_a_question_is_explained_by_what_it_says(
    labeler: OfflineLabeler, text: str, label: str, question: str
) -> None:
    item = labeler.predict(text)
    assert item.label == label
    assert item.keywords
    assert not any(kw in question for kw in item.keywords), item.keywords


@pytest.mark.parametrize(
    "text", ["第一次在这家买水果，感觉特别糟糕", "以次充好，大家别上当了", "买来就坏了，千万别买"]
)
def test_bie_is_no_negation_that_turns_a_complaint_into_praise(labeler: OfflineLabeler, text: str) -> None:
    # 别 is "don't" (a warning) or part of a word (特别): never "not a complaint".
    assert labeler.predict(text).label == "negative"


@pytest.mark.parametrize(
    "text", ["你好，为什么还没发货？", "您好，我的退款一直没到账", "Hello, my order never arrived"]
)
def test_a_greeting_is_never_a_reason(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "negative"
    assert item.keywords and not any(kw in ("你好", "您好", "hello") for kw in item.keywords), item.keywords
