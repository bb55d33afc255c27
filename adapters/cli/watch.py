"""`sentibot watch list|add TARGET|remove TARGET`: the watched conversations.

The CLI's helpers are imported inside the commands: adapters/cli/main.py imports this module to
register it, also when it runs as `python -m adapters.cli.main` (then it is `__main__`).
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from bot.core import Sentibot
from bot.watch.replies import watch_list_lines
from bot.watch.watchlist import RemoveOutcome, WatchEntry

TARGET_HELP = "slack:CHANNEL_ID or dingtalk:OPEN_CONVERSATION_ID"

watch_app = typer.Typer(
    help="The watched conversations: every message labelled as it arrives, judged when quiet.",
    no_args_is_help=True,
)


@watch_app.command("list")
def watch_list() -> None:
    """Every watched conversation and where it was switched on."""
    from adapters.cli.main import load_settings, out, say, with_core

    async def use(core: Sentibot) -> list[WatchEntry]:
        return core.watched()

    entries = with_core(load_settings(), use)
    if not entries:
        out.print("nothing is watched (add one with `sentibot watch add slack:CHANNEL_ID`)")
    for line in watch_list_lines(entries):
        say(line)


@watch_app.command("add")
def watch_add(target: Annotated[str, typer.Argument(help=TARGET_HELP)]) -> None:
    """Watch a conversation from now on."""
    from adapters.cli.main import load_settings, say, with_core

    async def use(core: Sentibot) -> bool:
        return core.watch(target, by=getpass.getuser())

    added = with_core(load_settings(), use)
    say(f"watching {target.strip()}" if added else f"{target.strip()} was already watched")


@watch_app.command("remove")
def watch_remove(target: Annotated[str, typer.Argument(help=TARGET_HELP)]) -> None:
    """Stop watching a conversation (entries of SENTIBOT_WATCH_CHANNELS are removed there)."""
    from adapters.cli.main import fail, load_settings, say, with_core

    async def use(core: Sentibot) -> RemoveOutcome:
        return core.unwatch(target)

    outcome = with_core(load_settings(), use)
    name = target.strip()
    if outcome == "from_setting":
        raise fail(f"{name} is watched through SENTIBOT_WATCH_CHANNELS: remove it there", 2)
    say(f"no longer watching {name}" if outcome == "removed" else f"{name} was not watched")
