"""Asking in the web chat (real headless Chromium): the answer, its example links, a label fix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.adapters.web.helpers import KeywordLabeler
from tests.adapters.web.live import live_server, open_page
from tests.adapters.web.test_browser import ARGS, CHROMIUM, TITLE_SAYS, last_card, send

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    from bot.config import Settings
    from bot.core import Sentibot

    db = tmp_path_factory.mktemp("ask") / "ask.db"

    def make_core(url: str) -> Sentibot:
        settings = Settings(SENTIBOT_DB=str(db), SENTIBOT_PUBLIC_URL=url)
        return Sentibot(settings=settings, labeler=KeywordLabeler())

    with live_server(make_core) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            with open_page(browser, server) as page:
                yield page
        finally:
            browser.close()


def test_ask_in_the_chat_and_follow_an_example(page: Any) -> None:
    page.goto("/")
    send(page, "The parcel arrived broken, terrible\nslow delivery again\nGreat support, thanks")
    page.wait_for_function(TITLE_SAYS, arg="3")
    send(page, "ask how many negative messages today?")
    page.wait_for_function(TITLE_SAYS, arg="❓|how many negative")
    card = last_card(page)
    assert "2 of 3 labelled messages were negative (67%)" in card.inner_text()
    links = card.locator("a.example-link")
    assert links.count() == 2
    text = links.first.inner_text().strip("“”")
    links.first.click()
    page.wait_for_url("**/runs/**")
    assert text in page.locator(".items").inner_text()
    # Set the right label of that item on the run page; who and when come back.
    item = page.locator(".items .item", has_text=text)
    item.locator("select.fix-label").select_option("neutral")
    item.locator("input.fix-by").fill("Lee")
    item.locator("form.label-fix button").click()
    item.locator(".fix-status", has_text="Lee").wait_for()
    assert item.get_attribute("data-label") == "neutral"
