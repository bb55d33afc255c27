"""What every `sentibot` subcommand module shares: the consoles, one-line errors, settings, the core."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.config import Settings
from bot.core import Sentibot
from bot.errors import Conflict, InputError, NotFound, StorageError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one error, one line
T = TypeVar("T")


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def say(text: str) -> None:
    """Print a line that carries user or model text: never read as rich markup."""
    out.print(text, markup=False, highlight=False)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'setting'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise fail(f"bad configuration: {problems}", 2) from exc


def with_core(settings: Settings, use: Callable[[Sentibot], Awaitable[T]]) -> T:
    """Build the core, run one use of it and close it, all on one event loop.

    The core's errors become one clear line and an exit code, never a stack trace.
    """

    async def main() -> T:
        core = Sentibot(settings=settings)
        try:
            return await use(core)
        finally:
            await core.aclose()

    try:
        return asyncio.run(main())
    except Conflict as exc:  # valid request, wrong moment (e.g. already resolved)
        raise fail(str(exc), 1) from exc
    except InputError as exc:
        raise fail(str(exc), 2) from exc
    except (NotFound, StorageError) as exc:
        raise fail(str(exc), 1) from exc


@contextmanager
def progress_bar(description: str, *, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr; a no-op for tiny jobs so one-liners stay clean."""
    if not enabled:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
