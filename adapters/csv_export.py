"""Labelled items as CSV, the same columns from the CLI and the web's download."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TextIO

from domain.messages import Message
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


MESSAGE_COLUMNS = [
    "id",
    "created_at",
    "source",
    "external_id",
    "channel",
    "conversation_id",
    "author",
    "role",
    "text",
    "label",
    "confidence",
    "aspects",
    "keywords",
    "explanation",
    "labeler",
    "status",
    "error",
]


def message_csv_chunks(messages: Iterable[Message], *, rows_per_chunk: int = 500) -> Iterator[str]:
    """Messages as CSV text, a chunk at a time (for a streamed download): a BOM (so spreadsheet
    apps read the Chinese), the header, then the rows. Every text cell is formula-injection safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(MESSAGE_COLUMNS)
    pending = 0
    for m in messages:
        writer.writerow(
            [
                m.id,
                m.created_at.isoformat(),
                _cell(m.source),
                _cell(m.external_id or ""),
                _cell(m.channel or ""),
                _cell(m.conversation_id or ""),
                _cell(m.author or ""),
                m.role or "",
                _cell(m.text or ""),
                m.label or "",
                "" if m.confidence is None else f"{m.confidence:.3f}",
                "; ".join(m.aspects),
                _cell("; ".join(m.keywords)),
                _cell(m.explanation),
                _cell(m.labeler or ""),
                m.status,
                _cell(m.error or ""),
            ]
        )
        pending += 1
        if pending >= rows_per_chunk:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            pending = 0
    yield out.getvalue()


def _cell(value: str) -> str:
    """No spreadsheet formulas from comment text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
