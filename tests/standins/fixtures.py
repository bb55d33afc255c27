"""Pytest fixtures for the stand-ins (listed in `pytest_plugins` by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.standins.llm_server import StandinLLMServer


@pytest.fixture
def llm_server() -> Iterator[StandinLLMServer]:
    """A started stand-in Qwen3 server with a fresh default config, stopped after the test."""
    server = StandinLLMServer().start()
    try:
        yield server
    finally:
        server.stop()
