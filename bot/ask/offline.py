"""The offline way to answer: the parsed question picks the tools, a template writes the answer.

Which tools each kind of question runs (all numbers come from them):
- complaints: stats + negative_by_aspect, examples of the asked (else the most complained-about)
  aspect's negative messages;
- trend / changes: compare the two periods, examples of negative messages of the aspect that
  rose most (else any negative ones) in the later period;
- worst: flagged_conversations, one negative message of each of the first three as examples;
- counts: stats with the question's filters, examples matching them.
"""

from __future__ import annotations

from bot.ask import answers
from bot.ask.models import Answer, Fact
from bot.ask.questions import Question
from bot.ask.tools import EXAMPLES, AskTools, ToolResult


def run_tools(q: Question, tools: AskTools) -> tuple[str, list[ToolResult]]:
    """The answer text and every tool result it was written from."""
    lang = q.lang
    if q.kind == "complaints":
        stats = tools.stats(q.period, channel=q.channel, aspect=q.aspect, label="negative")
        by_aspect = tools.negative_by_aspect(q.period, channel=q.channel)
        top = q.aspect or next((r["aspect"] for r in by_aspect.data["aspects"] if r["negative"]), None)
        examples = tools.examples(q.period, label="negative", aspect=top, channel=q.channel, limit=EXAMPLES)
        return answers.complaints(q, by_aspect, stats, lang), [stats, by_aspect, examples]
    if q.kind in ("trend", "changes"):
        assert q.compare_to is not None
        compared = tools.compare(q.period, q.compare_to, channel=q.channel)
        rising = next((r["aspect"] for r in compared.data["aspects"] if r["change"] > 0), None)
        examples = tools.examples(
            q.period, label="negative", aspect=q.aspect or rising, channel=q.channel, limit=EXAMPLES
        )
        if not examples.examples and (q.aspect or rising):
            examples = tools.examples(q.period, label="negative", channel=q.channel, limit=EXAMPLES)
        text = answers.trend(q, compared, lang, since_yesterday=q.kind == "changes")
        return text, [compared, examples]
    if q.kind == "worst":
        worst = tools.flagged_conversations(q.period, channel=q.channel)
        return answers.worst(q, worst, lang), [worst]
    stats = tools.stats(q.period, channel=q.channel, aspect=q.aspect, label=q.label)
    examples = tools.examples(q.period, label=q.label, aspect=q.aspect, channel=q.channel, limit=EXAMPLES)
    return answers.counts(q, stats, lang), [stats, examples]


def collect(results: list[ToolResult]) -> tuple[list[Fact], list[dict]]:
    """Facts (first value of each name wins) and examples (each message once) of the results."""
    facts: dict[str, Fact] = {}
    examples: dict[int, dict] = {}
    for result in results:
        for fact in result.facts:
            facts.setdefault(fact.name, fact)
        for example in result.examples:
            examples.setdefault(int(example["id"]), example)
    return list(facts.values()), list(examples.values())


def answer_offline(q: Question, tools: AskTools, *, answered_by: str = "offline") -> Answer:
    text, results = run_tools(q, tools)
    facts, examples = collect(results)
    examples = examples[:EXAMPLES]
    if examples and q.kind != "worst":
        text += (
            "\n"
            + answers.examples_heading(q.lang)
            + "\n"
            + "\n".join(answers.quote(e, q.lang) for e in examples)
        )
    return Answer(
        question=q.text,
        lang=q.lang,
        kind=q.kind,
        text=text,
        facts=facts,
        examples=examples,
        answered_by=answered_by,
        period=q.period.label(),
    )
