"""The offline labeller, shared by the offline tests (its model file loads once per session)."""

from __future__ import annotations

import pytest

from bot.labelers.offline import SHIPPED_MODEL_PATH, OfflineLabeler


@pytest.fixture(scope="session")
def labeler() -> OfflineLabeler:
    assert SHIPPED_MODEL_PATH.exists(), "run scripts/build_offline_model.py"
    return OfflineLabeler()
