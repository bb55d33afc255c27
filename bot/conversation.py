"""Customer-service conversations: reading a pasted transcript and the offline verdict rule."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.models import ConversationVerdict, Label, LabeledItem, Lang, Summary, Turn

_CUSTOMER = ("客户", "顾客", "用户", "买家", "customer", "client", "user")
_AGENT = ("客服", "坐席", "卖家", "商家", "agent", "support", "staff", "rep")
_TURN = re.compile(r"^\s*([A-Za-z\u4e00-\u9fff]{1,12})\s*[:：]\s*(.*)$")


def parse_transcript(text: str) -> list[Turn] | None:
    """Turns of a pasted conversation, or None when the text is not one.

    A conversation is at least two lines, each starting with a customer or agent prefix
    (`客户:` / `客服:` / `Customer:` / `Agent:`, half- or full-width colon), with both sides
    present. Lines without a prefix continue the previous turn.
    """
    turns = _prefixed_turns(text)
    roles = {turn.role for turn in turns or []}
    return turns if turns and len(turns) >= 2 and roles == {"customer", "agent"} else None


def is_agent_only_transcript(text: str) -> bool:
    """A transcript of two or more turns, all on the agent side: nothing of the customer's to
    judge, so it is refused (as a conversation without a customer turn is), not read as a list."""
    turns = _prefixed_turns(text)
    return bool(turns) and len(turns or []) >= 2 and {turn.role for turn in turns or []} == {"agent"}


def _prefixed_turns(text: str) -> list[Turn] | None:
    turns: list[Turn] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _TURN.match(line)
        role = _role_of(match.group(1)) if match else None
        if match and role:
            turns.append(Turn(author=match.group(1), role=role, text=match.group(2).strip()))
        elif turns:
            turns[-1].text = f"{turns[-1].text}\n{line.strip()}"
        else:
            return None
    return [turn for turn in turns if turn.text]


def _role_of(prefix: str) -> str | None:
    prefix = prefix.strip().lower()
    if prefix in _CUSTOMER:
        return "customer"
    if prefix in _AGENT:
        return "agent"
    return None


# How an agent turn reads as agent behaviour (not as the agent's feelings). Apologising for a wait
# or a fault is good service; only dismissive or rude phrasing, or repeating an answer that did not
# help, is an agent issue, and each issue quotes the agent's own words as its evidence.
_DISMISSIVE = (
    "你自己", "我也没办法", "没办法", "不关我", "不归我", "爱买不买", "我不知道", "跟我没关系",
    "找快递公司", "就是签收了", "not my problem", "nothing i can do", "calm down", "whatever",
    "deal with it", "not our fault", "your problem", "i don't know",
)  # fmt: skip
_RESOLVING = (
    "退款", "补发", "换货", "已经为您", "已为您", "马上给您", "帮您申请", "到账", "已处理", "已修复",
    "refunded", "refund", "replacement", "i've sent", "i have sent", "fixed", "resolved", "credited",
)  # fmt: skip
_POLITE = (
    "抱歉", "不好意思", "您好", "请问", "感谢", "谢谢", "久等", "帮您", "为您",
    "sorry", "apolog", "thank", "please", "happy to", "glad to",
)  # fmt: skip


@dataclass(frozen=True)
class AgentIssue:
    """An agent issue with its evidence: words quoted from one agent turn."""

    issue: str
    turn_id: int
    evidence: str


def _found(text: str, phrases: tuple[str, ...]) -> list[str]:
    lower = text.lower()
    return [p for p in phrases if p in lower]


def _quote(text: str, phrase: str) -> str:
    """The agent's own words around `phrase` (the clause that holds it), as written."""
    at = text.lower().find(phrase)
    clauses = re.split(r"(?<=[，。！？,.!?；;])", text)
    seen = 0
    for clause in clauses:
        if seen <= at < seen + len(clause):
            return clause.strip(" ，。！？,.!?；;")
        seen += len(clause)
    return text.strip()


def _repeats(earlier: str, later: str) -> bool:
    a, b = (" ".join(t.lower().split()).rstrip("。.!！") for t in (earlier, later))
    return bool(a) and (a == b or a in b or b in a)


