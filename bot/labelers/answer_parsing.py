"""Turn what a reasoning model actually sent back into per-item labels.

Real servers wrap the contract's JSON in many ways: reasoning in a separate field or inline as
`<think>…</think>` (sometimes with only the closing tag, when the chat template already opened
it), the JSON inside code fences or surrounded by prose, labels in Chinese or capitalised,
confidence as `"0.9"` or `"90%"`, keywords as one comma-separated string, ids as strings. This
module accepts all of that, reports which requested ids are missing or came back unusable, and
raises `AnswerError` (with a reason a human can read) when there is nothing usable at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.models import ASPECT_NAMES_ZH, ASPECTS, Aspect, ConversationVerdict, Label

__all__ = [
    "AGENT_ISSUES",
    "AnswerError",
    "ParsedAnswer",
    "ParsedItem",
    "as_aspects",
    "normalize_label",
    "parse_answer",
    "split_reasoning",
]

AGENT_ISSUES: tuple[str, ...] = ("rude", "slow", "unhelpful", "wrong_info")

_LABEL_WORDS: dict[str, Label] = {
    "positive": "positive",
    "pos": "positive",
    "正面": "positive",
    "积极": "positive",
    "正向": "positive",
    "好评": "positive",
    "negative": "negative",
    "neg": "negative",
    "负面": "negative",
    "消极": "negative",
    "负向": "negative",
    "差评": "negative",
    "neutral": "neutral",
    "中性": "neutral",
    "中立": "neutral",
}
_ISSUE_WORDS: dict[str, str] = {
    "rude": "rude",
    "impolite": "rude",
    "粗鲁": "rude",
    "态度差": "rude",
    "slow": "slow",
    "慢": "slow",
    "响应慢": "slow",
    "unhelpful": "unhelpful",
    "not helpful": "unhelpful",
    "无帮助": "unhelpful",
    "没帮助": "unhelpful",
    "wrong_info": "wrong_info",
    "wrong info": "wrong_info",
    "wrong information": "wrong_info",
    "wrong-info": "wrong_info",
    "错误信息": "wrong_info",
}
_ASPECT_WORDS: dict[str, Aspect] = {
    **{aspect: aspect for aspect in ASPECTS},
    **{zh: aspect for aspect, zh in ASPECT_NAMES_ZH.items() if aspect in ASPECTS},  # type: ignore[misc]
    "shipping": "delivery",
    "logistics": "delivery",
    "物流": "delivery",
    "快递": "delivery",
    "配送": "delivery",
    "发货": "delivery",
    "support": "service",
    "customer service": "service",
    "客服": "service",
    "服务": "service",
    "质量": "quality",
    "品质": "quality",
    "价格": "price",
    "价钱": "price",
    "refund": "billing",
    "refunds": "billing",
    "payment": "billing",
    "退款": "billing",
    "账单": "billing",
    "扣费": "billing",
    "账户": "account",
    "账号": "account",
    "login": "account",
    "产品": "product",
    "功能": "product",
    "feature": "product",
    "features": "product",
    "其他": "other",
    "其它": "other",
}
_ITEM_LIST_KEYS = ("items", "results", "labels")
_THINK_OPEN = "<think>"
_THINK_CLOSE = "</think>"
_KEYWORD_SPLIT = re.compile(r"[,，、;；|/]+")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_MAX_KEYWORDS = 8


class AnswerError(ValueError):
    """The model's output holds no usable answer; `reason` says why, for the item's `error`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedItem:
    id: int
    label: Label
    confidence: float | None
    explanation: str
    keywords: list[str]
    aspects: list[Aspect] = field(default_factory=list)


@dataclass
class ParsedAnswer:
    items: dict[int, ParsedItem]
    missing: list[int]
    """Requested ids the answer said nothing about."""
    invalid: dict[int, str]
    """Requested ids whose entry was unusable, with the reason."""
    summary: str = ""
    reasoning: str | None = None
    conversation: ConversationVerdict | None = None
    conversation_error: str | None = None
    unexpected_ids: list[int] = field(default_factory=list)

    @property
    def unanswered(self) -> list[int]:
        """Missing or invalid ids, in request order: the ones worth asking again for."""
        return sorted({*self.missing, *self.invalid})


