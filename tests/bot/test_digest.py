"""Daily digest: exact numbers from a seeded database, the alert boundary, themes, rendering."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.config import Settings
from bot.digest import (
    build_digest,
    digest_json,
    digest_reply,
    group_themes,
    normalise_keyword,
    today_digest_reply,
)
from domain.messages import NewMessage
from domain.models import LabeledItem
from storage import Store

TZ = ZoneInfo("Asia/Shanghai")
D = date(2024, 5, 10)  # a Friday


def seed(
    store: Store,
    *,
    day: date,
    channel: str | None,
    labels: list[str | tuple[str, list[str]]],
    failed: int = 0,
    labeler: str = "offline",
    prompt_version: str | None = None,
    lang: str = "en",
) -> str:
    """One stored run of labelled items on a local day; `labels` entries are a label or
    (label, keywords)."""
    run_id = uuid.uuid4().hex[:12]
    total = len(labels) + failed
    store.runs.create(
        run_id=run_id,
        source="test",
        kind="list",
        lang=lang,
        channel=channel,
        thread_key=None,
        labeler=labeler,
        model=None,
        prompt_version=prompt_version,
        day=day.isoformat(),
        items=[LabeledItem(id=i + 1, text=f"comment {i + 1}") for i in range(total)],
    )
    # The run's items are messages written at noon that day (labels reach them from the items).
    added = store.messages.add(
        [
            NewMessage(
                source="test",
                external_id=f"{run_id}-{i}",
                text=f"comment {i + 1}",
                channel=channel,
                created_at=at(day, 12),
            )
            for i in range(total)
        ]
    )
    store.messages.link_run(run_id, {i + 1: a.id for i, a in enumerate(added)})
    labelled = []
    for i, entry in enumerate(labels):
        label, keywords = (entry, []) if isinstance(entry, str) else entry
        labelled.append(
            LabeledItem(id=i + 1, text=f"comment {i + 1}", label=label, confidence=0.9, keywords=keywords)
        )
    for i in range(len(labels), total):
        labelled.append(LabeledItem(id=i + 1, text=f"comment {i + 1}", status="failed", error="boom"))
    store.runs.save_results(run_id, labelled)
    return run_id


def flag(store: Store, *, key: str, channel: str | None, label: str = "negative", run_id: str = "") -> int:
    review, created = store.reviews.upsert_flag(
        thread_key=key,
        run_id=run_id,
        platform="slack",
        channel=channel,
        title=f"thread {key}",
        reason="customer left angry",
        label=label,
        agent_issues=["slow"],
    )
    assert created
    return int(review["id"])


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "digest.db")
    yield s
    s.close()


def make_settings(tmp_path: Path, ratio: float = 0.30) -> Settings:
    return Settings(db=tmp_path / "digest.db", negative_alert_ratio=ratio, timezone="Asia/Shanghai")


def seed_reference_week(store: Store, *, with_later_review: bool = True) -> None:
    """
    D-7 … D-2  support: 6 positive, 2 neutral, 2 negative a day
    D-1        support: 5 pos, 3 neu, 2 neg        shop: 8 pos, 2 neu
    D          support: 3 pos, 3 neu, 4 neg (40%)   shop: 6 pos, 2 neu, 2 neg, 1 failed
               total D: 9 pos, 5 neu, 6 neg of 20 labelled = exactly 30% negative
    Reviews: #1 support opened D 10:00 (open), #2 shop opened D 15:00 (resolved),
             #3 support opened D-2 09:00 (open), #4 support opened D+1 08:00 (after the day).
    """
    for k in range(2, 8):
        seed(
            store,
            day=D - timedelta(days=k),
            channel="support",
            labels=["positive"] * 6 + ["neutral"] * 2 + ["negative"] * 2,
        )
    seed(
        store,
        day=D - timedelta(days=1),
        channel="support",
        labels=["positive"] * 5 + ["neutral"] * 3 + ["negative"] * 2,
    )
    seed(store, day=D - timedelta(days=1), channel="shop", labels=["positive"] * 8 + ["neutral"] * 2)
    seed(
        store,
        day=D,
        channel="support",
        labels=[
            "positive",
            "positive",
            "positive",
            "neutral",
            "neutral",
            "neutral",
            ("negative", ["物流慢"]),
            ("negative", ["物流", "客服"]),
            ("negative", [" 物流 ", "Delivery"]),
            ("negative", ["late  delivery"]),
        ],
    )
    seed(
        store,
        day=D,
        channel="shop",
        labels=["positive"] * 6
        + ["neutral"] * 2
        + [("negative", ["DELIVERY!"]), ("negative", ["客服态度差"])],
        failed=1,
    )
    with time_machine.travel(at(D - timedelta(days=2), 9), tick=False):
        flag(store, key="t3", channel="support")
    with time_machine.travel(at(D, 10), tick=False):
        flag(store, key="t1", channel="support")
    with time_machine.travel(at(D, 15), tick=False):
        second = flag(store, key="t2", channel="shop")
        store.reviews.resolve(second, reviewer="lead", note="ok", label=None)
    if with_later_review:
        with time_machine.travel(at(D + timedelta(days=1), 8), tick=False):
            flag(store, key="t4", channel="support")


@pytest.fixture
def seeded(store: Store) -> Store:
    seed_reference_week(store)
    return store


async def digest_of(
    store: Store, tmp_path: Path, *, ratio: float = 0.30, lang: str = "en", chart: bool = False
):
    return await build_digest(
        store,
        day=D,
        settings=make_settings(tmp_path, ratio),
        lang=lang,  # type: ignore[arg-type]
        chart=chart,
        now=at(D + timedelta(days=1), 9),
    )


async def test_total_numbers_shares_and_deltas(seeded: Store, tmp_path: Path) -> None:
    digest = await digest_of(seeded, tmp_path)
    t = digest.total
    assert not digest.empty and not digest.partial
    assert (t.counts.positive, t.counts.neutral, t.counts.negative, t.counts.failed, t.counts.total) == (
        9,
        5,
        6,
        1,
        21,
    )
    assert t.labelled == 20
    assert t.shares == pytest.approx({"positive": 0.45, "neutral": 0.25, "negative": 0.30})
    # The day before: 13 pos, 5 neu, 2 neg of 20.
    assert t.delta_day_before_pp == pytest.approx({"positive": -20.0, "neutral": 0.0, "negative": 20.0})
    # Previous 7 days pooled: 49 pos, 17 neu, 14 neg of 80.
    assert (t.week.positive, t.week.neutral, t.week.negative) == (49, 17, 14)
    assert t.delta_week_pp == pytest.approx({"positive": -16.25, "neutral": 3.75, "negative": 12.5})
    assert t.week_avg_labelled == pytest.approx(11.43)
    assert t.volume_delta_day_before == 0 and t.volume_delta_day_before_pct == 0
    assert t.volume_vs_week_pct == pytest.approx(75.0)  # 20 vs 80/7 a day


async def test_per_channel_sections(seeded: Store, tmp_path: Path) -> None:
    digest = await digest_of(seeded, tmp_path)
    assert [s.channel for s in digest.channels] == ["shop", "support"]  # by volume (11, 10)
    shop, support = digest.channels
    assert (support.counts.positive, support.counts.neutral, support.counts.negative) == (3, 3, 4)
    assert support.shares["negative"] == pytest.approx(0.4)
    assert support.delta_day_before_pp == pytest.approx({"positive": -20.0, "neutral": 0.0, "negative": 20.0})
    assert (shop.counts.negative, shop.counts.failed, shop.labelled) == (2, 1, 10)
    assert shop.delta_day_before_pp["negative"] == pytest.approx(20.0)
    # shop had no data before D-1, so its 7-day pool is that one day.
    assert shop.week_avg_labelled == pytest.approx(10 / 7, abs=0.01)
    assert [th.keyword for th in support.themes] == ["物流", "delivery", "客服"]
    assert [th.count for th in support.themes] == [3, 2, 1]


async def test_alert_threshold_boundary(seeded: Store, tmp_path: Path) -> None:
    # Total is exactly 6/20 = 30%: at 0.30 it does NOT alert; support (40%) does.
    at_boundary = await digest_of(seeded, tmp_path, ratio=0.30)
    assert at_boundary.total.alert is False
    assert {s.channel: s.alert for s in at_boundary.channels} == {"shop": False, "support": True}
    assert at_boundary.alert is True
    below = await digest_of(seeded, tmp_path, ratio=0.29)
    assert below.total.alert is True
    above = await digest_of(seeded, tmp_path, ratio=0.40)  # support is exactly 40%: no alert
    assert above.alert is False
    assert digest_reply(above).title.startswith("📊")
    assert not any("🚨" in line for line in digest_reply(above).lines)


async def test_themes_grouped(seeded: Store, tmp_path: Path) -> None:
    digest = await digest_of(seeded, tmp_path)
    themes = [(th.keyword, th.count, th.variants) for th in digest.total.themes]
    assert themes == [
        ("delivery", 3, ["late delivery"]),
        ("物流", 3, ["物流慢"]),
        ("客服", 2, ["客服态度差"]),
    ]


def test_theme_rules() -> None:
    assert normalise_keyword("  Ｄelivery\u3000 Late ") == "delivery late"
    assert normalise_keyword("“物流”") == "物流"
    # One CJK character never swallows longer keywords; short latin words don't either.
    themes = group_themes([["慢"], ["物流慢"], ["ux"], ["ux bug"]])
    assert {th.keyword for th in themes} == {"慢", "物流慢", "ux", "ux bug"}
    # Each item counts once per theme even when it names two spellings.
    assert group_themes([["物流", "物流慢"]])[0].count == 1


async def test_reviews_opened_and_open(seeded: Store, tmp_path: Path) -> None:
    digest = await digest_of(seeded, tmp_path)
    r = digest.total.reviews
    assert r is not None
    assert (r.opened, r.opened_still_open, r.open) == (2, 1, 2)
    assert r.oldest_open_hours == pytest.approx(72.0)  # #3, opened D-2 09:00, now D+1 09:00
    by_channel = {s.channel: s.reviews for s in digest.channels}
    assert by_channel["support"] is not None and by_channel["support"].open == 2
    assert by_channel["shop"] is not None and (by_channel["shop"].opened, by_channel["shop"].open) == (1, 0)


async def test_reply_english(seeded: Store, tmp_path: Path) -> None:
    reply = digest_reply(await digest_of(seeded, tmp_path), public_url="http://bot.example")
    assert reply.kind == "digest"
    assert reply.title.startswith("🚨 Daily digest · 2024-05-10 (Fri)")
    text = reply.text.splitlines()
    assert text[1] == "🚨 #support: negative share 40% (4 of 10) is above 30%"
    assert (
        "📨 20 messages labelled (+1 failed) · ±0 (+0%) vs the day before"
        " · +75% vs the 7-day average (11.43/day)" in text
    )
    assert "🟢 positive 9 (45%) · ⚪ neutral 5 (25%) · 🔴 negative 6 (30%) · ⚠️ failed 1" in text
    assert "vs the day before: 🟢 ▼20.0 pp · ⚪ ±0.0 pp · 🔴 ▲20.0 pp" in text
    assert "vs the 7-day average: 🟢 ▼16.2 pp · ⚪ ▲3.8 pp · 🔴 ▲12.5 pp" in text
    assert (
        "Top negative themes: delivery ×3 (late delivery) · 物流 ×3 (物流慢) · 客服 ×2 (客服态度差)" in text
    )
    assert (
        "🚩 Reviews: 2 flagged that day (1 still open) · 2 open in the queue, oldest waiting 3 days" in text
    )
    assert (
        "🚨 #support · 10 msgs · 🔴 40% (▲20.0 pp vs the day before)"
        " · themes: 物流, delivery, 客服 · 🚩 2 open reviews" in text
    )
    assert reply.link == "http://bot.example/digests/2024-05-10"


async def test_reply_chinese_alert_first(seeded: Store, tmp_path: Path) -> None:
    reply = digest_reply(await digest_of(seeded, tmp_path, ratio=0.25, lang="zh"))
    assert reply.lang == "zh"
    assert reply.title.startswith("🚨 日报 · 2024-05-10（周五）")
    assert reply.lines[0] == "🚨 负面占比 30%（20 条中 6 条），超过告警阈值 25%"
    assert reply.lines[1].startswith("🚨 #support：负面占比 40%")
    assert "较前一天：🟢 ▼20.0 个百分点 · ⚪ ±0.0 个百分点 · 🔴 ▲20.0 个百分点" in reply.lines
    assert any(line.startswith("负面主题：delivery ×3") for line in reply.lines)


async def test_json(seeded: Store, tmp_path: Path) -> None:
    data = digest_json(await digest_of(seeded, tmp_path), public_url="http://bot.example")
    assert data["date"] == "2024-05-10" and data["alert"] is True and data["empty"] is False
    assert data["total"]["counts"] == {"total": 21, "positive": 9, "negative": 6, "neutral": 5, "failed": 1}
    assert data["total"]["shares"]["negative"] == 0.3
    assert data["total"]["day_before"]["delta_pp"]["negative"] == 20.0
    assert [c["channel"] for c in data["channels"]] == ["shop", "support"]
    assert len(data["trend"]) == 7 and data["trend"][-1]["day"] == "2024-05-10"


async def test_empty_day_says_so(seeded: Store, tmp_path: Path) -> None:
    empty_day = D + timedelta(days=3)
    digest = await build_digest(
        seeded, day=empty_day, settings=make_settings(tmp_path), lang="en", chart=True, now=at(empty_day, 23)
    )
    assert digest.empty and digest.total.counts.total == 0 and digest.channels == []
    assert digest.chart_id is not None  # D is inside the 7-day window: the trend is still drawn
    reply = digest_reply(digest)
    assert reply.kind == "digest" and not digest.alert
    assert reply.lines == [
        "Nothing was labelled on 2024-05-13 so far.",
        "🚩 Reviews: 0 flagged today (0 still open) · 3 open in the queue, oldest waiting 6 days",
    ]


async def test_empty_database(store: Store, tmp_path: Path) -> None:
    digest = await build_digest(
        store, day=D, settings=make_settings(tmp_path), lang="zh", now=at(D + timedelta(days=1), 9)
    )
    reply = digest_reply(digest)
    assert digest.empty and digest.chart_id is None
    assert reply.lines == ["2024-05-10 没有标注任何消息。"]


async def test_chart_saved(seeded: Store, tmp_path: Path) -> None:
    digest = await digest_of(seeded, tmp_path, chart=True)
    assert digest.chart_id
    png = seeded.charts.get(digest.chart_id)
    assert png is not None and png.startswith(b"\x89PNG")
    assert [m.day for m in digest.trend] == [D - timedelta(days=k) for k in range(6, -1, -1)]
    assert (digest.trend[-1].negative, digest.trend[-1].failed) == (6, 1)


async def test_no_channel_data_shows_total_only(store: Store, tmp_path: Path) -> None:
    seed(store, day=D, channel=None, labels=["positive", "negative"])
    digest = await digest_of(store, tmp_path)
    assert digest.channels == []
    assert digest.total.counts.total == 2


async def test_today_so_far(seeded: Store, tmp_path: Path) -> None:
    with time_machine.travel(at(D, 14, 32), tick=False):
        reply = await today_digest_reply(seeded, settings=make_settings(tmp_path), lang="en")
    assert reply.kind == "digest"
    assert "Today so far (until 14:32) · 2024-05-10" in reply.title
    assert reply.chart_id  # the in-chat digest carries the 7-day chart


async def test_themes_sampled_on_a_busy_day(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond THEME_SAMPLE negatives a day, an even sample is read and the counts scaled up."""
    monkeypatch.setattr("bot.digest.themes.THEME_SAMPLE", 2)
    seed(store, day=D, channel=None, labels=[("negative", ["物流"])] * 6 + ["positive"] * 4)
    digest = await digest_of(store, tmp_path)
    (theme,) = digest.total.themes
    assert (theme.keyword, theme.count, theme.estimated, theme.share) == ("物流", 6, True, 1.0)
    assert "Top negative themes: 物流 ≈6" in digest_reply(digest).lines


