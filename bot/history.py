"""The history: what users send becomes messages (contract, "Messages: the history").

A run is what someone asked; its items point at messages. A pasted list or one text becomes one
message per line (identity rule 2: the k-th line with that text, per channel and day); a
conversation becomes one message per turn, in that conversation.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.errors import InputError
from bot.labelers import Labeler, ProgressFn
from domain.messages import MessageFilter, NewMessage, paste_occurrences
from domain.models import ASPECTS, LABELS, LabeledItem, Summary, TextIn
from storage import Store, cache_key
from storage.clock import utc_now


def run_messages(
    items: list[LabeledItem],
    *,
    source: str,
    channel: str | None,
    conversation_id: str | None,
    at: datetime,
    fields: list[dict[str, str]] | None = None,
) -> list[NewMessage]:
    """The messages a run's items are, in item order (all stamped `at`, the time they arrived);
    `fields[item.id - 1]` are the item's other cells of a pasted table."""
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
            fields=(fields[item.id - 1] if fields and 0 < item.id <= len(fields) else {}),
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
    fields: list[dict[str, str]] | None = None,
) -> None:
    """Store the messages a run's items are (now) and point the items at them.

    Items refused at submit (nothing left to label once cleaned) are not messages.
    """
    kept = [item for item in items if item.status != "failed"]
    messages = run_messages(
        kept, source=source, channel=channel, conversation_id=conversation_id, at=utc_now(), fields=fields
    )
    added = store.messages.add(messages)
    store.messages.link_run(run_id, {item.id: a.id for item, a in zip(kept, added, strict=True)})


async def label_messages(
    store: Store, labeler: Labeler, pending: list[tuple[int, str]], *, on_progress: ProgressFn | None = None
) -> Summary:
    """Label messages given as (id, cleaned text); repeats come from the label cache, each distinct
    text goes to the labeller once. A labeller that fails marks them failed with the reason (a
    failure never replaces a label already there)."""
    if not pending:
        return Summary()
    use_cache = labeler.model is not None and labeler.prompt_version is not None
    keys = {mid: cache_key(text, labeler.model or "", labeler.prompt_version or "") for mid, text in pending}
    hits = store.cache.get_many(list(set(keys.values()))) if use_cache else {}
    distinct: dict[str, TextIn] = {}
    for mid, text in pending:
        key = keys[mid]
        if key not in hits and key not in distinct:
            distinct[key] = TextIn(id=len(distinct) + 1, text=text)
    fresh: dict[str, LabeledItem] = {}
    if distinct:
        try:
            batch = await labeler.label(list(distinct.values()), on_progress=on_progress)
            answered = {item.id: item for item in batch.items}
        except Exception as exc:  # the model is down, ...: the messages stay for `relabel --failed`
            answered = {}
            reason = str(exc) or type(exc).__name__
        else:
            reason = "the labeller returned no answer"
        for key, text_in in distinct.items():
            fresh[key] = answered.get(text_in.id) or LabeledItem(
                id=text_in.id, text=text_in.text, status="failed", error=reason
            )
        if use_cache:
            store.cache.put_many(fresh)
    labelled = [(mid, hits.get(keys[mid]) or fresh[keys[mid]]) for mid, _ in pending]
    store.messages.set_labels(labelled)
    return Summary.of([item for _, item in labelled])


def check_filter(wanted: MessageFilter) -> None:
    """InputError (what to fix) for a filter no message could match by mistake."""
    for name in ("first_day", "last_day"):
        value = getattr(wanted, name)
        if value:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise InputError(f"`{'from' if name == 'first_day' else 'to'}` must be YYYY-MM-DD") from exc
    if wanted.first_day and wanted.last_day and wanted.first_day > wanted.last_day:
        raise InputError("`from` is after `to`")
    if wanted.label and wanted.label not in (*LABELS, "failed", "pending"):
        raise InputError("`label` must be positive, negative, neutral, failed or pending")
    if wanted.aspect and wanted.aspect not in ASPECTS:
        raise InputError(f"`aspect` must be one of {', '.join(ASPECTS)}")
    if wanted.role and wanted.role not in ("customer", "agent"):
        raise InputError("`role` must be customer or agent")
    if not 1 <= wanted.limit <= 1000:
        raise InputError("`limit` must be between 1 and 1000")
