"""An answer as the platform-neutral reply chat surfaces render (Slack, DingTalk, web chat, CLI)."""

from __future__ import annotations

from bot.ask import answers
from bot.ask.models import Answer
from bot.replies import Reply

TITLE_CHARS = 80


def answer_reply(answer: Answer) -> Reply:
    """Title: the question and who answered; lines: the answer, then the quoted examples.

    The last `len(examples) + 1` lines are the examples heading and one quote per example (the
    web chat draws those as links from `examples`).
    """
    question = (
        answer.question if len(answer.question) <= TITLE_CHARS else answer.question[: TITLE_CHARS - 1] + "…"
    )
    by = answers.answered_by_words(answer.answered_by, answer.lang)
    body, _, _ = answer.text.partition("\n" + answers.examples_heading(answer.lang) + "\n")
    lines = [line for line in body.split("\n") if line.strip()]
    if answer.examples:
        lines.append(answers.examples_heading(answer.lang))
        lines += [answers.quote(example, answer.lang) for example in answer.examples]
    return Reply(
        kind="answer",
        lang=answer.lang,
        title=f"❓ {question} · {by}",
        lines=lines,
        chart_id=answer.chart_id,
        examples=answer.examples,
    )
