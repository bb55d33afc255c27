"""Shared fixtures. Stand-in servers live in tests/standins and are loaded as plugins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core import Sentibot

pytest_plugins = [
    "tests.standins.fixtures",
    "tests.standins.slack_fixtures",
    "tests.standins.dingtalk_fixtures",
]

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's .env or environment, and run in a scratch folder."""
    import os

    for name in list(os.environ):
        if name.startswith(("SENTIBOT_", "SLACK_", "DINGTALK_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(SENTIBOT_DB=str(tmp_path / "sentibot.db"))


@pytest.fixture
async def core(settings: Settings) -> AsyncIterator[Sentibot]:
    bot = Sentibot(settings=settings)
    yield bot
    await bot.aclose()
