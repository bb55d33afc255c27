"""Replies about labelling never overstate it, and failures speak to people in their language."""

from __future__ import annotations

from bot.analysis import AnalysisResult
from bot.replies import analysis_reply, item_line
from domain.models import LabeledItem, Lang, Summary

TIMEOUT = "the model server did not answer within 120 s (tried 4 times)"
DOWN = "model server unreachable at http://gpu:8000/v1: connection refused"


def item(n: int, *, error: str | None = None, text: str = "comment") -> LabeledItem:
    if error:
        return LabeledItem(id=n, text=f"{text} {n}", status="failed", error=error, labeler="qwen3:Qwen3-1.7B")
    return LabeledItem(id=n, text=f"{text} {n}", label="negative", confidence=0.9, labeler="qwen3:Qwen3-1.7B")


def result(items: list[LabeledItem], lang: Lang = "en") -> AnalysisResult:
    return AnalysisResult(
        run_id="r1",
        kind="list",
        lang=lang,
        labeler="qwen3:Qwen3-1.7B",
        items=items,
        summary=Summary.of(items),
    )


def test_a_partly_failed_list_never_says_all_were_labelled() -> None:
    items = [item(n) for n in range(21)] + [item(n, error=TIMEOUT) for n in range(21, 50)]
    reply = analysis_reply(result(items), public_url="http://x")
    assert reply.title == "21 of 50 comments labelled · 29 failed"
    assert "29 failed: the model did not answer in time — press Relabel" in reply.text
    assert "Labelled by qwen3:Qwen3-1.7B" in reply.text  # 21 were


def test_when_nothing_was_labelled_no_labeller_is_credited() -> None:
    items = [item(n, error=TIMEOUT) for n in range(3)] + [item(n, error=DOWN) for n in range(3, 5)]
    reply = analysis_reply(result(items), public_url="http://x")
    assert reply.title == "⚠️ None of the 5 comments could be labelled"
    assert "Labelled by" not in reply.text and "labelled by" not in reply.text
    assert "did not answer in time" in reply.text


def test_chinese_readers_get_chinese_failures_and_no_raw_english_reason() -> None:
    items = [item(1, text="物流太慢")] + [item(n, error=TIMEOUT, text="物流太慢") for n in (2, 3)]
    reply = analysis_reply(result(items, "zh"), public_url="http://x")
    assert reply.title == "已标注 1/3 条评论 · 2 条失败"
    assert "2 条失败：模型没有及时回答——请点“重新标注”" in reply.text
    assert "120 s" not in reply.text
    failed = item(2, error=TIMEOUT, text="物流太慢")
    assert item_line(failed, "zh").endswith(
        "模型没有及时回答——请点“重新标注”（或运行 `sentibot relabel --failed`）"
    )


def test_one_shared_failure_is_explained_and_the_raw_reason_kept_for_operators() -> None:
    items = [item(n, error=DOWN) for n in range(4)]
    reply = analysis_reply(result(items), public_url="http://x")
    assert reply.title == "⚠️ Labelling failed"
    assert reply.lines == [
        "Labelling failed: the model server could not be reached — once it is running again, press "
        "Relabel (or run `sentibot relabel --failed`). The run is saved (r1)."
    ]
    assert reply.error == DOWN
