"""The web chat in real headless Chromium: lists, conversations, the review queue, escaping.

Screenshots (laptop 1280×800, phone 390×844) land in tests/output/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.adapters.web.helpers import FLAGGED_CONVERSATION, KeywordLabeler, shared_conversation
from tests.adapters.web.live import live_server, open_page

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    from bot.config import Settings
    from bot.core import Sentibot

    db = tmp_path_factory.mktemp("web") / "browser.db"

    def make_core(url: str) -> Sentibot:
        settings = Settings(SENTIBOT_DB=str(db), SENTIBOT_PUBLIC_URL=url)
        return Sentibot(settings=settings, labeler=KeywordLabeler(delay_s=0.02))

    with live_server(make_core) as url:
        yield url


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
    """An English-speaking lead's browser."""
    with open_page(browser, server, locale="en-US") as page:
        yield page


@pytest.fixture
def zh_page(browser: Any, server: str) -> Iterator[Any]:
    """A Chinese-speaking lead's browser."""
    with open_page(browser, server, locale="zh-CN") as page:
        yield page


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
    assert card.locator(".items .chip").count() == 5  # the most negative first
    card.locator("button.show-all").click()
    assert card.locator(".items .chip").count() == 20
    assert card.locator(".chip-negative").count() >= 5 and card.locator(".chip-positive").count() >= 5
    assert "negative" in card.locator(".chip-negative").first.inner_text()
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
    last_card(page).locator("button.show-all").click()
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
    assert card.locator(".items .chip").count() == 5  # the most negative first
    assert card.locator(".items .chip-negative").count() == 5
    card.locator("button.show-all").click()
    assert card.locator(".items .chip").count() == 50  # the rest are on the run page
    assert "other 100" in card.locator("a.run-page-link").inner_text()


def test_chinese_list_shows_progress_in_chinese(zh_page: Any) -> None:
    page = zh_page
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


# ---- issue 15: what a support lead sees first is right, readable and in one language -----------

