"""Slack over HTTP: signed payloads into the FastAPI app, the Web API served by the stand-in."""

from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from slack_sdk.http_retry import builtin_async_handlers as retry_handlers

from bot.labelers.offline import SHIPPED_MODEL_PATH, OfflineLabeler
from tests.standins.slack_fixtures import (
    AGENT_ID,
    CUSTOMER_ID,
    LEAD_ID,
    PNG_MAGIC,
    SIGNING_SECRET,
    HarnessFactory,
    KeywordLabeler,
    SlackHarness,
    sign,
)

CHANNEL = "C0SUPPORT"
DM = "D0LEAD"
# Only turns a deadlock (an ack waiting on the model) into a failure; no test measures time.
DEADLOCK_GUARD_S = 30
TRANSCRIPT = (
    "Customer: My blender arrived broken, I want a refund\n"
    "Agent: Sorry about that, we are checking\n"
    "Customer: This is terrible service, still no refund"
)
OTHER_TRANSCRIPT = (
    "Customer: The headphones stopped working after a day\n"
    "Agent: Did you try another cable?\n"
    "Customer: Yes, still broken, awful"
)


def _seed_support_thread(slack: SlackHarness) -> tuple[str, str]:
    """A customer thread (long enough to need three pages) and the lead's @-mention in it."""
    server = slack.server
    root = server.seed_thread(
        CHANNEL,
        [
            {"user": CUSTOMER_ID, "text": "My blender arrived broken, I want a refund"},
            {"user": AGENT_ID, "text": "Sorry about that! Could you send a photo?"},
            {"user": CUSTOMER_ID, "text": "Sent it yesterday &amp; nobody answered"},
            {"subtype": "channel_join", "user": "UJOINER1", "text": "<@UJOINER1> has joined the channel"},
            {"user": server.bot_user_id, "bot_id": server.bot_id, "text": "an old sentibot reply"},
            {"user": AGENT_ID, "text": "We are checking with the warehouse"},
            {"user": CUSTOMER_ID, "text": "This is terrible service, still no refund"},
        ],
    )
    mention_ts = server.seed_reply(
        CHANNEL, root, {"user": LEAD_ID, "text": f"<@{server.bot_user_id}> how is this one going?"}
    )
    return root, mention_ts


