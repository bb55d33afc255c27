"""`sentibot doctor` against the stand-ins: one line per check, failures say what to fix."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from adapters.cli.main import app
from tests.standins import dingtalk_server
from tests.standins.dingtalk_server import DingTalkStandin
from tests.standins.llm_server import StandinLLMServer
from tests.standins.slack_fixtures import BOT_TOKEN
from tests.standins.slack_server import StandinSlackServer

runner = CliRunner()


def test_everything_healthy(
    tmp_path: Path,
    llm_server: StandinLLMServer,
    slack_server: StandinSlackServer,
    dingtalk_standin: DingTalkStandin,
) -> None:
    env = {
        "SENTIBOT_DB": str(tmp_path / "d.db"),
        "SENTIBOT_LLM_BASE_URL": llm_server.base_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SENTIBOT_SLACK_API_URL": slack_server.api_url,
        "DINGTALK_CLIENT_ID": dingtalk_server.CLIENT_ID,
        "DINGTALK_CLIENT_SECRET": dingtalk_server.CLIENT_SECRET,
        "SENTIBOT_DINGTALK_API_URL": dingtalk_standin.url,
    }
    result = runner.invoke(app, ["doctor"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    names = [line[5:].split(":")[0] for line in lines]
    checks = ["database", "model server", "model", "labelling", "reasoning", "concurrency"]
    assert names == [*checks, "asking (tool calls)", "slack", "dingtalk"]
    assert all(line.startswith("ok ") for line in lines)
    assert "reasoning seen" in result.output and "signed in as" in result.output


def test_each_failure_names_what_to_fix(tmp_path: Path, slack_server: StandinSlackServer) -> None:
    env = {
        "SENTIBOT_DB": str(tmp_path / "d.db"),
        "SENTIBOT_LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "SLACK_BOT_TOKEN": "xoxb-wrong",
        "SENTIBOT_SLACK_API_URL": slack_server.api_url,
        "DINGTALK_CLIENT_ID": "nobody",
        "DINGTALK_CLIENT_SECRET": "nothing",
        "SENTIBOT_DINGTALK_API_URL": "http://127.0.0.1:9",
    }
    result = runner.invoke(app, ["doctor"], env=env)
    assert result.exit_code == 1
    output = result.output
    assert "ok   database" in output
    assert "FAIL model server: model server unreachable at http://127.0.0.1:9/v1" in output
    assert "FAIL slack" in output and "SLACK_BOT_TOKEN" in output
    assert "FAIL dingtalk" in output
    assert "Traceback" not in output


def test_a_server_without_tool_calling_is_named(tmp_path: Path, llm_server: StandinLLMServer) -> None:
    llm_server.configure(tool_behaviour="disabled")
    env = {"SENTIBOT_DB": str(tmp_path / "d.db"), "SENTIBOT_LLM_BASE_URL": llm_server.base_url}
    result = runner.invoke(app, ["doctor"], env=env)
    assert result.exit_code == 1
    assert "FAIL asking (tool calls)" in result.output
    assert "--enable-auto-tool-choice --tool-call-parser hermes" in result.output
