"""Chinese kinds of issue 14's eighth round (offline labeller), each a foolish answer before it:
- discourse markers (说实话, 老实说, 讲真) strengthen any verdict and are none: "说实话" was shown as
  a reason for "positive" in one message and for "negative" in the next;
- silence after a request is a complaint fact: "退款申请提交一周了，还是没动静" was neutral, and so
  were requests gone 石沉大海 / 杳无音信;
- a product without a fault (质量没问题, 做工没什么毛病) is praise, never a reason for "negative"
  ("产品质量没问题，物流是真的慢" showed "产品质量没问题" as one); 一流 praises (not 一流的价格), 三流
  complains ("这个耳机降噪效果一流，就是价格有点小贵" was negative with the praise as its reason).
The phrasings are written for this table.
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler

MARKERS = ("说实话", "老实说", "讲真", "说真的")

CASES = [
    ("marker", "说实话，这家店的菜量真的很足", "positive"),
    ("marker", "老实说，质量很一般", "negative"),
    ("marker", "讲真，物流太慢了", "negative"),
    ("marker", "说真的，这次的客服帮了大忙", "positive"),
    ("silence", "申请售后三天了，还是没有进展", "negative"),
    ("silence", "提交的工单石沉大海", "negative"),
    ("silence", "发了好几封邮件，杳无音信", "negative"),
    ("silence", "退货寄回去一周了，还是没动静", "negative"),
]


@pytest.mark.parametrize(("kind", "text", "label"), CASES, ids=[t for _, t, _ in CASES])
def test_each_kind(labeler: OfflineLabeler, kind: str, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (kind, item.label, item.confidence, item.keywords, item.explanation)
    assert item.keywords, item.explanation
    assert not any(m in k for m in MARKERS for k in item.keywords), (kind, item.keywords)


@pytest.mark.parametrize(
    ("text", "label", "praise"),
    [
        ("电池没什么问题，就是客服回复太慢", "negative", "电池没什么问题"),
        ("东西的做工没毛病，快递太慢了", "negative", "做工没毛病"),
        ("这款音箱音质一流，就是有点贵", "positive", ""),
        ("酒店的服务一流，早餐也丰富", "positive", ""),
        ("三流的服务，一流的价格", "negative", "一流的价格"),
        ("前台态度简直三流", "negative", ""),
    ],
)
def test_no_fault_and_first_class(labeler: OfflineLabeler, text: str, label: str, praise: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords)
    if praise:
        assert not any(praise in k or k in praise for k in item.keywords), item.keywords


def test_an_acknowledgement_is_no_praise(labeler: OfflineLabeler) -> None:
    assert labeler.predict("质量没问题吧？").label == "neutral"
