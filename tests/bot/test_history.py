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
