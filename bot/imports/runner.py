"""The import use case: stream an export's rows into the history, labelling as it reads.

Rules:
- rows are read, checked and stored in batches (`BATCH` rows, one transaction each) and the new
  ones labelled before the next batch is read, so memory stays flat whatever the file's size;
- a row already stored (identity rules in domain/messages.py) is counted "already stored" and not
  labelled again, unless it is still waiting for its label (an import stopped half-way: running
  it again labels what was left and adds nothing twice);
- a row that cannot be a message (no text, a time or role that cannot be read, text too long) is
  rejected with its row number and the reason; the other rows go in;
- without an id column each row is identified by its conversation/author/time/text; without ids
  and times, by the k-th occurrence of its text in the source (so the same file again adds nothing).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.analysis import MAX_ITEM_CHARS
from bot.errors import InputError
from bot.history import label_messages
from bot.imports.columns import ColumnMap, checked_map, parse_map, recognise
from bot.imports.readers import RowSource, unreadable
from bot.imports.timestamps import BadTime, parse_time
from bot.labelers import Labeler
from bot.text import clean_text
from domain.messages import NewMessage, external_identity
from domain.models import Role
from storage import Store
from storage.clock import utc_now

BATCH = 1000
KEEP_REJECTED = 1000  # rejected rows kept for the report (the count is always exact)

ROLES: dict[str, Role] = {
    **dict.fromkeys(
        (
            "customer",
            "client",
            "user",
            "enduser",
            "requester",
            "buyer",
            "visitor",
            "客户",
            "用户",
            "顾客",
            "买家",
            "访客",
        ),
        "customer",
    ),
    **dict.fromkeys(
        ("agent", "support", "staff", "admin", "operator", "seller", "客服", "坐席", "商家", "卖家", "人工"),
        "agent",
    ),
}


@dataclass
class ImportReport:
    rows: int = 0
    new: int = 0
    already: int = 0
    labelled: int = 0
    failed: int = 0
    rejected_count: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def reject(self, row: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < KEEP_REJECTED:
            self.rejected.append((row, reason))

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def public(self, *, rejected_shown: int = 50) -> dict[str, object]:
        """The report as JSON: counts, and the first rejected rows with their reasons."""
        return {
            "rows": self.rows,
            "new": self.new,
            "already": self.already,
            "labelled": self.labelled,
            "failed": self.failed,
            "rejected_count": self.rejected_count,
            "rejected": [{"row": row, "error": why} for row, why in self.rejected[:rejected_shown]],
            "seconds": round(self.seconds, 3),
        }


Progress = Callable[[ImportReport, float], None]


class RowReader:
    """Turns one row into a NewMessage, or a reason to reject it."""

    def __init__(self, columns: ColumnMap, *, source: str, channel: str | None, zone: ZoneInfo) -> None:
        self.columns = columns
        self.source = source
        self.channel = channel
        self.zone = zone
        self.now = utc_now()
        self.extra = [(columns.header[i], i) for i in columns.extra()]
        self._occurrences: dict[bytes, int] = {}

    def quick_identity(self, values: list[Any]) -> str | None:
        """The row's identity from its id alone (rule 1), or None when it has no id."""
        external_id = _cell(values, self.columns.fields.get("id"))
        return external_identity(self.source, external_id) if external_id else None

    def message(self, values: list[Any]) -> NewMessage | str:
        broken = unreadable(values[0]) if values else None
        if broken:
            return broken
        text = _cell(values, self.columns.fields["text"])
        if not text:
            return "text is empty"
        if len(text) > MAX_ITEM_CHARS:
            return f"text is {len(text)} characters long (at most {MAX_ITEM_CHARS})"
        external_id = _cell(values, self.columns.fields.get("id"))
        created_at = self.now
        time_index = self.columns.fields.get("time")
        if time_index is not None:
            raw = values[time_index] if time_index < len(values) else None
            try:
                created_at = parse_time(raw if raw is not None else "", self.zone)
            except BadTime as exc:
                return str(exc)
        role: Role | None = None
        role_text = _cell(values, self.columns.fields.get("role"))
        if role_text:
            role = ROLES.get(role_text.lower().replace("-", "").replace("_", "").replace(" ", ""))
            if role is None:
                return f"role {role_text!r} is neither customer nor agent"
        message = NewMessage(
            source=self.source,
            text=text,
            created_at=created_at,
            external_id=external_id or None,
            conversation_id=_cell(values, self.columns.fields.get("conversation")) or None,
            author=_cell(values, self.columns.fields.get("author")) or None,
            channel=_cell(values, self.columns.fields.get("channel")) or self.channel,
            role=role,
            fields={name: str(values[i]) for name, i in self.extra if i < len(values) and _cell(values, i)},
        )
        if not external_id and time_index is None:
            # Nothing but the text identifies the row: the k-th occurrence of it in this source.
            key = hashlib.blake2b(
                f"{message.channel}\x1f{message.conversation_id}\x1f{message.author}\x1f{text}".encode(),
                digest_size=12,
            ).digest()
            self._occurrences[key] = self._occurrences.get(key, 0) + 1
            message.paste_occurrence = self._occurrences[key]
            message.paste_scope = "import"
        return message


