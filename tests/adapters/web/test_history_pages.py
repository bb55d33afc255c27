"""The history's pages over HTTP: every run (paged), the messages page with filters in the URL
(cursor paging, label corrections shown), its streamed CSV (formula-safe), and the drill-down
links of a stats reply and a run page."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from bot.core import Sentibot
from tests.adapters.web.helpers import KeywordLabeler
from tests.adapters.web.test_messages import running

HTML = {"accept": "text/html"}

TICKETS = {
    "source": "zendesk",
    "messages": [
        {
            "id": "t1",
            "conversation_id": "c-1",
            "role": "customer",
            "text": "The refund is slow, terrible",
            "created_at": "2026-11-20T09:00:00+08:00",
            "channel": "email",
        },
        {
            "id": "t2",
            "conversation_id": "c-1",
            "role": "agent",
            "text": "Sorry about that",
            "created_at": "2026-11-20T09:05:00+08:00",
            "channel": "email",
        },
        {
            "id": "t3",
            "conversation_id": "c-2",
            "role": "customer",
            "text": '=HYPERLINK("http://x") great service thanks',
            "created_at": "2026-11-21T10:00:00+08:00",
            "channel": "chat",
        },
        {
            "id": "t4",
            "conversation_id": "c-3",
            "role": "customer",
            "text": "Parcel arrived broken",
            "created_at": "2026-11-22T10:00:00+08:00",
            "channel": "chat",
        },
    ],
}


async def _ingest(client: httpx.AsyncClient, core: Sentibot) -> None:
    answer = await client.post("/api/messages", json=TICKETS)
    assert answer.status_code == 202, answer.text
    await core.ingest.drained()  # labelled in the background


def _texts(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<p class="item-text">(.*?)</p>', html, re.S)]


async def test_messages_page_filters_live_in_the_url(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, core):
        await _ingest(client, core)
        everything = await client.get("/messages", headers=HTML)
        assert everything.status_code == 200
        assert len(_texts(everything.text)) == 4
        negative = await client.get("/messages?label=negative", headers=HTML)
        assert sorted(_texts(negative.text)) == ["Parcel arrived broken", "The refund is slow, terrible"]
        # The form shows the filter it was given, so the view reads back from its URL.
        assert '<option value="negative" selected>' in negative.text
        one_day = await client.get("/messages?from=2026-11-20&to=2026-11-20&role=customer", headers=HTML)
        assert _texts(one_day.text) == ["The refund is slow, terrible"]
        assert 'value="2026-11-20"' in one_day.text
        channel = await client.get("/messages?channel=chat&q=broken", headers=HTML)
        assert _texts(channel.text) == ["Parcel arrived broken"]
        conversation = await client.get("/messages?conversation_id=c-1", headers=HTML)
        assert len(_texts(conversation.text)) == 2
        # The CSV link carries the same filters.
        href = unescape(re.search(r'href="([^"]+)" download data-testid="messages-csv"', channel.text)[1])
        assert parse_qs(urlsplit(href).query) == {"channel": ["chat"], "q": ["broken"]}
        bad = await client.get("/messages?label=angry", headers=HTML)
        assert bad.status_code == 400
        assert "label" in bad.text


async def test_messages_page_is_paged_with_the_cursor(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, core):
        await _ingest(client, core)
        first = await client.get("/messages?limit=3", headers=HTML)
        assert len(_texts(first.text)) == 3
        next_href = unescape(re.search(r'href="([^"]+)" rel="next"', first.text)[1])
        assert "limit=3" in next_href and "cursor=" in next_href
        second = await client.get(next_href, headers=HTML)
        assert _texts(second.text) == ["The refund is slow, terrible"]
        assert 'rel="next"' not in second.text
        assert set(_texts(first.text)).isdisjoint(_texts(second.text))


async def test_label_set_on_a_message_shows_who_and_when(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, core):
        await _ingest(client, core)
        listed = (await client.get("/api/messages?q=Sorry")).json()["messages"]
        message_id = listed[0]["id"]
        page = await client.get("/messages", headers=HTML)
        assert f'data-label-url="/api/messages/{message_id}/label"' in page.text
        fixed = await client.post(
            f"/api/messages/{message_id}/label", json={"label": "negative", "by": "Lee"}
        )
        assert fixed.status_code == 200, fixed.text
        page = await client.get("/messages?label=negative", headers=HTML)
        assert "Sorry about that" in _texts(page.text)
        assert "label set by Lee" in re.sub(r"<[^>]+>", "", page.text)


async def test_messages_csv_streams_every_page_formula_safe(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, core):
        await _ingest(client, core)
        # `limit` and `cursor` page the view; the export is the whole view.
        answer = await client.get("/messages.csv?limit=1&role=customer")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
        assert len(rows) == 3
        assert {r["role"] for r in rows} == {"customer"}
        hyperlink = next(r for r in rows if "HYPERLINK" in r["text"])
        assert hyperlink["text"].startswith("'=")
        assert (await client.get("/messages.csv?from=2026-13-01")).status_code == 400


async def test_runs_page_lists_every_run_newest_first_paged(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, _core):
        run_ids = []
        for text in ("first great", "second terrible\nthird fine", "fourth slow"):
            answer = (await client.post("/api/analyze", json={"texts": text.split("\n")})).json()
            run_ids.append(answer["run_id"])
        page = await client.get("/runs?limit=2", headers=HTML)
        assert page.status_code == 200
        shown = re.findall(r'data-testid="run-row" data-run="([0-9a-f]+)"', page.text)
        assert shown == run_ids[::-1][:2]
        assert "3 runs" in page.text
        next_href = unescape(re.search(r'href="([^"]+)" rel="next"', page.text)[1])
        older = await client.get(next_href, headers=HTML)
        assert re.findall(r'data-testid="run-row" data-run="([0-9a-f]+)"', older.text) == [run_ids[0]]
        assert f'href="/runs/{run_ids[0]}"' in older.text
        assert (await client.get("/runs?cursor=nonsense", headers=HTML)).status_code == 400


async def test_stats_reply_links_each_day_label_and_aspect_to_its_messages(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, core):
        await _ingest(client, core)
        reply = (await client.post("/api/chat", json={"text": "stats 2026-11-20..2026-11-22"})).json()[
            "reply"
        ]
        days = {d["key"]: d for d in reply["drill"] if d["kind"] == "day"}
        assert set(days) == {"2026-11-20", "2026-11-21", "2026-11-22"}
        assert days["2026-11-20"]["counts"] == {"positive": 0, "neutral": 1, "negative": 1}
        # Each link lists exactly the messages its bar counts.
        for drill in reply["drill"]:
            listed = await client.get(drill["url"].replace("/messages", "/api/messages", 1))
            assert len(listed.json()["messages"]) == drill["total"], drill
        label = next(d for d in reply["drill"] if d["kind"] == "label" and d["key"] == "negative")
        assert parse_qs(urlsplit(label["url"]).query) == {
            "from": ["2026-11-20"],
            "to": ["2026-11-22"],
            "label": ["negative"],
        }


async def test_run_page_links_its_labels_and_aspects_to_its_messages(tmp_path: Path) -> None:
    async with running(tmp_path) as (client, _core):  # the offline labeller: it finds aspects
        answer = await client.post(
            "/api/analyze", json={"texts": ["物流太慢了，等了一周还没到", "客服态度很好，谢谢", "快递很快"]}
        )
        run = answer.json()
        page = await client.get(f"/runs/{run['run_id']}", headers=HTML)
        links = [
            unescape(h)
            for h in re.findall(r'class="[^"]*drill-(?:label|aspect)"[^>]*href="([^"]+)"', page.text)
        ]
        assert links, "no drill-down links on the run page"
        for href in links:
            query = parse_qs(urlsplit(href).query)
            assert query["run_id"] == [run["run_id"]]
            listed = (await client.get("/api/messages?" + urlsplit(href).query)).json()["messages"]
            assert listed
            if "label" in query:
                assert {m["label"] for m in listed} == set(query["label"])
            if "aspect" in query:
                assert all(query["aspect"][0] in m["aspects"] for m in listed)
        everything = (await client.get(f"/api/messages?run_id={run['run_id']}")).json()["messages"]
        assert len(everything) == 3