SIZES = {"laptop": LAPTOP, "phone": PHONE}
# A 200-line paste with a known mix: 97 negative, 41 neutral, 62 positive (48.5 % / 20.5 % / 31 %).
MIX_200 = (
    [f"order {i}: delivery was slow and broken" for i in range(97)]
    + [f"order {i}: arrived on Tuesday" for i in range(97, 138)]
    + [f"order {i}: great value, thanks" for i in range(138, 200)]
)
REPLY_TOP = """(card) => {
  const thread = document.getElementById('thread').getBoundingClientRect();
  const box = card.getBoundingClientRect();
  return {offset: box.top - thread.top, threadHeight: thread.height};
}"""
IN_VIEW = """(node) => {
  const thread = document.getElementById('thread').getBoundingClientRect();
  const box = node.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return box.top >= thread.top - 1 && box.bottom <= thread.bottom + 1 && (hit === node || node.contains(hit));
}"""
# The page's own words: everything but what customers and the bot wrote (item texts, reasons…).
CHROME_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  const data = '.item-text, .bubble, .item-why, .explanation, .verdict-reason, .keywords, .recent-preview,'
    + ' .bot-title, .bot-card > p, .review-title, .review-reason, .facts dd, pre, code, script, time,'
    + ' .item-error, .role, .crumbs code, .meta, .agent-issues .tag, .lang-switch, .theme-word, title,'
    + ' kbd, .labeler, .bot-foot .muted, .ident';
  copy.querySelectorAll(data).forEach((n) => n.remove());
  return copy.textContent;
}"""
ALLOWED_LATIN = {"sentibot", "API", "CSV", "UTC", "JSON"}


def _english_words(text: str) -> set[str]:
    import re

    return {w for w in re.findall(r"[A-Za-z]{3,}", text)} - ALLOWED_LATIN


def _png_meta(server: str, src: str) -> dict[str, str]:
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(httpx.get(server + src, timeout=60).content))
    return dict(image.text)


def _chart_text_px(page: Any, server: str, img: Any) -> float:
    """The smallest chart text, in CSS px, at the size the <img> is shown at."""
    src = img.evaluate("(i) => new URL(i.currentSrc || i.src).pathname")
    meta = _png_meta(server, src)
    shown = img.bounding_box()["width"]
    return float(meta["sentibot-min-font"]) * shown / int(meta["sentibot-width"])


@pytest.mark.parametrize("size", list(SIZES))
def test_a_200_line_paste_opens_at_its_summary_with_the_most_negative_first(
    page: Any, server: str, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto("/")
    send(page, "\n".join(MIX_200))
    card = last_card(page)
    card.locator(".mix-bar").wait_for(timeout=30_000)
    page.wait_for_function(CHART_LOADED)
    page.wait_for_timeout(100)
    where = card.evaluate(REPLY_TOP)
    assert 0 <= where["offset"] <= 40, where  # the reply opens at its title and summary
    assert card.locator(".mix-bar").evaluate(IN_VIEW)
    if size == "laptop":
        assert card.locator("img.chart").evaluate(IN_VIEW)
    chips = card.locator(".items .chip")
    assert chips.count() == 5 and card.locator(".items .chip-negative").count() == 5
    assert "Most negative first" in card.locator(".list-order").inner_text()
    shot(page, f"chat_200_{size}")
    # Shares add up to 100 and are the server's (49/20/31), not rounded again by the page.
    shares = card.locator(".mix-legend .share").all_inner_texts()
    assert shares == ["31%", "20%", "49%"]
    assert "97 of 200 (49%)" in card.locator(".explanation").inner_text()
    # The chart is readable where it is shown, and opens large on click.
    assert _chart_text_px(page, server, card.locator("img.chart")) >= 11
    assert card.locator("a.chart-link").get_attribute("href").endswith("-full.png")
    card.locator("button.show-all").click()
    assert chips.count() == 50
    assert "other 150" in card.locator("a.run-page-link").inner_text()
    # "full results · CSV" can be reached: scrolled to the end, both links are there to click.
    page.evaluate("document.getElementById('thread').scrollTo({top: 1e9, behavior: 'instant'})")
    page.wait_for_timeout(100)
    assert card.locator(".bot-foot a.full-results").evaluate(IN_VIEW)
    assert card.locator(".bot-foot a.csv").evaluate(IN_VIEW)
    shot(page, f"chat_200_end_{size}")
    card.locator(".bot-foot a.full-results").click()
    page.locator("ol.items").wait_for()
    assert page.locator(".mix-legend .share").all_inner_texts() == ["31%", "20%", "49%"]
    page.wait_for_function("() => { const i = document.querySelector('img.chart'); return i && i.complete; }")
    assert _chart_text_px(page, server, page.locator("img.chart")) >= 11  # the run page too
    shot(page, f"run_200_{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_page_follows_the_server_without_a_reload(page: Any, server: str, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto("/")
    badge = page.locator("#open-badge")
    before = int(badge.inner_text() or 0) if badge.is_visible() else 0
    # Runs made elsewhere (the API, Slack…) appear in the sidebar; a new review in the badge.
    preview = f"sidebar check {size}: the refund is slow"
    httpx.post(f"{server}/api/analyze", json={"texts": [preview]}, timeout=60)
    page.locator(".recent-preview", has_text=preview).wait_for(state="attached")
    if size == "laptop":  # phones have no sidebar: the run is one tap away on the run page
        assert page.locator(".recent-preview", has_text=preview).is_visible()
    flagged = [
        {"author": "Kim", "role": "customer", "text": f"Badge check {size}: my refund never came, terrible."},
        {"author": "Sam", "role": "agent", "text": "Please wait."},
        {"author": "Kim", "role": "customer", "text": "Still nothing. This is ridiculous, I want to cancel."},
    ]
    httpx.post(f"{server}/api/analyze", json={"conversation": flagged}, timeout=60)
    page.wait_for_function("(n) => Number(document.getElementById('open-badge').textContent) > n", arg=before)
    assert badge.is_visible()
    # Leave a running list for its run page, let it finish, come Back: nothing says running.
    send(page, "\n".join(f"back check {i}: {'great' if i % 3 else 'slow'}" for i in range(150)))
    card = last_card(page)
    # How far the list got before the page answered depends on the machine: either it is still
    # running (its progress link) or already done ("full results"); both lead to the run page, and
    # the card may switch from one to the other while the click is being made.
    card.locator(".progress-text a, .bot-foot a.full-results").first.click()
    page.wait_for_url("**/runs/**")
    run_id = page.url.split("/runs/")[1].split("?")[0].split("#")[0]
    for _ in range(1200):  # until the run is over (each wait lets the server work)
        if httpx.get(f"{server}/api/runs/{run_id}", timeout=60).json()["status"] != "running":
            break
        page.wait_for_timeout(100)
    # A run page that was opened while running reloads itself once the run is over; going Back in
    # the middle of that reload detaches the page in Chromium. Wait until the page shows the
    # finished run (no progress block, fully loaded), then go Back.
    page.locator("#running").wait_for(state="detached")
    page.wait_for_load_state("load")
    page.go_back()
    last_card(page).locator(".mix-bar").wait_for()
    page.wait_for_function(
        "() => ![...document.querySelectorAll('[data-testid=recent-run]')]"
        ".some((a) => a.dataset.status === 'running')"
    )
    assert "Labelling" not in last_card(page).inner_text()
    shot(page, f"chat_after_back_{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_chinese_browser_sees_no_english_chrome(zh_page: Any, server: str, size: str) -> None:
    page = zh_page
    page.set_viewport_size(SIZES[size])
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    send(
        page,
        "\n".join(
            [
                "物流太慢了，等了一周才到",
                "包装很好，谢谢",
                "一般般",
                "客服态度很好",
                "退款还没到，太离谱了",
                "质量不错",
            ]
        ),
    )
    last_card(page).locator(".mix-bar").wait_for()
    send(
        page,
        shared_conversation("zh_refund_unresolved.txt")
        or "客户: 退款还没到，太慢了\n客服: 请稍等\n客户: 太离谱了，我要投诉",
    )
    page.locator(".bot-card .verdict").last.wait_for()
    page.wait_for_timeout(200)
    english = _english_words(page.evaluate(CHROME_TEXT))
    assert not english, f"English on a Chinese chat page: {sorted(english)}"
    assert "负面" in last_card(page).inner_text() and "客户整体情绪" in last_card(page).inner_text()
    shot(page, f"chat_zh_{size}")
    for path in (
        last_card(page).locator(".bot-foot a.full-results").get_attribute("href"),
        "/reviews",
        "/digests",
    ):
        page.goto(path)
        page.wait_for_load_state()
        english = _english_words(page.evaluate(CHROME_TEXT))
        assert not english, f"English on {path}: {sorted(english)}"
        shot(page, f"zh_{path.strip('/').split('/')[0]}_{size}")
    # The switch: English from now on (remembered), and no Chinese chrome left.
    page.goto("/")
    page.locator("#lang-switch").click()
    page.wait_for_load_state()
    page.goto("/reviews")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Review queue" in page.locator("h1").inner_text()
    assert "待审" not in page.locator(".nav").inner_text()
    page.locator("#lang-switch").click()  # and back, for the other tests of this browser
    page.wait_for_load_state()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_refunding_agent_is_not_blamed(page: Any, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    text = shared_conversation("zh_slow_but_fixed.txt") or (
        "客户: 在吗？在吗？等了半小时了\n客服: 不好意思久等了，请问有什么可以帮您\n"
        "客户: 会员卡扣了两次费\n客服: 确实重复扣费了，已经为您发起退款，今天内到账\n"
        "客户: 好吧，处理得还算及时"
    )
    page.goto("/")
    send(page, text)
    card = last_card(page)
    card.locator(".verdict").wait_for()
    assert card.locator(".agent-issues").count() == 0
    assert card.locator(".verdict.flagged").count() == 0
    agent_chips = card.locator(".item:has(.role-agent) .chip")
    assert agent_chips.count() == 2
    assert card.locator(".item:has(.role-agent) .chip-negative").count() == 0
    # The mix bar counts the customer's three turns only, and says so.
    counts = [int(b) for b in card.locator(".mix-legend b").all_inner_texts()]
    assert sum(counts) == 3
    assert "Customer messages only" in card.locator(".mix-note").inner_text()
    shot(page, f"chat_slow_but_fixed_{size}")


def test_a_dismissive_agent_is_named_with_the_words_quoted(page: Any) -> None:
    page.goto("/")
    send(
        page,
        "Customer: The parcel says delivered but it is not here.\n"
        "Agent: Not my problem, ask the courier.\n"
        "Customer: That is terrible service, I want a refund.",
    )
    card = last_card(page)
    card.locator(".verdict").wait_for()
    assert card.locator(".agent-issues .tag").all_inner_texts() == ["rude"]
    assert "Not my problem" in card.locator(".verdict-reason").inner_text()
    assert card.locator(".item:has(.role-agent) .chip-negative").count() == 1


@pytest.mark.parametrize("size", list(SIZES))
def test_help_keeps_its_promise_and_re_pasting_adds_no_history(page: Any, server: str, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto("/")
    send(page, "帮助")
    page.wait_for_function(TITLE_SAYS, arg="使用说明")
    assert "最负面" in last_card(page).inner_text()  # shown by the 200-line test above
    text = FLAGGED_CONVERSATION.replace("broken", "broken again")
    for _ in range(3):
        send(page, text)
        page.wait_for_function(
            "(n) => document.querySelectorAll('.bot-card .verdict').length >= n",
            arg=page.locator(".bot-card .verdict").count() + 1,
        )
    link = last_card(page).locator("a.review-link").get_attribute("href")
    page.goto(link)
    review = page.locator("details.review[open]")
    assert review.locator(".history li").count() == 1  # flagged once, no identical "updated" lines
    # The digest link opens the latest day with data.
    page.locator(".nav a[href='/digests']").click()
    page.locator("[data-testid=digest-title]").wait_for()
    assert page.locator("[data-testid=digest-empty]").count() == 0


@pytest.mark.parametrize("size", list(SIZES))
def test_charts_are_readable_where_they_are_shown(zh_page: Any, server: str, size: str) -> None:
    page = zh_page
    page.set_viewport_size(SIZES[size])
    page.goto("/")
    send(page, "统计 7d")
    page.wait_for_function(TITLE_SAYS, arg="近 7 天")
    page.wait_for_function(CHART_LOADED)
    assert _chart_text_px(page, server, last_card(page).locator("img.chart")) >= 11
    page.goto("/digests")
    img = page.locator("[data-testid=trend-chart]")
    img.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=trend-chart]');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert _chart_text_px(page, server, img) >= 11
    variant = _png_meta(server, img.evaluate("(i) => new URL(i.currentSrc).pathname"))["sentibot-variant"]
    assert variant == ("compact" if size == "phone" else "full")
    shot(page, f"digest_zh_{size}", full=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_no_emoji_in_the_page_chrome_and_a_font_stack_that_degrades(page: Any, size: str) -> None:
    import re

    page.set_viewport_size(SIZES[size])
    page.goto("/")
    send(page, "review")
    page.wait_for_function(TITLE_SAYS, arg="review")
    page.goto("/digests")
    page.locator("[data-testid=digest-title]").wait_for()
    emoji = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
    assert not emoji.search(page.evaluate(CHROME_TEXT))
    stack = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "sans-serif" in stack and stack.index("sans-serif") < stack.index("Noto Color Emoji")
