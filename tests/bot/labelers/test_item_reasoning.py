"""Each item's own part of the batch's reasoning, read from the markers small models write."""

from __future__ import annotations

from bot.labelers.item_reasoning import batch_note, split_by_item

REASONING = """Let me go through them.
[item 1]
"物流太慢了" complains about delivery: negative.
Item 2: "great battery" is praise.
### Item 3
Neutral fact.
**第4条**：退款 request, negative.
[item 9]
not asked for"""


def test_each_marker_style_gives_that_item_its_part() -> None:
    parts = split_by_item(REASONING, [1, 2, 3, 4])
    assert parts[1].endswith("delivery: negative.") and "battery" not in parts[1]
    assert "great battery" in parts[2]
    assert parts[3].endswith("Neutral fact.")
    assert "退款" in parts[4]
    assert 9 not in parts  # only ids asked for


def test_no_markers_gives_no_parts() -> None:
    assert split_by_item("They are all fine.", [1, 2]) == {}
    assert split_by_item(None, [1]) == {}


def test_the_batch_note_says_it_is_the_whole_batch_in_the_readers_language() -> None:
    assert batch_note("r", batch_size=8, lang="en").startswith(
        "(The model's reasoning for this comment alone"
    )
    assert "8 comments" in batch_note("r", batch_size=8, lang="en")
    assert "同批 8 条评论" in batch_note("r", batch_size=8, lang="zh")
