"""A spreadsheet pasted into a chat: a column with its header, or rows of tab-separated cells.

Rules (every chat surface, through `message_request` in bot/core.py):
- TSV: at least two lines and every line has a tab (a spreadsheet's copied cells). When the first
  row names its columns and one is a text column by the import's names (bot/imports/columns.py:
  评论内容, comment, text, …), it is the header: not labelled, the text column is that one.
  Without such a header every row is data and the text column is the one with the most letters
  (digits, dates and ids are not text). The other cells are kept with each message as fields,
  named by the header (or `column 2`, …). Rows whose text cell is empty are left out.
- One column: when its first line is a text column's name (`评论内容`, `Comment`, …) and data
  follows, that line is the header and is not labelled.
- Anything else is not a table (None): one text per line, as before.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from bot.imports.columns import NAMES, guess, normalise


@dataclass
class PastedTable:
    texts: list[str]
    fields: list[dict[str, str]] = field(default_factory=list)  # one per text, maybe empty
    header: list[str] | None = None
    text_column: str | None = None


TEXT_NAMES = frozenset(NAMES["text"])


def read_pasted_table(text: str) -> PastedTable | None:
    """The table in a pasted message (rules above), or None when it is plain lines."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    if all("\t" in line for line in lines):
        return _tsv(lines)
    if normalise(lines[0]) in TEXT_NAMES:
        data = [line.strip() for line in lines[1:]]
        return PastedTable(texts=data, fields=[{} for _ in data], header=[lines[0].strip()],
                           text_column=lines[0].strip())  # fmt: skip
    return None


def _tsv(lines: list[str]) -> PastedTable | None:
    rows = [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO("\n".join(lines)), delimiter="\t")
    ]
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    columns = guess(rows[0])
    header: list[str] | None
    if "text" in columns.fields:
        header, data, text_index = rows[0], rows[1:], columns.fields["text"]
    else:
        header, data = None, rows
        text_index = max(range(width), key=lambda i: (sum(_letters(row[i]) for row in data), -i))
    names = [(header[i] if header and header[i] else f"column {i + 1}") for i in range(width)]
    texts, fields = [], []
    for row in data:
        if not row[text_index]:
            continue
        texts.append(row[text_index])
        fields.append({names[i]: row[i] for i in range(width) if i != text_index and row[i]})
    if not texts:
        return None
    return PastedTable(texts=texts, fields=fields, header=header, text_column=names[text_index])


def _letters(cell: str) -> int:
    return sum(1 for ch in cell if ch.isalpha())
