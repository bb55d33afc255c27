"""When a customer message cannot wait for the conversation to go quiet.

Rule: a message is urgent when a **customer** wrote it, it is labelled **negative**, and it
threatens to leave, to complain (to a regulator, a review site, the press), to charge back or
to go to a lawyer, or it is abusive — matched on the phrases below (English and Chinese,
case-insensitive). A negative message without such a phrase waits for the idle judge.
"""

from __future__ import annotations

import re

from domain.models import Label, Role

_THREATS_EN = (
    r"cancel+(ing|ed)? (my|the|our) (account|subscription|order|plan)",
    r"\b(i'?m|we'?re|i am|we are) (leaving|switching|done with you)",
    r"\bswitch(ing)? to (a )?(competitor|another)",
    r"\bclose my account\b",
    r"\b(charge ?back|dispute (the|this) (charge|payment))",
    r"\b(lawyer|attorney|sue you|legal action|small claims)",
    r"\b(file|filing|make|making) a (formal )?complaint\b",
    r"\b(report(ing)? you|bbb|better business bureau|consumer protection|regulator|ombudsman)\b",
    r"\b(1[- ]star|one[- ]star) review\b",
    r"\b(never (buy|order|use) (from )?(you|this) again)\b",
    r"\b(scam|fraud|ripoff|rip-off|thieves|idiots?|useless morons?|f+u+c+k|sh[i1]t(ty)?)\b",
)
_THREATS_ZH = (
    "投诉", "12315", "消协", "工商", "曝光", "起诉", "律师", "报警", "拒付", "退单", "银行撤销",
    "注销账号", "注销账户", "销户", "再也不", "不会再买", "换一家", "骗子", "诈骗", "垃圾公司",
    "滚", "傻",
)  # fmt: skip
_PATTERN = re.compile("|".join(_THREATS_EN), re.IGNORECASE)


def is_urgent(text: str, *, role: Role | None, label: Label | None) -> bool:
    if role != "customer" or label != "negative":
        return False
    return bool(_PATTERN.search(text)) or any(word in text for word in _THREATS_ZH)
