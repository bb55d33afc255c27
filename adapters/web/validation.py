"""FastAPI's 422 details turned into one sentence that says what to fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.text import has_lone_surrogate

_TYPE_WORDS = {
    "string_type": "a string",
    "list_type": "a list",
    "int_parsing": "an integer",
    "int_type": "an integer",
    "bool_type": "true or false",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "float_type": "a number",
    "float_parsing": "a number",
}
ANALYZE_HINT = "send `text`, `texts` or `conversation` (and optionally `channel`)"
INVALID_UNICODE = "contains a lone surrogate (like \\ud800), which is not text; send valid Unicode"


def require_unicode(value: Any) -> Any:
    """A pydantic after-validator: strings (also in lists) must be real Unicode text."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if isinstance(text, str) and has_lone_surrogate(text):
            raise ValueError(INVALID_UNICODE)
    return value


def _where(loc: Sequence[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "list[str]") or "[" in str(part):
            continue  # union branch names pydantic adds
        else:
            out += ("." if out else "") + str(part)
    return out or "the body"


def _got(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def describe_error(error: dict[str, Any], *, content_type: str | None = None) -> str:
    kind = error.get("type", "")
    where = _where(error.get("loc", ()))
    if kind == "json_invalid":
        reason = error.get("ctx", {}).get("error", "parse error")
        return f"the body is not valid JSON ({reason}); send a JSON object"
    if kind == "missing" and where == "the body":
        return f"the body is empty: {ANALYZE_HINT}"
    if kind == "missing":
        return f"`{where}` is required"
    if kind == "extra_forbidden":
        return f"unknown field `{where}`; remove it"
    if kind == "literal_error":
        return f"`{where}` must be {error.get('ctx', {}).get('expected', 'one of the allowed values')}"
    if kind == "string_too_long":
        return f"`{where}` is too long (at most {error.get('ctx', {}).get('max_length')} characters)"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"`{where}` is out of range ({error.get('msg', '')})"
    if kind in _TYPE_WORDS:
        if where == "the body":
            if not _is_json(content_type):
                # FastAPI only reads the body as JSON when the request says it is JSON.
                media = (content_type or "").split(";", 1)[0].strip()
                sent = f"not {media}" if media else "none was sent"
                return f"the body must be a JSON object: send Content-Type: application/json ({sent})"
            return f"the body must be a JSON object: {ANALYZE_HINT}"
        return f"`{where}` must be {_TYPE_WORDS[kind]}, not {_got(error.get('input'))}"
    if kind == "string_unicode":
        return f"`{where}` {INVALID_UNICODE}"
    if kind == "value_error":
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        return f"`{where}` {message}"
    return f"`{where}`: {error.get('msg', 'invalid value')}"


def describe_validation_error(errors: Sequence[dict[str, Any]], *, content_type: str | None = None) -> str:
    seen: list[str] = []
    for error in errors:
        message = describe_error(error, content_type=content_type)
        if message not in seen:
            seen.append(message)
    if not seen:
        return "the request is not valid"
    more = f" (and {len(seen) - 3} more problems)" if len(seen) > 3 else ""
    return "; ".join(seen[:3]) + more
