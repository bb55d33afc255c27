"""Files uploaded for import (the web's upload): kept in a private folder until imported.

Rules:
- a file is accepted by its name's extension (CSV, TSV, XLSX, JSONL, as `sentibot import`), must
  not be empty, and is read at once for its preview: the header, the first rows, and the fields
  recognised by column name (bot/imports/columns.py), which the column picker preselects;
- an upload is known by a random id; it is imported once (then deleted) through the same
  import runner as `sentibot import`; at most `KEEP` uploads wait, the oldest go first;
- everything waiting is deleted when the core closes.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.errors import InputError, NotFound
from bot.imports.columns import FIELDS, guess
from bot.imports.readers import RowSource, guess_format

PREVIEW_ROWS = 5
PREVIEW_CHARS = 200
KEEP = 20


@dataclass
class UploadPreview:
    """What the column picker shows: the header, the first rows, and the recognised fields."""

    upload_id: str
    filename: str
    format: str
    header: list[str]
    rows: list[list[str]]
    fields: dict[str, str] = field(default_factory=dict)  # field → column name

    def public(self) -> dict[str, Any]:
        return {
            "upload_id": self.upload_id,
            "filename": self.filename,
            "format": self.format,
            "header": self.header,
            "rows": self.rows,
            "fields": self.fields,
            "field_names": list(FIELDS),
        }


class Uploads:
    """Uploaded files waiting for their import, in a private temporary folder."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._waiting: dict[str, tuple[Path, str]] = {}  # id → (file, original name)

    def stage(self, filename: str, data: bytes) -> UploadPreview:
        """Keep the file and read its preview; InputError says what is wrong with it."""
        name = Path(filename or "").name.strip() or "upload"
        fmt = guess_format(Path(name))  # InputError for an unknown type
        if not data.strip():
            raise InputError(f"{name} is empty: nothing to import")
        upload_id = secrets.token_hex(8)
        path = self._dir() / f"{upload_id}{Path(name).suffix.lower()}"
        path.write_bytes(data)
        try:
            with RowSource(path, fmt) as rows:
                header = list(rows.header)
                first: list[list[str]] = []
                for _, values in rows:
                    first.append([_shown(v) for v in values[: len(header)]])
                    if len(first) >= PREVIEW_ROWS:
                        break
            columns = guess(header)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        self._waiting[upload_id] = (path, name)
        while len(self._waiting) > KEEP:
            oldest = next(iter(self._waiting))
            self._waiting.pop(oldest)[0].unlink(missing_ok=True)
        return UploadPreview(
            upload_id=upload_id,
            filename=name,
            format=fmt,
            header=header,
            rows=first,
            fields={name_: columns.column(name_) for name_ in FIELDS if name_ in columns.fields},
        )

    def path(self, upload_id: str) -> Path:
        """The staged file (NotFound when unknown: imported already, or never uploaded here)."""
        found = self._waiting.get(upload_id)
        if found is None:
            raise NotFound(f"no upload {upload_id} waiting (uploads are imported once); upload it again")
        return found[0]

    def discard(self, upload_id: str) -> None:
        found = self._waiting.pop(upload_id, None)
        if found is not None:
            found[0].unlink(missing_ok=True)

    def close(self) -> None:
        self._waiting.clear()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _dir(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="sentibot-uploads-"))
        return self._folder


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    text = str(value)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