def split_reasoning(content: str, reasoning: str | None = None) -> tuple[str, str | None]:
    """Separate inline `<think>` reasoning from the answer.

    Handles `<think>…</think>` blocks (several, or one never closed when the output budget ran
    out, in which case there is no answer), and a lone `</think>` when the server's chat template
    opened the block in the prompt so the output only closes it. Reasoning from a separate field
    (`reasoning`) comes first in the returned reasoning.
    """
    parts: list[str] = [reasoning.strip()] if reasoning and reasoning.strip() else []
    text = content or ""
    answer: list[str] = []
    if _THINK_OPEN not in text and _THINK_CLOSE in text:
        before, _, text = text.rpartition(_THINK_CLOSE)
        if before.strip():
            parts.append(before.strip())
    while True:
        start = text.find(_THINK_OPEN)
        if start < 0:
            answer.append(text)
            break
        answer.append(text[:start])
        end = text.find(_THINK_CLOSE, start)
        if end < 0:  # unterminated: everything after the tag is thinking, there is no answer
            parts.append(text[start + len(_THINK_OPEN) :].strip())
            break
        parts.append(text[start + len(_THINK_OPEN) : end].strip())
        text = text[end + len(_THINK_CLOSE) :]
    joined = "\n\n".join(part for part in parts if part)
    return "".join(answer).replace(_THINK_CLOSE, "").strip(), joined or None


def normalize_label(value: object) -> Label | None:
    """`positive`/`negative`/`neutral` from English (any case) or Chinese words, else None."""
    if not isinstance(value, str):
        return None
    word = value.strip().strip("\"'`.。!！ ").lower()
    return _LABEL_WORDS.get(word)


def parse_answer(
    content: str,
    *,
    expected_ids: Sequence[int],
    reasoning: str | None = None,
    want_conversation: bool = False,
) -> ParsedAnswer:
    """Parse a model answer for the items `expected_ids`.

    Raises `AnswerError` when the output has no JSON answer at all; an answer that covers only
    some ids is returned with the rest in `missing` / `invalid`.
    """
    answer_text, all_reasoning = split_reasoning(content, reasoning)
    if not answer_text:
        if content and _THINK_OPEN in content:
            raise AnswerError("the model's answer ended inside its reasoning (no final answer)")
        raise AnswerError("the model returned an empty answer")
    payload = _find_answer_object(answer_text)
    if payload is None:
        raise AnswerError(
            f"no JSON answer with an 'items' list in the model's output: {_preview(answer_text)}"
        )

    expected = list(dict.fromkeys(int(i) for i in expected_ids))
    expected_set = set(expected)
    items: dict[int, ParsedItem] = {}
    invalid: dict[int, str] = {}
    unexpected: list[int] = []
    for raw in payload["items"]:
        if not isinstance(raw, Mapping):
            continue
        item_id = _as_int(raw.get("id"))
        if item_id is None:
            continue
        if item_id not in expected_set:
            unexpected.append(item_id)
            continue
        if item_id in items:  # a repeated id: the first answer stands
            continue
        parsed, problem = _parse_item(item_id, raw)
        if parsed is None:
            invalid[item_id] = problem or "unusable entry"
        else:
            items[item_id] = parsed
            invalid.pop(item_id, None)
    missing = [i for i in expected if i not in items and i not in invalid]
    summary = payload.get("summary")
    result = ParsedAnswer(
        items=items,
        missing=missing,
        invalid=invalid,
        summary=summary.strip() if isinstance(summary, str) else "",
        reasoning=all_reasoning,
        unexpected_ids=unexpected,
    )
    if want_conversation:
        result.conversation, result.conversation_error = _parse_conversation(payload.get("conversation"))
    return result


# --- finding the JSON -------------------------------------------------------------------------


def _find_answer_object(text: str) -> dict[str, Any] | None:
    """The best JSON object carrying an item list, wherever it sits in `text`.

    Balanced-brace scan (string-aware) over every `{`; among the objects that parse, prefer the
    one with the most entries, then the last one (models sometimes echo the example first).
    A bare JSON list of items is accepted and wrapped.
    """
    best: tuple[int, int, dict[str, Any]] | None = None
    for position, obj in _json_values(text, opener="{"):
        entries = _item_list(obj)
        if entries is None:
            continue
        rank = (len(entries), position)
        if best is None or rank >= best[:2]:
            best = (*rank, {**obj, "items": entries})
    if best is not None:
        return best[2]
    for _, value in _json_values(text, opener="["):
        if isinstance(value, list) and any(isinstance(v, Mapping) and "label" in v for v in value):
            return {"items": value}
    # A single item on its own, e.g. {"id": 1, "label": "positive", ...}
    for _, value in _json_values(text, opener="{"):
        if isinstance(value, Mapping) and "label" in value and "id" in value:
            return {"items": [value]}
    return None


def _item_list(obj: object) -> list[Any] | None:
    if not isinstance(obj, Mapping):
        return None
    for key in _ITEM_LIST_KEYS:
        value = obj.get(key)
        if isinstance(value, list):
            return value
    return None


def _json_values(text: str, *, opener: str) -> Iterable[tuple[int, Any]]:
    """Yield `(start, value)` for each top-level balanced `{…}` / `[…]` span that parses as JSON."""
    closer = "}" if opener == "{" else "]"
    index = 0
    while True:
        start = text.find(opener, index)
        if start < 0:
            return
        end = _balanced_end(text, start, opener, closer)
        if end is None:
            index = start + 1
            continue
        value = _loads_lenient(text[start : end + 1])
        if value is None:
            index = start + 1  # maybe an inner span parses
            continue
        yield start, value
        index = end + 1


