"""The web chat in real headless Chromium: lists, conversations, the review queue, escaping.

Screenshots (laptop 1280×800, phone 390×844) land in tests/output/screenshots/.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.adapters.web.helpers import FLAGGED_CONVERSATION, KeywordLabeler, shared_conversation

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHART_LOADED = """() => {
  const img = document.querySelector('.bot-card img.chart');
  return img && img.complete && img.naturalWidth > 0;
}"""
TITLE_SAYS = """(pattern) => [...document.querySelectorAll('.bot-card .bot-title')]
  .some((t) => new RegExp(pattern).test(t.textContent))"""
SHOTS = Path(__file__).resolve().parent / "output" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
COMMENTS = [
    "物流太慢了，等了一周才到",
    "包装很好，味道也棒，下次还会再来",
    "The app keeps crashing since the update, terrible",
    "Support fixed my billing issue in five minutes, thanks!",
    "Delivered on Tuesday as planned.",
    "退款申请提交三天了还没人处理，太离谱了",
    "客服态度很好，问题解决得很快",
    "Ordered the blue one, got the red one.",
    "Great value for money, love it",
    "一般般吧，没什么特别的",
    "The courier left the parcel at the wrong door.",
    "Worst customer service I have ever had, never again",
    "送餐小哥很准时，谢谢",
    "Is there a discount for annual plans?",
    "Screen arrived broken, want a refund",
    "菜品分量足，口味满意",
    "The new dashboard is amazing, good job team",
    "还行，价格有点贵",
    "Waited 40 minutes on hold, really slow",
    "Thanks for the quick reply!",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    import uvicorn

    from adapters.web.main import create_app
    from bot.config import Settings
    from bot.core import Sentibot

    db = tmp_path_factory.mktemp("web") / "browser.db"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    core = Sentibot(
        settings=Settings(SENTIBOT_DB=str(db), SENTIBOT_PUBLIC_URL=url), labeler=KeywordLabeler(delay_s=0.02)
    )
    uv = uvicorn.Server(
        uvicorn.Config(create_app(core=core), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield url
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        asyncio.run(core.aclose())


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport=LAPTOP, base_url=server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(page: Any, name: str, *, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def send(page: Any, text: str) -> None:
    box = page.locator("#message")
    box.fill(text)
    box.press("Enter")


def last_card(page: Any) -> Any:
    return page.locator(".bot-card").last


def test_list_gets_chips_summary_and_chart_and_survives_reload(page: Any) -> None:
    page.goto("/")
    shot(page, "chat_welcome_laptop")
    box = page.locator("#message")
    box.fill("first line")
    box.press("Shift+Enter")  # a new line, not a send
    assert page.locator(".bot-card").count() == 0
    send(page, "\n".join(COMMENTS))
    card = last_card(page)
    card.locator(".mix-bar").wait_for()
    assert card.locator(".items .chip").count() == 20
    assert card.locator(".chip-negative").count() >= 5 and card.locator(".chip-positive").count() >= 5
    assert "negative" in card.locator(".chip-negative").first.inner_text() or "负面" in card.inner_text()
    assert card.locator(".keywords .tag").count() > 0
    chart = card.locator("img.chart")
    chart.wait_for()
    page.wait_for_function(CHART_LOADED)
    reasoning = card.locator("details.reasoning").first
    assert not reasoning.locator("pre").is_visible()
    reasoning.locator("summary").click()
    assert reasoning.locator("pre").is_visible()
    shot(page, "chat_list_laptop")

    page.reload()  # results are never lost: the thread comes back from the stored runs
    last_card(page).locator(".mix-bar").wait_for()
    assert last_card(page).locator(".items .chip").count() == 20
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(150)
    shot(page, "chat_list_phone")

    run_link = last_card(page).locator(".bot-foot a", has_text="Full results")
    run_link.click()
    page.locator("ol.items").wait_for()
    assert page.locator("ol.items .item").count() == 20
    page.locator(".filter[data-filter=negative]").click()
    visible = page.locator("ol.items .item:visible")
    assert 0 < visible.count() < 20
    page.locator(".filter[data-filter=all]").click()
    shot(page, "run_phone")
    page.set_viewport_size(LAPTOP)
    shot(page, "run_laptop")


def test_conversation_gets_verdict_and_flag(page: Any) -> None:
    text = shared_conversation("zh_refund_unresolved.txt") or FLAGGED_CONVERSATION
    page.goto("/")
    send(page, text)
    card = last_card(page)
    card.locator(".verdict").wait_for()
    assert card.locator(".verdict.flagged").count() == 1
    assert card.locator(".pill.flag").is_visible()
    assert card.locator(".pill.bad").is_visible()  # not resolved
    assert card.locator(".items .role-customer").count() >= 2
    assert card.locator(".items .role-agent").count() >= 1
    link = card.locator("a.review-link")
    assert link.is_visible() and "/reviews#review-" in link.get_attribute("href")
    # The 🚩 of the reply's title is drawn as a CSS mark (no emoji font needed), the text stays.
    title = card.locator(".bot-title")
    assert title.locator(".mark-flag").count() == 1 and "🚩" not in title.inner_text()
    card.locator("img.chart").wait_for()
    page.wait_for_timeout(200)
    shot(page, "chat_conversation_laptop")
    page.set_viewport_size(PHONE)
    card.scroll_into_view_if_needed()
    shot(page, "chat_conversation_phone")


def test_resolve_a_review_on_the_reviews_page(page: Any, server: str) -> None:
    body = httpx.post(
        f"{server}/api/analyze",
        json={
            "conversation": [
                {
                    "author": "Lee",
                    "role": "customer",
                    "text": "My account is still locked, this is ridiculous.",
                },
                {"author": "Sam", "role": "agent", "text": "Please try resetting your password."},
                {
                    "author": "Lee",
                    "role": "customer",
                    "text": "I did that five times. Cancel my subscription.",
                },
            ]
        },
        timeout=10,
    ).json()
    review_id = body["review_id"]
    assert review_id
    page.goto(f"/reviews#review-{review_id}")
    review = page.locator(f"#open-reviews #review-{review_id}")
    assert review.get_attribute("open") is not None  # opened from the link
    shot(page, "reviews_laptop")
    page.set_viewport_size(PHONE)
    shot(page, "reviews_phone")
    api_link = page.locator(".nav a", has_text="API")  # the whole nav fits a phone
    box = api_link.bounding_box()
    assert api_link.is_visible() and box and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(LAPTOP)
    form = review.locator("form.resolve-form")
    form.locator("input[name=reviewer]").fill("Mia")
    form.locator("textarea[name=note]").fill("Unlocked the account and called the customer.")
    form.locator("select[name=label]").select_option("negative")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/reviews?done={review_id}")
    assert page.locator(f"#open-reviews #review-{review_id}").count() == 0
    assert page.locator(f"#resolved-reviews #review-{review_id}").count() == 1
    assert "marked reviewed" in page.locator("#notice").inner_text()
    open_now = httpx.get(f"{server}/api/reviews?status=open", timeout=10).json()["reviews"]
    assert review_id not in [r["id"] for r in open_now]
    shot(page, "reviews_resolved_laptop", full=True)

    resolved = page.locator(f"#resolved-reviews #review-{review_id}")
    resolved.locator("summary").click()
    reopen = resolved.locator("form.reopen-form")
    assert reopen.locator("input[name=reviewer]").input_value() == "Mia"  # remembered
    reopen.locator("button[type=submit]").click()
    page.wait_for_url(f"**/reviews?reopened={review_id}")
    assert page.locator(f"#open-reviews #review-{review_id}").count() == 1
    events = httpx.get(f"{server}/api/reviews/{review_id}", timeout=10).json()["events"]
    assert (events[-1]["action"], events[-1]["actor"]) == ("reopened", "Mia")


def test_script_comment_stays_inert(page: Any) -> None:
    evil = [
        "<script>window.__pwned=1</script> this is terrible",
        '<img src=x onerror="window.__pwned=2"> great stuff',
    ]
    page.goto("/")
    send(page, "\n".join(evil))
    card = last_card(page)
    card.locator(".mix-bar").wait_for()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    texts = card.locator(".item-text").all_inner_texts()
    assert evil[0] in texts and evil[1] in texts
    assert card.locator("img[src=x]").count() == 0
    card.locator(".bot-foot a", has_text="Full results").click()
    page.locator("ol.items").wait_for()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert evil[0] in page.locator("ol.items").inner_text()


def test_long_list_shows_live_progress(page: Any) -> None:
    page.goto("/")
    send(page, "\n".join(f"comment {i}: {'great' if i % 4 else 'slow and broken'}" for i in range(150)))
    card = last_card(page)
    card.locator(".progress-count").wait_for()
    assert "/ 150" in card.locator(".progress-count").inner_text()
    page.locator("#message").fill("the page stays usable meanwhile")
    card.locator(".mix-bar").wait_for(timeout=20_000)
    assert card.locator(".items .chip").count() == 50  # the rest are on the run page
    assert "100 more" in card.inner_text()


def test_chinese_list_shows_progress_in_chinese(page: Any) -> None:
    page.goto("/")
    send(page, "\n".join(f"第 {i} 条：{'物流太慢了' if i % 3 else '包装很好，谢谢'}" for i in range(150)))
    card = last_card(page)
    card.locator(".progress-count").wait_for()
    assert card.locator(".bot-title").inner_text() == "正在标注 150 条…"
    assert "已完成" in card.locator(".progress-text").inner_text()
    assert "labelled" not in card.inner_text()
    shot(page, "chat_zh_progress_laptop")
    card.locator(".mix-bar").wait_for(timeout=20_000)
    assert "150" in card.locator(".bot-title").inner_text()
    page.set_viewport_size(PHONE)
    page.goto("/")
    last_card(page).locator(".mix-bar").wait_for()
    shot(page, "chat_zh_list_phone")
    page.set_viewport_size(LAPTOP)
    page.goto("/")
    recent = page.locator("[data-testid=recent-run]").first
    assert "第 0 条" in recent.locator(".recent-preview").inner_text()
    assert "负面" in recent.locator(".recent-counts").inner_text()
    shot(page, "chat_sidebar_laptop")


def test_commands_in_the_chat(page: Any) -> None:
    page.goto("/")
    send(page, "help")
    last_card(page).locator(".bot-title").wait_for()
    assert "sentibot" in last_card(page).locator(".bot-title").inner_text()
    send(page, "统计 7d")
    page.wait_for_function(TITLE_SAYS, arg="近 7 天")
    page.wait_for_function(CHART_LOADED)
    send(page, "review")
    page.wait_for_function(TITLE_SAYS, arg="waiting for review")
    title = last_card(page).locator(".bot-title")
    assert title.locator(".mark").count() == 1 and not any(e in title.inner_text() for e in "🚩✅")
