"""Slack requests bolt would crash on are a 401 with a reason; an identical signed request sent
again (a replayed slash command) runs once."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.standins.slack_fixtures import LEAD_ID, SlackHarness, sign


@pytest.mark.parametrize("timestamp", ["abc", "", "1e3", "12.5", " 12 34"])
async def test_non_numeric_timestamp_is_a_401_not_a_500(slack: SlackHarness, timestamp: str) -> None:
    body = urlencode({"command": "/sentiment", "text": "hi"})
    response = await slack.http.post(
        "/slack/events",
        content=body.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": "v0=00",
        },
    )
    assert response.status_code == 401
    assert "X-Slack-Request-Timestamp".lower() in response.json()["error"].lower()


async def test_identical_signed_slash_command_twice_runs_once(slack: SlackHarness) -> None:
    form = {
        "team_id": slack.server.team_id,
        "channel_id": "C0SUPPORT",
        "user_id": LEAD_ID,
        "command": "/sentiment",
        "text": "great support, thanks",
        "api_app_id": "A0SENTIBOT",
        "response_url": slack.server.response_url("command"),
        "trigger_id": "1.trigger",
    }
    body = urlencode(form)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    first = await slack.http.post("/slack/events", content=body.encode(), headers=headers)
    again = await slack.http.post("/slack/events", content=body.encode(), headers=headers)
    assert first.status_code == again.status_code == 200
    await slack.settle()
    assert len(slack.server.responses) == 1
    assert slack.core.recent_runs(limit=10)[0]["total"] == 1
    assert len(slack.core.recent_runs(limit=10)) == 1


async def test_forged_signature_is_not_remembered(slack: SlackHarness) -> None:
    """Only a validly signed request is recorded, so forged ones cannot fill the table or block
    a genuine request."""
    body = urlencode({"command": "/sentiment", "text": "hi", "team_id": slack.server.team_id})
    forged = {**sign(body, secret="not-the-secret"), "Content-Type": "application/x-www-form-urlencoded"}
    assert (await slack.http.post("/slack/events", content=body.encode(), headers=forged)).status_code == 401
    rows = slack.core.store.database.query(
        "SELECT key FROM processed_events WHERE key LIKE 'slack-request:%'"
    )
    assert rows == []
