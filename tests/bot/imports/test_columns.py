"""Columns of an export are recognised by name in English and Chinese, or mapped with --map."""

from __future__ import annotations

import pytest

from bot.errors import InputError
from bot.imports.columns import parse_map, recognise


def test_a_helpdesk_export_header_is_recognised() -> None:
    found = recognise(["Ticket ID", "Created At", "Conversation", "Role", "Comment", "Agent Group"])
    assert {name: found.column(name) for name in found.fields} == {
        "text": "Comment",
        "id": "Ticket ID",
        "time": "Created At",
        "conversation": "Conversation",
        "role": "Role",
    }
    assert found.describe().endswith("kept as fields: Agent Group")


def test_chinese_headers_are_recognised() -> None:
    found = recognise(["工单号", "评论时间", "会话", "角色", "用户", "评论内容", "渠道"])
    assert {name: found.column(name) for name in found.fields} == {
        "text": "评论内容",
        "id": "工单号",
        "time": "评论时间",
        "conversation": "会话",
        "role": "角色",
        "author": "用户",
        "channel": "渠道",
    }


def test_map_overrides_names_and_errors_say_what_to_fix() -> None:
    found = recognise(["body", "when", "x"], parse_map("text=x, time=when"))
    assert (found.column("text"), found.column("time")) == ("x", "when")
    with pytest.raises(InputError, match="--map text=COLUMN"):
        recognise(["a", "b"])
    with pytest.raises(InputError, match="no column 'nope'"):
        recognise(["a"], parse_map("text=nope"))
    with pytest.raises(InputError, match="unknown field 'txt'"):
        parse_map("txt=a")
    with pytest.raises(InputError, match="field=COLUMN"):
        parse_map("text")
