"""Reading comments for `sentibot label`: arguments, a text file (one per line), a CSV, stdin."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from bot.imports.columns import NAMES, normalise

# The one list of text-column names (`sentibot import` recognises the same ones).
TEXT_COLUMNS = NAMES["text"]


class InputFileError(ValueError):
    pass


def read_comments(source: str) -> list[str]:
    """Comments from PATH or `-` (stdin): CSV with a `text` column, else one comment per line."""
    if source == "-":
        raw = sys.stdin.read()
        name = "stdin"
    else:
        path = Path(source)
        if not path.is_file():
            raise InputFileError(f"{source}: no such file")
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{source}: not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
        name = source
    raw = raw.lstrip("\ufeff")
    first_line = raw.split("\n", 1)[0]
    if name.lower().endswith(".csv") or _looks_like_csv_header(first_line):
        return _read_csv(raw, name)
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _looks_like_csv_header(line: str) -> bool:
    cells = [normalise(cell.strip().strip('"')) for cell in line.split(",")]
    return len(cells) > 1 and any(cell in TEXT_COLUMNS for cell in cells)


def _read_csv(raw: str, name: str) -> list[str]:
    reader = csv.DictReader(io.StringIO(raw))
    columns = {normalise(col or ""): col for col in reader.fieldnames or []}
    column = next((columns[c] for c in TEXT_COLUMNS if c in columns), None)
    if column is None:
        raise InputFileError(
            f"{name}: CSV has no text column (found {', '.join(columns) or 'none'}); name one `text`"
        )
    return [row[column].strip() for row in reader if (row.get(column) or "").strip()]
