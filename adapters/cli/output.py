"""Printing results for `sentibot label`: a table, the API's JSON, or CSV."""

from __future__ import annotations

import json
import sys
from typing import Literal

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from adapters.csv_export import write_items_csv
from bot.analysis import AnalysisResult
from bot.i18n import LABEL_EMOJI

OutputFormat = Literal["table", "json", "csv"]
LABEL_STYLE = {"positive": "green", "negative": "red", "neutral": "bright_black", None: "yellow"}


def print_result(result: AnalysisResult, *, fmt: OutputFormat, public_url: str, console: Console) -> None:
    if fmt == "json":
        sys.stdout.write(
            json.dumps(result.api_json(public_url=public_url), ensure_ascii=False, indent=2) + "\n"
        )
    elif fmt == "csv":
        write_items_csv(result.items, sys.stdout)
    elif result.kind == "text":
        _print_one(result, console)
    else:
        _print_table(result, console)


def _print_one(result: AnalysisResult, console: Console) -> None:
    item = result.items[0]
    if item.status != "ok":
        console.print(f"[yellow]failed[/]: {escape(item.error or '')}")
        return
    emoji, style = LABEL_EMOJI[item.label or "neutral"], LABEL_STYLE[item.label]
    console.print(f"{emoji} [bold {style}]{item.label}[/]  confidence {item.confidence:.2f}")
    if item.keywords:
        console.print(f"keywords: {escape(', '.join(item.keywords))}")
    if item.explanation:
        console.print(f"why: {escape(item.explanation)}")
    console.print(f"labeller: {item.labeler}" + (" (cached)" if item.cached else ""), style="dim")


def _print_table(result: AnalysisResult, console: Console) -> None:
    table = Table(show_lines=False, expand=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("label", no_wrap=True)
    table.add_column("conf", justify="right", no_wrap=True)
    table.add_column("text", ratio=3, overflow="fold")
    table.add_column("keywords", ratio=1, min_width=10, overflow="fold")
    table.add_column("why", ratio=3, overflow="fold")
    for item in result.items:
        if item.status == "ok":
            label = f"[{LABEL_STYLE[item.label]}]{item.label}[/]"
            conf = f"{item.confidence:.2f}" if item.confidence is not None else ""
            why = f"{item.explanation} ({item.note})" if item.note else item.explanation
        else:
            label, conf, why = "[yellow]failed[/]", "", item.error or ""
        table.add_row(str(item.id), label, conf, Text(item.text), Text(", ".join(item.keywords)), Text(why))
    console.print(table)
    print_summary(result, console)


def print_summary(result: AnalysisResult, console: Console) -> None:
    s = result.summary
    labelled = s.total - s.failed
    parts = [
        f"[{LABEL_STYLE[label]}]{label} {getattr(s, label)} ({getattr(s, label) / labelled:.0%})[/]"
        if labelled
        else f"{label} 0"
        for label in ("positive", "neutral", "negative")
    ]
    console.print(
        f"total {s.total} · " + " · ".join(parts) + (f" · [yellow]failed {s.failed}[/]" if s.failed else "")
    )
    if result.explanation:
        console.print(Text(result.explanation))
    console.print(f"run {result.run_id} · labeller {result.labeler}", style="dim")
