"""One seeded day, the same numbers on every surface: the web page and API, Slack Block Kit,
DingTalk markdown and the CLI; and `sentibot digest --send` delivering exactly once per target
to the Slack and DingTalk stand-ins (a failed target reported, then sent by a later run).

The seeded day D (2024-05-10, Asia/Shanghai), read at D+1 09:30 local:
  D-7 … D-2  support: 6 positive, 2 neutral, 2 negative a day
  D-1        support: 5 pos, 3 neu, 2 neg        shop: 8 pos, 2 neu
  D          support: 3 pos, 3 neu, 4 neg (40%)   shop: 6 pos, 2 neu, 2 neg, 1 failed
             total D: 9 pos, 5 neu, 6 neg of 20 labelled = exactly 30% negative
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters.cli.main import app as cli_app
from adapters.dingtalk.render import render_reply as dingtalk_render
from adapters.slack.render import render_reply as slack_render
from adapters.web.main import create_app
from bot.config import Settings
from bot.digest import build_digest, digest_reply
from domain.messages import NewMessage
from domain.models import LabeledItem
from storage import Store
from tests.bot.test_digest import D, at, seed_reference_week
from tests.standins import dingtalk_server as dt
from tests.standins.dingtalk_server import DingTalkStandin
from tests.standins.slack_server import BOT_TOKEN, StandinSlackServer

runner = CliRunner()
DAY = D.isoformat()
NOW = at(D + timedelta(days=1), 9, 30)  # the morning after: D is "yesterday", and over

# -- the numbers every renderer must show ----------------------------------------------------------

COUNTS = {"positive": 9, "neutral": 5, "negative": 6, "failed": 1, "total": 21}
SHARES = {"positive": "45%", "neutral": "25%", "negative": "30%"}
VS_DAY_BEFORE = {"positive": "▼20.0 pp", "neutral": "±0.0 pp", "negative": "▲20.0 pp"}
VS_WEEK = {"positive": "▼16.2 pp", "neutral": "▲3.8 pp", "negative": "▲12.5 pp"}
THEMES = [("delivery", 3, ["late delivery"]), ("物流", 3, ["物流慢"]), ("客服", 2, ["客服态度差"])]

LINES = [
    "📨 20 messages labelled (+1 failed) · ±0 (+0%) vs the day before"
    " · +75% vs the 7-day average (11.43/day)",
    "🟢 positive 9 (45%) · ⚪ neutral 5 (25%) · 🔴 negative 6 (30%) · ⚠️ failed 1",
    "vs the day before: 🟢 ▼20.0 pp · ⚪ ±0.0 pp · 🔴 ▲20.0 pp",
    "vs the 7-day average: 🟢 ▼16.2 pp · ⚪ ▲3.8 pp · 🔴 ▲12.5 pp",
    "Top negative themes: delivery ×3 (late delivery) · 物流 ×3 (物流慢) · 客服 ×2 (客服态度差)",
]
TOTAL_ALERT = "🚨 Negative share 30% (6 of 20) is above the {pct} alert threshold"
SUPPORT_ALERT = "🚨 #support: negative share 40% (4 of 10) is above {pct}"

# threshold → (total alerts?, support alerts?): 30% of 20 is AT 0.30 (no alert), 40% AT 0.40.
BOUNDARY = [(0.29, True, True), (0.30, False, True), (0.40, False, False)]


def expected_alerts(ratio: float, total: bool, support: bool) -> list[str]:
    pct = f"{ratio:.0%}"
    return [line.format(pct=pct) for line, on in ((TOTAL_ALERT, total), (SUPPORT_ALERT, support)) if on]


# -- set-up ---------------------------------------------------------------------------------------


def seed_day(db: Path) -> None:
    store = Store(db)
    try:
        seed_reference_week(store, with_later_review=False)
    finally:
        store.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "sentibot.db"
    seed_day(path)
    return path


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def settings_for(db: Path, ratio: float) -> Settings:
    return Settings(
        SENTIBOT_DB=str(db),
        SENTIBOT_TIMEZONE="Asia/Shanghai",
        SENTIBOT_NEGATIVE_ALERT_RATIO=str(ratio),
        SENTIBOT_PUBLIC_URL="http://sentibot.test",
    )


def cli_env(db: Path, ratio: float, **extra: str) -> dict[str, str]:
    return {
        "SENTIBOT_DB": str(db),
        "SENTIBOT_TIMEZONE": "Asia/Shanghai",
        "SENTIBOT_NEGATIVE_ALERT_RATIO": str(ratio),
        "SENTIBOT_PUBLIC_URL": "http://sentibot.test",
        **extra,
    }


class PageIds(HTMLParser):
    """Text inside each element carrying a `data-testid` (nested ones included), whitespace collapsed."""

    VOID = frozenset({"img", "br", "hr", "input", "meta", "link", "source", "wbr"})

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._text: dict[int, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        testid = dict(attrs).get("data-testid")
        if tag in self.VOID:
            if testid:
                self.found.setdefault(testid, []).append("")
            return
        self._open.append((tag, testid))
        self._text[len(self._open) - 1] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self._open:
            return
        while self._open:
            depth = len(self._open) - 1
            open_tag, testid = self._open.pop()
            text = self._text.pop(depth, [])
            if testid:
                self.found.setdefault(testid, []).append(" ".join("".join(text).split()))
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for depth, (_tag, testid) in enumerate(self._open):
            if testid:
                self._text[depth].append(data)

    def one(self, testid: str) -> str:
        values = self.found.get(testid)
        assert values and len(values) == 1, f"{testid}: {values}"
        return values[0]


def _section_html(html: str, testid: str) -> str:
    """The HTML of one `<section data-testid=…>` of the digest page."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def _unescape_dingtalk(markdown: str) -> list[str]:
    """DingTalk markdown back to the plain lines (escapes and hard breaks removed)."""
    text = re.sub(r"\\(.)", r"\1", markdown)
    return [line.rstrip() for line in text.replace("  \n", "\n").splitlines()]


