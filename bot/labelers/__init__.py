"""Labellers: the Qwen3 reasoning model behind an OpenAI-compatible server, or the offline one."""

from __future__ import annotations

from bot.config import Settings
from bot.labelers.base import ConversationJudge, Labeler, ProgressFn

__all__ = ["ConversationJudge", "Labeler", "ProgressFn", "build_labeler"]


def build_labeler(settings: Settings) -> Labeler:
    """Qwen3 when a model server is configured, else the built-in offline labeller."""
    if settings.uses_llm:
        from bot.labelers.qwen import QwenLabeler

        return QwenLabeler(settings=settings)
    from bot.labelers.offline import OfflineLabeler

    return OfflineLabeler(settings.offline_model)
