"""The queries only questions need: worst conversations, channels, where a message can be seen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from domain.messages import NewMessage
from domain.models import LabeledItem
from storage import Store
from tests.bot.ask.conftest import seed_history


def add(store: Store, n: int, *, conversation: str, label: str, day: str = "2026-11-27") -> int:
    message = NewMessage(
        source="slack",
        external_id=f"x{conversation}{n}",
        text=f"turn {n}",
        created_at=datetime.fromisoformat(f"{day}T02:00:{n:02d}+00:00").astimezone(UTC),
        channel="support",
        conversation_id=conversation,
        role="customer",
    )
    [added] = store.messages.add([message])
    store.messages.set_labels([(added.id, LabeledItem(id=1, text=message.text, label=label))])  # type: ignore[arg-type]
    return added.id


def test_worst_conversations_flagged_first_then_most_negative(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db", timezone="Asia/Shanghai")
    seed_history(store)
    for n in range(4):
        add(store, n, conversation="conv-B", label="negative")  # more negatives than conv-A, not flagged
    add(store, 9, conversation="conv-C", label="positive")  # nothing wrong: not listed
    add(store, 1, conversation="conv-D", label="negative", day="2026-11-20")  # another day
    rows = store.ask.worst_conversations(first_day="2026-11-27", last_day="2026-11-27")
    assert [(r["conversation_id"], r["negative"], r["review_status"]) for r in rows] == [
        ("conv-A", 3, "open"),
        ("conv-B", 4, None),
    ]
    assert (
        store.ask.worst_conversations(first_day="2026-11-27", last_day="2026-11-27", channel="support")[0][
            "conversation_id"
        ]
        == "conv-B"
    )
    store.close()


def test_channels_and_links(tmp_path: Path) -> None:
    store = Store(tmp_path / "b.db", timezone="Asia/Shanghai")
    seed_history(store)
    assert sorted(store.ask.channels()) == ["vip", "web"]
    with store.database.write() as db:
        db.execute("UPDATE reviews SET permalink = 'https://chat.example/t/1' WHERE thread_key = 'conv-A'")
    assert store.ask.thread_permalinks(["conv-A", "conv-Z", ""]) == {"conv-A": "https://chat.example/t/1"}
    assert store.ask.message_runs([1, 2]) == {}  # imported messages were labelled by no run
    store.close()
