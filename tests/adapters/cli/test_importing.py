"""`sentibot import`: real export shapes in, their own times counted, nothing twice, rejects listed."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from domain.messages import MessageFilter
from storage import Store

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"SENTIBOT_DB": str(tmp_path / "cli.db"), "COLUMNS": "200", "SENTIBOT_TIMEZONE": "Asia/Shanghai"}


ZENDESK = """ticket_id,created_at,conversation_id,role,comment,priority
101,2026-11-02T09:15:00+08:00,T-1,customer,"The parcel is two weeks late, terrible",high
102,2026-11-02T09:20:00+08:00,T-1,agent,"Sorry, we are checking with the courier",high
103,2026-11-03T22:40:00Z,T-2,customer,"Great service, thank you!",low
104,2026-11-05 08:00:00,T-3,end-user,"Refund still not received, awful",normal
"""


def test_a_helpdesk_export_goes_in_with_its_own_times_and_again_adds_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    export = tmp_path / "tickets.csv"
    export.write_text(ZENDESK, encoding="utf-8")
    first = runner.invoke(app, ["import", str(export), "--source", "zendesk"], env=env)
    assert first.exit_code == 0, first.output
    assert (
        "text ← comment · id ← ticket_id · time ← created_at · conversation ← conversation_id" in first.output
    )
    assert "kept as fields: priority" in first.output
    assert "4 new · 0 already stored · 0 rejected · 4 labelled" in first.output

    again = runner.invoke(app, ["import", str(export), "--source", "zendesk"], env=env)
    assert again.exit_code == 0, again.output
    assert "0 new · 4 already stored · 0 rejected · 0 labelled" in again.output

    store = Store(env["SENTIBOT_DB"])
    try:
        messages, _ = store.messages.search(MessageFilter())
        assert [(m.external_id, m.day, m.role) for m in messages] == [
            ("104", "2026-11-05", "customer"),
            ("103", "2026-11-04", "customer"),  # 22:40 UTC is the next morning in Shanghai
            ("102", "2026-11-02", "agent"),
            ("101", "2026-11-02", "customer"),
        ]
        assert messages[3].label == "negative" and messages[1].label == "positive"
        assert messages[0].fields == {"priority": "normal"}
        assert {m.conversation_id for m in store.messages.conversation("T-1")} == {"T-1"}
        days = {r["day"] for r in store.stats.daily_counts(first_day="2026-11-01", last_day="2026-11-30")}
        assert days == {"2026-11-02", "2026-11-04", "2026-11-05"}  # when customers wrote, not today
    finally:
        store.close()


def test_an_xlsx_with_chinese_headers_rejects_bad_rows_by_number_and_exits_1(
    env: dict[str, str], tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "评论时间", "评论内容", "渠道"])
    sheet.append([1, datetime(2026, 11, 28, 10, 5), "物流太慢了，三天还没到", "淘宝"])
    sheet.append([2, "2026/11/28 11:00", "质量很好，很满意", "京东"])
    sheet.append([3, "昨天", "价格太贵", "淘宝"])
    sheet.append([4, "2026-11-28 12:00:00", None, "淘宝"])
    sheet.append([5, 46354.5, "客服回复很慢", None])
    path = tmp_path / "评论.xlsx"
    book.save(path)

    result = runner.invoke(app, ["import", str(path), "--channel", "shop"], env=env)
    assert result.exit_code == 1, result.output
    assert "3 new · 0 already stored · 2 rejected" in result.output
    assert "row 4: '昨天' is not a time" in result.output
    assert "row 5: text is empty" in result.output
    store = Store(env["SENTIBOT_DB"])
    try:
        messages, _ = store.messages.search(MessageFilter())
        assert sorted((m.external_id, m.channel, m.day) for m in messages) == [
            ("1", "淘宝", "2026-11-28"),
            ("2", "京东", "2026-11-28"),
            ("5", "shop", "2026-11-28"),
        ]
    finally:
        store.close()


def test_jsonl_and_a_map_for_unusual_names(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    rows = [
        {"msg": "The app crashes when I log in", "ts": 1795831500, "who": "customer"},
        {"msg": "Love the new design", "ts": 1795831600000, "who": "customer"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(path), "--map", "text=msg,time=ts,role=who"], env=env)
    assert result.exit_code == 1, result.output
    assert "2 new" in result.output and "row 3: not valid JSON" in result.output


def test_usage_errors_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    missing = runner.invoke(app, ["import", str(tmp_path / "nope.csv")], env=env)
    assert missing.exit_code == 2 and "no file" in missing.output
    headless = tmp_path / "x.csv"
    headless.write_text("a,b\n1,2\n", encoding="utf-8")
    no_text = runner.invoke(app, ["import", str(headless)], env=env)
    assert no_text.exit_code == 2 and "--map text=COLUMN" in no_text.output


def test_label_file_takes_more_than_2000_lines(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "many.txt"
    path.write_text("\n".join(f"comment number {i}, fine" for i in range(2500)), encoding="utf-8")
    result = runner.invoke(app, ["label", "--file", str(path), "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["total"] == 2500
