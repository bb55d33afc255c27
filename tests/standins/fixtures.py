"""Pytest fixtures for the stand-ins (listed in `pytest_plugins` by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.labelers.adaptive_limit import forget_shared_limits
from tests.standins.llm_server import StandinLLMServer


@pytest.fixture
def llm_server() -> Iterator[StandinLLMServer]:
    """A started stand-in Qwen3 server with a fresh default config, stopped after the test.

    The process-wide concurrency limiters are forgotten, so a port reused by the OS does not
    hand this server what an earlier test's server taught.
    """
    forget_shared_limits()
    server = StandinLLMServer().start()
    try:
        yield server
    finally:
        server.stop()
