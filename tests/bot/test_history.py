"""What users send becomes the history: pasted twice counts once; a thread judged again is its turns once."""

from __future__ import annotations

from bot.core import MessageContext, Sentibot
from domain.messages import MessageFilter
from domain.models import Turn

LIST = "物流太慢了，三天还没到\n客服态度很好\n物流太慢了，三天还没到\n   \n包装一般"


async def test_the_same_list_pasted_twice_leaves_stats_unchanged(core: Sentibot) -> None:
    context = MessageContext(source="web", channel="support")
    await core.handle_message(LIST, context=context)
    before = (await core.stats(days=1, chart=False)).summary
    await core.handle_message(LIST, context=context)
    await core.handle_message("客服态度很好", context=context)  # one line of it again
    after = (await core.stats(days=1, chart=False)).summary
    assert before.total == after.total == 4  # the repeated line in the list is a real second message
    assert after == before
    # Another channel is other messages.
    await core.handle_message(LIST, context=MessageContext(source="web", channel="sales"))
    assert (await core.stats(days=1, chart=False)).summary.total == 8
    stored, _ = core.store.messages.search(MessageFilter(channel="support"))
    assert sorted(m.text or "" for m in stored) == sorted(
        ["物流太慢了，三天还没到", "物流太慢了，三天还没到", "客服态度很好", "包装一般"]
    )
    assert all(m.status == "ok" and m.label for m in stored)


async def test_a_thread_judged_twice_is_its_turns_once(core: Sentibot) -> None:
    turns = [
        Turn(author="U1", role="customer", text="my parcel is late again"),
        Turn(author="A1", role="agent", text="sorry, checking"),
    ]
    context = MessageContext(source="slack", channel="C1", thread_key="C1:100.1")
    await core.judge_conversation(turns, context=context)
    longer = [*turns, Turn(author="U1", role="customer", text="still nothing, this is awful")]
    await core.judge_conversation(longer, context=context)
    thread = core.store.messages.conversation("C1:100.1")
    assert [(m.role, m.text) for m in thread] == [(t.role, t.text) for t in longer]
    assert (await core.stats(days=1, chart=False)).summary.total == 3


async def test_stats_over_a_date_range_count_messages_by_when_they_were_written(core: Sentibot) -> None:
    from datetime import date

    from bot.commands import parse_command
    from domain.models import LabeledItem

    posted = core.ingest_messages(
        source="crm",
        messages=[
            {"id": "1", "text": "parcel late", "created_at": "2026-11-01 10:00", "channel": "email"},
            {"id": "2", "text": "parcel late again", "created_at": "2026-11-15 10:00", "channel": "email"},
            {"id": "3", "text": "love it", "created_at": "2026-11-28 23:30", "channel": "chat"},
            {"id": "4", "text": "outside", "created_at": "2026-10-31 23:59", "channel": "chat"},
        ],
    )
    ids = posted.ids
    core.store.messages.set_labels(
        [
            (ids[0], LabeledItem(id=0, text="", label="negative", confidence=0.9, aspects=["delivery"])),
            (
                ids[1],
                LabeledItem(id=0, text="", label="negative", confidence=0.9, aspects=["delivery", "service"]),
            ),
            (ids[2], LabeledItem(id=0, text="", label="positive", confidence=0.9, aspects=["product"])),
            (ids[3], LabeledItem(id=0, text="", label="negative", confidence=0.9, aspects=["price"])),
        ]
    )
    report = await core.stats(first=date(2026, 11, 1), last=date(2026, 11, 28), chart=False)
    assert (report.days, report.summary.total, report.summary.negative) == (28, 3, 2)
    assert [(a.aspect, a.total, a.negative) for a in report.aspects] == [
        ("delivery", 2, 2),
        ("service", 1, 1),
        ("product", 1, 0),
    ]
    doc = report.api_json(public_url="http://x")
    assert doc["from"] == "2026-11-01" and doc["to"] == "2026-11-28"
    assert doc["aspects"][0] == {"aspect": "delivery", "total": 2, "negative": 2}

    command = parse_command("统计 2026-11-01..2026-11-28")
    assert command and (command.first, command.last, command.chinese) == (
        date(2026, 11, 1),
        date(2026, 11, 28),
        True,
    )
    reply = await core.run_command(command, context=MessageContext(source="web"))
    assert reply.title == "情感统计（2026-11-01 至 2026-11-28）"
    assert "共 3 条" in reply.lines and any("物流 2 条" in line for line in reply.lines)
    assert parse_command("stats 2026-11-30..2026-11-01") is not None  # parsed; the core refuses it
