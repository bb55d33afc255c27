"""Customer-service conversations: reading a pasted transcript and the offline verdict rule."""

from __future__ import annotations

import re

from domain.models import ConversationVerdict, Label, LabeledItem, Lang, Turn

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


def rule_verdict(items: list[LabeledItem], *, lang: Lang) -> ConversationVerdict:
    """The offline labeller's verdict from per-turn labels (documented in the README).

    - overall label: the last customer turn's label, unless it is neutral, then the most
      common customer label (ties → neutral);
    - flagged: the last customer turn is negative, or at least half of the customer turns are
      negative and the last one is not positive;
    - resolved: the last customer turn is positive, or no customer turn is negative;
    - agent issue `unhelpful`/`rude`: an agent turn the labeller calls negative.
    Failed turns are left out; with no customer turn labelled, nothing is concluded.
    """
    customer: list[Label] = [
        i.label for i in items if i.role == "customer" and i.status == "ok" and i.label is not None
    ]
    agent_negative = [i for i in items if i.role == "agent" and i.status == "ok" and i.label == "negative"]
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
    flagged = last == "negative" or (negatives * 2 >= len(customer) and negatives > 0 and last != "positive")
    resolved = last == "positive" or negatives == 0
    issues = ["unhelpful"] if agent_negative else []
    reason = _reason(flagged=flagged, last=last, negatives=negatives, total=len(customer), lang=lang)
    return ConversationVerdict(
        label=overall, resolved=resolved, flagged=flagged, reason=reason, agent_issues=issues
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
