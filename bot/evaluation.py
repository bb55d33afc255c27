"""`sentibot eval`: how far the labeller agrees with humans, from resolved reviews.

Every resolved review is one judgement of a conversation's overall label: the bot said
`predicted`; the reviewer either gave the right label (`corrected`) or resolved it without one,
which means the bot was right (human label = predicted). Reviews still open are not counted.
The labeller and prompt version are the run's that produced the reviewed verdict.

Labels people set on single messages (`/messages`, run pages, `correct N LABEL` in chat) are a
second set of judgements: each message once (the latest label set), against what the labeller
had said before anyone touched it. They are counted apart (`messages`), never mixed with the
conversation verdicts.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from domain.models import LABELS
from storage import Store

# Below this many reviewed conversations the numbers are shown with a warning.
FEW = 30
UNKNOWN = "unknown"


def _empty_matrix() -> dict[str, dict[str, int]]:
    return {human: dict.fromkeys(LABELS, 0) for human in LABELS}


class Agreement(BaseModel):
    """Agreement numbers of one slice (everything, or one labeller + prompt version)."""

    labeler: str | None = None
    prompt_version: str | None = None
    reviewed: int = 0
    agreed: int = 0
    corrected: int = 0  # a human gave a different label
    # matrix[human][bot]: rows are the human's label, columns the bot's.
    matrix: dict[str, dict[str, int]] = Field(default_factory=_empty_matrix)

    @property
    def accuracy(self) -> float | None:
        return self.agreed / self.reviewed if self.reviewed else None

    def recall(self, label: str) -> float | None:
        """Of the conversations humans call `label`, the share the bot called so."""
        row = sum(self.matrix[label].values())
        return self.matrix[label][label] / row if row else None

    def precision(self, label: str) -> float | None:
        """Of the conversations the bot called `label`, the share humans agree with."""
        column = sum(self.matrix[human][label] for human in LABELS)
        return self.matrix[label][label] / column if column else None

    def add(self, *, human: str, bot: str) -> None:
        self.reviewed += 1
        if human == bot:
            self.agreed += 1
        else:
            self.corrected += 1
        self.matrix[human][bot] += 1


class EvalReport(BaseModel):
    overall: Agreement
    groups: list[Agreement] = Field(default_factory=list)
    skipped: int = 0  # resolved reviews with a label outside positive/negative/neutral
    # Single messages whose label people set (corrections), against the labeller's label.
    messages: Agreement = Field(default_factory=Agreement)

    @property
    def empty(self) -> bool:
        return self.overall.reviewed == 0 and self.messages.reviewed == 0


def evaluate(store: Store) -> EvalReport:
    """Agreement over every resolved review, overall and per (labeller, prompt version)."""
    overall = Agreement()
    groups: dict[tuple[str, str], Agreement] = {}
    skipped = 0
    for row in store.stats.resolved_reviews():
        bot = row["predicted"]
        human = row["corrected"] or bot
        if bot not in LABELS or human not in LABELS:
            skipped += 1
            continue
        key = (row["labeler"] or UNKNOWN, row["prompt_version"] or UNKNOWN)
        group = groups.setdefault(key, Agreement(labeler=key[0], prompt_version=key[1]))
        overall.add(human=human, bot=bot)
        group.add(human=human, bot=bot)
    messages = Agreement()
    for row in store.corrections.judgements():
        if row["predicted"] in LABELS and row["human"] in LABELS:
            messages.add(human=row["human"], bot=row["predicted"])
    return EvalReport(
        overall=overall, groups=[groups[k] for k in sorted(groups)], skipped=skipped, messages=messages
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def format_eval(report: EvalReport) -> str:
    """A readable plain-text report for the CLI (fixed-width tables)."""
    if report.empty:
        return (
            "no reviewed conversations yet: resolve flagged conversations (`sentibot review resolve ID "
            "--label LABEL` when the bot was wrong) and run `sentibot eval` again"
        )
    m = report.messages
    message_lines = (
        [
            "",
            f"Labeller vs labels people set on single messages: {m.reviewed} message(s)",
            f"agreement {_pct(m.accuracy)} ({m.agreed}/{m.reviewed}; people mostly correct what looks wrong,"
            " so this is a floor)",
        ]
        if m.reviewed
        else []
    )
    o = report.overall
    if not o.reviewed:
        return "\n".join(["no reviewed conversations yet", *message_lines[1:]])
    lines = [
        f"Labeller vs human reviewers: {o.reviewed} reviewed conversation(s)",
        f"accuracy {_pct(o.accuracy)} ({o.agreed}/{o.reviewed} agreed, {o.corrected} corrected by a human)",
    ]
    if o.reviewed < FEW:
        lines.append(f"note: fewer than {FEW} reviews; treat these numbers as a first indication")
    if report.skipped:
        lines.append(f"({report.skipped} resolved review(s) with an unknown label left out)")
    lines += ["", "confusion matrix (rows: human label, columns: bot label)"]
    width = max(len(label) for label in LABELS) + 2
    head = "human \\ bot".ljust(14) + "".join(label.rjust(width) for label in LABELS) + "total".rjust(8)
    head += "recall".rjust(9)
    lines.append(head)
    for human in LABELS:
        row = o.matrix[human]
        lines.append(
            human.ljust(14)
            + "".join(str(row[bot]).rjust(width) for bot in LABELS)
            + str(sum(row.values())).rjust(8)
            + _pct(o.recall(human)).rjust(9)
        )
    lines.append(
        "total".ljust(14)
        + "".join(str(sum(o.matrix[h][bot] for h in LABELS)).rjust(width) for bot in LABELS)
        + str(o.reviewed).rjust(8)
    )
    lines.append("precision".ljust(14) + "".join(_pct(o.precision(bot)).rjust(width) for bot in LABELS))
    lines += ["", "by labeller and prompt version"]
    name_w = max(8, *(len(g.labeler or "") for g in report.groups)) + 2
    prompt_w = max(6, *(len(g.prompt_version or "") for g in report.groups)) + 2
    lines.append(
        "labeller".ljust(name_w) + "prompt".ljust(prompt_w) + "reviewed".rjust(9) + "agreed".rjust(8)
        + "accuracy".rjust(10)
    )  # fmt: skip
    for g in report.groups:
        lines.append(
            (g.labeler or "").ljust(name_w)
            + (g.prompt_version or "").ljust(prompt_w)
            + str(g.reviewed).rjust(9)
            + str(g.agreed).rjust(8)
            + _pct(g.accuracy).rjust(10)
        )
    return "\n".join(lines + message_lines)


def _agreement_json(a: Agreement) -> dict[str, Any]:
    return {
        "labeler": a.labeler,
        "prompt_version": a.prompt_version,
        "reviewed": a.reviewed,
        "agreed": a.agreed,
        "corrected": a.corrected,
        "accuracy": round(a.accuracy, 4) if a.accuracy is not None else None,
        "matrix": a.matrix,
        "per_label": {
            label: {
                "recall": None if (r := a.recall(label)) is None else round(r, 4),
                "precision": None if (p := a.precision(label)) is None else round(p, 4),
            }
            for label in LABELS
        },
    }


def eval_json(report: EvalReport) -> dict[str, Any]:
    """The report as JSON (`sentibot eval --format json`): matrix[human][bot] counts."""
    return {
        "reviewed": report.overall.reviewed,
        "empty": report.empty,
        "message": format_eval(report) if report.empty else None,
        "overall": _agreement_json(report.overall),
        "by_labeler": [_agreement_json(g) for g in report.groups],
        "messages": _agreement_json(report.messages),
        "skipped": report.skipped,
    }