# -- the same numbers everywhere ------------------------------------------------------------------


@pytest.mark.parametrize(("ratio", "total_alert", "support_alert"), BOUNDARY)
def test_every_surface_shows_the_same_numbers(
    db: Path, frozen: None, ratio: float, total_alert: bool, support_alert: bool
) -> None:
    alerts = expected_alerts(ratio, total_alert, support_alert)
    settings = settings_for(db, ratio)

    # -- web: the page and the API of the real app ------------------------------------------------
    web = create_app(settings)
    try:
        with TestClient(web) as http:
            redirect = http.get("/digests", follow_redirects=False)
            assert redirect.status_code == 302 and redirect.headers["location"] == f"/digests/{DAY}"

            page = http.get(f"/digests/{DAY}")
            assert page.status_code == 200
            ids = PageIds(page.text)
            assert ids.one("total-labelled") == "20"
            assert ids.one("total-failed") == "1 failed"
            for label in ("positive", "neutral", "negative"):
                assert ids.one(f"total-{label}-count") == str(COUNTS[label])
                assert ids.one(f"total-{label}-share") == SHARES[label]
                assert ids.one(f"total-{label}-vs-day-before") == VS_DAY_BEFORE[label]
                assert ids.one(f"total-{label}-vs-week") == VS_WEEK[label]
            themes = ids.one("total-themes")
            for keyword, count, variants in THEMES:
                assert f"{keyword} ×{count}" in themes and all(v in themes for v in variants)
            assert themes.index("delivery ×3") < themes.index("物流 ×3") < themes.index("客服 ×2")
            if alerts:
                alert_box = ids.one("digest-alert")
                for line in alerts:  # the page draws the 🚨 as a CSS mark (no emoji font needed)
                    assert line.removeprefix("🚨 ") in alert_box
                assert ("Negative share 30%" in alert_box) is total_alert
                assert "no-alert" not in ids.found
            else:
                assert "digest-alert" not in ids.found
                assert ids.one("no-alert") == "✓ Negative share 30%, not above the 40% alert threshold"
            assert ("mark-alert" in _section_html(page.text, "section-support")) is support_alert
            assert "mark-alert" not in _section_html(page.text, "section-shop")
            assert ids.one("channel-support-negative-share") == "40%"
            assert ids.one("channel-support-negative-vs-day-before") == "▲20.0 pp"
            assert (ids.one("reviews-opened"), ids.one("reviews-opened-open"), ids.one("reviews-open")) == (
                "2",
                "1",
                "2",
            )
            assert "so-far" not in ids.found  # D is over
            assert ids.one("prev-day") == f"← {D - timedelta(days=1)}"
            assert ids.one("next-day") == f"{D + timedelta(days=1)} →"
            assert "trend-chart" in ids.found

            data = http.get(f"/api/digests/{DAY}").json()
    finally:
        asyncio.run(web.state.core.aclose())

    total = data["total"]
    assert total["counts"] == COUNTS and total["labelled"] == 20
    assert total["shares"] == {"positive": 0.45, "neutral": 0.25, "negative": 0.3}
    assert total["day_before"]["delta_pp"] == {"positive": -20.0, "neutral": 0.0, "negative": 20.0}
    assert total["week"]["delta_pp"] == {"positive": -16.25, "neutral": 3.75, "negative": 12.5}
    assert [(t["keyword"], t["count"], t["variants"]) for t in total["themes"]] == THEMES
    assert total["alert"] is total_alert
    assert {c["channel"]: c["alert"] for c in data["channels"]} == {"shop": False, "support": support_alert}
    assert data["alert"] is (total_alert or support_alert)
    assert data["partial"] is False and data["chart_id"] is None  # no chart unless ?chart=1

    # -- Slack and DingTalk: the reply the scheduler sends, rendered by each adapter --------------
    store = Store(db)
    try:
        digest = asyncio.run(build_digest(store, day=D, settings=settings, lang="en", chart=False))
    finally:
        store.close()
    reply = digest_reply(digest, public_url=settings.public_url)
    slack = slack_render(reply)
    slack_text = "\n".join(
        block["text"]["text"] if block["type"] != "context" else block["elements"][0]["text"]
        for block in slack.blocks
    )
    assert slack.blocks[0]["type"] == "header"
    assert slack.blocks[0]["text"]["text"].startswith("🚨" if alerts else "📊")
    slack_lines = slack_text.splitlines()
    dingtalk_lines = _unescape_dingtalk(dingtalk_render(reply).text)

    # -- the CLI --------------------------------------------------------------------------------
    result = runner.invoke(cli_app, ["digest", "--date", DAY], env=cli_env(db, ratio))
    assert result.exit_code == 0, result.output
    cli_lines = result.stdout.splitlines()

    for name, lines in (("slack", slack_lines), ("dingtalk", dingtalk_lines), ("cli", cli_lines)):
        for line in LINES:
            assert line in lines, (name, line, lines)
        shown_alerts = [line for line in lines if line.startswith("🚨") and "Daily digest" not in line]
        # Alert lines come first (after the title) and say exactly the expected thing.
        assert shown_alerts[: len(alerts)] == alerts, (name, shown_alerts)
        assert not any("Negative share 30%" in line for line in lines) or total_alert, name
        assert any(line.startswith("🚩 Reviews: 2 flagged that day (1 still open)") for line in lines), name


