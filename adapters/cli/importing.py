"""`sentibot import FILE`: what was recognised, progress with rate and ETA (stderr), the outcome.

Exit codes: 0 every row stored (new or already there), 1 some rows rejected (listed with their
row numbers) or interrupted, 2 bad usage (no file, no text column, a bad --map).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

if TYPE_CHECKING:
    from bot.core import Sentibot
    from bot.imports.runner import ImportReport

SHOW_REJECTED = 50


def import_file(
    file: Annotated[Path, typer.Argument(help="CSV, TSV, XLSX or JSONL export.")],
    source: Annotated[
        str, typer.Option("--source", help="Where the rows come from (with their ids: the identity).")
    ] = "import",
    channel: Annotated[str | None, typer.Option("--channel", help="Channel for rows without one.")] = None,
    mapping: Annotated[
        str | None,
        typer.Option(
            "--map", help="field=COLUMN,... for text, id, time, conversation, role, author, channel."
        ),
    ] = None,
) -> None:
    """Import an export into the history, labelling as it reads; running it again adds nothing twice."""
    from adapters.cli.common import err, fail, load_settings, with_core

    settings = load_settings()

    async def use(core: Sentibot) -> ImportReport:
        job = core.open_import(file, source=source, channel=channel, mapping=mapping)
        err.print(f"{escape(file.name)}: {escape(job.columns.describe())}", highlight=False)
        with Progress(
            TextColumn("importing"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]} rows · {task.fields[rate]} rows/s"),
            TimeRemainingColumn(),
            console=err,
            transient=False,
        ) as bar:
            task = bar.add_task("import", total=1000, rows=0, rate=0)

            def update(report: ImportReport, fraction: float) -> None:
                bar.update(
                    task, completed=fraction * 1000, rows=f"{report.rows:,}", rate=f"{report.rate:,.0f}"
                )

            return await job.run(on_progress=update)

    try:
        report = with_core(settings, use)
    except KeyboardInterrupt:
        raise fail(
            "interrupted: what was read is stored; run the same command again to continue", 1
        ) from None
    err.print(
        f"{report.new:,} new · {report.already:,} already stored · {report.rejected_count:,} rejected"
        f" · {report.labelled:,} labelled · {report.failed:,} failed to label"
        f" · {report.rows:,} rows in {report.seconds:.1f}s",
        highlight=False,
    )
    for row, reason in report.rejected[:SHOW_REJECTED]:
        err.print(f"row {row}: {escape(reason)}", highlight=False)
    if report.rejected_count > SHOW_REJECTED:
        err.print(f"… and {report.rejected_count - SHOW_REJECTED:,} more rejected rows", highlight=False)
    if report.failed:
        err.print(
            "rows that failed to label are stored: `sentibot relabel --failed` labels them", highlight=False
        )
    if report.rejected_count:
        raise typer.Exit(1)
