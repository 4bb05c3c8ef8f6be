"""citeaudit's command line. I/O at the edge: read inputs, open the store, print reports.

Exit codes: 0 nothing mismatched or unfound; 1 something is; 2 bad usage or unreadable
input; 65 a damaged or foreign database; 74 a full disk (the run marked incomplete); 75
another reverify holds the lock; 77 a read-only database. Errors are one line on stderr,
never a traceback; everything printed passes report/safe.terminal.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import typer

from citeaudit import __version__
from citeaudit.config import Settings, load_settings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_DATABASE = 65  # EX_DATAERR: the database is damaged or not citeaudit's (nothing written)
EXIT_DISK_FULL = 74  # EX_IOERR: the disk filled while writing (the run is marked incomplete)
EXIT_READONLY = 77  # EX_NOPERM: the database (or its folder) cannot be written
_STORE_EXIT = {"damaged": EXIT_DATABASE, "foreign": EXIT_DATABASE, "full": EXIT_DISK_FULL,
               "readonly": EXIT_READONLY}

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
        "  citeaudit run https://example.org/post/kratom-and-pain\n\n"
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


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """Every line citeaudit prints goes through the one sanitiser (report/safe.py)."""
    from citeaudit.report.safe import terminal

    typer.echo(terminal(message), err=err, nl=nl)


def fail(message: str, code: int = EXIT_USAGE) -> None:
    """One line on stderr and a clean exit."""
    from citeaudit.report.safe import plain

    echo(f"citeaudit: error: {plain(message)}", err=True)  # one line, whatever the message holds
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        echo(f"citeaudit {__version__}")
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
    from citeaudit.store import Store, StoreError

    try:
        return Store(settings.db_path)
    except StoreError as e:
        fail_store(e)


def _db_errors() -> tuple[type[BaseException], ...]:
    """SQLite's errors, raw or wrapped by SQLAlchemy (imported only when one is raised)."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    return (sqlite3.Error, DBAPIError)


def fail_store(e: Exception) -> None:
    """One line and the exit code of the database's problem (see the README's table)."""
    from citeaudit.store.db import StoreError, store_error

    if not isinstance(e, StoreError):
        e = store_error(_db_path_hint(), e)
    fail(str(e), _STORE_EXIT.get(e.kind, EXIT_USAGE))


def _db_path_hint() -> str:
    return _db_path_from_argv()


