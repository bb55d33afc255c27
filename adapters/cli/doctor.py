"""`sentibot doctor`: one line per dependency, saying what is wrong and what to do."""

from __future__ import annotations

from bot.config import Settings
from storage import StorageError, Store

CheckLine = tuple[str, bool, str]


async def run_checks(settings: Settings) -> list[CheckLine]:
    lines: list[CheckLine] = [_check_db(settings)]
    if settings.uses_llm:
        from bot.labelers.qwen import QwenLabeler

        labeler = QwenLabeler(settings=settings)
        try:
            lines += [(line.name, line.ok, line.message) for line in await labeler.check()]
        finally:
            await labeler.aclose()
    else:
        lines.append(("labeller", True, "offline labeller (set SENTIBOT_LLM_BASE_URL to use a Qwen3 server)"))
    return lines


def _check_db(settings: Settings) -> CheckLine:
    try:
        store = Store(settings.db)
        try:
            store.check_writable()
        finally:
            store.close()
    except StorageError as exc:
        return ("database", False, f"{exc} (set SENTIBOT_DB to a writable path)")
    return ("database", True, f"{settings.db} is writable")