def _mention_event(slack: SlackHarness, *, text: str, ts: str, thread_ts: str | None = None) -> dict:
    event = {
        "type": "app_mention",
        "user": LEAD_ID,
        "text": text,
        "ts": ts,
        "channel": CHANNEL,
        "event_ts": ts,
        "team": slack.server.team_id,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def _dm_event(slack: SlackHarness, text: str, **extra: Any) -> dict:
    ts = slack.server.next_ts()
    return {
        "type": "message",
        "channel": DM,
        "channel_type": "im",
        "user": LEAD_ID,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        **extra,
    }


def _all_text(message: dict) -> str:
    """Everything a reader sees in a message: fallback text and every text in its blocks."""
    return message["text"] + "\n" + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def _thread_verdicts(slack: SlackHarness, root: str) -> list[dict]:
    return [m for m in slack.server.bot_messages(CHANNEL, thread_ts=root) if "Customer felt" in m["text"]]


async def _judge_support_thread(slack: SlackHarness) -> tuple[str, dict]:
    root, mention_ts = _seed_support_thread(slack)
    event = _mention_event(
        slack, text=f"<@{slack.bot_user_id}> how is this one going?", ts=mention_ts, thread_ts=root
    )
    response = await slack.post_event(event)
    assert response.status_code == 200
    await slack.settle()
    replies = slack.server.bot_messages(CHANNEL, thread_ts=root)
    verdicts = [
        m for m in replies if m.get("subtype") != "file_share" and m["text"] != "an old sentibot reply"
    ]
    assert len(verdicts) == 1, replies
    return root, verdicts[0]


async def _press_mark_reviewed(slack: SlackHarness, verdict: dict, *, review_id: int) -> httpx.Response:
    """The lead presses the "Mark reviewed" button of `verdict`."""
    button = next(
        e for b in verdict["blocks"] if b["type"] == "actions" for e in b["elements"] if e["type"] == "button"
    )
    return await slack.press(
        verdict,
        channel=CHANNEL,
        action={
            "type": "button",
            "action_id": button["action_id"],
            "block_id": f"review:{review_id}",
            "value": button["value"],
            "text": button["text"],
        },
    )


# -- a thread ------------------------------------------------------------------------------------


async def test_mention_in_thread_judges_the_whole_conversation_and_answers_in_it(slack: SlackHarness) -> None:
    root, verdict = await _judge_support_thread(slack)
    server = slack.server

    # The whole thread was read, page by page.
    reads = server.calls("conversations.replies")
    assert len(reads) >= 3 and all(c.params["ts"] == root for c in reads)
    assert [c.params.get("cursor") for c in reads][1:] == ["3", "6"]

    # The reply: in the thread, the verdict in words and blocks, the review controls.
    assert verdict["thread_ts"] == root
    text = _all_text(verdict)
    assert "Customer felt negative overall" in text and "not resolved" in text
    assert verdict["blocks"][0]["type"] == "header"
    assert "Flagged for review" in text
    actions = [b for b in verdict["blocks"] if b["type"] == "actions"]
    assert len(actions) == 1
    assert {e["action_id"] for e in actions[0]["elements"]} == {"review_resolve", "review_wrong"}

    # The chart: a PNG uploaded into the same thread.
    [upload] = server.uploads
    assert upload.completed and upload.data is not None and upload.data.startswith(PNG_MAGIC)
    assert upload.channel == CHANNEL and upload.thread_ts == root
    [complete] = server.calls("files.completeUploadExternal")
    assert complete.params["thread_ts"] == root and complete.params["channel_id"] == CHANNEL

    # What the core judged: customer and agent turns, not the bot, the join or the request.
    [review] = slack.core.reviews(status="open")
    assert review["thread_key"] == f"slack:{server.team_id}:{CHANNEL}:{root}"
    assert review["permalink"].startswith("https://acme.slack.com/archives/C0SUPPORT/p")
    items = slack.core.analysis.result(review["run_id"]).items
    assert [(i.role, i.author) for i in items] == [
        ("customer", CUSTOMER_ID),
        ("agent", AGENT_ID),
        ("customer", CUSTOMER_ID),
        ("agent", AGENT_ID),
        ("customer", CUSTOMER_ID),
    ]
    assert items[2].text == "Sent it yesterday & nobody answered"


async def test_mark_reviewed_button_resolves_the_review_and_shows_who(slack: SlackHarness) -> None:
    _root, verdict = await _judge_support_thread(slack)
    [review] = slack.core.reviews(status="open")

    response = await _press_mark_reviewed(slack, verdict, review_id=review["id"])
    assert response.status_code == 200
    await slack.settle()

    resolved = slack.core.review(review["id"])
    assert resolved["status"] == "resolved" and resolved["resolved_by"] == "lead.anna"
    assert resolved["corrected_label"] is None
    [update] = slack.server.calls("chat.update")
    assert update.params["ts"] == verdict["ts"]
    [after] = [m for m in slack.server.messages(CHANNEL) if m["ts"] == verdict["ts"]]
    assert f"Marked reviewed by <@{LEAD_ID}>" in _all_text(after)
    assert not [b for b in after["blocks"] if b["type"] == "actions"]
    assert "Customer felt negative" in _all_text(after)  # the verdict stays


async def test_label_was_wrong_records_the_right_label(slack: SlackHarness) -> None:
    _root, verdict = await _judge_support_thread(slack)
    [review] = slack.core.reviews(status="open")
    menu = next(
        e
        for b in verdict["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "static_select"
    )
    neutral = next(o for o in menu["options"] if o["value"].endswith(":neutral"))

    await slack.press(
        verdict,
        channel=CHANNEL,
        action={
            "type": "static_select",
            "action_id": menu["action_id"],
            "block_id": f"review:{review['id']}",
            "selected_option": neutral,
        },
    )
    await slack.settle()

    resolved = slack.core.review(review["id"])
    assert resolved["status"] == "resolved" and resolved["corrected_label"] == "neutral"
    [after] = [m for m in slack.server.messages(CHANNEL) if m["ts"] == verdict["ts"]]
    assert f"<@{LEAD_ID}> corrected the label: 🔴 negative → ⚪ neutral" in _all_text(after)


async def test_model_down_gives_the_thread_one_clear_line_and_keeps_the_run(
    make_slack: HarnessFactory,
) -> None:
    slack = await make_slack(labeler=KeywordLabeler(down=True))
    _root, verdict = await _judge_support_thread(slack)

    assert verdict["text"].startswith("⚠️ Labelling failed: the model server could not be reached")
    assert "relabel --failed" in verdict["text"]
    assert len(verdict["blocks"]) == 1
    assert not slack.server.uploads
    failed = slack.core.store.runs.failed_items(None)
    assert len(failed) == 1 and len(next(iter(failed.values()))) == 5
    assert slack.core.analysis.result(next(iter(failed))).status == "failed"


async def test_already_resolved_shows_the_reviewer_name_escaped(slack: SlackHarness) -> None:
    """`resolved_by` is free text from the web/CLI: a reviewer named <!channel> pings nobody."""
    _root, verdict = await _judge_support_thread(slack)
    [review] = slack.core.reviews(status="open")
    slack.core.resolve_review(review["id"], reviewer="<!channel> & <@U0BOSS>")

    await _press_mark_reviewed(slack, verdict, review_id=review["id"])
    await slack.settle()

    [after] = [m for m in slack.server.messages(CHANNEL) if m["ts"] == verdict["ts"]]
    shown = _all_text(after)
    assert "already resolved by &lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in shown
    assert "<!channel>" not in shown and "<@U0BOSS>" not in shown
    assert slack.core.review(review["id"])["resolved_by"] == "<!channel> & <@U0BOSS>"


# -- outside a thread, DMs -------------------------------------------------------------------------


async def test_dm_transcripts_are_one_review_each_and_the_same_one_once(slack: SlackHarness) -> None:
    """Pasted transcripts are keyed by their turns (as on the web), not by the Slack message."""
    for text in (TRANSCRIPT, OTHER_TRANSCRIPT, TRANSCRIPT):
        await slack.post_event(_dm_event(slack, text))
        await slack.settle()

    reviews = sorted(slack.core.reviews(status=None), key=lambda r: r["id"])
    assert [r["title"].split(",")[0] for r in reviews] == [
        "My blender arrived broken",
        "The headphones stopped working after a day",
    ]
    flagged = [m["text"] for m in slack.server.bot_messages(DM) if "Flagged for review" in m["text"]]
    first = f"Flagged for review (#{reviews[0]['id']})"
    assert [first in t for t in flagged] == [True, False, True]


async def test_mention_outside_a_thread_labels_the_text(slack: SlackHarness) -> None:
    ts = slack.server.next_ts()
    event = _mention_event(slack, text=f"<@{slack.bot_user_id}> the delivery was awfully slow", ts=ts)

    await slack.post_event(event)
    await slack.settle()

    [reply] = slack.server.bot_messages(CHANNEL)
    assert reply["thread_ts"] == ts  # answered under the mention
    assert reply["text"].startswith("🔴 negative 90% · the delivery was awfully slow")
    assert "<@" not in reply["text"]
    assert not slack.server.uploads  # one comment: no chart


async def test_dm_with_a_list_posts_working_on_it_then_the_summary_and_chart(slack: SlackHarness) -> None:
    lines = [f"order {n} arrived broken" for n in range(4)] + [f"great support {n}" for n in range(6)]
    lines += ["it is a blender", "the worst refund process ever"]

    await slack.post_event(_dm_event(slack, "\n".join(lines)))
    await slack.settle()

    [message] = [m for m in slack.server.bot_messages(DM) if m.get("subtype") != "file_share"]
    [placeholder] = slack.server.calls("chat.postMessage")
    assert placeholder.params["text"] == "⏳ Labelling 12 comments…"
    [update] = slack.server.calls("chat.update")
    assert update.params["ts"] == message["ts"]
    text = _all_text(message)
    assert message["blocks"][0]["text"]["text"] == "12 comments labelled"
    assert "🔴 negative 5 (42%)" in text and "🟢 positive 6 (50%)" in text
    assert "Most negative" in text and "mentions broken" in text
    [upload] = slack.server.uploads
    assert upload.channel == DM and upload.thread_ts is None and upload.data.startswith(PNG_MAGIC)


async def test_dm_in_chinese_is_answered_in_chinese(slack: SlackHarness) -> None:
    await slack.post_event(_dm_event(slack, "物流太慢了，要退款"))
    await slack.settle()
    [reply] = slack.server.bot_messages(DM)
    assert "负面" in reply["text"] and "标注来源" in reply["text"]


async def test_dm_ignores_bot_posts_edits_and_channel_messages(slack: SlackHarness) -> None:
    await slack.post_event(_dm_event(slack, "from a bot", bot_id="B0OTHER"))
    await slack.post_event(_dm_event(slack, "edited", subtype="message_changed"))
    await slack.post_event(_dm_event(slack, "mine", user=slack.bot_user_id))
    await slack.post_event(_dm_event(slack, "in a channel", channel_type="channel"))
    await slack.settle()
    assert not slack.server.calls("chat.postMessage")


# -- slash command ----------------------------------------------------------------------------------


async def test_slash_command_is_acked_at_once_and_answered_via_response_url(slack: SlackHarness) -> None:
    response = await slack.post_command("great support, thanks")
    assert response.status_code == 200 and "Labelling" in response.text
    await slack.settle()
    [labelled] = slack.server.responses
    assert labelled["response_type"] == "in_channel"
    assert labelled["text"].startswith("🟢 positive")

    stats = await slack.post_command("stats 7d")
    assert stats.status_code == 200 and stats.text == ""
    await slack.settle()
    stats_reply = slack.server.responses[-1]
    assert stats_reply["text"].startswith("Sentiment, last 7 days")
    assert stats_reply["response_type"] == "in_channel"
    assert "1 messages" in _all_text(stats_reply)
    # The positive one is a link to its messages on the web history page (SENTIBOT_PUBLIC_URL).
    assert "<http://sentibot.test/messages?from=" in _all_text(stats_reply)
    assert "label=positive|🟢 positive 1>" in _all_text(stats_reply)
    # The stats chart went to the channel the command was typed in.
    assert [u.channel for u in slack.server.uploads] == [CHANNEL]

    await slack.post_command("help")
    await slack.post_command("")
    await slack.settle()
    helps = slack.server.responses[-2:]
    assert all(r["text"].startswith("How to use sentibot") for r in helps)
    assert all(r["response_type"] == "ephemeral" for r in helps)


# -- delivery guarantees ----------------------------------------------------------------------------


async def test_each_event_is_answered_once_under_retries_and_across_a_restart(
    make_slack: HarnessFactory,
) -> None:
    slack = await make_slack()
    event = _dm_event(slack, "the parcel is late again, terrible")
    for retry in (None, 1, 2, 3):
        response = await slack.post_event(event, event_id="Ev0RETRIED", retry=retry)
        assert response.status_code == 200
    await slack.settle()
    assert len(slack.server.bot_messages(DM)) == 1

    restarted = await make_slack()  # same database, a fresh process
    await restarted.post_event(event, event_id="Ev0RETRIED", retry=3)
    await restarted.settle()
    assert len(slack.server.bot_messages(DM)) == 1


async def test_forged_or_stale_requests_get_401_and_do_nothing(slack: SlackHarness) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "Ev0FORGED", "event": _dm_event(slack, "hi")})
    forged = await slack.http.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/json", **sign(body, secret="not-the-secret")},
    )
    stale = await slack.http.post(
        "/slack/events",
        content=body,
        headers={
            "Content-Type": "application/json",
            **sign(body, secret=SIGNING_SECRET, timestamp=int(time.time()) - 600),
        },
    )
    unsigned = await slack.http.post(
        "/slack/events", content=body, headers={"Content-Type": "application/json"}
    )
    await slack.settle()
    assert [forged.status_code, stale.status_code, unsigned.status_code] == [401, 401, 401]
    assert not slack.server.calls("chat.postMessage")


