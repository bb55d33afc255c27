"""The review history records changes, not repeats."""

from __future__ import annotations

from pathlib import Path

from storage import Store


def _flag(store: Store, run_id: str, reason: str = "customer still angry", label: str = "negative") -> int:
    review, _ = store.reviews.upsert_flag(
        thread_key="web:t1",
        run_id=run_id,
        platform="web",
        channel=None,
        title="Refund",
        reason=reason,
        label=label,
        agent_issues=[],
    )
    return int(review["id"])


def test_pasting_the_same_conversation_again_adds_no_history_line(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    review_id = _flag(store, "run-1")
    _flag(store, "run-2")
    _flag(store, "run-3")
    review = store.reviews.get(review_id)
    assert [e["action"] for e in review["events"]] == ["flagged"]
    assert review["run_id"] == "run-3"  # still points at the newest analysis


def test_a_changed_verdict_is_recorded(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    review_id = _flag(store, "run-1")
    _flag(store, "run-2", reason="the customer threatens to complain")
    events = store.reviews.get(review_id)["events"]
    assert [e["action"] for e in events] == ["flagged", "updated"]
    assert events[-1]["note"] == "the customer threatens to complain"
