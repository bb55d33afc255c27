"""The JSON schema of the model's answer (the contract's answer object), for structured output."""

from __future__ import annotations

from typing import Any

from domain.models import ASPECTS, LABELS

__all__ = ["answer_schema"]


def answer_schema(*, conversation: bool) -> dict[str, Any]:
    """The answer object: items (label, confidence, explanation, keywords, aspects), summary, verdict."""
    item = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "label": {"type": "string", "enum": list(LABELS)},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "explanation": {"type": "string"},
            "keywords": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "aspects": {"type": "array", "items": {"type": "string", "enum": list(ASPECTS)}},
        },
        "required": ["id", "label", "confidence", "explanation", "keywords", "aspects"],
        "additionalProperties": False,
    }
    properties: dict[str, Any] = {
        "items": {"type": "array", "items": item},
        "summary": {"type": "string"},
    }
    required = ["items", "summary"]
    if conversation:
        properties["conversation"] = {
            "type": "object",
            "properties": {
                "label": {"type": "string", "enum": list(LABELS)},
                "resolved": {"type": "boolean"},
                "agent_issues": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["rude", "slow", "unhelpful", "wrong_info"]},
                },
                "flag": {"type": "boolean"},
                "reason": {"type": "string"},
            },
            "required": ["label", "resolved", "agent_issues", "flag", "reason"],
            "additionalProperties": False,
        }
        required.append("conversation")
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
