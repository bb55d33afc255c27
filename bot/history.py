"""The history: what users send becomes messages (contract, "Messages: the history").

A run is what someone asked; its items point at messages. A pasted list or one text becomes one
message per line (identity rule 2: the k-th line with that text, per channel and day); a
conversation becomes one message per turn, in that conversation.
"""

from __future__ import annotations

from datetime import datetime

from domain.messages import NewMessage, paste_occurrences
from domain.models import LabeledItem
from storage import Store
from storage.clock import utc_now


def run_messages(
    items: list[LabeledItem],
    *,
    source: str,
    channel: str | None,
    conversation_id: str | None,
    at: datetime,
) -> list[NewMessage]:
    """The messages a run's items are, in item order (all stamped `at`, the time they arrived)."""
    occurrences = paste_occurrences([item.text for item in items])
    return [
        NewMessage(
            source=source,
            text=item.text,
            clean_text=item.clean_text,
            note=item.note,
            created_at=at,
            channel=channel,
            conversation_id=conversation_id,
            author=item.author,
            role=item.role,
            paste_occurrence=k,
        )
        for item, k in zip(items, occurrences, strict=True)
    ]


def record_run_messages(
    store: Store,
    run_id: str,
    items: list[LabeledItem],
    *,
    source: str,
    channel: str | None,
    conversation_id: str | None,
) -> None:
    """Store the messages a run's items are (now) and point the items at them.

    Items refused at submit (nothing left to label once cleaned) are not messages.
    """
    kept = [item for item in items if item.status != "failed"]
    messages = run_messages(
        kept, source=source, channel=channel, conversation_id=conversation_id, at=utc_now()
    )
    added = store.messages.add(messages)
    store.messages.link_run(run_id, {item.id: a.id for item, a in zip(kept, added, strict=True)})
