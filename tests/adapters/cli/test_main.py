"""The `sentibot` command line, as a user runs it (in-process through typer's runner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from tests.standins.llm_server import StandinLLMServer

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"SENTIBOT_DB": str(tmp_path / "cli.db"), "COLUMNS": "160"}


def test_label_one_text_prints_label_keywords_and_labeller(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["label", "物流太慢了，客服也不理人"], env=env)
    assert result.exit_code == 0, result.output
    assert "negative" in result.output
    assert "keywords:" in result.output and "why:" in result.output
    assert "labeller: offline" in result.output


def test_label_csv_file_as_json_matches_the_api_shape(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "comments.csv"
    data.write_text(
        'id,text\n1,"Terrible, the app crashes every time"\n2,太好吃了，下次还点\n3,\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["label", "--file", str(data), "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) >= {"run_id", "items", "summary", "explanation", "chart_url", "conversation"}
    assert [item["label"] for item in doc["items"]] == ["negative", "positive"]  # blank row skipped
    assert doc["summary"] == {"total": 2, "positive": 1, "negative": 1, "neutral": 0, "failed": 0}
    assert doc["chart_url"].endswith(".png")
    assert all(item["labeler"] == "offline" and item["status"] == "ok" for item in doc["items"])


def test_label_stdin_lines_as_csv(env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["label", "-f", "-", "--format", "csv"], input="great product\n\nawful support\n", env=env
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("id,role,author,text,label")
    assert len(lines) == 3


def test_usage_errors_exit_2_with_a_reason(env: dict[str, str], tmp_path: Path) -> None:
    nothing = runner.invoke(app, ["label"], env=env)
    assert nothing.exit_code == 2 and "nothing to label" in nothing.output
    missing = runner.invoke(app, ["label", "--file", str(tmp_path / "nope.txt")], env=env)
    assert missing.exit_code == 2 and "no such file" in missing.output
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("comment_id,stars\n1,5\n", encoding="utf-8")
    bad = runner.invoke(app, ["label", "--file", str(bad_csv)], env=env)
    assert bad.exit_code == 2 and "text column" in bad.output
    bad_config = runner.invoke(app, ["label", "hi"], env={**env, "SENTIBOT_LLM_CONCURRENCY": "zero"})
    assert bad_config.exit_code == 2 and "SENTIBOT_LLM_CONCURRENCY" in bad_config.output


def test_server_down_then_relabel_failed_completes_the_run(
    env: dict[str, str], llm_server: StandinLLMServer
) -> None:
    down = {**env, "SENTIBOT_LLM_BASE_URL": "http://127.0.0.1:9/v1"}
    failed = runner.invoke(app, ["label", "太慢了", "很好"], env=down)
    assert failed.exit_code == 1
    assert "unreachable" in failed.output and "relabel --failed" in failed.output
    assert "Traceback" not in failed.output

    up = {**env, "SENTIBOT_LLM_BASE_URL": llm_server.base_url}
    fixed = runner.invoke(app, ["relabel", "--failed"], env=up)
    assert fixed.exit_code == 0, fixed.output
    assert "negative 1" in fixed.output and "positive 1" in fixed.output
    again = runner.invoke(app, ["relabel", "--failed"], env=up)
    assert again.exit_code == 0 and "nothing to relabel" in again.output


def test_doctor_reports_each_check_on_one_line(env: dict[str, str], llm_server: StandinLLMServer) -> None:
    healthy = runner.invoke(app, ["doctor"], env={**env, "SENTIBOT_LLM_BASE_URL": llm_server.base_url})
    assert healthy.exit_code == 0, healthy.output
    assert "database" in healthy.output and "FAIL" not in healthy.output
    down = runner.invoke(app, ["doctor"], env={**env, "SENTIBOT_LLM_BASE_URL": "http://127.0.0.1:9/v1"})
    assert down.exit_code == 1 and "FAIL" in down.output
    assert all(len(line) < 300 for line in down.output.splitlines())


def test_review_list_show_resolve(env: dict[str, str]) -> None:
    transcript = "客户: 退款一直没到账，太差了\n客服: 请耐心等待\n客户: 我要投诉你们，太失望了"
    listed = runner.invoke(app, ["review", "list"], env=env)
    assert listed.exit_code == 0 and "no open reviews" in listed.output
    import asyncio

    from bot.config import Settings
    from bot.core import MessageContext, Sentibot

    async def flag() -> int:
        bot = Sentibot(settings=Settings(SENTIBOT_DB=env["SENTIBOT_DB"]))
        reply = await bot.handle_message(transcript, context=MessageContext(source="web"))
        await bot.aclose()
        assert reply.review_id is not None
        return reply.review_id

    review_id = asyncio.run(flag())
    listed = runner.invoke(app, ["review", "list"], env=env)
    assert f"#{review_id} [open]" in listed.output
    resolved = runner.invoke(
        app,
        [
            "review",
            "resolve",
            str(review_id),
            "--note",
            "called back",
            "--label",
            "negative",
            "--reviewer",
            "amy",
        ],
        env=env,
    )
    assert resolved.exit_code == 0 and "resolved by amy" in resolved.output
    shown = runner.invoke(app, ["review", "show", str(review_id)], env=env)
    assert "resolved by amy called back negative" in shown.output
    assert runner.invoke(app, ["review", "resolve", "999"], env=env).exit_code == 1
    assert runner.invoke(app, ["review", "resolve", str(review_id), "--label", "meh"], env=env).exit_code == 2


def test_train_builds_a_model_the_labeller_then_uses(env: dict[str, str], tmp_path: Path) -> None:
    rows = ["text,label"]
    for word in ("great", "love", "excellent", "wonderful", "perfect", "fantastic"):
        rows += [f"{word} product,positive", f"really {word} service,positive", f"{word} and fast,positive"]
    for word in ("awful", "broken", "horrible", "useless", "terrible", "rude"):
        rows += [f"{word} product,negative", f"really {word} service,negative", f"{word} and slow,negative"]
    data = tmp_path / "mine.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    model = tmp_path / "mine.json.gz"
    trained = runner.invoke(app, ["train", "--data", str(data), "--out", str(model)], env=env)
    assert trained.exit_code == 0, trained.output
    assert model.is_file() and f"SENTIBOT_OFFLINE_MODEL={model}" in trained.output

    labelled = runner.invoke(
        app,
        ["label", "--format", "json", "wonderful service", "useless product"],
        env={**env, "SENTIBOT_OFFLINE_MODEL": str(model)},
    )
    assert labelled.exit_code == 0, labelled.output
    assert [i["label"] for i in json.loads(labelled.stdout)["items"]] == ["positive", "negative"]

    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nfine,maybe\n", encoding="utf-8")
    refused = runner.invoke(app, ["train", "--data", str(bad)], env=env)
    assert refused.exit_code == 2 and "label" in refused.output


def test_bad_time_zone_is_a_configuration_error(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["label", "hi"], env={**env, "SENTIBOT_TIMEZONE": "Mars/Olympus"})
    assert result.exit_code == 2
    assert "SENTIBOT_TIMEZONE" in result.output and "Asia/Shanghai" in result.output
    assert "Traceback" not in result.output


def test_some_items_failing_exits_1_with_the_reasons(
    env: dict[str, str], llm_server: StandinLLMServer
) -> None:
    llm_server.inject("garbage", times=100)
    up = {**env, "SENTIBOT_LLM_BASE_URL": llm_server.base_url, "SENTIBOT_LLM_MAX_RETRIES": "0"}
    result = runner.invoke(app, ["label", "--format", "json", "太慢了", "很好"], env=up)
    assert result.exit_code == 1
    assert "2 of 2 failed" in result.output and "relabel --failed" in result.output
    doc = json.loads(result.stdout)
    assert all(item["status"] == "failed" and item["label"] is None for item in doc["items"])


def test_serve_and_connect_refuse_unsafe_or_empty_configuration(env: dict[str, str]) -> None:
    exposed = runner.invoke(app, ["serve", "--host", "0.0.0.0"], env=env)
    assert exposed.exit_code == 2 and "SENTIBOT_WEB_TOKEN" in exposed.output
    nothing = runner.invoke(app, ["connect"], env=env)
    assert nothing.exit_code == 2
    assert "SLACK_APP_TOKEN" in nothing.output and "DINGTALK_CLIENT_ID" in nothing.output
