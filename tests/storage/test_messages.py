"""Messages: stored once by identity, labelled, searched with filters and a cursor, counted per day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.messages import MessageFilter, NewMessage
from domain.models import LabeledItem
from storage import Store
from storage.messages import BadCursor

T = datetime(2026, 11, 28, 2, 5, tzinfo=UTC)  # 10:05 on 28 Nov in Shanghai


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "m.db", timezone="Asia/Shanghai")
    yield s
    s.close()


def msg(text: str, **kw: object) -> NewMessage:
    return NewMessage(**{"source": "zendesk", "text": text, "created_at": T, **kw})  # type: ignore[arg-type]


def ok(label: str, *aspects: str, confidence: float = 0.9) -> LabeledItem:
    return LabeledItem(id=0, text="", label=label, confidence=confidence, aspects=list(aspects))  # type: ignore[arg-type]


def test_the_same_external_id_is_one_message_even_with_other_text(store: Store) -> None:
    first = store.messages.add([msg("slow delivery", external_id="7")])
    again = store.messages.add([msg("slow delivery (edited)", external_id="7"), msg("x", external_id="8")])
    assert first[0].created and not again[0].created and again[1].created
    assert again[0].id == first[0].id
    assert store.messages.get(first[0].id).text == "slow delivery"  # type: ignore[union-attr]
    assert store.messages.add([msg("slow", external_id="7", source="freshdesk")])[0].created


def test_without_an_id_the_full_tuple_decides(store: Store) -> None:
    a = msg("hi", channel="c", conversation_id="t1", author="ann")
    assert store.messages.add([a, a])[0].created
    assert [x.created for x in store.messages.add([a, a.model_copy(update={"author": "bob"})])] == [
        False,
        True,
    ]


def test_a_pasted_list_is_its_kth_line_per_channel_and_day(store: Store) -> None:
    paste = [msg("bad", paste_occurrence=1), msg("bad", paste_occurrence=2), msg("good", paste_occurrence=1)]
    assert [a.created for a in store.messages.add(paste)] == [True, True, True]
    # Pasted again the same day (later): nothing new. Another channel or another day: new.
    later = [m.model_copy(update={"created_at": T.replace(hour=9)}) for m in paste]
    assert [a.created for a in store.messages.add(later)] == [False, False, False]
    assert store.messages.add([paste[0].model_copy(update={"channel": "other"})])[0].created
    next_day = T.replace(hour=17)  # 01:05 on 29 Nov in Shanghai
    assert store.messages.add([paste[0].model_copy(update={"created_at": next_day})])[0].created


def test_labels_land_and_a_failure_never_replaces_a_label(store: Store) -> None:
    (a,) = store.messages.add([msg("late parcel")])
    store.messages.set_labels([(a.id, ok("negative", "delivery"))])
    store.messages.set_labels([(a.id, LabeledItem(id=0, text="", status="failed", error="model down"))])
    got = store.messages.get(a.id)
    assert got and got.status == "ok" and got.label == "negative" and got.aspects == ["delivery"]
    (b,) = store.messages.add([msg("other")])
    store.messages.set_labels([(b.id, LabeledItem(id=0, text="", status="failed", error="model down"))])
    failed = store.messages.get(b.id)
    assert failed and failed.status == "failed" and failed.error == "model down" and failed.label is None


def test_counts_per_day_follow_inserts_and_relabels(store: Store) -> None:
    ids = [
        a.id for a in store.messages.add([msg(f"m{i}", external_id=str(i), channel="c") for i in range(4)])
    ]
    store.messages.set_labels([(ids[0], ok("negative", "delivery", "service")), (ids[1], ok("positive"))])
    store.messages.set_labels([(ids[2], LabeledItem(id=0, text="", status="failed", error="x"))])

    def mix() -> dict[str, int]:
        rows = store.messages.daily_counts(first_day="2026-11-28", last_day="2026-11-28")
        return {r["bucket"]: r["n"] for r in rows}

    assert mix() == {"negative": 1, "positive": 1, "failed": 1, "pending": 1}
    store.messages.set_labels([(ids[0], ok("neutral", "delivery"))])  # relabelled
    assert mix() == {"neutral": 1, "positive": 1, "failed": 1, "pending": 1}
    aspects = store.messages.aspect_counts(first_day="2026-11-01", last_day="2026-11-30")
    assert [(r["aspect"], r["bucket"], r["n"]) for r in aspects] == [("delivery", "neutral", 1)]
    # The stats view leaves out what is still waiting for a label.
    stats = store.stats.daily_counts(first_day="2026-11-28", last_day="2026-11-28")
    assert sorted(((r["label"], r["status"], r["n"]) for r in stats), key=str) == sorted(
        [(None, "failed", 1), ("neutral", "ok", 1), ("positive", "ok", 1)], key=str
    )


def test_days_are_counted_in_the_configured_zone_and_recounted_when_it_changes(tmp_path: Path) -> None:
    late = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)  # 01:30 on the 29th in Shanghai
    with_zone = Store(tmp_path / "z.db", timezone="Asia/Shanghai")
    (a,) = with_zone.messages.add([msg("x", created_at=late)])
    assert with_zone.messages.get(a.id).day == "2026-11-29"  # type: ignore[union-attr]
    with_zone.close()
    utc = Store(tmp_path / "z.db", timezone="UTC")
    assert utc.messages.get(a.id).day == "2026-11-28"  # type: ignore[union-attr]
    assert [r["day"] for r in utc.messages.daily_counts(first_day="2026-11-01", last_day="2026-11-30")] == [
        "2026-11-28"
    ]
    utc.close()
    untouched = Store(tmp_path / "z.db")  # no zone given: the file's stays
    assert untouched.database.timezone == "UTC"
    untouched.close()


def test_search_filters_and_pages_with_a_cursor(store: Store) -> None:
    rows = []
    for i in range(7):
        rows.append(
            msg(
                f"parcel {i}" if i % 2 else f"refund {i}",
                external_id=str(i),
                channel="email" if i < 5 else "chat",
                role="customer" if i != 3 else "agent",
                conversation_id="t1" if i < 2 else None,
                created_at=T.replace(minute=i),
            )
        )
    ids = [a.id for a in store.messages.add(rows)]
    store.messages.set_labels([(ids[i], ok("negative", "delivery")) for i in (1, 5)])
    store.messages.set_labels([(ids[6], ok("positive", "billing"))])

    def texts(**kw: object) -> list[str | None]:
        return [m.text for m in store.messages.search(MessageFilter(**kw))[0]]  # type: ignore[arg-type]

    assert texts() == ["refund 6", "parcel 5", "refund 4", "parcel 3", "refund 2", "parcel 1", "refund 0"]
    assert texts(q="PARCEL", channel="email") == ["parcel 3", "parcel 1"]
    assert texts(label="negative", aspect="delivery") == ["parcel 5", "parcel 1"]
    assert texts(label="pending", role="customer", channel="email") == ["refund 4", "refund 2", "refund 0"]
    assert texts(conversation_id="t1") == ["parcel 1", "refund 0"]
    assert texts(first_day="2026-11-29") == []
    assert texts(first_day="2026-11-28", last_day="2026-11-28", aspect="billing") == ["refund 6"]
    assert texts(q="50%") == []  # LIKE wildcards in the query are literal

    seen, cursor = [], None
    while True:
        page, cursor = store.messages.search(MessageFilter(limit=3, cursor=cursor))
        seen += [m.text for m in page]
        if not cursor:
            break
    assert seen == texts()
    with pytest.raises(BadCursor):
        store.messages.search(MessageFilter(cursor="not-a-cursor"))


def test_items_of_a_run_pass_their_labels_to_their_messages(store: Store) -> None:
    store.runs.create(
        run_id="r1",
        source="web",
        kind="list",
        lang="en",
        channel="c",
        thread_key=None,
        labeler="offline",
        model=None,
        prompt_version=None,
        day="2026-11-28",
        items=[LabeledItem(id=1, text="late"), LabeledItem(id=2, text="fine")],
    )
    ids = [a.id for a in store.messages.add([msg("late", external_id="a"), msg("fine", external_id="b")])]
    store.messages.link_run("r1", {1: ids[0], 2: ids[1]})
    store.runs.save_results(
        "r1",
        [
            LabeledItem(id=1, text="late", label="negative", confidence=0.8, aspects=["delivery"]),
            LabeledItem(id=2, text="fine", status="failed", error="timeout"),
        ],
    )
    late, fine = store.messages.by_ids(ids)
    assert (late.label, late.aspects, late.status) == ("negative", ["delivery"], "ok")
    assert (fine.status, fine.error) == ("failed", "timeout")
    assert store.runs.items("r1")[0].aspects == ["delivery"]
