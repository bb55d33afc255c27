"""`sentibot`: the command line. It translates arguments into calls on the core, nothing more.

Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from adapters.cli.common import err, fail, load_settings, out, progress_bar, say, with_core
from adapters.cli.importing import import_file
from adapters.cli.inputs import InputFileError, read_comments
from adapters.cli.output import OutputFormat, print_result, print_summary
from bot.analysis import AnalysisRequest
from bot.config import Settings
from bot.core import Sentibot

app = typer.Typer(
    name="sentibot",
    help="Sentiment labelling, review queue and digests for customer-support leads.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
review_app = typer.Typer(help="The review queue of flagged conversations.", no_args_is_help=True)
app.add_typer(review_app, name="review")


@app.command()
def label(
    texts: Annotated[list[str] | None, typer.Argument(help="Comments to label.")] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file", "-f", help="One comment per line, or CSV with a `text` column; `-` for stdin."
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, json (as POST /api/analyze) or csv.")
    ] = "table",
    channel: Annotated[str | None, typer.Option(help="Channel name to file the results under.")] = None,
) -> None:
    """Label comments and store them."""
    comments = list(texts or [])
    if file:
        try:
            from_file = read_comments(file)
        except InputFileError as exc:
            raise fail(str(exc), 2) from exc
        if not from_file:
            raise fail(
                f"{'stdin' if file == '-' else file} has no comments (one per line, or a `text` column)", 2
            )
        comments += from_file
    if not comments:
        raise fail("nothing to label: give TEXT arguments or --file PATH (- for stdin)", 2)
    settings = load_settings()
    request = AnalysisRequest(texts=comments, source="cli", channel=channel)
    with progress_bar("labelling", enabled=len(comments) > 1) as update:
        result = with_core(settings, lambda core: core.analyze(request, on_progress=update))
    print_result(result, fmt=fmt, public_url=settings.public_url, console=out)
    if fmt == "csv":  # stdout stays pure CSV; the summary goes where the progress went
        print_summary(result, err)
    if result.summary.failed:
        errors = {item.error or "unknown" for item in result.items if item.status != "ok"}
        reasons = "; ".join(sorted(errors)[:3])
        raise fail(
            f"{result.summary.failed} of {result.summary.total} failed ({reasons}) — run {result.run_id} "
            "is saved; `sentibot relabel --failed` completes it"
        )


@app.command()
def relabel(
    failed: Annotated[bool, typer.Option("--failed", help="Label again every item that failed.")] = False,
    run_id: Annotated[str | None, typer.Option("--run", help="Only this run.")] = None,
) -> None:
    """Label again what failed before (model down, garbage answers, a crash)."""
    if not failed:
        raise fail("say what to relabel: `sentibot relabel --failed`", 2)
    settings = load_settings()
    with progress_bar("relabelling", enabled=True) as update:
        results = with_core(settings, lambda core: core.relabel_failed(run_id=run_id, on_progress=update))
    if not results:
        out.print("nothing to relabel: no failed items")
        return
    still_failed = 0
    for result in results:
        print_summary(result, out)
        still_failed += result.summary.failed
    if still_failed:
        raise fail(f"{still_failed} item(s) still failed; run it again once the model server is healthy")


@app.command()
def doctor() -> None:
    """Check the database, the model server, Slack and DingTalk; one line each."""
    from adapters.cli.doctor import run_checks

    settings = load_settings()
    lines = asyncio.run(run_checks(settings))
    for name, ok, message in lines:
        mark = "[green]ok  [/]" if ok else "[red]FAIL[/]"
        out.print(f"{mark} {name}: {escape(message)}", highlight=False)
    if not all(ok for _, ok, _ in lines):
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; non-loopback needs SENTIBOT_WEB_TOKEN.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
) -> None:
    """Web chat, API, Slack and DingTalk HTTP endpoints, chart files and the digest scheduler."""
    import socket

    import uvicorn

    from adapters.web.main import create_app
    from adapters.web.security import check_bind

    settings = load_settings()
    try:
        check_bind(host, settings)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    if "public_url" not in settings.model_fields_set:
        # Chart links must point where this server really is, not at the default port.
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        settings = settings.model_copy(update={"public_url": f"http://{shown}:{port}"})
    try:  # fail here with one line rather than inside uvicorn with a traceback
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc} (pick another --port)") from exc
    logging.getLogger().setLevel(logging.INFO)  # digests sent, reviews announced, platform errors
    err.print(f"sentibot on http://{host}:{port} · labeller: {_labeller_name(settings)} · db: {settings.db}")
    try:
        uvicorn.run(
            create_app(settings, scheduler=True), host=host, port=port, log_level="info", proxy_headers=False
        )
    except SystemExit as exc:  # uvicorn exits 3 when it cannot start; the contract says 1
        if exc.code not in (0, None):
            raise fail(f"the server stopped: exit {exc.code}") from exc


@app.command()
def connect() -> None:
    """Slack Socket Mode and DingTalk Stream mode: no public URL needed, same core."""
    from adapters.connect import run_connect

    settings = load_settings()
    if not (settings.slack_bot_token and settings.slack_app_token) and not settings.dingtalk_enabled:
        raise fail(
            "nothing to connect: set SLACK_BOT_TOKEN + SLACK_APP_TOKEN (Socket Mode) "
            "and/or DINGTALK_CLIENT_ID + DINGTALK_CLIENT_SECRET (Stream mode)",
            2,
        )
    logging.getLogger().setLevel(logging.INFO)  # a long-running process: say what it connects to
    try:
        asyncio.run(run_connect(settings))
    except KeyboardInterrupt:
        err.print("stopped")


@app.command()
def train(
    data: Annotated[Path, typer.Option("--data", help="CSV with `text` and `label` columns.")],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the model.")] = Path(
        "sentibot-offline-model.json.gz"
    ),
) -> None:
    """Build the offline labeller from your own labelled comments."""
    from bot.labelers.offline_train import read_labelled_csv
    from bot.labelers.offline_train import train as train_model

    try:
        rows = read_labelled_csv(data)
    except (OSError, ValueError) as exc:
        raise fail(str(exc), 2) from exc
    err.print(f"training on {len(rows)} labelled comments from {data} …")
    try:
        report = train_model(rows, out_path)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    out.print(report.summary())
    out.print(f"model written to {out_path}; use it with SENTIBOT_OFFLINE_MODEL={out_path}")


@app.command()
def digest(
    day: Annotated[
        str | None, typer.Option("--date", help="Local day YYYY-MM-DD (default: yesterday).")
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send to SENTIBOT_DIGEST_TARGETS, once per target.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Print (and send) the digest of one day."""
    import json
    from datetime import date, timedelta

    from adapters.notifiers import register_notifiers
    from bot.digest import digest_json, digest_reply
    from bot.notify import parse_targets

    settings = load_settings()
    try:
        the_day = date.fromisoformat(day) if day else settings.today() - timedelta(days=1)
    except ValueError as exc:
        raise fail(f"--date must be YYYY-MM-DD, got {day!r}", 2) from exc
    if the_day > settings.today():
        raise fail(f"{the_day} has not started yet in {settings.timezone}", 2)
    targets = parse_targets(settings.digest_targets)
    if send and not targets:
        raise fail("--send needs SENTIBOT_DIGEST_TARGETS, e.g. slack:C0123ABCD,dingtalk-webhook,web", 2)

    async def use(core: Sentibot) -> tuple[Any, list[Any]]:
        report = await core.digest(the_day, chart=fmt == "json")
        if not send:
            return report, []
        register_notifiers(core)
        return report, await core.send_digest(the_day, lang=report.lang)

    report, results = with_core(settings, use)
    if fmt == "json":
        say(json.dumps(digest_json(report, public_url=settings.public_url), ensure_ascii=False, indent=2))
    else:
        say(digest_reply(report, public_url=settings.public_url).text)
    for result in results:
        say(f"{result.target}: {result.status} {result.error or result.detail or ''}".rstrip())
    if any(result.status == "failed" for result in results):
        raise fail("some targets failed; run the same command again to retry them")