def _output(text: str, output: Optional[Path], fmt: str = "table", color: bool = False) -> None:
    """Write a rendered report: through the sanitiser (JSON: terminal-active characters escaped)."""
    from citeaudit.report.safe import json_text, terminal

    text = json_text(text) if fmt in ("json", "jsonl") else terminal(text, keep_color=color and output is None)
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
    inputs: List[str] = typer.Argument(..., metavar="ARTICLE",
                                       help="Article files (.txt, .md, .html), directories of them, or URLs."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    offline: bool = typer.Option(False, "--offline", help="Use only records already stored in the database; no network."),
    refresh: bool = typer.Option(False, "--refresh", help="Ask the services even when a fresh stored record exists."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file instead of stdout."),
    max_age_days: Optional[float] = typer.Option(None, "--max-age-days", help="Reuse stored records younger than this (default 30)."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour verdicts (default: when stdout is a terminal)."),
    allow_private_urls: bool = typer.Option(
        False, "--allow-private-urls",
        help="Let URLs (the article's and its links, and every redirect) reach loopback or private-network "
             "addresses; refused by default (also: CITEAUDIT_ALLOW_PRIVATE_URLS=1)."),
) -> None:
    """Audit articles: extract their citations, resolve them, store and print the verdicts.

    Exit code 0 when nothing is mismatched or unfound, 1 when something is, 2 for bad usage
    or unreadable input, 65 for a damaged or foreign database, 74 when the disk fills up,
    77 for a read-only database.

    Set CITEAUDIT_MAILTO to your e-mail to use Crossref's faster polite pool, and
    CITEAUDIT_NCBI_API_KEY for PubMed's higher limit. Examples:

      citeaudit run post.md --format markdown -o report.md

      citeaudit run posts/ --format csv > verdicts.csv

      citeaudit run draft.txt --offline   (only records stored earlier)
    """
    from citeaudit.commands.runner import AuditRunner, InputError
    from citeaudit.report.safe import plain

    if fmt not in ("table", "json", "markdown", "csv"):
        fail(f"unknown format {fmt!r}: use table, json, markdown or csv")
    settings: Settings = ctx.obj.settings.with_(offline=offline, refresh=refresh, max_age_days=max_age_days,
                                                allow_private_urls=True if allow_private_urls else None)
    store = open_store(settings)
    use_color = sys.stdout.isatty() if color is None else color
    runner = AuditRunner(settings, store, progress=sys.stderr.isatty())
    try:
        paths = runner.expand_inputs(inputs)
    except InputError as e:
        fail(str(e))
    worst = EXIT_OK
    texts = []
    failures: dict[str, str] = {}
    # every article's citations resolved in one pass: shared references are asked about once
    try:
        results = runner.audit_many(paths)  # a failed write marks the runs it started incomplete
    except _db_errors() as e:
        runner.close()
        from citeaudit.store.db import store_error

        problem = store_error(settings.db_path, e)
        fail(f"{problem}; the run was marked incomplete", _STORE_EXIT.get(problem.kind, EXIT_USAGE))
    for path, result in results:
        if isinstance(result, InputError):
            echo(f"citeaudit: error: {plain(str(result))}", err=True)
            worst = EXIT_USAGE
            continue
        texts.append(runner.render(result, fmt, use_color and output is None, first=not texts))
        if result.has_findings and worst == EXIT_OK:
            worst = EXIT_FINDINGS
        failures.update(result.source_failures)
    runner.close()
    for name, error in sorted(failures.items()):
        # the report says it per citation; say it once where a scheduler's log will show it
        echo(f"citeaudit: warning: {name} could not be asked for some citations "
             f"(left unchecked): {plain(error)}", err=True)
    _output("".join(texts), output, fmt, use_color)
    raise typer.Exit(worst)


@records_app.command("load")
def records_load(
    ctx: typer.Context,
    files: List[Path] = typer.Argument(..., help="Crossref work JSON or PubMed efetch XML files, or directories of them."),
) -> None:
    """Store records from files, so that `run --offline` can resolve against them."""
    from citeaudit.records.files import RecordFileError, load_record_files

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
    echo(f"stored {len(records)} records ({parts}) in {ctx.obj.settings.db_path}")
    for path, why in skipped:
        echo(f"skipped {path}: {why}", err=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database or bring its schema up to date (runs Alembic migrations)."""
    from citeaudit.store import StoreError
    from citeaudit.store.db import current_revision, upgrade

    path = ctx.obj.settings.db_path
    try:
        upgrade(path)
        echo(f"{path}: schema at revision {current_revision(path)}")
    except StoreError as e:
        fail_store(e)


# --- re-verification, history, stored reports, export, scheduling (issue 4) -----------------

EXIT_BUSY = 75  # EX_TEMPFAIL: another reverify holds the database's lock


def _check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json", "markdown", "csv")) -> None:
    if fmt not in allowed:
        fail(f"unknown format {fmt!r}: use {', '.join(allowed[:-1])} or {allowed[-1]}")


def _existing_store(settings: Settings):
    """The store, for commands that only read: a missing database is an error, not created."""
    if not Path(settings.db_path).is_file():
        fail(f"no database at {settings.db_path} (run `citeaudit run` first, or pass --db)")
    return open_store(settings)


@app.command()
def reverify(
    ctx: typer.Context,
    older_than: float = typer.Option(30.0, "--older-than", help="Re-check citations whose latest check is older than "
                                     "this many days (0: all); every unchecked one is re-checked too."),
    article: Optional[str] = typer.Option(None, "--article", help="Only this article (file path or URL as audited)."),
    verdict: Optional[str] = typer.Option(None, "--verdict", help="Only citations whose latest verdict is this."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="At most this many citations (oldest check first)."),
    max_age_days: Optional[float] = typer.Option(
        None, "--max-age-days", min=0.0, metavar="DAYS",
        help="Reuse stored records and searches younger than DAYS instead of asking the services (when all are "
             "that fresh, nothing is sent). Default: fetch fresh records whatever the stored ones' age."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    wait: float = typer.Option(0.0, "--wait", min=0.0, help="If another reverify is running on this database, wait "
                               "up to this many seconds for it (default: exit at once with code 75)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing when nothing changed (for cron)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the result to this file instead of stdout."),
) -> None:
    """Re-check stored citations with fresh records and print what changed.

    Records are fetched afresh unless --max-age-days lets recent stored ones stand in.
    Appends new checks in a new run per article (old checks are kept). Exit code 0 when
    nothing got worse, 1 when something did (verified -> mismatched, -> unfound, newly
    retracted...), 2 for bad usage, 75 when another reverify holds the database's lock.
    """
    from citeaudit.commands.lock import LockBusy, ReverifyLock
    from citeaudit.models import VERDICTS
    from citeaudit.commands.reverify import render, reverify as do_reverify, select_citations
    from citeaudit.commands.runner import build_sources
    from citeaudit.store import StoreError

    _check_format(fmt)
    if verdict is not None and verdict not in VERDICTS:
        fail(f"unknown verdict {verdict!r}: use {', '.join(VERDICTS)}")
    settings: Settings = ctx.obj.settings.with_(offline=False, refresh=True)
    store = _existing_store(settings)
    def waiting(pid: Optional[int]) -> None:
        who = f" (pid {pid})" if pid else ""
        echo(f"citeaudit: waiting up to {wait:g}s for another reverify on this database{who}", err=True)

    try:
        lock = ReverifyLock(settings.db_path, wait=wait, on_wait=waiting)
        lock.acquire()
    except LockBusy as e:
        echo(f"citeaudit: {e}", err=True)
        raise typer.Exit(EXIT_BUSY)
    try:
        store.mark_stale_runs_incomplete()
        if article is not None:
            try:
                store.article_report(article)
            except StoreError as e:
                fail(str(e))
        rows = select_citations(store, older_than, article=article, verdict=verdict, limit=limit)
        sources = build_sources(settings, store)
        progress = (lambda m: echo(f"citeaudit: {m}", err=True)) if sys.stderr.isatty() else None
        try:
            result = do_reverify(store, sources, rows, progress=progress,
                                 max_age_days=max_age_days or None)  # 0: nothing is young enough
        finally:
            for s in sources:
                close = getattr(s, "close", None)
                if close:
                    close()
    finally:
        lock.release()
    if not (quiet and not result.transitions):
        use_color = sys.stdout.isatty() and output is None
        _output(render(result, fmt, color=use_color), output, fmt, use_color)
    raise typer.Exit(EXIT_FINDINGS if result.worse else EXIT_OK)


@app.command()
def history(
    ctx: typer.Context,
    citation_id: int = typer.Argument(..., help="A citation id (the `id` in JSON reports, `citation_id` in the views)."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Every check of one citation, oldest first, from the database (no network)."""
    from citeaudit.report.stored import citation_history, render_history

    _check_format(fmt)
    store = _existing_store(ctx.obj.settings)
    h = citation_history(store, citation_id)
    if h is None:
        fail(f"no citation {citation_id} in {ctx.obj.settings.db_path}")
    _output(render_history(h, fmt), output, fmt)


@app.command()
def report(
    ctx: typer.Context,
    article: str = typer.Argument(..., help="An audited article: its file path or URL, as given to `run`."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file instead of stdout."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour verdicts (default: when stdout is a terminal)."),
) -> None:
    """An article's latest stored verdicts, from the database (no network).

    Exit code 0 when nothing is mismatched or unfound, 1 when something is, 2 for bad usage.
    """
    from citeaudit.report import render as render_report
    from citeaudit.report.stored import stored_report
    from citeaudit.store import StoreError

    _check_format(fmt)
    store = _existing_store(ctx.obj.settings)
    try:
        rep = stored_report(store, article)
    except StoreError as e:
        fail(str(e))
    use_color = (sys.stdout.isatty() if color is None else color) and output is None
    _output(render_report(rep, fmt, color=use_color), output, fmt, use_color)
    s = rep["summary"]
    raise typer.Exit(EXIT_FINDINGS if s["mismatched"] or s["unfound"] else EXIT_OK)


@app.command()
def export(
    ctx: typer.Context,
    fmt: str = typer.Option("csv", "--format", "-f", help="csv (default) or jsonl (one JSON object per line)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    article: Optional[str] = typer.Option(None, "--article", help="Only this article."),
    verdict: Optional[str] = typer.Option(None, "--verdict", help="Only citations whose latest verdict is this."),
) -> None:
    """The latest verdict of every stored citation, as CSV or JSON lines (no network)."""
    from citeaudit.models import VERDICTS
    from citeaudit.report.stored import export_csv, export_jsonl, export_rows

    _check_format(fmt, ("csv", "jsonl"))
    if verdict is not None and verdict not in VERDICTS:
        fail(f"unknown verdict {verdict!r}: use {', '.join(VERDICTS)}")
    rows = export_rows(_existing_store(ctx.obj.settings), article=article, verdict=verdict)
    _output(export_csv(rows) if fmt == "csv" else export_jsonl(rows), output, fmt)


@app.command()
def schedule(
    ctx: typer.Context,
    every: str = typer.Option("daily", "--every", help="hourly, daily or weekly."),
    older_than: float = typer.Option(30.0, "--older-than", help="Passed to `reverify --older-than`."),
    install: Optional[str] = typer.Option(None, "--install", help="Install instead of printing: `systemd` writes "
                                          "the units to ~/.config/systemd/user/, `cron` adds the line via `crontab -`."),
    name: str = typer.Option("citeaudit-reverify", "--name", help="Unit name / crontab marker (one per database)."),
) -> None:
    """Print (or install) a crontab line and a systemd service + timer that run `reverify`."""
    from citeaudit.commands.schedule import ScheduleError, install_cron, install_systemd, make_plan, describe

    if install not in (None, "systemd", "cron"):
        fail(f"unknown --install target {install!r}: use systemd or cron")
    try:
        plan = make_plan(ctx.obj.settings.db_path, every=every, older_than=older_than, name=name)
    except ValueError as e:
        fail(str(e))
    if install is None:
        echo(describe(plan), nl=False)
        return
    try:
        if install == "systemd":
            paths = install_systemd(plan)
            echo("wrote " + " and ".join(str(p) for p in paths))
            echo(f"enable with: systemctl --user daemon-reload && systemctl --user enable --now {plan.name}.timer")
        else:
            install_cron(plan)
            echo(f"installed in your crontab ({plan.every}): {plan.marker[2:]}")
    except ScheduleError as e:
        fail(str(e))


_interrupted = False


def _note_interrupt(signum, frame) -> None:
    """SIGINT: remember it (click turns KeyboardInterrupt into "Aborted!" and exit 1), then interrupt."""
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def _exit_interrupted() -> None:
    """Exit 130 at once: the run was marked incomplete on the way out; resolver threads are
    not waited for (SQLite keeps the database consistent whatever they were doing)."""
    import os

    echo("citeaudit: interrupted", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def _db_path_from_argv() -> str:
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--db" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--db="):
            return arg[5:]
    import os

    return os.environ.get("CITEAUDIT_DB") or "audit.db"


def main() -> None:
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _note_interrupt)
    try:
        app()
    except _db_errors() as e:  # damage or a full disk met after the open checks: one line, its code
        from citeaudit.report.safe import plain
        from citeaudit.store.db import store_error

        problem = store_error(_db_path_from_argv(), e)
        typer.echo(f"citeaudit: error: {plain(str(problem))}", err=True)
        sys.exit(_STORE_EXIT.get(problem.kind, EXIT_USAGE))
    except KeyboardInterrupt:
        _exit_interrupted()
    except SystemExit:
        if _interrupted:
            _exit_interrupted()
        raise


if __name__ == "__main__":
    main()
