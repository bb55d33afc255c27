"""Checking that every number a model wrote came from the tools.

Rules:
- Numbers the answer may state: every number in a tool result's fields (not in message texts,
  explanations or reasons, which customers and models wrote), a share 0..1 also as a percent
  (0.3 → 30, 30.0; 0.125 → 12.5, 12, 13), a negative change also without its sign, the parts of
  every date in the results, and the numbers in the question itself.
- Numbers found in the answer: digits (with `,` thousands separators and decimals, `%` ignored),
  and Chinese numerals before a counter word (三条, 十二个). A list marker at the start of a line
  ("1." / "2)") is not a claim. Digits inside a word (`vip2`, `Qwen3`) are not numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from bot.ask.periods import zh_number

# Fields holding text that customers or a model wrote: their digits are not facts.
_TEXT_FIELDS = frozenset(
    {"text", "explanation", "reason", "keywords", "reasoning", "clean_text", "title", "link"}
)
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![A-Za-z0-9_])")
_ZH_NUMBER = re.compile(r"([零〇一二两三四五六七八九十]{1,4})\s*(?:条|个|次|天|位|名|倍|成|点|周)")
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)、]\s", re.M)
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _key(value: float) -> float:
    return round(value, 4)


def _add_number(allowed: set[float], value: float) -> None:
    allowed.add(_key(value))
    allowed.add(_key(abs(value)))
    if 0 <= abs(value) <= 1 and not float(value).is_integer():
        percent = abs(value) * 100
        allowed.update(
            {_key(percent), _key(round(percent, 1)), float(round(percent)), float(math.floor(percent))}
        )
        allowed.add(float(math.ceil(percent)))


def _walk(value: Any, allowed: set[float], *, key: str | None = None) -> None:
    if key in _TEXT_FIELDS:
        return
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        _add_number(allowed, float(value))
    elif isinstance(value, str):
        for match in _DATE.finditer(value):
            allowed.update(float(part) for part in match.groups())
        for number in numbers_in(value):
            allowed.add(_key(number))
    elif isinstance(value, dict):
        for k, v in value.items():
            _walk(v, allowed, key=str(k))
    elif isinstance(value, list | tuple):
        for v in value:
            _walk(v, allowed, key=key)


def allowed_numbers(results: Iterable[Any], question: str) -> set[float]:
    """Every number an answer built from these tool results (JSON data) may state."""
    allowed: set[float] = set()
    for data in results:
        _walk(data, allowed)
    for number in numbers_in(question):
        allowed.add(_key(number))
    return allowed


def numbers_in(text: str) -> list[float]:
    """The numbers stated in `text` (see the module rules)."""
    text = _LIST_MARKER.sub(" ", text)
    found: list[float] = []
    for match in _NUMBER.finditer(text):
        whole = match.group(1).replace(",", "")
        found.append(float(f"{whole}.{match.group(2)}") if match.group(2) else float(whole))
    for match in _ZH_NUMBER.finditer(text):
        value = zh_number(match.group(1))
        if value is not None:
            found.append(float(value))
    return found


def invented_numbers(answer: str, allowed: set[float]) -> list[float]:
    """The numbers in `answer` that no tool returned (empty when the answer can be sent)."""
    return [n for n in numbers_in(answer) if _key(n) not in allowed]
