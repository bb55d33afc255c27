"""Chinese review kinds the offline labeller must not get backwards (issue 14, fourth round).

A model fitted on shopping reviews plus a slice of food-delivery reviews learns their quirks: in
those reviews praise of the packaging or of hygiene is mostly the consolation in a complaint
("包装不错，饼一般"), so a review made only of such praise was called negative, with the praise
itself shown as "dissatisfaction". These are kinds, with phrasings written for this table:
- plain praise of food, freshness, hygiene, punctuality and value with no degree word;
- mild complaints marked by 有点 / 偏 / 略 / 稍微 / 太 before a taste, texture, size or speed word;
- a keyword never contradicts a rule cue of its own text (praise is never a reason for "negative").
("好吃，就是有点慢" stays praise with a quibble: in these reviews 就是 / 不过 / 只是 bring a quibble
as often as the point, see the 不过 rule.)
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler
from bot.labelers.offline.cues import find_cues

REVIEWS = [
    # plain praise, no degree word
    ("包装不错，干净卫生", "positive"),
    ("米饭香软可口，送来还是热乎的", "positive"),
    ("炸鸡外酥里嫩，酱汁也入味", "positive"),
    ("蔬菜新鲜，做法正宗", "positive"),
    ("房间的卫生和设施都很差，地毯很脏", "negative"),
    ("配送准时，餐盒干净卫生", "positive"),
    ("汤头鲜美，面条筋道", "positive"),
    ("水果新鲜，每一个都很甜", "positive"),
    ("这家的牛肉面吃不腻，已经第五次点了", "positive"),
    # mild complaints
    ("口味偏淡，分量也少", "negative"),
    ("红烧肉略咸，米饭稍微有点硬", "negative"),
    ("汤有点凉了，面也有点坨", "negative"),
    ("这个价格有点贵，量还太少", "negative"),
    ("奶茶太甜了，珍珠也偏硬", "negative"),
    ("隔音差，一晚上没睡好", "negative"),
    # a quibble is small print, never a reason for praise
    ("好吃，就是送得有点慢", "positive"),
    # days gone by and still not here is a complaint, even opened by 怎么
    ("怎么五六天了快递还不到呀", "negative"),
    ("买了两天了还不发货", "negative"),
    # what goes fast is a fault: the battery, the colour
    ("电池耗电很快，屏幕还行", "negative"),
    ("用了一周，耗电特别快", "negative"),
    ("颜色掉得很快", "negative"),
    # worse than before or elsewhere is a complaint; better than before is praise
    ("这家的面不如店里堂食的好吃", "negative"),
    ("送得挺快，可是没有以前好吃了", "negative"),
    ("比以前好吃多了", "positive"),
    # 小哥 is the courier, not "small": a raise for him is praise
    ("请务必给送餐小哥涨工资", "positive"),
    # hoping not to be let down is trust, not disappointment
    ("还没拆开用，一直相信这家店，希望不要让我失望", "positive"),
    # better than others said is praise, worse than promised a complaint
    ("不像网上说的那么难用", "positive"),
    ("没有大家说的那么差，还挺好用的", "positive"),
    ("没有宣传的那么好用", "negative"),
    # negated praise stays a complaint
    ("菜不新鲜，吃着也不卫生", "negative"),
    ("说好的准时送达，结果一点都不准时", "negative"),
]


@pytest.mark.parametrize(("text", "label"), REVIEWS)
def test_chinese_review_kinds(labeler: OfflineLabeler, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords, item.explanation)
    assert item.keywords, "a polar label names what decided it"


@pytest.mark.parametrize(
    "text",
    ["我的订单到哪了", "退款什么时候到账", "发货大概要多久", "这个套餐多少钱", "快递现在在哪儿"],
)
def test_a_question_without_a_question_mark_is_neutral(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "neutral", item
    assert item.keywords == []


@pytest.mark.parametrize(
    "text",
    [
        "屏幕很清晰，不过电池不太耐用",
        "酒店设施有点旧，不过服务人员很友善",
        "The refund was processed quickly, no complaints",
        "酒店位置很方便，就是隔音差",
        "房间挺大的，可惜信号很差",
        "屏幕清晰，续航差了点",
        "服务态度好，就是出餐慢",
        "房间很大，设施有点旧，早餐品种少",
        "味道还行，米饭稍微有点硬",
    ],
)
def test_a_reason_never_contradicts_a_cue_of_its_text(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    lower = text.lower()
    sign = {"positive": 1, "negative": -1, "neutral": 0}[item.label]
    against = [lower[c.start : c.end] for c in find_cues(lower) if c.push * sign < 0]
    assert any(c.push or c.kind == "quibble" for c in find_cues(lower)), "the texts hold a cue"
    if sign > 0:  # a quibble is never a reason for praise
        against += [lower[c.start : c.end] for c in find_cues(lower) if c.kind == "quibble"]
    for kw in item.keywords:
        assert not any(a in kw or kw in a for a in against), (item.label, kw, against, item.keywords)


@pytest.mark.parametrize(
    "text",
    [
        "包装不错，可是送来的菜全洒了",
        "包装挺好，但是菜太咸了，根本没法吃",
        "干净卫生，但是等了两个小时",
    ],
)
def test_praise_is_never_named_as_a_reason_for_negative(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "negative", item
    lower = text.lower()
    praise = [lower[c.start : c.end] for c in find_cues(lower) if c.push > 0]
    assert praise, "the table's texts hold a praise cue"
    for kw in item.keywords:
        assert not any(p in kw or kw in p for p in praise), (kw, praise, item.keywords)


@pytest.mark.parametrize(
    "text",
    [
        "卫生间在哪里？",
        "请问有小份的吗",
        "请问小时候吃的那种还有吗",
        "冷静一下再说",
        "今天的软件更新了吗",
        "我下周出差",
        "差不多下午到",
        "和手机只差一个通话功能",
    ],
)
def test_the_new_words_do_not_fire_outside_their_sense(labeler: OfflineLabeler, text: str) -> None:
    assert labeler.predict(text).label == "neutral"


@pytest.mark.parametrize("text", ["请问米饭会不会偏硬？", "请问这个尺码会不会偏大", "这款会不会有点小？"])
def test_a_quibble_asked_about_is_a_question_not_a_complaint(labeler: OfflineLabeler, text: str) -> None:
    # 会不会 / 是否 / 担心 before 偏硬 asks about it (or fears it): nothing was found wrong yet.
    item = labeler.predict(text)
    assert item.label == "neutral", (item.label, item.confidence, item.keywords)
    assert item.keywords == []
    assert labeler.predict(text.replace("请问", "").replace("会不会", "").rstrip("？")).label != "positive"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("是不是很好用？", "neutral"),  # A-not-A asks: the praise is asked about
        ("请问这款会不会很好吃", "neutral"),
        ("个性让人不是那么舒服", "negative"),  # 不是那么 negates the praise
        ("写的一般吧，并不像推荐的那样好", "negative"),  # the recommendation was someone else's
        ("朋友推荐买的，用着还行", "positive"),
        ("值得推荐的一本书", "positive"),
    ],
)
def test_praise_asked_about_negated_or_someone_elses_is_no_praise(
    labeler: OfflineLabeler, text: str, label: str
) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords)


def test_the_courier_is_named_whole(labeler: OfflineLabeler) -> None:
    # "送餐小" was a complaint (小 after a topic noun), so the reason read "哥很准时".
    item = labeler.predict("送餐小哥很准时")
    assert item.label == "positive"
    assert any("送餐小哥" in kw for kw in item.keywords), item.keywords
