"""A spreadsheet pasted into a chat (any surface): the header is not labelled, the text column is
chosen, the other cells are kept as the messages' fields."""

from __future__ import annotations

import pytest

from bot.core import MessageContext, Sentibot, message_request
from bot.pasted_table import read_pasted_table
from domain.messages import MessageFilter

WEB = MessageContext(source="web")


def test_a_column_under_its_header_drops_the_header() -> None:
    request = message_request("评论内容\n物流太慢了\n客服很好\n", context=WEB)
    assert request.texts == ["物流太慢了", "客服很好"]
    assert request.fields is None
    assert message_request("Comment\nbad\ngood", context=WEB).texts == ["bad", "good"]


def test_tsv_with_a_header_uses_the_named_text_column_and_keeps_the_rest() -> None:
    pasted = "工单号\t评论内容\t渠道\nT-1\t物流太慢了\tapp\nT-2\t客服很好\t\nT-3\t\tweb\n"
    request = message_request(pasted, context=WEB)
    assert request.texts == ["物流太慢了", "客服很好"]  # T-3 has no text
    assert request.fields == [{"工单号": "T-1", "渠道": "app"}, {"工单号": "T-2"}]


def test_tsv_without_a_header_picks_the_wordiest_column() -> None:
    pasted = "1001\t2026-11-20\tThe parcel arrived broken\n1002\t2026-11-21\tGreat support, thanks\n"
    table = read_pasted_table(pasted)
    assert table is not None and table.header is None
    assert table.texts == ["The parcel arrived broken", "Great support, thanks"]
    assert table.fields[0] == {"column 1": "1001", "column 2": "2026-11-20"}


@pytest.mark.parametrize(
    "text",
    [
        "one comment",
        "first comment\nsecond comment",  # a plain list
        "great\tproduct",  # one line with a tab is one comment
        "评论内容",  # a single word is a comment, not a header
    ],
)
def test_plain_text_is_not_a_table(text: str) -> None:
    assert read_pasted_table(text) is None


async def test_pasted_table_in_chat_is_stored_with_its_fields(core: Sentibot) -> None:
    pasted = "id\tcomment\tplan\n7\tThe app keeps crashing\tenterprise\n8\tLove the new dashboard\tfree\n"
    assert core.workload(pasted) == 2
    reply = await core.handle_message(pasted, context=MessageContext(source="slack", channel="C1"))
    assert reply.summary is not None and reply.summary.total == 2
    messages, _ = core.messages(MessageFilter(channel="C1"))
    assert sorted(m.text or "" for m in messages) == ["Love the new dashboard", "The app keeps crashing"]
    assert {m.text: m.fields for m in messages}["The app keeps crashing"] == {"id": "7", "plan": "enterprise"}