async def import_rows(
    store: Store,
    labeler: Labeler,
    rows: RowSource,
    reader: RowReader,
    *,
    on_progress: Progress | None = None,
    batch_size: int = BATCH,
) -> ImportReport:
    """Store and label every row of `rows`; returns what happened (see the module rules)."""
    report = ImportReport()
    started = time.monotonic()
    rows_in: list[tuple[int, list[Any], str | None]] = []  # row number, cells, identity from the id
    batch: list[tuple[int, NewMessage]] = []

    async def flush() -> None:
        # Rows with an id already stored cost one hash and one lookup: nothing is parsed, built,
        # cleaned or written for them (what makes importing the same export again fast).
        quick = store.messages.known([key for _, _, key in rows_in if key is not None])
        for number, values, key in rows_in:
            if key is not None and key in quick and quick[key][1] == "ok":
                report.already += 1
                continue
            outcome = reader.message(values)
            if isinstance(outcome, str):
                report.reject(number, outcome)
            else:
                batch.append((number, outcome))
        rows_in.clear()
        if not batch:
            report.seconds = time.monotonic() - started
            if on_progress:
                on_progress(report, rows.fraction())
            return
        keys = [store.messages.identity_of(m) for _, m in batch]
        stored = store.messages.known(keys)
        todo: dict[int, str] = {}  # new ones, and stored ones still waiting for their label
        fresh: list[NewMessage] = []
        fresh_keys: list[str] = []
        for (number, message), key in zip(batch, keys, strict=True):
            if key in stored:
                report.already += 1
                message_id, status = stored[key]
                if status != "ok":
                    todo.setdefault(message_id, clean_text(message.text)[0])
                continue
            cleaned, note = clean_text(message.text)
            if not cleaned:
                report.reject(
                    number, "nothing to label once links, mentions and control characters are removed"
                )
                continue
            message.clean_text, message.note = cleaned, note
            fresh.append(message)
            fresh_keys.append(key)
        for message, result in zip(fresh, store.messages.add(fresh, identities=fresh_keys), strict=True):
            if result.created:
                report.new += 1
            else:  # the same row twice in one batch
                report.already += 1
            if result.status != "ok":
                todo.setdefault(result.id, message.clean_text or message.text)
        summary = await label_messages(store, labeler, list(todo.items()))
        report.labelled += summary.total - summary.failed
        report.failed += summary.failed
        batch.clear()
        report.seconds = time.monotonic() - started
        if on_progress:
            on_progress(report, rows.fraction())

    for number, values in rows:
        report.rows += 1
        rows_in.append((number, values, reader.quick_identity(values)))
        if len(rows_in) >= batch_size:
            await flush()
    await flush()
    report.seconds = time.monotonic() - started
    if on_progress:
        on_progress(report, 1.0)
    return report


def _cell(values: list[Any], index: int | None) -> str:
    if index is None or index >= len(values) or values[index] is None:
        return ""
    value = values[index]
    if isinstance(value, float) and value.is_integer():  # spreadsheet numbers: ids like 1234.0
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip()


class ImportJob:
    """One file being imported: open it (columns recognised, shown to the user), then `run`."""

    def __init__(
        self,
        path: Path,
        *,
        store: Store,
        labeler: Labeler,
        timezone: str,
        source: str = "import",
        channel: str | None = None,
        mapping: str | dict[str, str] | None = None,
        fmt: str | None = None,
    ) -> None:
        """`mapping`: `field=COLUMN,...` as `--map` takes it (other fields recognised by column
        name), or a dict field → column name: exactly the fields used (a column picker's choice)."""
        if not path.is_file():
            raise InputError(f"no file {path}")
        if not source.strip():
            raise InputError("--source must not be empty")
        self.rows = RowSource(path, fmt)
        try:
            if isinstance(mapping, dict):  # a column picker's complete choice
                self.columns = recognise(self.rows.header, checked_map(mapping), by_name=False)
            else:
                self.columns = recognise(self.rows.header, parse_map(mapping))
        except BaseException:
            self.rows.close()
            raise
        self._store, self._labeler = store, labeler
        self._reader = RowReader(
            self.columns, source=source.strip(), channel=channel, zone=ZoneInfo(timezone)
        )

    async def run(self, *, on_progress: Progress | None = None, batch_size: int = BATCH) -> ImportReport:
        try:
            return await import_rows(
                self._store,
                self._labeler,
                self.rows,
                self._reader,
                on_progress=on_progress,
                batch_size=batch_size,
            )
        finally:
            self.rows.close()

    def close(self) -> None:
        self.rows.close()
