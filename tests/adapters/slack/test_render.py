"""Block Kit rendering of the core's replies, and Slack text → plain text / turns."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from adapters.slack.render import (
    MAX_BLOCKS,
    SlackMessage,
    outcome_line,
    render_reply,
    resolved_message,
    review_actions,
)
from adapters.slack.text import BotIdentity, plain_text, thread_turns
from bot.replies import Reply, error_reply, help_reply, review_buttons
from domain.models import LabeledItem, Summary
from domain.replies import DrillLink
from tests.adapters.stats_links import PUBLIC_URL, listed, stats_in_web_app
from tests.standins.slack_server import _block_errors


def _item(n: int, text: str, label: str = "negative") -> LabeledItem:
    return LabeledItem(id=n, text=text, label=label, confidence=0.8, explanation=f"why {n}")


def test_user_text_cannot_ping_or_inject_markup() -> None:
    item = _item(1, "<!channel> & <https://evil.example|click> *bold*")
    reply = Reply(
        kind="label", lang="en", title="🔴 negative · <!channel>", lines=["<@U123> said so"], items=[item]
    )
    message = render_reply(reply)
    dumped = json.dumps(message.blocks) + message.text
    assert "<!channel>" not in dumped and "<@U123>" not in dumped
    assert "&lt;!channel&gt;" in message.text


def test_a_huge_list_stays_within_slack_limits() -> None:
    lines = [f"line {n} " + "x" * 400 for n in range(200)]
    highlights = [_item(n, "y" * 500) for n in range(60)]
    reply = Reply(
        kind="list",
        lang="en",
        title="t" * 400,
        lines=lines,
        highlights=highlights,
        summary=Summary(total=200, negative=60),
        link="http://sentibot.test/runs/abc",
    )
    message = render_reply(reply)
    assert len(message.blocks) <= MAX_BLOCKS
    assert _block_errors(message.blocks) == []
    assert message.blocks[-1]["type"] == "context"
    assert len(message.text) <= 3000


def test_error_reply_is_one_clear_line() -> None:
    reply = Reply(
        kind="error",
        lang="en",
        title="⚠️ Labelling failed",
        lines=["Labelling failed: timeout. The run is saved (r1); `sentibot relabel --failed` completes it."],
    )
    message = render_reply(reply)
    assert len(message.blocks) == 1
    assert message.text.startswith("⚠️ Labelling failed: timeout.")
    assert render_reply(error_reply("the message is empty", "en")).text == "⚠️ the message is empty"


def test_chinese_reply_and_review_controls() -> None:
    reply = Reply(
        kind="conversation",
        lang="zh",
        title="🚩 客户整体情绪：负面 · 未解决",
        lines=["客户最后一条发言仍是负面"],
        review_id=7,
        buttons=review_buttons(7, "zh"),
    )
    message = render_reply(reply)
    assert _block_errors(message.blocks) == []
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    assert actions["block_id"] == "review:7"
    button, menu = actions["elements"]
    assert button["text"]["text"] == "标记已审" and button["value"] == "7"
    assert [o["text"]["text"] for o in menu["options"]] == ["🟢 正面", "🔴 负面", "⚪ 中性"]
    assert [o["value"] for o in menu["options"]] == ["7:positive", "7:negative", "7:neutral"]

    line = outcome_line("zh", user_id="U1", review_id=7, label="positive", previous="negative")
    updated = resolved_message(message.blocks, message.text, review_id=7, outcome=line)
    assert not [b for b in updated.blocks if b["type"] == "actions"]
    assert "<@U1> 纠正了标注：🔴 负面 → 🟢 正面" in json.dumps(updated.blocks, ensure_ascii=False)


def test_help_is_bulleted() -> None:
    message = render_reply(help_reply("en"))
    assert message.blocks[0]["type"] == "header"
    assert message.blocks[1]["text"]["text"].startswith("• Send one line")


def test_review_actions_without_buttons_is_empty() -> None:
    assert review_actions(1, [], "en")["elements"] == []


def test_plain_text_reads_slack_markup() -> None:
    text = (
        "<@UBOT> hi <@U2|ann> in <#C1|support>: <https://x.test/a|the order> &amp; "
        "<mailto:a@b.c|a@b.c> <!here>"
    )
    assert plain_text(text, bot_user_id="UBOT") == "hi @ann in #support: the order & a@b.c @here"
    assert plain_text("<@UBOT>\nline one\n\n <@UBOT> line two ", bot_user_id="UBOT") == "line one\n\nline two"


def test_thread_turns_leave_out_the_bot_requests_and_events() -> None:
    bot = BotIdentity(user_id="UBOT", bot_id="BBOT")
    messages = [
        {"ts": "1", "user": "UC", "text": "it broke"},
        {"ts": "2", "user": "UA", "text": "sorry"},
        {"ts": "3", "user": "UBOT", "bot_id": "BBOT", "text": "verdict"},
        {"ts": "4", "user": "UL", "text": "<@UBOT> judge again"},
        {"ts": "5", "subtype": "channel_join", "user": "UX", "text": "joined"},
        {
            "ts": "6",
            "bot_id": "BZENDESK",
            "username": "zendesk",
            "subtype": "bot_message",
            "text": "ticket reply",
        },
        {"ts": "7", "user": "UC", "text": "   "},
    ]
    turns = thread_turns(messages, bot=bot, agent_ids=["UA"])
    assert [(t.author, t.role, t.text) for t in turns] == [
        ("UC", "customer", "it broke"),
        ("UA", "agent", "sorry"),
        ("BZENDESK", "customer", "ticket reply"),
    ]


# -- the drill-down of a stats reply ---------------------------------------------------------------

_SLACK_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")


def _links(message: SlackMessage) -> list[tuple[str, str]]:
    """(url, text) of every link in the message's context blocks, unescaped as Slack shows them."""
    found = []
    for block in message.blocks:
        for element in block.get("elements", []) if block["type"] == "context" else []:
            found += [(unescape(url), unescape(text)) for url, text in _SLACK_LINK.findall(element["text"])]
    return found