async def test_url_verification_is_answered(slack: SlackHarness) -> None:
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = await slack.post(body, "application/json")
    assert response.status_code == 200
    assert response.json()["challenge"].startswith("3eZbrw1a")


async def test_event_is_acked_while_the_model_is_still_working(make_slack: HarnessFactory) -> None:
    """The 200 goes back to Slack while the labeller has not answered; the verdict comes after."""
    gate = asyncio.Event()
    labeler = KeywordLabeler(gate=gate)
    slack = await make_slack(labeler=labeler)
    root, mention_ts = _seed_support_thread(slack)
    event = _mention_event(slack, text=f"<@{slack.bot_user_id}> check", ts=mention_ts, thread_ts=root)

    # Were the ack waiting for the model, this would never return (the gate is not set yet);
    # the bound only turns such a deadlock into a failure.
    response = await asyncio.wait_for(slack.post_event(event), timeout=DEADLOCK_GUARD_S)
    assert response.status_code == 200
    await asyncio.wait_for(labeler.started.wait(), timeout=DEADLOCK_GUARD_S)
    assert not gate.is_set() and labeler.calls == 1
    assert not _thread_verdicts(slack, root)

    gate.set()
    await slack.settle()
    assert len(_thread_verdicts(slack, root)) == 1


async def test_slash_command_is_acked_while_the_model_is_still_working(make_slack: HarnessFactory) -> None:
    gate = asyncio.Event()
    labeler = KeywordLabeler(gate=gate)
    slack = await make_slack(labeler=labeler)

    response = await asyncio.wait_for(slack.post_command("great support"), timeout=DEADLOCK_GUARD_S)
    assert response.status_code == 200 and "Labelling" in response.text
    await asyncio.wait_for(labeler.started.wait(), timeout=DEADLOCK_GUARD_S)
    assert not slack.server.responses

    gate.set()
    await slack.settle()
    [answer] = slack.server.responses
    assert answer["text"].startswith("🟢 positive")


