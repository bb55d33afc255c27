"""The history in a real headless Chromium: upload a CSV with the column picker and find its
messages on /messages; click a day and a label of the stats reply and land on exactly their
messages; filters typed in the form live in the URL and come back from it; set a row's label."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.adapters.web.helpers import KeywordLabeler
from tests.adapters.web.live import live_server, open_page
from tests.adapters.web.test_browser import (
    ARGS,
    CHROME_TEXT,
    CHROMIUM,
    LAPTOP,
    PHONE,
    TITLE_SAYS,
    _english_words,
    last_card,
    send,
)

pytestmark = pytest.mark.browser

# Seeded before the server starts: three days with known labels (KeywordLabeler).
SEED = (
    "id,created_at,comment,channel\n"
    "s1,2026-11-20 09:00,The refund is slow and terrible,email\n"
    "s2,2026-11-20 10:00,Great help thanks,email\n"
    "s3,2026-11-21 11:00,Parcel arrived broken,chat\n"
    "s4,2026-11-21 12:00,Broken again terrible,chat\n"
    "s5,2026-11-22 13:00,Where is my order,chat\n"
)
DAY_21 = {"Parcel arrived broken", "Broken again terrible"}
NEGATIVE = {"The refund is slow and terrible", "Parcel arrived broken", "Broken again terrible"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    from bot.config import Settings
    from bot.core import Sentibot

    folder = tmp_path_factory.mktemp("history")
    settings = Settings(SENTIBOT_DB=str(folder / "history.db"))
    seed = folder / "seed.csv"
    seed.write_text(SEED, encoding="utf-8")

    async def seed_history() -> None:
        loader = Sentibot(settings=settings, labeler=KeywordLabeler())
        try:
            report = await loader.open_import(seed, source="seed").run()
            assert report.new == 5
        finally:
            await loader.aclose()

    asyncio.run(seed_history())

    def make_core(url: str) -> Sentibot:
        return Sentibot(settings=settings.model_copy(update={"public_url": url}), labeler=KeywordLabeler())

    with live_server(make_core) as url:
        yield url


@pytest.fixture(params=["en"])
def page(server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            with open_page(browser, server, locale=request.param) as page:
                yield page
        finally:
            browser.close()


def listed_texts(page: Any) -> set[str]:
    return {t.strip() for t in page.locator("[data-testid=message] .item-text").all_inner_texts()}


def test_upload_a_csv_with_the_column_picker_then_see_its_messages(page: Any, tmp_path: Path) -> None:
    export = tmp_path / "reviews.csv"
    export.write_text(
        "编号,评价内容,备注\nr1,包装很用心 great,老客户\nr2,客服不理人 terrible,\nr3,,空行\n",
        encoding="utf-8",
    )
    page.goto("/import")
    page.locator("[data-testid=upload-file]").set_input_files(str(export))
    page.locator("[data-testid=upload-preview]").wait_for()
    # The text column is preselected by name; the preview shows the first rows.
    assert page.locator("[data-testid=pick-text]").input_value() == "评价内容"
    assert page.locator("[data-testid=pick-id]").input_value() == "编号"
    assert "包装很用心 great" in page.locator("#preview-table").inner_text()
    # Pick no id column: the rows are identified by their text instead.
    page.locator("[data-testid=pick-id]").select_option("")
    page.fill("#upload-source", "web-upload")
    page.locator("[data-testid=upload-run]").click()
    summary = page.locator("[data-testid=import-summary]")
    summary.wait_for()
    assert "3 rows read: 2 new, 0 already stored, 1 rejected" in summary.inner_text()
    page.locator("[data-testid=import-see]").click()
    page.wait_for_url("**/messages?source=web-upload")
    assert listed_texts(page) == {"包装很用心 great", "客服不理人 terrible"}
    assert "老客户" in page.locator("[data-testid=messages]").inner_text()


def test_click_a_day_and_a_label_of_the_stats_reply(page: Any) -> None:
    page.goto("/")
    send(page, "stats 2026-11-20..2026-11-22")
    page.wait_for_function(TITLE_SAYS, arg="2026-11-20")
    drill = last_card(page).locator("[data-testid=drill]")
    drill.wait_for()
    drill.locator("a.drill-day[data-day='2026-11-21']").click()
    page.wait_for_url("**/messages?**")
    assert parse_qs(urlsplit(page.url).query) == {"from": ["2026-11-21"], "to": ["2026-11-21"]}
    assert listed_texts(page) == DAY_21
    page.go_back()
    drill = last_card(page).locator("[data-testid=drill]")
    drill.wait_for()
    drill.locator("a.drill-label[data-label='negative']").click()
    page.wait_for_url("**label=negative**")
    assert listed_texts(page) == NEGATIVE
    assert page.locator("select[name=label]").input_value() == "negative"


def test_filters_live_in_the_url_and_come_back_from_it(page: Any) -> None:
    page.goto("/messages")
    assert len(listed_texts(page)) >= 5
    page.fill("input[name=q]", "terrible")
    page.select_option("select[name=label]", "negative")
    page.fill("input[name=from]", "2026-11-20")
    page.fill("input[name=to]", "2026-11-21")
    page.fill("input[name=channel]", "chat")
    page.locator("#filters button[type=submit]").click()
    page.wait_for_url("**channel=chat**")
    query = parse_qs(urlsplit(page.url).query)
    assert {k: v for k, v in query.items() if v != [""]} == {
        "q": ["terrible"],
        "label": ["negative"],
        "from": ["2026-11-20"],
        "to": ["2026-11-21"],
        "channel": ["chat"],
    }
    assert listed_texts(page) == {"Broken again terrible"}
    shared = page.url
    # The same address opened afresh (a shared link) shows the same view and form.
    page.goto("/")
    page.goto(shared)
    assert listed_texts(page) == {"Broken again terrible"}
    assert page.locator("input[name=q]").input_value() == "terrible"
    assert page.locator("input[name=from]").input_value() == "2026-11-20"
    assert page.locator("input[name=channel]").input_value() == "chat"
    # The CSV link exports this view.
    csv_href = page.locator("[data-testid=messages-csv]").get_attribute("href")
    assert csv_href is not None and csv_href.startswith("/messages.csv?")
    assert parse_qs(urlsplit(csv_href).query)["channel"] == ["chat"]


def test_set_a_rows_label_on_messages(page: Any) -> None:
    page.goto("/messages?q=Where+is+my+order")
    row = page.locator("[data-testid=message]", has_text="Where is my order")
    row.locator("select.fix-label").select_option("negative")
    row.locator("input.fix-by").fill("Lee")
    row.locator("form.label-fix button").click()
    row.locator(".fix-status", has_text="Lee").wait_for()
    page.goto("/messages?q=Where+is+my+order&label=negative")
    row = page.locator("[data-testid=message]", has_text="Where is my order")
    assert "label set by Lee" in row.locator("[data-testid=corrected]").inner_text()


# What the history pages show of the data (sources, channels, authors, ids, kept fields).
DATA = ".message-meta, .fields, .preview-cell, td:nth-child(2), .runs-table td:nth-child(3) .running"


@pytest.mark.parametrize("page", ["zh-CN"], indirect=True)
def test_history_pages_speak_one_language_and_fit_a_phone(page: Any) -> None:
    page.goto("/")
    send(page, "物流太慢了，等了一周才到 terrible\n包装很好，谢谢")
    last_card(page).locator(".mix-bar").wait_for()
    send(page, "stats 2026-11-20..2026-11-22")
    page.locator(".bot-card [data-testid=drill]").wait_for()
    for path in ("/messages", "/messages?label=negative&from=2026-11-20", "/runs", "/import"):
        for size in (LAPTOP, PHONE):
            page.set_viewport_size(size)
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == "zh-CN"
            chrome = page.evaluate(CHROME_TEXT.replace("const data = '", "const data = '" + DATA + ", "))
            english = _english_words(chrome)
            assert not english, f"English on {path}: {sorted(english)}"
            if size is PHONE:
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    page.goto("/messages?from=2026-11-21&to=2026-11-21")
    assert page.locator("[data-testid=message] .chip").first.inner_text().startswith("负面")
