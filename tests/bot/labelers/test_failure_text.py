"""Each kind of raw labeller failure reads as what happened and what to do, in both languages."""

from __future__ import annotations

import pytest

from bot.labelers.failure_text import failure_text


@pytest.mark.parametrize(
    ("raw", "en", "zh"),
    [
        (
            "the model server did not answer within 120 s (tried 4 times)",
            "did not answer in time",
            "没有及时回答",
        ),
        (
            "model server unreachable at http://x/v1: connection refused",
            "could not be reached",
            "连不上模型服务",
        ),
        ("model server error (HTTP 429): too many requests (tried 4 times)", "too busy", "太忙"),
        ("model server error (HTTP 503): overloaded (tried 4 times)", "had a problem", "出了问题"),
        (
            "model server error (HTTP 404): The model `x` does not exist.",
            "sentibot doctor",
            "sentibot doctor",
        ),
        (
            "the model's reasoning used the whole output budget (max_tokens=8192)",
            "ran out of room",
            "思考过长",
        ),
        ("the model's answer was unusable: no JSON answer", "could not be read", "没能读懂"),
        ("the model gave no label for this comment after 3 requests", "could not be read", "没能读懂"),
        ("internal error while labelling: boom", "inside the bot", "机器人内部出错"),
        ("something new", "labelling failed", "标注失败"),
    ],
)
def test_each_failure_kind_in_both_languages(raw: str, en: str, zh: str) -> None:
    assert en in failure_text(raw, "en")
    assert zh in failure_text(raw, "zh")
    assert raw not in failure_text(raw, "en")  # the raw reason is for operators
