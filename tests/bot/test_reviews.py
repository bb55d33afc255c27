"""The review queue's rules (bot/reviews.py): one review per conversation, the flag rule, the
open → resolved → reopened life with its history, and announcements of new flags only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import Conflict, InputError, NotFound
from bot.notify import Notifiers, Target
from bot.reviews import ReviewRef, Reviews
from domain.models import ConversationVerdict
from domain.replies import Reply
from storage import Store

FLAGGED = ConversationVerdict(label="negative", resolved=False, flagged=True, reason="still angry")
CALM = ConversationVerdict(label="positive", resolved=True, flagged=False, reason="happy")


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, *, target: Target, reply: Reply, chart_png: bytes | None) -> None:
        self.sent.append((str(target), reply.title))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "r.db")
    yield store
    store.close()


def queue(store: Store, recorder: Recorder | None = None) -> Reviews:
    notifiers = Notifiers()
    if recorder:
        notifiers.register("slack", recorder)
    return Reviews(store=store, notifiers=notifiers, targets=[Target("slack", "C0REVIEW")])


def flag(
    reviews: Reviews, verdict: ConversationVerdict, *, key: str = "k1", from_thread: bool = False
) -> ReviewRef | None:
    return reviews.flag(
        key=key,
        verdict=verdict,
        run_id="run1",
        platform="slack",
        channel="C0SUPPORT",
        title="Parcel late",
        permalink=None,
        from_thread=from_thread,
    )


def test_one_review_per_conversation_and_calm_verdicts_open_none(store: Store) -> None:
    reviews = queue(store)
    assert flag(reviews, CALM) is None
    first = flag(reviews, FLAGGED)
    again = flag(reviews, FLAGGED)
    assert first is not None and first.created and first.status == "open"
    assert again is not None and not again.created and again.id == first.id
    assert len(reviews.list(status="open")) == 1
    # No longer flagged: the review stays as it is, a human closes it.
    calm = flag(reviews, CALM)
    assert calm is not None and calm.status == "open"


def test_resolved_stays_resolved_for_the_same_transcript_but_a_thread_reopens(store: Store) -> None:
    reviews = queue(store)
    ref = flag(reviews, FLAGGED)
    assert ref is not None
    resolved = reviews.resolve(ref.id, reviewer=" anna ", note="called back", label="neutral")
    assert resolved["status"] == "resolved" and resolved["resolved_by"] == "anna"
    pasted_again = flag(reviews, FLAGGED)
    assert pasted_again is not None and pasted_again.status == "resolved"
    thread_went_on = flag(reviews, FLAGGED, from_thread=True)
    assert thread_went_on is not None and thread_went_on.status == "open"
    actions = [event["action"] for event in reviews.get(ref.id)["events"]]
    assert actions[0] == "flagged" and actions[1] == "resolved" and len(actions) == 3


def test_bad_requests_say_what_to_fix(store: Store) -> None:
    reviews = queue(store)
    ref = flag(reviews, FLAGGED)
    assert ref is not None
    with pytest.raises(InputError, match="reviewer is required"):
        reviews.resolve(ref.id, reviewer="  ")
    with pytest.raises(InputError, match="label must be one of"):
        reviews.resolve(ref.id, reviewer="anna", label="angry")
    with pytest.raises(NotFound):
        reviews.get(999)
    with pytest.raises(InputError, match="status must be"):
        reviews.list(status="closed")
    reviews.resolve(ref.id, reviewer="anna")
    with pytest.raises(Conflict):
        reviews.resolve(ref.id, reviewer="bo")
    assert reviews.reopen(ref.id, actor="bo", note="not done")["status"] == "open"
    with pytest.raises(Conflict):
        reviews.reopen(ref.id, actor="bo")


async def test_only_new_flags_are_announced_and_not_where_answered(store: Store) -> None:
    recorder = Recorder()
    reviews = queue(store, recorder)
    reply = Reply(kind="conversation", lang="en", title="🚩 Customer felt negative", review_id=1)
    await reviews.announce(reply, created=False, origin=None)
    assert recorder.sent == []
    await reviews.announce(reply, created=True, origin=Target("slack", "C0REVIEW"))
    assert recorder.sent == []  # the conversation was answered right there
    await reviews.announce(reply, created=True, origin=Target("slack", "C0SUPPORT"))
    assert recorder.sent == [("slack:C0REVIEW", "🚩 New conversation to review #1")]