def test_themes_leave_out_keywords_that_name_no_topic() -> None:
    themes = group_themes(
        [["没有", "物流太慢"], ["都不", "物流"], ["not", "refund"], ["Refund "], ["太慢了"]]
    )
    assert [(t.keyword, t.count) for t in themes] == [("refund", 2), ("物流", 2), ("太慢了", 1)]


async def test_negatives_by_aspect_with_counts_and_an_example(store: Store, tmp_path: Path) -> None:
    texts = [
        ("negative", ["delivery"], 0.95, "The parcel is a week late and nobody answers"),
        ("negative", ["delivery"], 0.70, "late again"),
        ("negative", ["billing", "delivery"], 0.80, "Refund still not paid for the lost parcel"),
        ("negative", [], 0.60, "meh"),
        ("positive", ["delivery"], 0.90, "fast delivery, thanks"),
    ]
    added = store.messages.add(
        [
            NewMessage(source="web", external_id=str(i), text=text, channel="chat", created_at=at(D, 10 + i))
            for i, (_, _, _, text) in enumerate(texts)
        ]
    )
    store.messages.set_labels(
        [
            (a.id, LabeledItem(id=i + 1, text=t, label=label, confidence=c, aspects=aspects))  # type: ignore[arg-type]
            for i, (a, (label, aspects, c, t)) in enumerate(zip(added, texts, strict=True))
        ]
    )
    digest = await build_digest(store, day=D, settings=make_settings(tmp_path), lang="en", chart=False)
    assert [(a.aspect, a.count) for a in digest.total.aspects] == [("delivery", 3), ("billing", 1)]
    assert digest.total.aspects[0].example == "The parcel is a week late and nobody answers"  # most sure
    english = "\n".join(digest_reply(digest, public_url="").lines)
    assert "Negatives were about: delivery 3 (75%, e.g. “The parcel is a week late" in english
    zh = await build_digest(store, day=D, settings=make_settings(tmp_path), lang="zh", chart=False)
    chinese = "\n".join(digest_reply(zh, public_url="").lines)
    assert "负面集中在：物流 3 条（75%，如“The parcel" in chinese
    assert digest_json(digest)["total"]["aspects"][1]["aspect"] == "billing"
