"""A lead sets the right label: kept with who and when, used by stats, eval and the digest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.analysis import AnalysisRequest
from bot.config import Settings
from bot.core import MessageContext, Sentibot
from bot.corrections import agreement, parse_correction
from bot.errors import InputError, NotFound
from bot.evaluation import evaluate, format_eval
from tests.adapters.web.helpers import KeywordLabeler


@pytest.fixture
async def bot(tmp_path: Path) -> Sentibot:
    core = Sentibot(settings=Settings(SENTIBOT_DB=str(tmp_path / "c.db")), labeler=KeywordLabeler())
    yield core  # type: ignore[misc]
    await core.aclose()


@pytest.mark.parametrize(
    ("text", "item", "label"),
    [
        ("correct 3 negative", 3, "negative"),
        ("纠正 2 正面", 2, "positive"),
        ("fix #1 to neutral", 1, "neutral"),
        ("改 4 负面", 4, "negative"),
    ],
)
def test_correction_commands(text: str, item: int, label: str) -> None:
    command = parse_correction(text)
    assert command is not None and (command.item, command.label) == (item, label)


@pytest.mark.parametrize("text", ["correct me if I'm wrong", "fix 3 bananas", "纠正", "the fix is in"])
def test_not_correction_commands(text: str) -> None:
    assert parse_correction(text) is None


async def test_a_label_set_on_a_run_item_is_kept_and_counted(bot: Sentibot) -> None:
    ctx = MessageContext(source="dingtalk", channel="cid-1", user="lead-7")
    await bot.handle_message("Great service, thanks\nThe parcel is slow", context=ctx)
    run_id = bot.recent_runs(limit=1)[0]["id"]
    reply = await bot.handle_message("纠正 1 负面", context=ctx)
    assert reply.kind == "correction" and reply.lang == "zh"
    assert "第 1 条已改为负面（标注器原为正面）— lead-7" in reply.title
    message_id = bot.store.corrections.message_of_item(run_id, 1)
    [saved] = bot.store.corrections.for_message(message_id)
    assert (saved["label"], saved["labeler_label"], saved["corrected_by"], saved["via"]) == (
        "negative",
        "positive",
        "lead-7",
        "dingtalk",
    )
    assert saved["corrected_at"]
    stored = bot.store.messages.get(message_id)
    assert stored is not None and stored.label == "negative"
    # The run page shows what the person said.
    assert bot.analysis.result(run_id).items[0].label == "negative"


async def test_eval_and_the_digest_count_agreement(bot: Sentibot) -> None:
    ctx = MessageContext(source="web")
    result = await bot.analyze(AnalysisRequest(texts=["Great, thanks", "slow and bad", "ok"], source="web"))
    bot.set_item_label(result.run_id, 1, label="positive", by="ann")  # agrees
    bot.set_item_label(result.run_id, 2, label="neutral", by="ann")  # disagrees
    bot.set_item_label(result.run_id, 2, label="negative", by="bo")  # second thoughts: agrees after all
    bot.set_item_label(result.run_id, 3, label="negative", by="bo")  # disagrees (bot said neutral)
    report = evaluate(bot.store)
    assert (report.messages.reviewed, report.messages.agreed) == (3, 2)
    assert "2/3" in format_eval(report)
    today = bot.today()
    assert agreement(bot.store, today=today, timezone=bot.settings.timezone).judged == 3
    digest = await bot.digest_reply(lang="en")
    assert any("agreed with people on 2 of the 3 messages" in line for line in digest.lines)
    # Thirty days later the corrections are out of the window.
    later = agreement(
        bot.store, today=date.fromordinal(today.toordinal() + 31), timezone=bot.settings.timezone
    )
    assert later.judged == 0
    del ctx


async def test_bad_corrections_say_what_to_fix(bot: Sentibot) -> None:
    result = await bot.analyze(AnalysisRequest(texts=["fine"], source="web"))
    with pytest.raises(InputError, match="label must be one of"):
        bot.set_item_label(result.run_id, 1, label="angry", by="ann")
    with pytest.raises(InputError, match="who sets the label"):
        bot.set_item_label(result.run_id, 1, label="negative", by=" ")
    with pytest.raises(NotFound):
        bot.set_item_label(result.run_id, 9, label="negative", by="ann")
    with pytest.raises(NotFound, match="nothing labelled here yet"):
        await bot.handle_message(
            "correct 1 negative", context=MessageContext(source="slack", channel="C-none")
        )
