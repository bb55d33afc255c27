"""Telling a question about the history from a comment to label, and reading what it asks.

Rules, in order:
1. `ask …` / `问 …` (also `ask:` / `问：`) always asks; the rest is the question.
2. A line in the first person singular (我 not followed by 们, I / my / me — "show me" and
   "tell me" do not count) is a customer's own words: labelled, never asked
   ("为什么我的快递还没到？", "why is my order late?").
3. Otherwise it is a question about the history when it talks about the history (customers,
   complaints, sentiment, negative, conversations, messages, …) and asks something of it (a
   question word or mark, "show", "list", 给我看, …) — a period or a filter alone is not enough;
   "what changed since yesterday" / 和昨天比有什么变化 is one too.

What it asks (`Kind`), first match wins:
- `changes`: what changed since yesterday / 和昨天比有什么变化 → today against yesterday;
- `trend`: why / how did it move / compare / 为什么 / 变化 / 多了 / 上升 … → a period against the
  one before it (or the two periods named);
- `worst`: worst / flagged conversations, 最差 / 标记 / 需要关注的会话;
- `complaints`: complain / unhappy / issues / 投诉 / 抱怨 / 不满 → negative by aspect;
- `counts`: how many / share / 多少 / 比例 / 占比, and anything else → counts and shares.
Filters: an aspect word (物流, refund, …), a label word (负面, positive, …) and a channel named in
the question (one of the channels storage knows). The period defaults to the last 7 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.ask.periods import Period, find_periods
from bot.i18n import detect_lang
from domain.models import Aspect, Label, Lang

Kind = Literal["complaints", "trend", "worst", "counts", "changes"]

DEFAULT_DAYS = 7

_ASK_PREFIX = re.compile(r"^\s*(?:ask\b|问(?!题))\s*[:：,，]?\s*", re.I)
_FIRST_PERSON = re.compile(r"我(?!们)|\b(?:i|i'm|i've|my|me|mine)\b", re.I)
_NOT_FIRST_PERSON = re.compile(r"\b(?:show|tell|give|let)\s+me\b|给我(?:看|列|说|讲)?|告诉我|帮我", re.I)
_SUBJECT = re.compile(
    r"客户|顾客|用户|买家|投诉|抱怨|差评|好评|负面|正面|中性|情绪|情感|满意度|会话|对话|消息|评论|留言|工单|反馈|"
    r"\b(?:customers?|users?|buyers?|complain\w*|sentiment|negative|positive|neutral|conversations?|"
    r"threads?|messages?|comments?|reviews?|tickets?|feedback|unhappy|happy|satisf\w*)\b",
    re.I,
)
_SERVICE_PHRASE = re.compile(r"客户服务|客服|\bcustomer\s+(?:service|support|care)\b", re.I)
_ASKING = re.compile(
    r"[?？]|什么|哪些|哪个|多少|几条|几个|为什么|为何|怎么|如何|是否|有没有|吗|呢|"
    r"列出|看看|给我|显示|统计|比较|对比|变化|"
    r"\b(?:what|which|how|why|who|when|where|show|list|give|tell|compare|did|does|do|is|are|were|was)\b",
    re.I,
)

_CHANGES = re.compile(
    r"\bwhat(?:'s| has)?\s+changed\b|\bchanges?\s+since\b|since\s+yesterday|"
    r"有什么变化|有何变化|哪些变化|变化了什么|"
    r"(?:和|跟|与|比)昨天(?:比|相比|比较)?.*(?:变化|不同|区别)|昨天以来",
    re.I,
)
_TREND = re.compile(
    r"\bwhy\b|\bhow\s+(?:did|has|have|does)\b.*\b(?:move|change|go|went|shift|trend)|\btrend|\bcompare|\bvs\.?\b|"
    r"\bversus\b|\b(?:go|went|gone)\s+(?:up|down)|\b(?:increase|decrease|rise|rose|drop|fell|fall|spike|jump)\w*|"
    r"\bmore\s+negative|\bworse\b|\bbetter\b|为什么|为何|怎么.*(?:多|少|变)|趋势|变化|比较|对比|相比|多了|少了|上升|下降|"
    r"增加|减少|变多|变少|涨|跌",
    re.I,
)
_WORST = re.compile(
    r"\bworst\b|\bflagged\b|\bflags?\b|\bmost\s+negative\b|\bangriest\b|needs?\s+(?:a\s+)?(?:human|review|attention)|"
    r"最差|最糟|最坏|最负面|最不满|被标记|标记的|需要关注|需要人工|需要处理|有问题的(?:会话|对话)",
    re.I,
)
_COMPLAINTS = re.compile(
    r"\bcomplain\w*|\bunhappy\b|\bupset\b|\bissues?\b|\bproblems?\b|\bpain\s+points?\b|\bdissatisf\w*|"
    r"投诉|抱怨|不满|吐槽|问题|痛点|差评",
    re.I,
)

_COUNTS = re.compile(r"多少|几条|比例|占比|统计|\bhow\s+many\b|\bshares?\b|\bcounts?\b|\bstats?\b", re.I)

ASPECT_WORDS: dict[Aspect, re.Pattern[str]] = {
    "delivery": re.compile(
        r"物流|快递|配送|发货|送货|运输|\b(?:deliver\w*|shipping|shipment|courier)\b", re.I
    ),
    "service": re.compile(r"客服|服务态度|售后|\b(?:service|support|agents?|staff)\b", re.I),
    "quality": re.compile(r"质量|品质|做工|\b(?:quality|defects?|defective)\b", re.I),
    "price": re.compile(r"价格|太贵|便宜|\b(?:price|prices|pricing|expensive|cost)\b", re.I),
    "billing": re.compile(r"退款|账单|扣费|发票|\b(?:billing|refunds?|invoices?|charges?|payments?)\b", re.I),
    "account": re.compile(r"账户|账号|登录|\b(?:account|accounts|login|log\s+in|password)\b", re.I),
    "product": re.compile(r"产品|功能|\b(?:product|products|features?|app)\b", re.I),
    "other": re.compile(r"其他方面|其他问题|\bother\s+(?:aspects?|issues|topics)\b", re.I),
}
LABEL_WORDS: dict[Label, re.Pattern[str]] = {
    "negative": re.compile(r"负面|差评|\bnegative\b", re.I),
    "positive": re.compile(r"正面|好评|\bpositive\b", re.I),
    "neutral": re.compile(r"中性|\bneutral\b", re.I),
}


@dataclass(frozen=True)
class Question:
    """What a question asks: its kind, the period (and the one to compare with), filters."""

    text: str
    lang: Lang
    kind: Kind
    period: Period
    compare_to: Period | None = None
    channel: str | None = None
    aspect: Aspect | None = None
    label: Label | None = None
    period_named: bool = True


def strip_ask_prefix(text: str) -> str | None:
    """The question after `ask` / `问`, or None when the text does not start with one."""
    match = _ASK_PREFIX.match(text)
    if not match:
        return None
    return text[match.end() :].strip()


def looks_like_history_question(text: str) -> bool:
    """Rule 2 and 3 above: a question about the history, not a customer's own words.

    "customer service" / 客户服务 is what a customer complains about, not the history.
    """
    without_me = _NOT_FIRST_PERSON.sub(" ", text)
    if _FIRST_PERSON.search(without_me):
        return False
    about = _SERVICE_PHRASE.sub(" ", text)
    return bool((_SUBJECT.search(about) or _CHANGES.search(about)) and _ASKING.search(about))


def question_text(text: str) -> str | None:
    """The question a chat message asks about the history, or None when it is text to label."""
    asked = strip_ask_prefix(text)
    if asked is not None:
        return asked
    stripped = text.strip()
    if "\n" in stripped:  # a pasted list or conversation is labelled
        return None
    return stripped if looks_like_history_question(stripped) else None


def _kind(text: str, periods: list[Period]) -> Kind:
    if _CHANGES.search(text):
        return "changes"
    if _TREND.search(text) or len(periods) >= 2:
        return "trend"
    if _WORST.search(text):
        return "worst"
    if _COMPLAINTS.search(text):
        return "complaints"
    return "counts"


def _channel(text: str, channels: list[str]) -> str | None:
    """The longest known channel name that appears in the question as a word (or #name)."""
    lowered = text.lower()
    for name in sorted((c for c in channels if c), key=len, reverse=True):
        needle = name.lower()
        if needle.isascii():
            if re.search(rf"(?<![A-Za-z0-9_-])#?{re.escape(needle)}(?![A-Za-z0-9_-])", lowered):
                return name
        elif needle in lowered:
            return name
    return None


def understand(text: str, *, today: date, channels: list[str] | None = None) -> Question | None:
    """Read a question (already known to be one); None when it names nothing answerable.

    "Nothing answerable" is a question with no period, no filter and no kind word at all, e.g.
    "ask hello": the caller answers it with what can be asked.
    """
    text = text.strip()
    if not text:
        return None
    periods = find_periods(text, today=today)
    kind = _kind(text, periods)
    aspect = next((a for a, pattern in ASPECT_WORDS.items() if pattern.search(text)), None)
    label = next((lab for lab, pattern in LABEL_WORDS.items() if pattern.search(text)), None)
    channel = _channel(text, channels or [])
    if (
        not periods
        and kind == "counts"
        and not (aspect or label or channel)
        and not re.search(
            r"多少|几条|比例|占比|\bhow\s+many\b|\bshare\b|\bcount\b|\bstats?\b|统计", text, re.I
        )
    ):
        return None
    yesterday = today - timedelta(days=1)
    compare_to: Period | None = None
    if kind == "changes":
        period = periods[0] if periods and periods[0].first == today else Period(today, today, "day")
        compare_to = Period(yesterday, yesterday, "day")
        if periods and periods[0].last < today:  # "since last week" → this week against last week
            compare_to = periods[0]
            period = Period(periods[0].last + timedelta(days=1), today, periods[0].unit)
    elif periods:
        period = periods[0]
        if kind == "trend":
            compare_to = periods[1] if len(periods) > 1 else period.previous()
            if compare_to.first > period.first:  # "compare last week and this week": older one second
                period, compare_to = compare_to, period
    else:
        period = Period(today - timedelta(days=DEFAULT_DAYS - 1), today, "span")
        if kind == "trend":
            compare_to = period.previous()
    return Question(
        text=text,
        lang=detect_lang(text),
        kind=kind,
        period=period,
        compare_to=compare_to,
        channel=channel,
        aspect=aspect,
        label=label,
        period_named=bool(periods),
    )
