"""Each item's own part of the model's reasoning about a batch.

The prompt asks the model to reason item by item, opening each item's part with a marker line
such as `[item 3]`. Small models vary it, so `Item 3:`, `### Item 3`, `**Item 3**`, `item #3`,
`条目3` and `第3条` are read too. An item whose part cannot be found gets the whole batch's
reasoning, introduced by a line saying so, in the reader's language: it must never pass for
reasoning about that item alone.
"""

from __future__ import annotations

import re

from domain.models import Lang

__all__ = ["batch_note", "split_by_item"]

_MARKER = re.compile(
    r"^[ \t>*#\-]*(?:\[\s*item\s*#?\s*(\d+)\s*\]|\**item\s*#?\s*(\d+)\**\s*(?:[:：.)\]]|$)|"
    r"\**(?:条目|项目)\s*(\d+)\**\s*[:：]?|\**第\s*(\d+)\s*条\**\s*[:：]?)",
    re.IGNORECASE | re.MULTILINE,
)


def split_by_item(reasoning: str | None, ids: list[int]) -> dict[int, str]:
    """The part of `reasoning` under each id's marker (only ids asked for, only non-empty parts)."""
    if not reasoning:
        return {}
    marks = [(m.start(), int(next(g for g in m.groups() if g))) for m in _MARKER.finditer(reasoning)]
    wanted = set(ids)
    parts: dict[int, list[str]] = {}
    for index, (start, item_id) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else len(reasoning)
        if item_id in wanted:
            text = reasoning[start:end].strip()
            if text:
                parts.setdefault(item_id, []).append(text)
    return {item_id: "\n".join(chunks) for item_id, chunks in parts.items()}


def batch_note(reasoning: str, *, batch_size: int, lang: Lang) -> str:
    """The whole batch's reasoning, labelled as such for an item whose own part was not found."""
    if lang == "zh":
        head = f"（未能找到这条评论单独的推理；以下是模型对同批 {batch_size} 条评论的整体推理）"
    else:
        head = (
            f"(The model's reasoning for this comment alone could not be found; this is its "
            f"reasoning about the whole batch of {batch_size} comments.)"
        )
    return f"{head}\n{reasoning}"
