"""The aspect lexicon: what a message is about, in Chinese, English and both at once."""

from __future__ import annotations

import pytest

from bot.labelers.aspects import aspect_hits, aspects_of
from bot.labelers.offline import OfflineLabeler
from domain.models import ASPECTS


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("快递三天了还没到", "delivery"),
        ("顺丰送得挺快的", "delivery"),
        ("My package is stuck in transit", "delivery"),
        ("It was shipped to the wrong address", "delivery"),
        ("客服小姐姐态度超级好", "service"),
        ("打了三次电话都没人理", "service"),
        ("The agent hung up on me", "service"),
        ("Your support team never replied", "service"),
        ("衣服起球了，做工很差", "quality"),
        ("用了两天就坏了", "quality"),
        ("The handle broke after a week", "quality"),
        ("Sound quality is amazing", "quality"),
        ("这个价格太贵了", "price"),
        ("性价比很高", "price"),
        ("Way too expensive for what it is", "price"),
        ("Great value for money", "price"),
        ("退款一直没到账", "billing"),
        ("被重复扣费了", "billing"),
        ("You charged me twice", "billing"),
        ("Where is my refund?", "billing"),
        ("账号登录不上去", "account"),
        ("验证码一直收不到", "account"),
        ("I got locked out of my account", "account"),
        ("Password reset email never comes", "account"),
        ("APP更新以后一直闪退", "product"),
        ("The new update deletes my settings", "product"),
        ("Does this come in a bigger size?", "product"),
    ],
)
def test_each_aspect_is_found_in_both_languages(text: str, aspect: str) -> None:
    assert aspect in aspects_of(text)


def test_several_aspects_in_order_of_mention() -> None:
    assert aspects_of("物流太慢了，客服也不理人") == ["delivery", "service"]
    assert aspects_of("The refund took ages and the agent was rude") == ["billing", "service"]


def test_mixed_language_message_uses_both_lexicons() -> None:
    assert set(aspects_of("包装很好, but the refund never arrived")) == {"delivery", "billing"}


@pytest.mark.parametrize("text", ["你好", "hello there", "😡😡😡", "", "12345"])
def test_nothing_found_is_other_alone(text: str) -> None:
    assert aspects_of(text) == ["other"]


def test_aspects_are_the_contract_names() -> None:
    texts = ["物流 客服 质量 价格 退款 账号 功能", "shipping support quality price refund account app"]
    for text in texts:
        found = aspects_of(text)
        assert set(found) == set(ASPECTS) - {"other"}
        assert all(a in ASPECTS for a in found)


def test_english_terms_match_whole_words_only() -> None:
    # "ship" inside "relationship", "app" inside "happy", "bill" inside "billion" are not aspects.
    assert aspects_of("our relationship is happy, a billion thanks") == ["other"]


def test_hits_point_at_the_words_in_the_text() -> None:
    text = "The Courier lost my parcel"
    hits = aspect_hits(text)
    assert [(h.aspect, h.term) for h in hits] == [("delivery", "Courier"), ("delivery", "parcel")]
    assert all(text[h.start : h.end] == h.term for h in hits)


def test_offline_labeller_fills_aspects() -> None:
    item = OfflineLabeler().predict("退款一直没到账，客服也不回消息")
    assert item.aspects == ["billing", "service"]
    assert OfflineLabeler().predict("你好").aspects == ["other"]