@app.command()
def ask(
    question: Annotated[
        str, typer.Argument(help='A question about the stored history, e.g. "这周客户主要投诉什么？".')
    ],
    fmt: Annotated[str, typer.Option("--format", help="text or json (the POST /api/ask answer).")] = "text",
) -> None:
    """Answer a question about the stored history; every number comes from storage."""
    import json

    if fmt not in ("text", "json"):
        raise fail("--format must be text or json", 2)
    settings = load_settings()
    answer = with_core(settings, lambda core: core.ask(question, chart=fmt == "json"))
    if fmt == "json":
        say(json.dumps(answer.api_json(public_url=settings.public_url), ensure_ascii=False, indent=2))
        return
    say(answer.text)
    err.print(
        f"answered by {answer.answered_by}" + (f" ({answer.note})" if answer.note else ""), markup=False
    )


@app.command("eval")
def evaluate_labels(
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """How far the labeller agrees with the labels humans gave when resolving reviews."""
    import json

    from bot.evaluation import eval_json, format_eval

    async def use(core: Sentibot) -> Any:
        return core.evaluate()

    report = with_core(load_settings(), use)
    say(json.dumps(eval_json(report), indent=2) if fmt == "json" else format_eval(report))


@review_app.command("list")
def review_list(
    status: Annotated[str, typer.Option(help="open, resolved or all.")] = "open",
) -> None:
    """Flagged conversations in the queue."""
    settings = load_settings()

    async def use(core: Sentibot) -> list[dict[str, Any]]:
        return core.reviews(status=None if status == "all" else status)

    reviews = with_core(settings, use)
    if not reviews:
        out.print(f"no {status} reviews")
    for r in reviews:
        say(f"#{r['id']} [{r['status']}] {r['created_at']} {r['platform']} · {r['title']} — {r['reason']}")


@review_app.command("show")
def review_show(review_id: Annotated[int, typer.Argument(help="Review id.")]) -> None:
    """One review with its history."""
    settings = load_settings()

    async def use(core: Sentibot) -> tuple[dict[str, Any], Any]:
        review = core.review(review_id)
        return review, core.run(review["run_id"]) if review.get("run_id") else None

    r, result = with_core(settings, use)
    say(f"#{r['id']} [{r['status']}] {r['title']}")
    say(f"why: {r['reason']} · label: {r['label']} · issues: {', '.join(r['agent_issues']) or '-'}")
    if result:
        for item in result.items:
            say(f"  {item.role or '':8} {item.label or 'failed':8} {item.text}")
    for event in r["events"]:
        note, label = event["note"] or "", event["label"] or ""
        say(f"  {event['at']} {event['action']} by {event['actor']} {note} {label}".rstrip())


@review_app.command("resolve")
def review_resolve(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    note: Annotated[str, typer.Option(help="What you found.")] = "",
    label: Annotated[str | None, typer.Option(help="The right label, when the bot was wrong.")] = None,
    reviewer: Annotated[str | None, typer.Option(help="Who reviewed (default: $USER).")] = None,
) -> None:
    """Mark a review resolved, with a note and the corrected label."""
    import getpass

    settings = load_settings()

    async def use(core: Sentibot) -> dict[str, Any]:
        return core.resolve_review(review_id, reviewer=reviewer or getpass.getuser(), note=note, label=label)

    r = with_core(settings, use)
    say(f"#{r['id']} resolved by {r['resolved_by']}")


app.command("import")(import_file)


def _labeller_name(settings: Settings) -> str:
    return f"qwen3:{settings.llm_model} at {settings.llm_base_url}" if settings.uses_llm else "offline"


def _register_subcommands() -> None:
    from adapters.cli.watch import watch_app

    app.add_typer(watch_app, name="watch")


_register_subcommands()


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    app()


if __name__ == "__main__":
    main()
