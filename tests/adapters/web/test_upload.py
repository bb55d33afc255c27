"""Importing a file from the web: upload → preview with the recognised columns → import with the
columns picked (the same runner as `sentibot import`): real times, other columns kept, twice adds
nothing, XLSX too, bad files and bad picks say what to fix."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from tests.adapters.web.helpers import KeywordLabeler
from tests.adapters.web.test_messages import running

EXPORT = (
    "工单号,时间,评论内容,渠道,备注\n"
    "T-1,2026/11/20 10:05,物流太慢了，等了一周 slow,app,VIP\n"
    "T-2,2026-11-21 09:00:00,客服很好 great,web,\n"
    "T-3,2026-11-21 12:30,质量不错 good,app,回访\n"
    "T-4,not a time,包装破了 broken,app,\n"
)


async def _upload(client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/api/imports?filename={name}", content=data, headers={"Content-Type": "application/octet-stream"}
    )


async def test_upload_preview_recognises_columns_then_imports_into_the_history(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, _core):
        answer = await _upload(client, "tickets.csv", EXPORT.encode("utf-8-sig"))
        assert answer.status_code == 200, answer.text
        preview = answer.json()
        assert preview["header"] == ["工单号", "时间", "评论内容", "渠道", "备注"]
        assert preview["fields"] == {"text": "评论内容", "id": "工单号", "time": "时间", "channel": "渠道"}
        assert len(preview["rows"]) == 4 and preview["rows"][0][2] == "物流太慢了，等了一周 slow"

        done = await client.post(
            f"/api/imports/{preview['upload_id']}",
            json={"fields": preview["fields"], "source": "shop"},
        )
        assert done.status_code == 200, done.text
        report = done.json()
        assert (report["rows"], report["new"], report["already"], report["rejected_count"]) == (4, 3, 0, 1)
        assert report["rejected"][0]["row"] == 5 and "time" in report["rejected"][0]["error"]
        assert report["messages_url"] == "/messages?source=shop"

        listed = (await client.get("/api/messages?source=shop")).json()["messages"]
        assert len(listed) == 3
        first = next(m for m in listed if m["external_id"] == "T-1")
        assert first["created_at"].startswith("2026-11-20T02:05:00")  # 10:05 in Asia/Shanghai
        assert first["channel"] == "app" and first["label"] == "negative"
        assert first["fields"] == {"备注": "VIP"}
        page = await client.get("/messages?source=shop", headers={"accept": "text/html"})
        assert "物流太慢了" in page.text and "VIP" in page.text

        # Imported once: the upload is gone; the same file again adds nothing.
        again = await client.post(
            f"/api/imports/{preview['upload_id']}", json={"fields": {"text": "评论内容"}}
        )
        assert again.status_code == 404
        second = (await _upload(client, "tickets.csv", EXPORT.encode())).json()
        report = (
            await client.post(
                f"/api/imports/{second['upload_id']}", json={"fields": second["fields"], "source": "shop"}
            )
        ).json()
        assert (report["new"], report["already"]) == (0, 3)
        assert len((await client.get("/api/messages?source=shop")).json()["messages"]) == 3


async def test_the_picked_columns_are_the_ones_used(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, _core):
        data = b"id,comment,note\n1,fine,refund is slow terrible\n2,ok,great thanks\n"
        preview = (await _upload(client, "x.csv", data)).json()
        assert preview["fields"] == {"text": "comment", "id": "id"}
        # A column that is not there: 400, and the upload still waits for a good pick.
        bad = await client.post(f"/api/imports/{preview['upload_id']}", json={"fields": {"text": "nope"}})
        assert bad.status_code == 400 and "nope" in bad.json()["error"]
        done = await client.post(
            f"/api/imports/{preview['upload_id']}", json={"fields": {"text": "note"}, "source": "notes"}
        )
        assert done.status_code == 200, done.text
        listed = (await client.get("/api/messages?source=notes")).json()["messages"]
        assert sorted(m["text"] for m in listed) == ["great thanks", "refund is slow terrible"]
        # `id` was not picked: the rows are not identified by it, and `comment` is kept as a field.
        assert {m["external_id"] for m in listed} == {None}
        assert {m["fields"]["comment"] for m in listed} == {"fine", "ok"}


async def test_xlsx_upload(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["content", "created_at", "role"])
    sheet.append(["The app keeps crashing", "2026-11-25 08:00", "customer"])
    sheet.append(["We are on it", "2026-11-25 08:10", "agent"])
    buffer = io.BytesIO()
    book.save(buffer)
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, _core):
        preview = (await _upload(client, "export.xlsx", buffer.getvalue())).json()
        assert preview["format"] == "xlsx"
        assert preview["fields"] == {"text": "content", "time": "created_at", "role": "role"}
        report = (
            await client.post(
                f"/api/imports/{preview['upload_id']}", json={"fields": preview["fields"], "source": "xl"}
            )
        ).json()
        assert report["new"] == 2
        agent = (await client.get("/api/messages?source=xl&role=agent")).json()["messages"]
        assert [m["text"] for m in agent] == ["We are on it"]


async def test_bad_uploads_say_what_to_fix(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, _core):
        wrong_type = await _upload(client, "notes.pdf", b"%PDF-1.4")
        assert wrong_type.status_code == 400 and "CSV" in wrong_type.json()["error"]
        empty = await _upload(client, "empty.csv", b"  \n")
        assert empty.status_code == 400 and "empty" in empty.json()["error"]
        # No column recognised as text: the preview still comes, with no text preselected.
        preview = (await _upload(client, "odd.csv", b"a,b\nx,y\n")).json()
        assert "text" not in preview["fields"]
        unknown = await client.post("/api/imports/0123456789abcdef", json={"fields": {"text": "a"}})
        assert unknown.status_code == 404


async def test_a_spreadsheet_pasted_in_the_web_chat_is_read_as_a_table(tmp_path: Path) -> None:
    async with running(tmp_path, labeler=KeywordLabeler()) as (client, _core):
        pasted = "评论内容\t订单号\n物流太慢了 slow\tA1\n客服很好 great\tA2\n"
        run = (await client.post("/api/chat", json={"text": pasted})).json()["run"]
        while run["status"] == "running":  # the chart may take longer than the quick wait
            await asyncio.sleep(0.05)
            run = (await client.get(f"/api/runs/{run['run_id']}")).json()
        assert [item["text"] for item in run["items"]] == ["物流太慢了 slow", "客服很好 great"]
        listed = (await client.get("/api/messages?source=web")).json()["messages"]
        assert {m["text"]: m.get("fields") for m in listed} == {
            "物流太慢了 slow": {"订单号": "A1"},
            "客服很好 great": {"订单号": "A2"},
        }
