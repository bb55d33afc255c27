"""What a failed item says to the people who read it, in their language.

A labeller's raw reason ("model server error (HTTP 503): …", "the model server did not answer
within 120 s (tried 4 times)") is for operators: it stays in the item's `error`, the API and the
logs. A support lead reading a reply gets what happened and what to do instead. The reasons are
the ones `bot.labelers.llm_transport` and `bot.labelers.qwen` write; anything unknown gets the
general wording.
"""

from __future__ import annotations

from domain.models import Lang

__all__ = ["failure_text"]

_RELABEL_EN = "press Relabel (or run `sentibot relabel --failed`)"
_RELABEL_ZH = "请点“重新标注”（或运行 `sentibot relabel --failed`）"

# (words in the raw reason, English, Chinese); the first match wins.
_KINDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("did not answer within",),
        f"the model did not answer in time — {_RELABEL_EN}",
        f"模型没有及时回答——{_RELABEL_ZH}",
    ),
    (
        ("unreachable",),
        f"the model server could not be reached — once it is running again, {_RELABEL_EN}",
        f"连不上模型服务——服务恢复后{_RELABEL_ZH}",
    ),
    (
        ("HTTP 429",),
        f"the model server was too busy (rate limit) — wait a minute, then {_RELABEL_EN}",
        f"模型服务太忙（请求超限）——稍等一分钟后{_RELABEL_ZH}",
    ),
    (
        ("HTTP 5", "connection to the model server broke", "unreadable response"),
        f"the model server had a problem — {_RELABEL_EN}",
        f"模型服务出了问题——{_RELABEL_ZH}",
    ),
    (
        ("HTTP 4",),
        "the model server refused the request — an operator should run `sentibot doctor`",
        "模型服务拒绝了请求——请管理员运行 `sentibot doctor` 检查配置",
    ),
    (
        ("output budget",),
        f"the model thought too long and ran out of room — {_RELABEL_EN}; if it repeats, an "
        "operator can raise SENTIBOT_LLM_MAX_TOKENS",
        f"模型思考过长，没来得及作答——{_RELABEL_ZH}；如反复出现，请管理员调大 SENTIBOT_LLM_MAX_TOKENS",
    ),
    (
        ("unusable", "no label", "did not judge", "verdict", "empty answer", "no JSON"),
        f"the model's answer could not be read — {_RELABEL_EN}",
        f"没能读懂模型的回答——{_RELABEL_ZH}",
    ),
    (
        ("internal error",),
        f"something went wrong inside the bot — {_RELABEL_EN}; if it repeats, tell an operator",
        f"机器人内部出错——{_RELABEL_ZH}；如反复出现，请告知管理员",
    ),
)


def failure_text(error: str | None, lang: Lang) -> str:
    """One sentence for a reader: what happened to this item and what to do about it."""
    reason = error or ""
    for words, english, chinese in _KINDS:
        if any(word in reason for word in words):
            return chinese if lang == "zh" else english
    return f"标注失败——{_RELABEL_ZH}" if lang == "zh" else f"labelling failed — {_RELABEL_EN}"