def test_today_so_far_page_and_bad_dates(db: Path) -> None:
    with time_machine.travel(at(D, 14, 32), tick=False):
        web = create_app(settings_for(db, 0.30))
        try:
            with TestClient(web) as http:
                page = http.get(f"/digests/{DAY}")
                assert page.status_code == 200
                ids = PageIds(page.text)
                assert "Today so far" in ids.one("so-far")
                assert "next-day" not in ids.found  # tomorrow has not started
                # Deliveries: nothing configured, the page says so.
                assert "No digest targets configured" in ids.one("deliveries")
                chinese = PageIds(http.get(f"/digests/{DAY}", params={"lang": "zh"}).text)
                assert chinese.one("digest-title") == f"日报 · {DAY}"
                assert chinese.one("total-negative-vs-day-before") == "▲20.0 个百分点"

                data = http.get(f"/api/digests/{DAY}", params={"chart": 1}).json()
                assert data["partial"] is True and data["chart_url"].endswith(".png")
                again = http.get(f"/api/digests/{DAY}", params={"chart": 1}).json()
                assert again["chart_id"] == data["chart_id"]  # the same trend reuses its chart
                assert http.get(data["chart_url"].replace("http://sentibot.test", "")).status_code == 200

                for bad in ("2024-5-10", "yesterday", "2024-02-30", f"{D + timedelta(days=1)}"):
                    api = http.get(f"/api/digests/{bad}")
                    assert api.status_code == 400, bad
                    assert api.json()["error"]
                    html = http.get(f"/digests/{bad}", headers={"Accept": "text/html"})
                    assert html.status_code == 400 and "text/html" in html.headers["content-type"]
                    assert "Something is not right" in html.text
        finally:
            asyncio.run(web.state.core.aclose())