def _balanced_end(text: str, start: int, opener: str, closer: str) -> int | None:
    depth = 0
    in_string = False
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return i
    return None


def _loads_lenient(span: str) -> Any:
    try:
        return json.loads(span)
    except ValueError:
        pass
    # Small models often leave a trailing comma; that is the one repair worth making.
    repaired = _TRAILING_COMMA.sub(r"\1", span)
    if repaired != span:
        try:
            return json.loads(repaired)
        except ValueError:
            return None
    return None


# --- one entry --------------------------------------------------------------------------------


def _parse_item(item_id: int, raw: Mapping[str, Any]) -> tuple[ParsedItem | None, str | None]:
    label = normalize_label(raw.get("label", raw.get("sentiment")))
    if label is None:
        return None, f"label {raw.get('label')!r} is not positive, negative or neutral"
    explanation = raw.get("explanation", raw.get("reason", ""))
    return (
        ParsedItem(
            id=item_id,
            label=label,
            confidence=_as_confidence(raw.get("confidence")),
            explanation=explanation.strip() if isinstance(explanation, str) else "",
            keywords=_as_keywords(raw.get("keywords")),
            aspects=as_aspects(raw.get("aspects", raw.get("aspect"))),
        ),
        None,
    )


def as_aspects(value: object) -> list[Aspect]:
    """Known aspects from a list or a comma string, English or Chinese names; unknown ones dropped."""
    if isinstance(value, str):
        candidates: list[object] = list(_KEYWORD_SPLIT.split(value))  # "退款/账单" → both billing
    elif isinstance(value, list | tuple):
        candidates = list(value)
    else:
        return []
    aspects: list[Aspect] = []
    for candidate in candidates:
        if not isinstance(candidate, str):
            continue
        word = candidate.strip().strip("\"'").lower()
        aspect = _ASPECT_WORDS.get(word) or _ASPECT_WORDS.get(word.split("/")[0])
        if aspect and aspect not in aspects:
            aspects.append(aspect)
    return aspects


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        digits = value.strip().lstrip("#").strip()
        if digits.isdigit():
            return int(digits)
    return None


def _as_confidence(value: object) -> float | None:
    """0..1 from a number or a string such as `"0.9"`, `"90%"` or `"90"`; None when unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    percent = False
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("%", "％")):
            percent = True
            text = text[:-1].strip()
        try:
            number = float(text)
        except ValueError:
            return None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        return None
    if number != number:  # NaN
        return None
    if percent or 1.0 < number <= 100.0:
        number /= 100.0
    return min(1.0, max(0.0, number))


def _as_keywords(value: object) -> list[str]:
    if isinstance(value, str):
        candidates: list[object] = list(_KEYWORD_SPLIT.split(value))
    elif isinstance(value, list | tuple):
        candidates = list(value)
    else:
        return []
    keywords: list[str] = []
    for candidate in candidates:
        if isinstance(candidate, str | int | float) and not isinstance(candidate, bool):
            word = str(candidate).strip().strip("\"'")
            if word and word not in keywords:
                keywords.append(word)
    return keywords[:_MAX_KEYWORDS]


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in {"true", "yes", "y", "1", "是", "已解决", "需要"}:
            return True
        if word in {"false", "no", "n", "0", "否", "未解决", "不需要"}:
            return False
    if isinstance(value, int | float):
        return bool(value)
    return None


def _parse_conversation(raw: object) -> tuple[ConversationVerdict | None, str | None]:
    if not isinstance(raw, Mapping):
        return None, "the answer has no 'conversation' verdict"
    label = normalize_label(raw.get("label"))
    if label is None:
        return None, f"conversation label {raw.get('label')!r} is not positive, negative or neutral"
    resolved = _as_bool(raw.get("resolved"))
    flag = _as_bool(raw.get("flag", raw.get("flagged")))
    if resolved is None or flag is None:
        return None, "the conversation verdict lacks a true/false 'resolved' or 'flag'"
    issues: list[str] = []
    raw_issues = raw.get("agent_issues") or []
    if isinstance(raw_issues, str):
        raw_issues = _KEYWORD_SPLIT.split(raw_issues)
    if isinstance(raw_issues, list):
        for issue in raw_issues:
            if isinstance(issue, str):
                known = _ISSUE_WORDS.get(issue.strip().lower())
                if known and known not in issues:
                    issues.append(known)
    reason = raw.get("reason", "")
    return (
        ConversationVerdict(
            label=label,
            resolved=resolved,
            flagged=flag,
            reason=reason.strip() if isinstance(reason, str) else "",
            agent_issues=issues,
        ),
        None,
    )


def _preview(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")
