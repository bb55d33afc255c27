"""Chat commands shared by every surface: stats, review, digest, help, watch/unwatch (English and
Chinese)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

CommandName = Literal["stats", "review", "digest", "help", "watch", "unwatch"]

_WORDS: dict[str, CommandName] = {
    "stats": "stats",
    "stat": "stats",
    "统计": "stats",
    "review": "review",
    "reviews": "review",
    "待审": "review",
    "digest": "digest",
    "日报": "digest",
    "watch": "watch",
    "监控": "watch",
    "unwatch": "unwatch",
    "取消监控": "unwatch",
    "help": "help",
    "帮助": "help",
    "?": "help",
    "？": "help",
}
_DAYS = re.compile(r"^(\d{1,3})\s*(d|day|days|天)?$", re.IGNORECASE)
MAX_STATS_DAYS = 365


@dataclass(frozen=True)
class Command:
    name: CommandName
    days: int = 7
    # The word the user typed decides the reply language ("统计" → Chinese).
    chinese: bool = False


def parse_command(text: str) -> Command | None:
    """A command when the whole message is one (`stats 7d`, `统计 30天`, `help`), else None."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return None
    name = _WORDS.get(words[0].lower())
    if name is None:
        return None
    chinese = not words[0].isascii()
    rest = words[1].strip() if len(words) > 1 else ""
    if name == "stats":
        if not rest:
            return Command("stats", 7, chinese)
        match = _DAYS.match(rest)
        if not match:
            return None
        return Command("stats", max(1, min(int(match.group(1)), MAX_STATS_DAYS)), chinese)
    return Command(name, chinese=chinese) if not rest else None
