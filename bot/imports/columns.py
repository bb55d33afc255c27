"""Which column of an export is which message field: recognised by name (English and Chinese)
or given with `--map field=COLUMN,...`.

Rules: names are compared case-insensitively with spaces, `-` and `_` ignored; the first column
that matches a field wins; a column is used for one field only; `text` is required. Columns that
are no field are kept with the message as its `fields`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.errors import InputError

FIELDS = ("text", "id", "time", "conversation", "role", "author", "channel")

# Most specific names first: "ticket_id" is an id, "ticket" a conversation.
NAMES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "comment",
        "comments",
        "review",
        "reviewtext",
        "content",
        "message",
        "messagetext",
        "body",
        "feedback",
        "description",
        "reply",
        "评论",
        "内容",
        "评论内容",
        "消息",
        "消息内容",
        "留言",
        "正文",
        "反馈",
        "文本",
        "评价",
        "评价内容",
        "回复内容",
    ),
    "id": (
        "id",
        "messageid",
        "msgid",
        "commentid",
        "ticketid",
        "reviewid",
        "eventid",
        "编号",
        "工单号",
        "消息id",
        "评论id",
        "评价id",
    ),
    "time": (
        "createdat",
        "created",
        "time",
        "date",
        "timestamp",
        "datetime",
        "createdtime",
        "sentat",
        "updatedat",
        "时间",
        "日期",
        "创建时间",
        "发送时间",
        "评论时间",
        "评价时间",
        "提交时间",
    ),
    "conversation": (
        "conversation",
        "conversationid",
        "ticket",
        "thread",
        "threadid",
        "session",
        "sessionid",
        "chatid",
        "会话",
        "会话id",
        "工单",
        "对话",
        "对话id",
    ),
    "role": ("role", "sendertype", "authortype", "usertype", "角色", "身份"),
    "author": (
        "author",
        "user",
        "username",
        "sender",
        "name",
        "customer",
        "requester",
        "nickname",
        "用户",
        "用户名",
        "发送人",
        "作者",
        "昵称",
        "客户",
    ),
    "channel": ("channel", "platform", "sourcechannel", "渠道", "来源", "平台", "店铺"),
}


def normalise(name: str) -> str:
    return re.sub(r"[\s_\-.:：]+", "", name.strip().lower())


@dataclass
class ColumnMap:
    """field -> column index, plus the header, for one export."""

    header: list[str]
    fields: dict[str, int] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.header[self.fields[name]]

    def extra(self) -> list[int]:
        """Columns that are no message field (kept as `fields`)."""
        used = set(self.fields.values())
        return [i for i, name in enumerate(self.header) if i not in used and name.strip()]

    def describe(self) -> str:
        """`text ← 评论内容 · time ← 时间 · …` for the user to check before labelling starts."""
        parts = [f"{name} ← {self.column(name)}" for name in FIELDS if name in self.fields]
        kept = [self.header[i] for i in self.extra()]
        if kept:
            parts.append("kept as fields: " + ", ".join(kept))
        return " · ".join(parts)


def parse_map(spec: str | None) -> dict[str, str]:
    """`text=Body,time=Created At` -> {"text": "Body", "time": "Created At"}."""
    if not spec:
        return {}
    out: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        name, sep, column = part.partition("=")
        name = name.strip().lower()
        if not sep or not column.strip():
            raise InputError(f"--map entry {part.strip()!r} should look like field=COLUMN")
        if name not in FIELDS:
            raise InputError(f"--map: unknown field {name!r}; fields are {', '.join(FIELDS)}")
        out[name] = column.strip()
    return out


def checked_map(mapped: dict[str, str]) -> dict[str, str]:
    """A field → column mapping given as a dict (the web's column picker), names checked."""
    out: dict[str, str] = {}
    for name, column in mapped.items():
        if name not in FIELDS:
            raise InputError(f"unknown field {name!r}; fields are {', '.join(FIELDS)}")
        if column is not None and str(column).strip():
            out[name] = str(column).strip()
    return out


def recognise(header: list[str], mapped: dict[str, str] | None = None, *, by_name: bool = True) -> ColumnMap:
    """Decide which column is which field; InputError (saying what to do) without a text column.
    `by_name=False`: only the mapped fields (a column picker's complete choice)."""
    result = guess(header, mapped, by_name=by_name)
    if "text" not in result.fields:
        raise InputError(
            "no text column found among: "
            + ", ".join(repr(h) for h in result.header)
            + "; name it text/comment/content/评论/内容 or pass --map text=COLUMN"
        )
    return result


def guess(header: list[str], mapped: dict[str, str] | None = None, *, by_name: bool = True) -> ColumnMap:
    """The fields recognised by name (and those mapped), a text column or not: what a column
    picker preselects. InputError for a mapped column that is not there."""
    result = ColumnMap(header=[str(h) if h is not None else "" for h in header])
    by_norm: dict[str, int] = {}
    for position, header_name in enumerate(result.header):
        by_norm.setdefault(normalise(header_name), position)
    taken: set[int] = set()
    for name, column in (mapped or {}).items():
        index: int | None = next((i for i, h in enumerate(result.header) if h.strip() == column), None)
        if index is None:
            index = by_norm.get(normalise(column))
        if index is None:
            raise InputError(
                f"--map {name}={column}: no column {column!r}; the columns are {', '.join(result.header)}"
            )
        result.fields[name] = index
        taken.add(index)
    for name in FIELDS if by_name else ():
        if name in result.fields:
            continue
        for candidate in NAMES[name]:
            found = by_norm.get(candidate)
            if found is not None and found not in taken:
                result.fields[name] = found
                taken.add(found)
                break
    return result