def judge_agent_turns(items: list[LabeledItem], *, lang: Lang) -> tuple[list[LabeledItem], list[AgentIssue]]:
    """Agent turns labelled as agent behaviour, with the agent issues they show (offline rule).

    - dismissive or rude phrasing (`你自己去…`, `我也没办法`, `not my problem`) → negative, issue
      `rude`, the phrase quoted;
    - an answer that repeats an earlier agent answer after the customer said it did not help →
      issue `unhelpful`, the repeated answer quoted (the turn itself stays neutral);
    - resolving (refund, replacement, fixed) → positive; polite or apologising → never negative;
    - anything else keeps the labeller's label, except that a negative label with no evidence
      (an apology reads as negative to a sentiment model) becomes neutral.
    Customer turns and failed turns are returned unchanged.
    """
    out: list[LabeledItem] = []
    issues: list[AgentIssue] = []
    earlier_answers: list[str] = []
    customer_since = False
    for item in items:
        if item.role != "agent" or item.status != "ok":
            customer_since = customer_since or item.role == "customer"
            out.append(item)
            continue
        text = item.text
        rude = _found(text, _DISMISSIVE)
        repeated = customer_since and any(_repeats(e, text) for e in earlier_answers)
        earlier_answers.append(text)
        customer_since = False
        if rude:
            quote = _quote(text, rude[0])
            issues.append(AgentIssue("rude", item.id, quote))
            why = (
                f"客服推脱或态度生硬：“{quote}”"
                if lang == "zh"
                else f'The agent brushes the customer off: "{quote}"'
            )
            out.append(
                item.model_copy(
                    update={"label": "negative", "confidence": 0.8, "keywords": [quote], "explanation": why}
                )
            )
            continue
        if repeated:
            issues.append(AgentIssue("unhelpful", item.id, text.strip()))
            why = (
                "客服重复了之前没有帮助的答复。"
                if lang == "zh"
                else "The agent repeats an answer that did not help."
            )
            out.append(
                item.model_copy(
                    update={"label": "neutral", "confidence": 0.7, "keywords": [], "explanation": why}
                )
            )
            continue
        resolving, polite = _found(text, _RESOLVING), _found(text, _POLITE)
        if resolving:
            why = "客服在解决问题。" if lang == "zh" else "The agent is resolving the problem."
            out.append(
                item.model_copy(
                    update={
                        "label": "positive",
                        "confidence": 0.8,
                        "keywords": resolving[:3],
                        "explanation": why,
                    }
                )
            )
        elif item.label == "negative" or polite:
            label = item.label if item.label != "negative" else "neutral"
            why = "客服礼貌回应。" if lang == "zh" else "The agent answers politely."
            out.append(item.model_copy(update={"label": label, "explanation": why, "keywords": polite[:3]}))
        else:
            out.append(item)
    return out, issues


def vet_agent_issues(verdict: ConversationVerdict, items: list[LabeledItem]) -> ConversationVerdict:
    """A model's verdict with the agent issues it cannot back with an agent turn dropped.

    The evidence for an agent issue is an agent turn the model itself labelled negative (its
    keywords are copied from that turn). With no such turn the issues go; a flag that rested on
    them alone (the customer ended satisfied and the problem was solved) goes too.
    """
    if not verdict.agent_issues:
        return verdict
    if any(i.role == "agent" and i.status == "ok" and i.label == "negative" for i in items):
        return verdict
    flagged = verdict.flagged and not (verdict.resolved and verdict.label != "negative")
    return verdict.model_copy(update={"agent_issues": [], "flagged": flagged})


def customer_summary(items: list[LabeledItem]) -> Summary:
    """The label mix of the customer turns: what a conversation's mix bar and chart show."""
    return Summary.of([i for i in items if i.role != "agent"])


def rule_verdict(
    items: list[LabeledItem], *, lang: Lang, issues: list[AgentIssue] | None = None
) -> ConversationVerdict:
    """The offline labeller's verdict from per-turn labels (documented in the README).

    - overall label: the last customer turn's label, unless it is neutral, then the most
      common customer label (ties → neutral);
    - flagged: the last customer turn is negative, or at least half of the customer turns are
      negative and the last one is not positive, or an agent issue was found;
    - resolved: the last customer turn is positive, or no customer turn is negative;
    - agent issues: only those `judge_agent_turns` found, each quoting the agent's words; an
      agent turn's sentiment alone (an apology, a refund) is never an issue.
    Failed turns are left out; with no customer turn labelled, nothing is concluded.
    """
    customer: list[Label] = [
        i.label for i in items if i.role == "customer" and i.status == "ok" and i.label is not None
    ]
    if not customer:
        reason = "没有可判定的客户发言" if lang == "zh" else "no customer turn could be labelled"
        return ConversationVerdict(label="neutral", resolved=False, flagged=False, reason=reason)
    last = customer[-1]
    negatives = customer.count("negative")
    positives = customer.count("positive")
    overall: Label
    if last != "neutral":
        overall = last
    elif positives != negatives:
        overall = "positive" if positives > negatives else "negative"
    else:
        overall = "neutral"
    found = issues or []
    names = list(dict.fromkeys(i.issue for i in found))
    customer_flag = last == "negative" or (
        negatives * 2 >= len(customer) and negatives > 0 and last != "positive"
    )
    flagged = customer_flag or bool(names)
    resolved = last == "positive" or negatives == 0
    reason = _reason(flagged=customer_flag, last=last, negatives=negatives, total=len(customer), lang=lang)
    if found:
        quotes = (
            "；".join(f"“{i.evidence}”" for i in found[:2])
            if lang == "zh"
            else "; ".join(f'"{i.evidence}"' for i in found[:2])
        )
        reason += f"客服问题的依据：{quotes}" if lang == "zh" else f" Agent issue evidence: {quotes}"
    return ConversationVerdict(
        label=overall, resolved=resolved, flagged=flagged, reason=reason, agent_issues=names
    )


def _reason(*, flagged: bool, last: str, negatives: int, total: int, lang: Lang) -> str:
    if lang == "zh":
        if flagged and last == "negative":
            return f"客户最后一条发言仍是负面（{negatives}/{total} 条客户发言为负面），需要人工跟进。"
        if flagged:
            return f"至少一半的客户发言为负面（{negatives}/{total}），且结尾没有好转，需要人工查看。"
        if negatives:
            return f"客户起初不满（{negatives}/{total} 条负面），但结尾情绪已好转。"
        return "客户情绪平稳，没有负面发言。"
    if flagged and last == "negative":
        return f"The customer's last message is still negative ({negatives}/{total} customer turns negative)."
    if flagged:
        return f"At least half the customer turns are negative ({negatives}/{total}); it did not end well."
    if negatives:
        return f"The customer was unhappy at first ({negatives}/{total} negative) but ended on a better note."
    return "The customer stayed calm; no negative turn."