def test_pages_and_api_need_the_token(db: Path, frozen: None) -> None:
    settings = settings_for(db, 0.30).model_copy(update={"web_token": "s3cret-token"})
    web = create_app(settings)
    try:
        with TestClient(web) as http:
            page = http.get(f"/digests/{DAY}", follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"].startswith("/login?next=/digests/")
            assert http.get(f"/api/digests/{DAY}").status_code == 401
            ok = http.get(f"/api/digests/{DAY}", headers={"Authorization": "Bearer s3cret-token"})
            assert ok.status_code == 200 and ok.json()["total"]["labelled"] == 20
    finally:
        asyncio.run(web.state.core.aclose())


def test_chat_digest_command_links_to_the_page(db: Path, frozen: None) -> None:
    web = create_app(settings_for(db, 0.30))
    try:
        with TestClient(web) as http:
            reply = http.post("/api/chat", json={"text": "digest"}).json()["reply"]
    finally:
        asyncio.run(web.state.core.aclose())
    assert reply["kind"] == "digest" and reply["title"].startswith("📊 Today so far")
    assert reply["link"] == f"/digests/{D + timedelta(days=1)}"  # relative: on this site


# -- sending: exactly once per target -------------------------------------------------------------


@pytest.fixture
def send_env(db: Path, slack_server: StandinSlackServer, dingtalk_standin: DingTalkStandin) -> dict[str, str]:
    return cli_env(
        db,
        0.30,
        SENTIBOT_DIGEST_TARGETS="slack:C1,dingtalk-webhook,web",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SENTIBOT_SLACK_API_URL=slack_server.api_url,
        DINGTALK_WEBHOOK_URL=dingtalk_standin.webhook_url,
        DINGTALK_WEBHOOK_SECRET=dt.WEBHOOK_SECRET,
        SENTIBOT_DINGTALK_OAPI_URL=dingtalk_standin.url,
        SENTIBOT_DINGTALK_API_URL=dingtalk_standin.url,
    )


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's send_digest without the seconds-long waits between attempts."""
    import bot.scheduler

    monkeypatch.setattr(
        bot.scheduler, "send_digest", functools.partial(bot.scheduler.send_digest, backoff_s=0.0)
    )


def _statuses(result: Any) -> dict[str, str]:
    out = {}
    for line in result.stdout.splitlines():
        target, sep, rest = line.partition(": ")
        if sep and target in ("slack:C1", "dingtalk-webhook", "web"):
            out[target] = rest
    return out


def _slack_posts(server: StandinSlackServer) -> list[dict[str, Any]]:
    return [m for m in server.bot_messages("C1") if m.get("subtype") != "file_share"]


def _good_webhook_calls(standin: DingTalkStandin) -> list[Any]:
    return standin.calls_to("/robot/send")


def test_send_once_per_target_then_already_sent(
    db: Path, frozen: None, send_env: dict[str, str], slack_server: StandinSlackServer, dingtalk_standin
) -> None:
    first = runner.invoke(cli_app, ["digest", "--date", DAY, "--send"], env=send_env)
    assert first.exit_code == 0, first.output
    assert _statuses(first) == {"slack:C1": "sent", "dingtalk-webhook": "sent", "web": "sent"}

    # Slack: one message in C1 with the digest's numbers, and its chart uploaded there.
    [post] = _slack_posts(slack_server)
    text = post["text"] + json.dumps(post["blocks"], ensure_ascii=False)
    assert "Daily digest · 2024-05-10" in text and "🔴 negative 6 (30%)" in text
    assert [u.channel for u in slack_server.uploads] == ["C1"]
    # DingTalk: one signed webhook call (the stand-in checks 加签 and would answer 310000).
    [call] = _good_webhook_calls(dingtalk_standin)
    assert call.query["access_token"] == dt.WEBHOOK_TOKEN and call.query["sign"]
    assert call.json["msgtype"] == "markdown"
    lines = _unescape_dingtalk(call.json["markdown"]["text"])
    for line in LINES:
        assert line in lines

    second = runner.invoke(cli_app, ["digest", "--date", DAY, "--send"], env=send_env)
    assert second.exit_code == 0, second.output
    statuses = _statuses(second)
    assert set(statuses) == {"slack:C1", "dingtalk-webhook", "web"}
    assert all(s.startswith("skipped already sent at") for s in statuses.values()), statuses
    assert len(_slack_posts(slack_server)) == 1 and len(slack_server.calls("chat.postMessage")) == 1
    assert len(_good_webhook_calls(dingtalk_standin)) == 1

    store = Store(db)
    try:
        rows = {r["target"]: r["status"] for r in store.digests.deliveries(date=DAY)}
    finally:
        store.close()
    assert rows == {"slack:C1": "sent", "dingtalk-webhook": "sent", "web": "sent"}

    # The web page shows where it went.
    web = create_app(settings_for(db, 0.30).model_copy(update={"digest_targets": ["slack:C1", "web"]}))
    try:
        with TestClient(web) as http:
            ids = PageIds(http.get(f"/digests/{DAY}").text)
    finally:
        asyncio.run(web.state.core.aclose())
    deliveries = ids.one("deliveries")
    assert "slack:C1 ✓ sent" in deliveries and "dingtalk-webhook ✓ sent" in deliveries


def test_a_failing_target_is_reported_then_sent_by_a_later_run(
    db: Path,
    frozen: None,
    send_env: dict[str, str],
    slack_server: StandinSlackServer,
    dingtalk_standin: DingTalkStandin,
    no_backoff: None,
) -> None:
    slack_server.fail("chat.postMessage", error="channel_not_found", times=3)  # every attempt
    first = runner.invoke(cli_app, ["digest", "--date", DAY, "--send"], env=send_env)
    assert first.exit_code == 1, first.output
    statuses = _statuses(first)
    assert statuses["slack:C1"].startswith("failed SlackApiError") and "channel_not_found" in first.stdout
    assert statuses["dingtalk-webhook"] == "sent" and statuses["web"] == "sent"
    assert "some targets failed" in first.stderr
    assert len(slack_server.calls("chat.postMessage")) == 3 and not _slack_posts(slack_server)

    web = create_app(settings_for(db, 0.30))
    try:
        with TestClient(web) as http:
            data = http.get(f"/api/digests/{DAY}").json()
            ids = PageIds(http.get(f"/digests/{DAY}").text)
    finally:
        asyncio.run(web.state.core.aclose())
    by_target = {d["target"]: d for d in data["deliveries"]}
    assert (
        by_target["slack:C1"]["status"] == "failed" and "channel_not_found" in by_target["slack:C1"]["error"]
    )
    assert "slack:C1 ✗ failed" in ids.one("deliveries")

    later = runner.invoke(cli_app, ["digest", "--date", DAY, "--send"], env=send_env)
    assert later.exit_code == 0, later.output
    statuses = _statuses(later)
    assert statuses["slack:C1"] == "sent"
    assert statuses["dingtalk-webhook"].startswith("skipped") and statuses["web"].startswith("skipped")
    assert len(_slack_posts(slack_server)) == 1
    assert len(_good_webhook_calls(dingtalk_standin)) == 1


def test_the_page_shows_what_negatives_were_about_linked_to_their_messages(db: Path, frozen: None) -> None:
    store = Store(db)
    try:
        added = store.messages.add(
            [
                NewMessage(
                    source="web", external_id="a1", text="parcel lost", channel="shop", created_at=at(D, 11)
                ),
                NewMessage(
                    source="web", external_id="a2", text="still late", channel="shop", created_at=at(D, 12)
                ),
            ]
        )
        store.messages.set_labels(
            [
                (a.id, LabeledItem(id=1, text="x", label="negative", confidence=0.9, aspects=["delivery"]))
                for a in added
            ]
        )
    finally:
        store.close()
    web = create_app(settings_for(db, 0.30))
    with TestClient(web) as http:
        page = http.get(f"/digests/{DAY}").text
        card = _section_html(page, "digest-aspects")
        assert f'href="/messages?from={DAY}&amp;to={DAY}&amp;label=negative&amp;aspect=delivery"' in card
        assert "×2" in card and "parcel lost" in card
        listed = http.get(
            "/api/messages", params={"from": DAY, "to": DAY, "label": "negative", "aspect": "delivery"}
        )
        assert len(listed.json()["messages"]) == 2  # the link's view holds exactly what was counted
        chinese = _section_html(http.get(f"/digests/{DAY}", params={"lang": "zh"}).text, "digest-aspects")
        assert "物流" in chinese and "Negatives" not in chinese
