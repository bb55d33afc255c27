"""Streaming rows out of CSV, TSV, XLSX and JSONL files, one at a time (bounded memory).

Each reader gives the header (column names) and then `(row_number, values)` with the values
aligned to the header. Row numbers are what a spreadsheet shows: the header is row 1, so the first
data row is row 2 (JSONL: line numbers). `fraction()` says how far through the file the reader is
(bytes read / file size, or rows / rows in the sheet), for progress and ETA.

CSV/TSV: UTF-8 (with or without BOM), else GB18030 (what Chinese Excel saves); the delimiter is
taken from the extension (`.tsv`, `.tab`) or guessed from the header line (tab, comma, semicolon).
XLSX: openpyxl in read-only mode, first sheet, cached cell values (not formulas).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from bot.errors import InputError

FORMATS = ("csv", "tsv", "xlsx", "jsonl")
csv.field_size_limit(10 * 1024 * 1024)


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.read_bytes += len(data)
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class RowSource:
    """An open export: `header`, then iterate for `(row_number, values)`; close when done."""

    def __init__(self, path: Path, fmt: str | None = None) -> None:
        self.path = path
        self.format = fmt or guess_format(path)
        self._size = max(path.stat().st_size, 1)
        self._counter: _Counting | None = None
        self._rows_total: int | None = None
        self._rows_seen = 0
        self._close: list[Any] = []
        self.header: list[str] = []
        self._rows: Iterator[tuple[int, list[Any]]] = iter(())
        opener = {
            "csv": self._open_csv,
            "tsv": self._open_csv,
            "xlsx": self._open_xlsx,
            "jsonl": self._open_jsonl,
        }
        opener[self.format]()

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        for number, values in self._rows:
            self._rows_seen += 1
            yield number, values

    def fraction(self) -> float:
        if self._counter is not None:
            return min(self._counter.read_bytes / self._size, 1.0)
        if self._rows_total:
            return min(self._rows_seen / self._rows_total, 1.0)
        return 0.0

    def close(self) -> None:
        for closer in reversed(self._close):
            closer()

    def __enter__(self) -> RowSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- formats ----------------------------------------------------------------------------

    def _text_stream(self) -> io.TextIOWrapper:
        with self.path.open("rb") as probe:
            head = probe.read(65536)
        encoding = "utf-8-sig"
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the probe's end
                encoding = "gb18030"
        self._counter = _Counting(self.path.open("rb"))
        stream = io.TextIOWrapper(io.BufferedReader(self._counter, 1 << 16), encoding=encoding, newline="")
        self._close.append(stream.close)
        return stream

    def _open_csv(self) -> None:
        stream = self._text_stream()
        first = stream.readline()
        if self.format == "tsv":
            delimiter = "\t"
        else:
            delimiter = max(("\t", ",", ";"), key=first.count) if first else ","
            if first and first.count(delimiter) == 0:
                delimiter = ","
        reader = csv.reader(_chain_line(first, stream), delimiter=delimiter)
        try:
            self.header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError(f"{self.path.name} is empty: nothing to import") from None
        width = len(self.header)

        def rows() -> Iterator[tuple[int, list[Any]]]:
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                yield number, (values + [""] * width)[: max(width, len(values))]

        self._rows = rows()

    def _open_jsonl(self) -> None:
        stream = self._text_stream()
        lines = enumerate(stream, start=1)
        first: dict[str, Any] | None = None
        first_number = 0
        bad: list[tuple[int, str]] = []
        for number, line in lines:
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError:
                bad.append((number, line))
                continue
            if isinstance(value, dict):
                first, first_number = value, number
                break
            bad.append((number, line))
        if first is None:
            raise InputError(
                f"{self.path.name}: no JSON object per line found; JSONL needs one object a line"
            )
        self.header = [str(k) for k in first]

        def rows() -> Iterator[tuple[int, list[Any]]]:
            for number, _ in bad:  # lines before the first object: rejected by the importer
                yield number, [_Unreadable("not a JSON object")] + [None] * (len(self.header) - 1)
            yield first_number, [first.get(k) for k in self.header]
            for number, line in lines:
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield (
                        number,
                        [_Unreadable(f"not valid JSON ({exc.msg})")] + [None] * (len(self.header) - 1),
                    )
                    continue
                if not isinstance(value, dict):
                    yield number, [_Unreadable("not a JSON object")] + [None] * (len(self.header) - 1)
                    continue
                yield number, [value.get(k) for k in self.header]

        self._rows = rows()

    def _open_xlsx(self) -> None:
        import openpyxl  # only when an XLSX is imported
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise InputError(f"{self.path.name} is not a readable XLSX file: {exc}") from exc
        self._close.append(book.close)
        sheet = book.worksheets[0]
        self._rows_total = sheet.max_row if isinstance(sheet.max_row, int) and sheet.max_row > 1 else None
        cells = sheet.iter_rows(values_only=True)
        number = 0
        for values in cells:
            number += 1
            if any(v is not None and str(v).strip() for v in values):
                self.header = ["" if v is None else str(v).strip() for v in values]
                break
        if not self.header:
            raise InputError(f"{self.path.name}: the first sheet is empty; nothing to import")
        width = len(self.header)

        def rows() -> Iterator[tuple[int, list[Any]]]:
            row_number = number
            for values in cells:
                row_number += 1
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                yield row_number, (list(values) + [None] * width)[: max(width, len(values))]

        self._rows = rows()


class _Unreadable(str):
    """A value standing for a line that could not be read (the importer rejects its row)."""

    __slots__ = ()


def unreadable(value: object) -> str | None:
    """The reason, when a row's first value marks it unreadable."""
    return str(value) if isinstance(value, _Unreadable) else None


def _chain_line(first: str, stream: IO[str]) -> Iterator[str]:
    yield first
    yield from stream


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    aliases = {
        "csv": "csv",
        "txt": "csv",
        "tsv": "tsv",
        "tab": "tsv",
        "xlsx": "xlsx",
        "xlsm": "xlsx",
        "jsonl": "jsonl",
        "ndjson": "jsonl",
        "json": "jsonl",
    }
    if suffix not in aliases:
        raise InputError(f"{path.name}: unknown file type .{suffix}; import CSV, TSV, XLSX or JSONL")
    return aliases[suffix]
