"""Labellers: the Qwen3 reasoning model behind an OpenAI-compatible server, or the offline one."""

from __future__ import annotations

from bot.config import Settings
from bot.labelers.adaptive_limit import LimitMemory
from bot.labelers.base import ConversationJudge, Labeler, ProgressFn

__all__ = ["ConversationJudge", "Labeler", "ProgressFn", "build_labeler"]


def build_labeler(settings: Settings, *, memory: LimitMemory | None = None) -> Labeler:
    """Qwen3 when a model server is configured, else the built-in offline labeller.

    `memory` keeps what the Qwen3 labeller learns about the server's concurrency between runs.
    """
    if settings.uses_llm:
        from bot.labelers.qwen import QwenLabeler

        return QwenLabeler(settings=settings, memory=memory)
    from bot.labelers.offline import OfflineLabeler

    return OfflineLabeler(settings.offline_model)
