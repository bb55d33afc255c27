"""Labelled items as CSV, the same columns from the CLI and the web's download."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from domain.models import LabeledItem

COLUMNS = [
    "id",
    "role",
    "author",
    "text",
    "label",
    "confidence",
    "keywords",
    "explanation",
    "labeler",
    "status",
    "error",
]


def write_items_csv(items: Iterable[LabeledItem], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow(
            [
                item.id,
                item.role or "",
                _cell(item.author or ""),
                _cell(item.text),
                item.label or "",
                "" if item.confidence is None else f"{item.confidence:.3f}",
                _cell("; ".join(item.keywords)),
                _cell(f"{item.explanation} ({item.note})" if item.note else item.explanation),
                item.labeler,
                item.status,
                _cell(item.error or ""),
            ]
        )


def _cell(value: str) -> str:
    """No spreadsheet formulas from comment text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
