"""The review queue: conversations flagged for a human look.

Rules:
- A judged conversation whose verdict says `flag` opens a review, one per conversation (its
  platform thread, or a pasted transcript's own turns). Judging it again updates that review;
  a thread that went on reopens a resolved one. The very same transcript pasted again says
  nothing new: a resolved review stays resolved. A verdict that no longer flags leaves the
  review as it is: a human closes it.
- A review goes open → resolved (reviewer, note, and the right label when the bot was wrong) →
  reopened, and every change is kept as an event (its history).
- A newly opened review is announced to SENTIBOT_REVIEW_TARGETS (not again when refreshed),
  except where the conversation itself was answered.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.errors import Conflict, InputError, NotFound
from bot.notify import Notifiers, Target, announce_review
from domain.models import LABELS, ConversationVerdict
from domain.replies import Reply
from storage import ReviewNotFound, ReviewStateError, Store


class ReviewRef(BaseModel):
    """The review a judged conversation has: `created` when this very judgement opened it."""

    id: int
    created: bool
    status: str


class Reviews:
    def __init__(self, *, store: Store, notifiers: Notifiers, targets: list[Target]) -> None:
        self._store = store
        self._notifiers = notifiers
        self._targets = targets

    # -- the flag rule ------------------------------------------------------------------------

    def of_conversation(self, key: str) -> ReviewRef | None:
        found = self._store.reviews.by_thread(key)
        return ReviewRef(id=found["id"], created=False, status=found["status"]) if found else None

    def flag(
        self,
        *,
        key: str,
        verdict: ConversationVerdict,
        run_id: str,
        platform: str,
        channel: str | None,
        title: str,
        permalink: str | None,
        from_thread: bool,
    ) -> ReviewRef | None:
        """Apply the flag rule (module docstring) to a conversation's new verdict."""
        existing = self._store.reviews.by_thread(key)
        unchanged = not from_thread and existing and existing["status"] == "resolved"
        if not verdict.flagged or unchanged:
            return (
                ReviewRef(id=existing["id"], created=False, status=existing["status"]) if existing else None
            )
        review, created = self._store.reviews.upsert_flag(
            thread_key=key,
            run_id=run_id,
            platform=platform,
            channel=channel,
            title=title,
            reason=verdict.reason,
            label=verdict.label,
            agent_issues=verdict.agent_issues,
            permalink=permalink,
        )
        return ReviewRef(id=review["id"], created=created, status=review["status"])

    async def announce(self, reply: Reply, *, created: bool, origin: Target | None) -> None:
        """Announce a newly opened review (never raises; failures are logged)."""
        if created and self._targets:
            await announce_review(
                reply=reply, created=True, targets=self._targets, notifiers=self._notifiers, origin=origin
            )

    # -- the queue ----------------------------------------------------------------------------

    def list(self, *, status: str | None = "open", limit: int = 100) -> list[dict[str, Any]]:
        if status not in (None, "open", "resolved"):
            raise InputError("status must be open or resolved")
        return self._store.reviews.list(status=status, limit=limit)

    def get(self, review_id: int) -> dict[str, Any]:
        """One review with its history (`events`)."""
        try:
            return self._store.reviews.get(review_id)
        except ReviewNotFound as exc:
            raise NotFound(str(exc)) from exc

    def resolve(
        self, review_id: int, *, reviewer: str, note: str = "", label: str | None = None
    ) -> dict[str, Any]:
        if not reviewer.strip():
            raise InputError("reviewer is required: say who reviewed it")
        if label is not None and label not in LABELS:
            raise InputError(f"label must be one of {', '.join(LABELS)}")
        try:
            return self._store.reviews.resolve(review_id, reviewer=reviewer.strip(), note=note, label=label)
        except ReviewNotFound as exc:
            raise NotFound(str(exc)) from exc
        except ReviewStateError as exc:
            raise Conflict(str(exc)) from exc

    def reopen(self, review_id: int, *, actor: str, note: str = "") -> dict[str, Any]:
        if not actor.strip():
            raise InputError("reviewer is required: say who reopens it")
        try:
            return self._store.reviews.reopen(review_id, actor=actor.strip(), note=note)
        except ReviewNotFound as exc:
            raise NotFound(str(exc)) from exc
        except ReviewStateError as exc:
            raise Conflict(str(exc)) from exc
