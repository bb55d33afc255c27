"""DingTalk markdown of a stats reply: its labels, aspects and days link to their messages on the
web history page (under SENTIBOT_PUBLIC_URL), in the reply's language."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.dingtalk.render import render_reply
from bot.replies import Reply
from domain.replies import DrillLink
from tests.adapters.stats_links import PUBLIC_URL, listed, stats_in_web_app

# `[text](url)`; the text is escaped markdown (`\[`, `\(`…), the URL has no `)`.
_MD_LINK = re.compile(r"\[((?:\\.|[^\]\\])+)\]\((https?://[^)\s]+)\)")


def _links(text: str) -> dict[str, str]:
    return {re.sub(r"\\(.)", r"\1", label): url for label, url in _MD_LINK.findall(text)}


async def test_stats_markdown_links_each_label_and_day_to_exactly_its_messages(tmp_path: Path) -> None:
    async with stats_in_web_app(tmp_path, "stats 2026-11-20..2026-11-22") as (client, reply):
        markdown = render_reply(reply, public_url=PUBLIC_URL)
        links = _links(markdown.text)
        negative = await listed(client, links["🔴 negative 2"])
        assert sorted(negative) == ["Parcel arrived broken", "The refund is slow, terrible"]
        assert len(links) == len(reply.drill)
        for text, url in links.items():
            count = int(re.search(r"(\d+)\)?$", text)[1])  # "… 2" or "11-20 (2)"
            assert len(await listed(client, url)) == count, text


async def test_chinese_stats_markdown_links_aspects_in_chinese(tmp_path: Path) -> None:
    async with stats_in_web_app(tmp_path, "统计 2026-11-20..2026-11-22", chinese=True) as (client, reply):
        text = render_reply(reply, public_url=PUBLIC_URL).text
        links = _links(text)
        assert {"🔴 负面 1", "🟢 正面 2", "物流 2", "客服 1"} <= set(links)
        assert "**查看消息：**" in text and "**按方面：**" in text
        shown = _MD_LINK.sub(r"\1", text)  # what a reader sees: no URLs
        assert not re.search(r"negative|positive|delivery|See the|By day|By aspect", shown)
        assert sorted(await listed(client, links["物流 2"])) == ["快递很快", "物流太慢了，等了一周还没到"]


def test_stats_markdown_shows_the_last_seven_days_only() -> None:
    days = [
        DrillLink(kind="day", key=f"2026-11-{n:02d}", total=n, query={"from": f"2026-11-{n:02d}"})
        for n in range(1, 31)
    ]
    reply = Reply(kind="stats", lang="en", title="Sentiment", lines=["30 messages"], drill=days)
    links = _links(render_reply(reply, public_url="https://s.example").text)
    assert list(links) == [f"11-{n} ({n})" for n in range(24, 31)]
    assert links["11-30 (30)"] == "https://s.example/messages?from=2026-11-30"


def test_a_reply_without_drill_links_renders_as_before() -> None:
    empty_stats = Reply(kind="stats", lang="zh", title="情感统计", lines=["这段时间没有标注记录。"])
    listing = Reply(kind="list", lang="en", title="3 comments", lines=["x"], link="https://s.example/runs/1")
    for reply in (empty_stats, listing):
        assert render_reply(reply, public_url="https://s.example") == render_reply(reply)
    assert "/messages" not in render_reply(empty_stats, public_url="https://s.example").text
