"""citeaudit's command line. I/O at the edge: read inputs, open the store, print reports.

Exit codes: 0 nothing mismatched or unfound; 1 something is; 2 bad usage or unreadable
input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .config import Settings, load_settings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="citeaudit",
    help=(
        "Audit the citations of a health or science article against Crossref and PubMed.\n\n"
        "Every reference is marked verified, mismatched (the work exists but a stated detail is "
        "wrong), unfound (nothing matches: the mark of a fabricated study) or unchecked (could not "
        "be checked: a source unreachable, or grey literature). Results are stored in audit.db.\n\n"
        "Examples:\n\n"
        "  citeaudit run article.txt\n\n"
        "  citeaudit run page.html --format json > report.json\n\n"
        "  citeaudit --db site.db run posts/ --offline\n\n"
        "  citeaudit records load fixtures/records/"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
records_app = typer.Typer(help="Bibliographic records stored in the database.", no_args_is_help=True)
db_app = typer.Typer(help="The SQLite database itself.", no_args_is_help=True)
app.add_typer(records_app, name="records")
app.add_typer(db_app, name="db")


@dataclass
class State:
    settings: Settings


def fail(message: str, code: int = EXIT_USAGE) -> None:
    """One line on stderr and a clean exit."""
    typer.echo(f"citeaudit: error: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"citeaudit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(None, "--db", help="SQLite database (default: $CITEAUDIT_DB or ./audit.db)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    try:
        settings = load_settings(db_path=db)
    except ValueError as e:
        fail(str(e))
    ctx.obj = State(settings=settings)


def open_store(settings: Settings):
    from .store import Store, StoreError

    try:
        return Store(settings.db_path)
    except StoreError as e:
        fail(str(e))


def _output(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            fail(f"cannot write {output}: {e.strerror}")


FORMAT_HELP = "Output format: table (default), json, markdown or csv."


@app.command()
def run(
    ctx: typer.Context,
    inputs: List[str] = typer.Argument(..., help="Article files (.txt, .md, .html), directories of them, or URLs."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    offline: bool = typer.Option(False, "--offline", help="Use only records already stored in the database; no network."),
    refresh: bool = typer.Option(False, "--refresh", help="Ask the services even when a fresh stored record exists."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file instead of stdout."),
    max_age_days: Optional[float] = typer.Option(None, "--max-age-days", help="Reuse stored records younger than this (default 30)."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour verdicts (default: when stdout is a terminal)."),
) -> None:
    """Audit articles: extract their citations, resolve them, store and print the verdicts.

    Exit code 0 when nothing is mismatched or unfound, 1 when something is, 2 for bad usage
    or unreadable input.
    """
    from .runner import AuditRunner, InputError

    if fmt not in ("table", "json", "markdown", "csv"):
        fail(f"unknown format {fmt!r}: use table, json, markdown or csv")
    settings: Settings = ctx.obj.settings.with_(offline=offline, refresh=refresh, max_age_days=max_age_days)
    store = open_store(settings)
    use_color = sys.stdout.isatty() if color is None else color
    runner = AuditRunner(settings, store, progress=sys.stderr.isatty())
    try:
        paths = runner.expand_inputs(inputs)
    except InputError as e:
        fail(str(e))
    worst = EXIT_OK
    texts = []
    for path in paths:
        try:
            result = runner.audit(path)
        except InputError as e:
            typer.echo(f"citeaudit: error: {e}", err=True)
            worst = EXIT_USAGE
            continue
        texts.append(runner.render(result, fmt, use_color and output is None, first=not texts))
        if result.has_findings and worst == EXIT_OK:
            worst = EXIT_FINDINGS
    runner.close()
    _output("".join(texts), output)
    raise typer.Exit(worst)


@records_app.command("load")
def records_load(
    ctx: typer.Context,
    files: List[Path] = typer.Argument(..., help="Crossref work JSON or PubMed efetch XML files, or directories of them."),
) -> None:
    """Store records from files, so that `run --offline` can resolve against them."""
    from .records.files import RecordFileError, load_record_files

    store = open_store(ctx.obj.settings)
    try:
        records, skipped = load_record_files(files)
    except RecordFileError as e:
        fail(str(e))
    store.save_records(records)
    by_source: dict[str, int] = {}
    for r in records:
        by_source[r.source] = by_source.get(r.source, 0) + 1
    parts = ", ".join(f"{n} {s}" for s, n in sorted(by_source.items())) or "none"
    typer.echo(f"stored {len(records)} records ({parts}) in {ctx.obj.settings.db_path}")
    for path, why in skipped:
        typer.echo(f"skipped {path}: {why}", err=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database or bring its schema up to date (runs Alembic migrations)."""
    from .store import StoreError
    from .store.db import current_revision, upgrade

    path = ctx.obj.settings.db_path
    try:
        upgrade(path)
        typer.echo(f"{path}: schema at revision {current_revision(path)}")
    except StoreError as e:
        fail(str(e))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("citeaudit: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