async def test_stats_reply_links_each_label_and_aspect_to_exactly_its_messages(tmp_path: Path) -> None:
    async with stats_in_web_app(tmp_path, "stats 2026-11-20..2026-11-22") as (client, reply):
        message = render_reply(reply, public_url=PUBLIC_URL)
        assert _block_errors(message.blocks) == []
        links = dict((text, url) for url, text in _links(message))
        negative = await listed(client, links["🔴 negative 2"])
        assert sorted(negative) == ["Parcel arrived broken", "The refund is slow, terrible"]
        # Every link (labels, aspects, days) lists as many messages as its text counts.
        kinds = {d.kind for d in reply.drill}
        assert {"label", "day"} <= kinds
        for text, url in links.items():
            count = int(re.search(r"(\d+)\)?$", text)[1])  # "… 2" or "11-20 (2)"
            assert len(await listed(client, url)) == count, text
        assert len(links) == len(reply.drill)  # 3 days, 3 labels and the aspects: all short


async def test_chinese_stats_reply_has_chinese_link_text(tmp_path: Path) -> None:
    async with stats_in_web_app(tmp_path, "统计 2026-11-20..2026-11-22", chinese=True) as (client, reply):
        message = render_reply(reply, public_url=PUBLIC_URL)
        links = {text: url for url, text in _links(message)}
        assert {"🔴 负面 1", "🟢 正面 2", "物流 2", "客服 1"} <= set(links)
        drill_lines = " ".join(b["elements"][0]["text"] for b in message.blocks if b["type"] == "context")
        shown = re.sub(r"<[^|>]+\|", "", drill_lines)  # what a reader sees: no URLs
        assert "查看消息" in shown and "按方面" in shown
        assert not re.search(r"negative|positive|neutral|delivery|See the|By day|By aspect", shown)
        assert sorted(await listed(client, links["物流 2"])) == ["快递很快", "物流太慢了，等了一周还没到"]
        assert await listed(client, links["🔴 负面 1"]) == ["物流太慢了，等了一周还没到"]


def test_drill_links_are_escaped_and_few() -> None:
    days = [
        DrillLink(kind="day", key=f"2026-11-{n:02d}", total=n, query={"from": f"2026-11-{n:02d}"})
        for n in range(1, 31)
    ]
    odd = DrillLink(kind="aspect", key="a<b>&c", total=1, query={"aspect": "x&y", "channel": "<!channel>"})
    reply = Reply(kind="stats", lang="en", title="Sentiment", lines=["30 messages"], drill=[odd, *days])
    message = render_reply(reply, public_url="https://s.example")
    dumped = json.dumps(message.blocks)
    assert "<!channel>" not in dumped and "a<b>" not in dumped
    assert "|a&lt;b&gt;&amp;c 1>" in dumped
    links = _links(message)
    assert ("https://s.example/messages?channel=%3C%21channel%3E&aspect=x%26y", "a<b>&c 1") in links
    shown_days = [text for _url, text in links if text.startswith("11-")]
    assert shown_days == [f"11-{n} ({n})" for n in range(24, 31)]  # the last 7 days only
    assert _block_errors(message.blocks) == []


def test_a_reply_without_drill_links_renders_as_before() -> None:
    empty_stats = Reply(kind="stats", lang="en", title="Sentiment", lines=["Nothing was labelled."])
    listing = Reply(kind="list", lang="en", title="3 comments", lines=["x"], link="https://s.example/runs/1")
    for reply in (empty_stats, listing):
        assert render_reply(reply, public_url="https://s.example") == render_reply(reply)
    assert "/messages" not in json.dumps(render_reply(empty_stats, public_url="https://s.example").blocks)
