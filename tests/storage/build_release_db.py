"""Build a database with the storage code of an earlier release (run in a subprocess).

    python tests/storage/build_release_db.py CODE_DIR DB_PATH

CODE_DIR holds `storage/` and `domain/` as `git archive <release commit>` wrote them; they are
imported instead of today's, so the file is exactly what that release made. Only the public
repository API of that release is used. What it stores (checked after the upgrade by
tests/storage/test_migrations.py):

- run A: a list of three comments (one repeated) in #support, labelled; run B: the same list
  pasted again the same day, its third item failed;
- a pasted transcript judged twice (the first analysis superseded), flagged: a review that was
  resolved with a corrected label;
- a label cache entry, a chart, a digest delivery sent and one failed, a processed event.
"""

from __future__ import annotations

import sys

CODE, DB = sys.argv[1], sys.argv[2]
sys.path.insert(0, CODE)

from domain.models import ConversationVerdict, LabeledItem  # noqa: E402
from storage import Store  # noqa: E402

assert Store.__module__ == "storage" and CODE in sys.modules["storage"].__file__, "wrong storage imported"

store = Store(DB)
texts = ["物流太慢了", "great service", "物流太慢了"]


def list_run(run_id: str, labels: list[str | None]) -> None:
    store.runs.create(
        run_id=run_id,
        source="web",
        kind="list",
        lang="zh",
        channel="support",
        thread_key=None,
        labeler="offline",
        model=None,
        prompt_version=None,
        day="2026-11-20",
        items=[LabeledItem(id=i + 1, text=t, clean_text=t) for i, t in enumerate(texts)],
    )
    store.runs.save_results(
        run_id,
        [
            LabeledItem(id=i + 1, text=t, label=label, confidence=0.9, keywords=["物流"])  # type: ignore[arg-type]
            if label
            else LabeledItem(id=i + 1, text=t, status="failed", error="model server unreachable")
            for i, (t, label) in enumerate(zip(texts, labels, strict=True))
        ],
    )
    store.runs.finish(run_id, status="done", explanation="mostly negative")


list_run("runA", ["negative", "positive", "negative"])
list_run("runB", ["negative", "positive", None])

turns = [("customer", "where is my parcel"), ("agent", "checking"), ("customer", "still nothing, awful")]
for run_id in ("convA", "convB"):
    store.runs.create(
        run_id=run_id,
        source="slack",
        kind="conversation",
        lang="en",
        channel="C1",
        thread_key="C1:1.2",
        conversation_key="C1:1.2",
        labeler="offline",
        model=None,
        prompt_version=None,
        day="2026-11-21",
        items=[LabeledItem(id=i + 1, text=t, role=r, author=r) for i, (r, t) in enumerate(turns)],  # type: ignore[arg-type]
    )
    store.runs.save_results(
        run_id,
        [
            LabeledItem(
                id=i + 1,
                text=t,
                label="negative" if r == "customer" else "neutral",
                confidence=0.8,
                role=r,
                author=r,
            )  # type: ignore[arg-type]
            for i, (r, t) in enumerate(turns)
        ],
    )
    verdict = ConversationVerdict(label="negative", resolved=False, flagged=True, reason="customer angry")
    store.runs.finish(run_id, status="done", conversation=verdict)
    store.runs.supersede_conversation("C1:1.2", latest_run_id=run_id)
review, _ = store.reviews.upsert_flag(
    thread_key="C1:1.2",
    run_id="convB",
    platform="slack",
    channel="C1",
    title="where is my parcel",
    reason="customer angry",
    label="negative",
    agent_issues=["slow"],
)
store.reviews.resolve(review["id"], reviewer="lead", note="agent was slow", label="negative")

store.cache.put_many(
    {
        "k1": LabeledItem(
            id=1,
            text="x",
            label="positive",
            confidence=0.7,
            labeler="qwen3:m",
            model="m",
            prompt_version="label-v2",
        )
    }
)
store.charts.save(b"\x89PNG fake", kind="stats")
assert store.digests.claim(date="2026-11-20", target="web", worker="w1")
store.digests.mark_sent(date="2026-11-20", target="web")
assert store.digests.claim(date="2026-11-20", target="slack:C1", worker="w1")
store.digests.mark_failed(date="2026-11-20", target="slack:C1", error="channel_not_found")
store.events.claim("slack:Ev1")
store.close()
