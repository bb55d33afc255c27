"""Questions that complain, quibbles that are the whole message, and other kinds of issue 14's
sixth round (offline labeller).

Each kind below was a foolish answer of the labeller before this round:
- a rhetorical question is a complaint, not an inquiry: a doubled question mark, 难道, 什么情况 /
  啥意思, 就不能…, and 怎么感觉 / 怎么说呢, which only look like 怎么 questions;
- an A-not-A question (好不好用, 满不满意) asks; its 不好用 is no complaint;
- a quibble with no praise around it (稍微有点咸了) is a mild complaint, not "no sentiment cue";
- 好 before a fault word is a degree word (送餐好慢 is slow, not good service);
- a negation after the degree word is one (很不好, 非常不方便);
- a one-character complaint in a long clause is still shown as the reason;
- model names in capitals (TV-OUT, RS-MMC) are no English sentence to be scored on its own;
- "moved to Friday" is a change of date, not an emotion;
- a three-class "unsure" neutral is only as sure as the lean it overruled;
- 不会 / 没让我 negate a complaint (买了不会后悔), and so does 不比…差;
- a repeat buyer's 这次 / 这回 after earlier purchases is the point, like a "but";
- a keyword never cuts a number or a Latin word in two ("买的1", "的i");
- a wish for better (希望物流能快点, 好一点会更好) praises nothing.
The phrasings are written for this table.
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler

# (kind, text, label): the label each phrasing gets.
LABELS = [
    ("rhetorical", "说好的包邮呢？？", "negative"),
    ("rhetorical", "包装盒是湿的，几个意思？？", "negative"),
    ("rhetorical", "就不能发个顺丰吗", "negative"),
    ("rhetorical", "怎么感觉比实体店的薄", "negative"),
    ("rhetorical", "标签都没有，难道是假货？", "negative"),
    ("rhetorical", "买回来一股怪味，这是什么情况？", "negative"),
    ("rhetorical", "说好的加厚款呢！", "negative"),
    ("rhetorical", "这也叫加绒吗！", "negative"),
    ("plain_question", "请问什么时候发货？", "neutral"),
    ("plain_question", "怎么申请退款？", "neutral"),
    ("plain_question", "发票可以开公司抬头吗？", "neutral"),
    ("rhetorical_tag", "这做工真的很差好不好", "negative"),
    ("repeated_praise", "不错不错，下次还买", "positive"),
    ("hao_as_degree", "骑手送餐好慢", "negative"),
    ("hao_as_degree", "这家的服务好差", "negative"),
    ("hao_as_degree", "今天的汤味道好咸", "negative"),
    ("negated_complaint", "买了不会后悔", "positive"),
    ("negated_complaint", "绝对不会失望的", "positive"),
    ("negated_complaint", "用了三年，从来没有让我失望过", "positive"),
    ("negated_complaint", "国产的一点不比进口的差", "positive"),
    ("will_not_buy_again", "质量太差，不会再买了", "negative"),
    ("demand_to_hurry", "都三天了，能不能快点发货", "negative"),
    ("moved_as_emotion", "I was moved to tears by how kind the agent was", "positive"),
]


@pytest.mark.parametrize(("kind", "text", "label"), LABELS, ids=[f"{k}:{t}" for k, t, _ in LABELS])
def test_each_kind_gets_its_label(labeler: OfflineLabeler, kind: str, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (kind, item.label, item.confidence, item.keywords, item.explanation)


# (kind, text, label): a label the phrasing must not get. An A-not-A question asks (its 不好用 is no
# complaint); a wish for better praises nothing.
NOT_LABELS = [
    ("a_not_a", "这款耳机好不好用？", "negative"),
    ("a_not_a", "这件外套穿着舒不舒服", "negative"),
    ("a_not_a", "满不满意都能写评价吗", "negative"),
    ("wish", "希望物流能快点", "positive"),
    ("wish", "售后服务好一点会更好", "positive"),
    ("wish", "希望下次包装结实一点", "positive"),
]


@pytest.mark.parametrize(("kind", "text", "wrong"), NOT_LABELS, ids=[f"{k}:{t}" for k, t, _ in NOT_LABELS])
def test_each_kind_avoids_the_wrong_label(labeler: OfflineLabeler, kind: str, text: str, wrong: str) -> None:
    item = labeler.predict(text)
    assert item.label != wrong, (kind, item.label, item.confidence, item.keywords)


QUIBBLE_ALONE = [("就是有点贵", "有点贵"), ("稍微有点辣", "有点辣"), ("就是有点小", "有点小")]


@pytest.mark.parametrize(("text", "shown"), QUIBBLE_ALONE)
def test_a_quibble_that_is_the_whole_message_is_a_mild_complaint(
    labeler: OfflineLabeler, text: str, shown: str
) -> None:
    item = labeler.predict(text)
    assert item.label == "negative", (item.label, item.confidence, item.keywords)
    assert any(shown in kw for kw in item.keywords), item.keywords
    assert (item.confidence or 0) <= 0.75  # mild: no strong word says so


def test_a_quibble_after_praise_still_does_not_sink_a_good_review(labeler: OfflineLabeler) -> None:
    item = labeler.predict("菜很好吃，分量也足，就是配送有点慢")
    assert item.label == "positive", (item.label, item.keywords)
    assert not any("有点慢" in kw for kw in item.keywords)


@pytest.mark.parametrize("text", ["这次的体验很不好", "退货流程非常不方便", "客服态度特别不好"])
def test_a_negation_after_the_degree_word_is_a_complaint(labeler: OfflineLabeler, text: str) -> None:
    from bot.labelers.offline.cues import find_cues

    item = labeler.predict(text)
    assert item.label == "negative", (item.label, item.confidence, item.keywords)
    assert [c for c in find_cues(text.lower()) if c.kind == "complaint"], "a complaint cue"


@pytest.mark.parametrize("text", ["真的很不好意思，麻烦帮我改一下收货地址", "这个很不好说，我再看看"])
def test_sorry_and_hard_to_say_are_no_complaint_cue(labeler: OfflineLabeler, text: str) -> None:
    from bot.labelers.offline.cues import find_cues

    assert not [c for c in find_cues(text.lower()) if c.push < 0], text


def test_a_one_character_complaint_in_a_long_clause_is_shown(labeler: OfflineLabeler) -> None:
    item = labeler.predict("衣服还行，就是这家店的售后服务那叫一个差啊！")
    assert item.label == "negative", (item.label, item.keywords)
    assert item.keywords and any("差" in kw for kw in item.keywords), item.keywords


CODES = [
    "支持USB-C快充，屏幕显示很清晰，续航也不错",
    "内置NFC芯片，自带GPS定位，做工精致，用着很顺手",
]


@pytest.mark.parametrize("text", CODES)
def test_model_names_in_capitals_are_no_english_sentence(labeler: OfflineLabeler, text: str) -> None:
    from bot.labelers.offline.labeler import _language_runs

    assert _language_runs(text) == [text]
    assert labeler.predict(text).label == "positive"


def test_a_real_english_clause_in_a_chinese_message_is_still_read_on_its_own(labeler: OfflineLabeler) -> None:
    from bot.labelers.offline.labeler import _language_runs

    assert len(_language_runs("包装很好, but the product broke after two days")) == 2


@pytest.mark.parametrize("text", ["My appointment was moved to Thursday", "The call has been moved to 4pm"])
def test_moved_to_a_date_is_no_emotion(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "neutral", (item.label, item.confidence, item.keywords)
    assert "moved" not in " ".join(item.keywords)


def test_an_unsure_three_class_neutral_is_not_confident(labeler: OfflineLabeler) -> None:
    """A Chinese text whose best polar lean falls short of the bar is neutral at 1 - that lean."""
    from bot.labelers.offline.calibration import decide

    sub = labeler.sub_for("中文")
    probs = {"negative": 0.17, "neutral": 0.35, "positive": 0.48}
    decision = decide(sub, probs, "台风预计周五登陆")
    assert decision.label == "neutral"
    assert decision.confidence == pytest.approx(0.52)


def test_a_quibble_with_er_is_still_no_reason_for_praise(labeler: OfflineLabeler) -> None:
    item = labeler.predict("东西挺好，就是有点儿辣有点儿咸")
    assert item.label == "positive", (item.label, item.keywords)
    assert not any("有点儿" in kw for kw in item.keywords), item.keywords


@pytest.mark.parametrize(
    ("text", "label", "shown"),
    [
        ("以前在这家买过好几次都不错，这次很不好", "negative", "这次很不好"),
        ("之前买过一次很失望，这回还不错", "positive", "这回还不错"),
    ],
)
def test_a_repeat_buyers_this_time_is_the_point(
    labeler: OfflineLabeler, text: str, label: str, shown: str
) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords)
    assert any(shown in kw for kw in item.keywords), item.keywords


def test_a_keyword_never_cuts_a_number_or_a_latin_word(labeler: OfflineLabeler) -> None:
    for text in ("这一次买的12个都是小小的", "买的ipad屏幕有坏点"):
        item = labeler.predict(text)
        for kw in item.keywords:
            start = text.lower().find(kw)
            assert start >= 0, (kw, text)
            end = start + len(kw)
            before, after = text.lower()[start - 1 : start], text.lower()[end : end + 1]
            assert not (before.isascii() and before.isalnum() and kw[0].isascii() and kw[0].isalnum()), kw
            assert not (after.isascii() and after.isalnum() and kw[-1].isascii() and kw[-1].isalnum()), kw


def test_a_wish_after_praise_keeps_the_praise_and_is_no_reason(labeler: OfflineLabeler) -> None:
    item = labeler.predict("饺子很好吃，馅再多一点就更好了")
    assert item.label == "positive", (item.label, item.keywords)
    assert not any("多一点" in kw for kw in item.keywords), item.keywords
