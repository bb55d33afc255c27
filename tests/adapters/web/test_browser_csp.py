"""The pages still work under the Content-Security-Policy, in real headless Chromium: no
violation reported on any page, the chat answers, and /docs renders from local files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.adapters.web.test_browser import CHART_LOADED, LAPTOP, browser, send, server  # noqa: F401

pytestmark = pytest.mark.browser

WATCH_CSP = """() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
}"""


@pytest.fixture
def csp_page(browser: Any, server: str) -> Iterator[tuple[Any, list[str]]]:  # noqa: F811
    context = browser.new_context(viewport=LAPTOP, base_url=server)
    context.set_default_timeout(30_000)  # a loaded CI machine; no timing is asserted
    context.add_init_script(f"({WATCH_CSP})()")
    page = context.new_page()
    reported: list[str] = []
    page.on(
        "console", lambda msg: reported.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.on("pageerror", lambda exc: reported.append(str(exc)))
    try:
        yield page, reported
    finally:
        context.close()


def violations(page: Any, reported: list[str]) -> list[str]:
    return reported + page.evaluate("() => window.__csp || []")


def test_chat_works_and_no_page_violates_the_csp(csp_page: tuple[Any, list[str]]) -> None:
    page, reported = csp_page
    response = page.goto("/", wait_until="domcontentloaded")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    send(page, "The app keeps crashing since the update, terrible\nThanks for the quick reply!")
    page.wait_for_function("() => document.querySelectorAll('.bot-card .chip').length >= 2")
    page.wait_for_function(CHART_LOADED)
    run_link = page.locator(".bot-card a[href^='/runs/']").first.get_attribute("href")
    for path in ("/reviews", run_link, "/digests/latest"):
        page.goto(path, wait_until="domcontentloaded")
        page.wait_for_function("() => document.querySelector('main') !== null")
    assert violations(page, reported) == []


def test_docs_render_offline_under_the_csp(csp_page: tuple[Any, list[str]]) -> None:
    page, reported = csp_page
    page.goto("/docs", wait_until="domcontentloaded")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "sentibot" in page.locator(".swagger-ui .info .title").inner_text()
    page.get_by_text("/api/analyze", exact=True).wait_for()
    assert violations(page, reported) == []
