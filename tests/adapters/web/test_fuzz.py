"""Property-based fuzzing of every route in the app's own OpenAPI schema (schemathesis drawing
requests, hypothesis running them, in-process over ASGI): whatever the input, never a 5xx, and
every 4xx says what is wrong as `{"error": "…"}`."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from adapters.web.main import create_app
from bot.config import Settings
from bot.core import Sentibot
from tests.adapters.web.helpers import KeywordLabeler

# Bounded so the suite stays fast; every run draws new examples, so CI keeps exploring.
EXAMPLES_PER_ROUTE = 20
JSON_ROUTES = {"/api/analyze", "/api/chat", "/api/reviews/{review_id}/resolve", "/api/stats"}


def test_no_route_answers_5xx(tmp_path: Path) -> None:
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        SENTIBOT_DB=str(tmp_path / "fuzz.db"),
        # DingTalk on, so its callback answers from its signature check, not "not configured".
        DINGTALK_CLIENT_ID="ding-fuzz",
        DINGTALK_CLIENT_SECRET="fuzz-secret",
    )
    core = Sentibot(settings=config, labeler=KeywordLabeler())
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(core=core))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= JSON_ROUTES  # the schema really lists the JSON API

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, suppress_health_check=list(HealthCheck))
        def never_5xx(case: schemathesis.Case) -> None:
            response = case.call()
            where = f"{case.method} {case.formatted_path} {case.query} {case.body!r}"
            assert response.status_code < 500, f"{where} -> {response.status_code} {response.text[:300]}"
            if 400 <= response.status_code < 500:
                error = response.json().get("error")
                assert isinstance(error, str) and error, f"{where} -> {response.text[:300]}"

        never_5xx()
