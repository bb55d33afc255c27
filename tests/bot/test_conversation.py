"""The offline conversation rule: agent turns judged as agent behaviour, issues with evidence."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.conversation import (
    customer_summary,
    judge_agent_turns,
    parse_transcript,
    rule_verdict,
    vet_agent_issues,
)
from bot.labelers.offline import OfflineLabeler
from domain.models import ConversationVerdict, LabeledItem, Lang, TextIn

CONVERSATIONS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "conversations"


def _offline(text: str) -> list[LabeledItem]:
    turns = parse_transcript(text)
    assert turns
    inputs = [TextIn(id=i, text=t.text, role=t.role, author=t.author) for i, t in enumerate(turns, 1)]
    items = asyncio.run(OfflineLabeler().label(inputs)).items
    return [item.model_copy(update={"role": t.role}) for item, t in zip(items, turns, strict=True)]


def _judged(text: str, lang: Lang) -> tuple[list[LabeledItem], ConversationVerdict]:
    items, issues = judge_agent_turns(_offline(text), lang=lang)
    return items, rule_verdict(items, lang=lang, issues=issues)


def _item(i: int, role: str, label: str, text: str = "x") -> LabeledItem:
    return LabeledItem(id=i, text=text, label=label, confidence=0.83, role=role)  # type: ignore[arg-type]


def test_an_agent_who_refunds_after_a_wait_is_not_blamed() -> None:
    text = (
        "客户: 在吗？在吗？等了半小时了\n"
        "客服: 不好意思久等了，今天咨询量比较大，请问有什么可以帮您\n"
        "客户: 会员卡扣了两次费\n"
        "客服: 我看到了，确实重复扣费了，已经为您发起退款，原路返回，今天内到账\n"
        "客户: 好吧，虽然等了很久，但处理得还算及时"
    )
    items, verdict = _judged(text, "zh")
    assert verdict.agent_issues == []
    assert not verdict.flagged and verdict.resolved
    agent = [i for i in items if i.role == "agent"]
    assert all(i.label != "negative" for i in agent)
    assert agent[-1].label == "positive"  # the refund resolves it


def test_a_dismissive_agent_is_rude_with_the_words_quoted() -> None:
    text = (
        "Customer: My parcel says delivered but it is not here.\n"
        "Agent: Not my problem, ask the courier.\n"
        "Customer: Seriously? That is terrible service."
    )
    items, verdict = _judged(text, "en")
    assert verdict.agent_issues == ["rude"] and verdict.flagged
    assert "Not my problem" in verdict.reason  # the evidence is the agent's own words
    agent = next(i for i in items if i.role == "agent")
    assert agent.label == "negative" and agent.keywords and agent.keywords[0] in agent.text


def test_a_repeated_answer_is_unhelpful_even_when_polite() -> None:
    text = (
        "Customer: The app logs me out all the time.\n"
        "Agent: Please reinstall the app.\n"
        "Customer: Did that twice, no change.\n"
        "Agent: Please reinstall the app.\n"
        "Customer: OK."
    )
    _, verdict = _judged(text, "en")
    assert verdict.agent_issues == ["unhelpful"]
    assert verdict.flagged  # an agent issue needs a human look even when the customer is calm
    assert '"Please reinstall the app."' in verdict.reason


def test_an_agent_turn_a_sentiment_model_calls_negative_without_evidence_becomes_neutral() -> None:
    items = [_item(1, "customer", "negative"), _item(2, "agent", "negative", "We are checking it now.")]
    judged, issues = judge_agent_turns(items, lang="en")
    assert issues == [] and judged[1].label == "neutral"
    assert judged[0] == items[0]  # customer turns are never touched


def test_a_model_issue_without_a_negative_agent_turn_is_dropped() -> None:
    items = [
        _item(1, "customer", "negative"),
        _item(2, "agent", "positive"),
        _item(3, "customer", "positive"),
    ]
    verdict = ConversationVerdict(label="positive", resolved=True, flagged=True, agent_issues=["unhelpful"])
    vetted = vet_agent_issues(verdict, items)
    assert vetted.agent_issues == [] and not vetted.flagged
    backed = [*items[:1], _item(2, "agent", "negative"), items[2]]
    assert vet_agent_issues(verdict, backed) == verdict


def test_the_mix_counts_customer_turns_only() -> None:
    items = [
        _item(1, "customer", "negative"),
        _item(2, "agent", "negative"),
        _item(3, "customer", "positive"),
    ]
    summary = customer_summary(items)
    assert (summary.total, summary.negative, summary.positive) == (2, 1, 1)


EXPECTED = {  # conversations.tsv: flagged, resolved
    "zh_refund_unresolved.txt": (True, False),
    "zh_exchange_resolved.txt": (False, True),
    "zh_question_neutral.txt": (False, True),
    "zh_rude_agent.txt": (True, False),
    "zh_slow_but_fixed.txt": (False, True),
    "zh_angry_escalation.txt": (True, False),
    "en_billing_resolved.txt": (False, True),
    "en_outage_unresolved.txt": (True, False),
    "en_howto_neutral.txt": (False, True),
    "en_unhelpful_agent.txt": (True, False),
    "en_mixed_recovered.txt": (False, True),
    "zh_sarcasm.txt": (True, False),
}
AGENT_ISSUE = {"zh_rude_agent.txt": "rude", "en_unhelpful_agent.txt": "unhelpful"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_conversations_are_judged_as_expected(name: str) -> None:
    path = CONVERSATIONS / name
    if not path.is_file():
        pytest.skip(f"shared conversation {path} is absent")
    lang: Lang = "zh" if name.startswith("zh_") else "en"
    items, verdict = _judged(path.read_text(encoding="utf-8"), lang)
    assert (verdict.flagged, verdict.resolved) == EXPECTED[name]
    assert verdict.agent_issues == ([AGENT_ISSUE[name]] if name in AGENT_ISSUE else [])
    if name not in AGENT_ISSUE:
        assert all(i.label != "negative" for i in items if i.role == "agent"), name
