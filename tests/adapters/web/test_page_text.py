"""The page language (browser or switch) and the digest link that opens a day with data."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.web.page_text import accept_language, page_text
from tests.adapters.web.test_api import running


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-TW", "zh"),
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.5,zh;q=0.8", "zh"),
        ("fr-FR,fr;q=0.9", "en"),
        ("", "en"),
        ("zh;q=0", "en"),
        ("en,zh", "en"),
    ],
)
def test_the_browser_language_picks_the_page_language(header: str, lang: str) -> None:
    assert accept_language(header) == lang


def test_every_string_exists_in_both_languages_with_the_same_fields() -> None:
    import re

    en, zh = page_text("en"), page_text("zh")
    assert en.keys() == zh.keys()
    for key in en:
        assert set(re.findall(r"{\w+}", en[key])) == set(re.findall(r"{\w+}", zh[key])), key
        assert en[key] and zh[key], key


async def test_a_chinese_browser_gets_chinese_pages_and_the_switch_wins(tmp_path: Path) -> None:
    async with running(tmp_path) as (client, _):
        zh = await client.get("/reviews", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert '<html lang="zh-CN">' in zh.text and "待审队列" in zh.text and "Review queue" not in zh.text
        client.cookies.set("sentibot_lang", "en")
        en = await client.get("/reviews", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert '<html lang="en">' in en.text and "Review queue" in en.text and "待审队列" not in en.text


async def test_the_digest_link_opens_the_latest_day_with_data_and_says_when_there_is_none(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as (client, core):
        empty = await client.get("/digests", follow_redirects=True, headers={"Accept": "text/html"})
        assert empty.status_code == 200
        assert f"/digests/{core.today()}" in str(empty.url)
        assert 'data-testid="digest-none"' in empty.text  # says nothing has been labelled yet
        await client.post("/api/analyze", json={"texts": ["great", "slow and broken"]})
        latest = await client.get("/digests", follow_redirects=True, headers={"Accept": "text/html"})
        assert 'data-testid="digest-empty"' not in latest.text
        assert 'data-testid="total-labelled">2<' in latest.text