async def test_rate_limited_post_is_retried_after_retry_after(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The wait slack_sdk's retry handler asks for is recorded, not slept through.
    waits: list[float] = []

    async def record_wait(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(retry_handlers, "asyncio", SimpleNamespace(sleep=record_wait))
    slack.server.rate_limit("chat.postMessage", times=1, retry_after=3)

    await slack.post_event(_dm_event(slack, "thanks, great help"))
    await slack.settle()

    first, second = slack.server.calls("chat.postMessage")
    assert (first.status, second.status) == (429, 200)
    [wait] = waits
    assert 3 <= wait < 4  # Retry-After, plus slack_sdk's jitter of under a second
    assert len(slack.server.bot_messages(DM)) == 1


async def test_slack_errors_end_in_one_clear_line(slack: SlackHarness) -> None:
    root, mention_ts = _seed_support_thread(slack)
    slack.server.fail("conversations.replies", error="missing_scope")
    event = _mention_event(slack, text=f"<@{slack.bot_user_id}>", ts=mention_ts, thread_ts=root)

    await slack.post_event(event)
    await slack.settle()

    [line] = [
        m for m in slack.server.bot_messages(CHANNEL, thread_ts=root) if m["text"] != "an old sentibot reply"
    ]
    assert line["text"].startswith("⚠️ Slack refused a request (missing_scope)")


async def test_with_the_offline_labeller_end_to_end(make_slack: HarnessFactory) -> None:
    """The shipped offline labeller (it is in the repo: a missing model is a failure) behind Slack."""
    assert SHIPPED_MODEL_PATH.exists(), f"the shipped offline model is missing: {SHIPPED_MODEL_PATH}"
    slack = await make_slack(labeler=OfflineLabeler())
    _root, verdict = await _judge_support_thread(slack)
    assert "Labelled by offline" in verdict["text"]
    assert verdict["text"].startswith(("🚩", "🟢", "🔴", "⚪"))

    await slack.post_event(_dm_event(slack, "物流太慢了，非常失望\n客服态度很好，谢谢\n东西一般般"))
    await slack.settle()
    [answer] = [m for m in slack.server.bot_messages(DM) if m.get("subtype") != "file_share"]
    assert answer["blocks"][0]["text"]["text"] == "已标注 3 条评论"
    assert "标注来源：offline" in answer["text"]
    assert [u.channel for u in slack.server.uploads if u.channel == DM] == [DM]


async def test_a_failed_chart_upload_does_not_spoil_the_answer(slack: SlackHarness) -> None:
    slack.server.fail("files.getUploadURLExternal", error="missing_scope")
    await slack.post_event(_dm_event(slack, "great\nbroken\nfine I guess"))
    await slack.settle()
    [answer] = slack.server.bot_messages(DM)
    assert answer["text"].startswith("3 comments labelled")
    assert not slack.server.uploads
