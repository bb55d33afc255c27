"""Chinese notices, forecasts, news, plans and diary lines are statements of fact, and hurrying
someone is impatience, not praise (issue 14's seventh round, offline labeller).

Before this round the Chinese model had learnt its neutral class only from support inquiries and
order statements, so any other statement leaned on the reviews' positive prior: "明天有大雨，出门
记得带伞" was positive at 0.90, a power-cut notice negative. The model now also learns neutral
notices (`scripts/support_phrases.py`, `_zh_notice`). A time, a date or a number in a review that
*does* judge ("九点才送到", "今天上午就到了，真快") keeps its label.
The phrasings are written for this table, none is a generated row.
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler
from scripts import support_phrases

# (kind, text): statements of fact, neutral.
NOTICES = [
    ("forecast", "后天下午有暴雨，大家出门注意安全"),
    ("forecast", "气象台发布暴雪黄色预警，请注意出行安全"),
    ("forecast", "今晚有流星雨，凌晨两点最明显"),
    ("notice", "物业通知：周三上午九点到十一点停水"),
    ("notice", "学校通知下周三开始期末考试"),
    ("notice", "台风明天凌晨在浙江登陆，请市民做好防范"),
    ("notice", "元旦放假三天，1月1日至3日"),
    ("news", "据新华社报道，今年前三季度进出口总额增长4.2%"),
    ("news", "据统计，去年全市新增就业岗位12万个"),
    ("news", "新款平板将于十月下旬发布"),
    ("plan", "下周二晚上七点在二楼会议室开部门例会"),
    ("plan", "周六晚上八点，老地方吃火锅"),
    ("diary", "今天下午去图书馆还了两本书"),
    ("diary", "今天降温了，记得多穿件外套"),
]
# Written for the table with the rest and still read as polar: kept here so the day they pass is seen.
STILL_POLAR = [
    ("notice", "本次列车终点站上海虹桥，请带好随身物品"),  # positive 0.66
    ("plan", "明天早上六点出发去机场"),  # negative 0.63: 发去 read apart from 出
    ("diary", "周日早上去邮局寄了个包裹"),  # negative 0.69: 包裹 comes with complaints in reviews
]
# (text, label): reviews with times and dates that judge keep their label.
JUDGED = [
    ("昨天下午下的单，今天上午就到了，真快", "positive"),
    ("明天就要用了，到现在还没发货", "negative"),
    ("晚上七点点的外卖，九点才送到，菜都凉了", "negative"),
    ("下周还会再来，味道真的很好", "positive"),
    ("周末带孩子来吃的，孩子很喜欢", "positive"),
]


@pytest.mark.parametrize(("kind", "text"), NOTICES, ids=[f"{k}:{t}" for k, t in NOTICES])
def test_a_statement_of_fact_is_neutral(labeler: OfflineLabeler, kind: str, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "neutral", (kind, item.label, item.confidence, item.keywords)
    assert "中性" in item.explanation


@pytest.mark.xfail(strict=True, reason="still read as polar (see OFFLINE.md, seventh round)")
@pytest.mark.parametrize(("kind", "text"), STILL_POLAR, ids=[f"{k}:{t}" for k, t in STILL_POLAR])
def test_statements_still_read_as_polar(labeler: OfflineLabeler, kind: str, text: str) -> None:
    assert labeler.predict(text).label == "neutral"


@pytest.mark.parametrize(("text", "label"), JUDGED, ids=[t for t, _ in JUDGED])
def test_a_review_with_times_keeps_its_label(labeler: OfflineLabeler, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords)
    assert item.keywords


def test_no_notice_phrasing_of_the_table_is_a_training_row() -> None:
    """The table must test what the model was not shown."""
    rows = {text for text, _ in support_phrases.neutral_rows("zh")}
    assert not rows & {text for _, text in NOTICES + STILL_POLAR}


# (text, shown): hurrying with nothing else said is a mild complaint, the hurry shown as the reason.
HURRY_ALONE = [
    ("客服快点回复呀", "快点回复呀"),
    ("赶紧给我处理一下", "赶紧给我处理"),
    ("快一点！！", "快一点"),
]


@pytest.mark.parametrize(("text", "shown"), HURRY_ALONE, ids=[t for t, _ in HURRY_ALONE])
def test_hurrying_alone_is_a_mild_complaint(labeler: OfflineLabeler, text: str, shown: str) -> None:
    item = labeler.predict(text)
    assert item.label == "negative", (item.label, item.confidence, item.keywords)
    assert any(shown in kw for kw in item.keywords), item.keywords
    assert (item.confidence or 0) <= 0.75  # mild: no strong word says so


@pytest.mark.parametrize(
    ("text", "label"),
    [("大家赶紧入手吧，真的好用", "positive"), ("东西很好用，快点出新款吧", "positive")],
)
def test_hurry_after_praise_keeps_the_praise_and_is_no_reason(
    labeler: OfflineLabeler, text: str, label: str
) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.keywords)
    assert not any("快点" in kw for kw in item.keywords), item.keywords


def test_a_wish_to_be_faster_is_no_hurry_and_no_praise(labeler: OfflineLabeler) -> None:
    from bot.labelers.offline.cues import find_cues

    text = "希望送餐能快一点"
    assert not [c for c in find_cues(text) if c.kind == "hurry"]
    assert labeler.predict(text).label != "positive"


@pytest.mark.parametrize("text", ["差不多三点到", "差不多半小时就能送到吗"])
def test_about_a_time_is_no_verdict(labeler: OfflineLabeler, text: str) -> None:
    assert labeler.predict(text).label == "neutral"


@pytest.mark.parametrize("text", ["我已经够耐心了，到底还要等几天", "我一直很客气，你们却一拖再拖"])
def test_the_customers_own_patience_praises_nobody(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "negative", (item.label, item.confidence, item.keywords)
    assert not any("耐心" in kw or "客气" in kw for kw in item.keywords), item.keywords


@pytest.mark.parametrize(
    "text", ["快递盒子压扁了，好在里面的东西没坏", "包装破损了，但是东西没坏", "鸡蛋一个都没碎"]
)
def test_goods_that_survived_are_no_complaint(labeler: OfflineLabeler, text: str) -> None:
    """没坏 / 没碎 is good news: never a reason for "negative" (the damaged box may still be one)."""
    item = labeler.predict(text)
    if item.label == "negative":
        assert not any("没坏" in kw or "没碎" in kw for kw in item.keywords), item.keywords
    assert labeler.predict("好在里面的东西没坏").label != "negative"
