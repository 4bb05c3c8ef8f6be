"""citeaudit's command line. I/O at the edge: read inputs, open the store, print reports.

Exit codes: 0 every checkable citation checked and nothing mismatched or unfound; 1 something
is mismatched or unfound (reverify: something got worse); 2 bad usage or unreadable input; 3
incomplete: a service failed and some citation could not be checked (so "could not check" is
never read as "clean"); 65 a damaged or foreign database; 74 a full disk (the run marked
incomplete); 75 another reverify holds the lock; 77 a read-only database. Errors are one line
on stderr, never a traceback; everything printed passes report/safe.terminal.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from citeaudit import __version__
from citeaudit.config import Settings, load_settings
from citeaudit.report.render import Format

from citeaudit.commands.exits import EXIT_BUSY, EXIT_USAGE, exit_code
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
records_app = typer.Typer(help="Bibliographic records stored in the database.\n\nExample:\n\n"
                          "  citeaudit records load fixtures/records/", no_args_is_help=True)
db_app = typer.Typer(help="The database itself (SQLite file or PostgreSQL URL).\n\nExample:\n\n  citeaudit db upgrade", no_args_is_help=True)
queue_app = typer.Typer(help=(
    "The shared work queue: articles waiting for `citeaudit worker`s (any number, on any machine "
    "with the same --db).\n\nExamples:\n\n  citeaudit --db postgresql+psycopg://audit@db/audit queue add posts/\n\n"
    "  citeaudit queue status"), no_args_is_help=True)
app.add_typer(records_app, name="records")
app.add_typer(db_app, name="db")
app.add_typer(queue_app, name="queue")


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
    db: Optional[str] = typer.Option(None, "--db", metavar="PATH|URL", help=(
        "SQLite database file, or a database URL such as postgresql+psycopg://user:pw@host/dbname "
        "(default: $CITEAUDIT_DB or ./audit.db).")),
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


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal: the only place a progress display is drawn."""
    return sys.stderr.isatty()


FORMAT_HELP = "Output format: table (default), json, markdown or csv."


class ColorMode(str, Enum):
    """--color: colour verdicts always, never, or when stdout is a terminal and NO_COLOR is unset."""

    auto = "auto"
    always = "always"
    never = "never"


COLOR_HELP = "Colour verdicts: auto (a terminal, unless NO_COLOR is set), always or never."


def use_color(mode: ColorMode, no_color: bool, output: Optional[Path]) -> bool:
    """Whether to write colour codes: never into a file; --no-color is --color never; in auto,
    only on a terminal and only when NO_COLOR (https://no-color.org) is unset or empty."""
    if no_color or mode == ColorMode.never or output is not None:
        return False
    if mode == ColorMode.always:
        return True
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
RUN_FORMAT_HELP = ("Output format. json: one object per article, an array for several; jsonl: one report a line; "
                   "html: a self-contained page (with -o DIR and several articles: one page each plus index.html).")
PROBLEMS_HELP = "List only problems: mismatched, unfound, retracted works and failed checks (summaries stay whole)."


def _write_reports(reports: list, fmt, colored: bool, problems: bool, output: Optional[Path], store=None) -> None:
    """Render several articles' reports as one output (or, for HTML into a directory, one page each)."""
    from citeaudit.report.render import render_reports

    if str(getattr(fmt, "value", fmt)) == "html" and store is not None:
        from citeaudit.report.stored import attach_history

        attach_history(store, reports)
    if str(getattr(fmt, "value", fmt)) == "html" and output is not None and output.is_dir():
        from citeaudit.report.html import write_pages

        try:
            written = write_pages(reports, output, problems=problems)
        except OSError as e:
            fail(f"cannot write into {output}: {e.strerror}")
        echo(f"wrote {len(written)} page{'s' if len(written) != 1 else ''} in {output} "
                   f"(open {written[0].name})", err=True)
        return
    _output(render_reports(reports, fmt, color=colored and output is None, problems=problems), output,
            str(getattr(fmt, "value", fmt)), colored)


@app.command()
def run(
    ctx: typer.Context,
    inputs: List[str] = typer.Argument(..., metavar="ARTICLE",
                                       help="Article files (.txt, .md, .html), directories of them, or URLs."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help=RUN_FORMAT_HELP),
    problems: bool = typer.Option(False, "--problems", help=PROBLEMS_HELP),
    offline: bool = typer.Option(False, "--offline", help="Use only records already stored in the database; no network."),
    refresh: bool = typer.Option(False, "--refresh", help="Ask the services even when a fresh stored record exists."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to this file instead of stdout."),
    max_age_days: Optional[float] = typer.Option(None, "--max-age-days", metavar="DAYS", help="Reuse stored records younger than this (default 30)."),
    color: ColorMode = typer.Option(ColorMode.auto, "--color", help=COLOR_HELP),
    no_color: bool = typer.Option(False, "--no-color", hidden=True, help="Same as --color never."),
    allow_private_urls: bool = typer.Option(
        False, "--allow-private-urls",
        help="Let URLs (the article's and its links, and every redirect) reach loopback or private-network "
             "addresses; refused by default (also: CITEAUDIT_ALLOW_PRIVATE_URLS=1)."),
) -> None:
    """Audit articles: extract their citations, resolve them, store and print the verdicts.

    Exit code 0 when every checkable citation was checked and nothing is mismatched or
    unfound, 1 when something is mismatched or unfound, 2 for bad usage or unreadable input,
    3 when the audit is incomplete: a service failed and citations were left unchecked; 65
    for a damaged or foreign database, 74 when the disk fills up, 77 for a read-only database.

    Set CITEAUDIT_MAILTO to your e-mail to use Crossref's faster polite pool, and
    CITEAUDIT_NCBI_API_KEY for PubMed's higher limit. Examples:

      citeaudit run post.md --format markdown -o report.md

      citeaudit run posts/ --format csv > verdicts.csv

      citeaudit run draft.txt --offline   (only records stored earlier)

      citeaudit run posts/ --problems   (only what needs fixing, and a total line)

      citeaudit run posts/ --format html -o site/   (one page per article and index.html)
    """
    from citeaudit.commands.runner import AuditRunner, InputError, service_failure_lines, watch_services
    from citeaudit.report.safe import plain

    settings: Settings = ctx.obj.settings.with_(offline=offline, refresh=refresh, max_age_days=max_age_days,
                                                allow_private_urls=True if allow_private_urls else None)
    store = open_store(settings)
    colored = use_color(color, no_color, output)
    runner = AuditRunner(settings, store, progress=stderr_is_terminal())
    watch_services(runner.sources, lambda health: echo(
        f"citeaudit: {health.label} {health.down}: not asked again in this run", err=True))
    try:
        paths = runner.expand_inputs(inputs)
    except InputError as e:
        fail(str(e))
    usage_error = findings = False
    reports = []
    incomplete: list = []
    from_stored: list = []  # judged from stored records because a service failed: not what was asked
    # links whose fetch failed: a page that fails among others that answer is that page's
    # state; when none answered, the web (the network) is down and the audit is incomplete
    unfetched: list = []
    fetched = 0
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
            usage_error = True
            continue
        reports.append(result.report)
        findings = findings or result.has_findings
        incomplete += result.incomplete
        from_stored += result.from_stored
        unfetched += result.links_unfetched
        fetched += result.links_fetched
    runner.close()
    if fetched:
        unfetched = []
    # the report says it per citation; say it once where a scheduler's log will show it
    for line in service_failure_lines(runner.sources, incomplete, offline_hint=not settings.offline,
                                      from_stored=from_stored, links_unfetched=unfetched):
        echo(f"citeaudit: {line}", err=True)
    _write_reports(reports, fmt, colored, problems, output, store)
    raise typer.Exit(exit_code(findings, bool(incomplete or from_stored or unfetched), usage_error))


@records_app.command("load")
def records_load(
    ctx: typer.Context,
    files: List[Path] = typer.Argument(..., help="Crossref work JSON or PubMed efetch XML files, or directories of them."),
) -> None:
    """Store records from files, so that `run --offline` can resolve against them.

    Example:

      citeaudit --db demo.db records load fixtures/records/
    """
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
    echo(f"stored {len(records)} records ({parts}) in {store.path}")
    for path, why in skipped:
        echo(f"skipped {path}: {why}", err=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database or bring its schema up to date (runs Alembic migrations).

    Example:

      citeaudit --db site.db db upgrade
    """
    from citeaudit.store import StoreError
    from citeaudit.store.db import current_revision, display_name, upgrade

    path = ctx.obj.settings.db_path
    try:
        upgrade(path)
        echo(f"{display_name(path)}: schema at revision {current_revision(path)}")
    except StoreError as e:
        fail_store(e)


@db_app.command("metadata")
def db_metadata(
    ctx: typer.Context,
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to this file instead of stdout."),
) -> None:
    """Describe the database's tables and views as Datasette metadata (metadata.json).

    Every table and view with what it holds and a description of each column; the
    records table is set up for Datasette's full-text search (records?_search=kratom).
    Example:

      citeaudit db metadata > metadata.json && datasette audit.db --metadata metadata.json
    """
    import json

    from citeaudit.store.describe import metadata

    store = _existing_store(ctx.obj.settings)
    try:
        described = metadata(store.engine, ctx.obj.settings.db_path)
    except ValueError as e:
        fail(str(e))
    _output(json.dumps(described, indent=2, ensure_ascii=False) + "\n", output, "json")


# --- the shared work queue and its workers (issue 13) ------------------------------------------


@queue_app.command("add")
def queue_add(
    ctx: typer.Context,
    inputs: List[str] = typer.Argument(..., metavar="ARTICLE",
                                       help="Article files (.txt, .md, .html), directories of them, or URLs."),
) -> None:
    """Queue articles for the workers (an article already waiting is not queued twice).

    Examples:

      citeaudit --db postgresql+psycopg://audit@db.example/audit queue add posts/ https://example.org/post

      citeaudit queue add draft.md
    """
    from citeaudit.commands.runner import InputError, expand_inputs, is_url
    from citeaudit.store.queue import WorkQueue
    from citeaudit.store.repo import normalise_source

    try:
        items = expand_inputs(inputs)
    except InputError as e:
        fail(str(e))
    missing = [i for i in items if not is_url(i) and not Path(i).is_file()]
    if missing:
        fail(f"{missing[0]}: no such file" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    store = open_store(ctx.obj.settings)
    added, waiting = WorkQueue(store).add(normalise_source(i) for i in items)
    note = f" ({waiting} already waiting)" if waiting else ""
    echo(f"queued {added} article{'s' if added != 1 else ''} in {store.path}{note}")
    store.close()


@queue_app.command("status")
def queue_status(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", "-f", metavar="[table|json]", help="table (default) or json."),
) -> None:
    """How many articles are queued, running, done and failed; which are running and which failed.

    Example:

      citeaudit queue status --format json
    """
    import json

    from citeaudit.store.queue import WorkQueue

    _check_format(fmt, ("table", "json"))
    store = _existing_store(ctx.obj.settings)
    queue = WorkQueue(store)
    counts = queue.counts()
    running, failed = queue.rows("running", limit=50), queue.rows("failed", limit=50)
    store.close()
    if fmt == "json":
        _output(json.dumps({"counts": counts, "running": running, "failed": failed}, indent=2) + "\n", None, "json")
        return
    echo(", ".join(f"{n} {status}" for status, n in counts.items()))
    for row in running:
        echo(f"running {row['source']}  by {row['claimed_by']}  lease until {row['lease_until']}  "
             f"attempt {row['attempts']}")
    for row in failed:
        echo(f"failed  {row['source']}: {row['error']}")


@app.command()
def worker(
    ctx: typer.Context,
    drain: bool = typer.Option(False, "--drain", help="Exit once nothing is queued or running (for cron, batch hosts "
                                                      "and tests); without it, wait for new articles."),
    max_articles: Optional[int] = typer.Option(None, "--max-articles", min=1, metavar="N",
                                               help="Exit after this many articles."),
    batch: Optional[int] = typer.Option(None, "--batch", min=1, metavar="N",
                                        help="Claim up to N articles at a time and resolve them in one stream "
                                             "(default: $CITEAUDIT_QUEUE_BATCH or 4)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No line per article."),
) -> None:
    """Audit articles from the shared queue until stopped (or drained).

    Workers claim articles with the database's row locking (PostgreSQL: FOR UPDATE SKIP
    LOCKED), renew a lease while auditing (CITEAUDIT_QUEUE_LEASE, 60 s) and mark an article
    done in the transaction that completes its run: a worker killed mid-article leaves it to
    be claimed again when the lease expires, and nothing is recorded as audited twice. Each
    worker keeps its own rate limits with the services. Exit code as for `run` over the
    articles it audited. Examples:

      citeaudit --db postgresql+psycopg://audit@db.example/audit worker

      citeaudit worker --drain --quiet
    """
    from citeaudit.commands.worker import run_worker

    settings: Settings = ctx.obj.settings
    store = open_store(settings)
    say = (lambda line: None) if quiet else (lambda line: echo(f"citeaudit: {line}", err=True))
    try:
        stats = run_worker(settings, store, drain=drain, max_articles=max_articles, batch=batch, say=say)
    finally:
        store.close()
    say(f"worker done: {stats.audited} audited, {stats.failed} failed" +
        (f", {stats.lost} lost to another worker" if stats.lost else ""))
    raise typer.Exit(exit_code(stats.findings, stats.incomplete, bool(stats.failed)))


# --- re-verification, history, stored reports, export, scheduling (issue 4) -----------------



def _check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json", "markdown", "csv")) -> None:
    if fmt not in allowed:
        fail(f"unknown format {fmt!r}: use {', '.join(allowed[:-1])} or {allowed[-1]}")


def _existing_store(settings: Settings):
    """The store, for commands that only read: a missing database is an error, not created."""
    from citeaudit.store import StoreError
    from citeaudit.store.db import exists

    try:
        there = exists(settings.db_path)
    except StoreError as e:
        fail_store(e)
    if not there:
        fail(f"no database at {settings.db_path} (run `citeaudit run` first, or pass --db)")
    return open_store(settings)


@app.command()
def reverify(
    ctx: typer.Context,
    older_than: float = typer.Option(30.0, "--older-than", metavar="DAYS", help="Re-check citations whose latest check is older than "
                                     "this many days (0: all); every unchecked one is re-checked too."),
    article: Optional[str] = typer.Option(None, "--article", metavar="ARTICLE", help="Only this article (file path or URL as audited)."),
    verdict: Optional[str] = typer.Option(None, "--verdict", metavar="[verified|mismatched|unfound|unchecked]",
                                           help="Only citations whose latest verdict is this."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, metavar="N", help="At most this many citations (oldest check first)."),
    max_age_days: Optional[float] = typer.Option(
        None, "--max-age-days", min=0.0, metavar="DAYS",
        help="Reuse stored records and searches younger than DAYS instead of asking the services (when all are "
             "that fresh, nothing is sent). Default: fetch fresh records whatever the stored ones' age."),
    fmt: str = typer.Option("table", "--format", "-f", metavar="[table|json|markdown|csv]", help=FORMAT_HELP),
    wait: float = typer.Option(0.0, "--wait", min=0.0, metavar="SECONDS", help="If another reverify is running on this database, wait "
                               "up to this many seconds for it (default: exit at once with code 75)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing when nothing changed (for cron)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the result to this file instead of stdout."),
) -> None:
    """Re-check stored citations with fresh records and print what changed.

    Records are fetched afresh unless --max-age-days lets recent stored ones stand in.
    Appends new checks in a new run per article (old checks are kept; a failed re-check is
    kept in history but never replaces the last conclusive verdict). Exit code 0 when every
    due citation was re-checked and nothing got worse, 1 when something did (verified ->
    mismatched, -> unfound, newly retracted...), 2 for bad usage, 3 when a service failed
    and some citations could not be re-checked, 75 when another reverify holds the lock.
    Examples:

      citeaudit reverify --older-than 7 --quiet   (for cron: silent when nothing changed)

      citeaudit reverify --verdict unfound --format json
    """
    from citeaudit.commands.lock import LockBusy, ReverifyLock
    from citeaudit.models import VERDICTS
    from citeaudit.commands.reverify import failure_lines, render, reverify as do_reverify, select_citations
    from citeaudit.commands.runner import build_sources, watch_services
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
        watch_services(sources, lambda health: echo(
            f"citeaudit: {health.label} {health.down}: not asked again in this run", err=True))
        display = None
        if stderr_is_terminal() and rows:  # a progress display whose total, the due citations, is known now
            from citeaudit.commands.progress import ProgressDisplay

            display = ProgressDisplay(len(rows), "citations", label="citeaudit reverify")
        finished = False
        try:
            result = do_reverify(store, sources, rows, max_age_days=max_age_days or None,  # 0: nothing is young enough
                                 display=display)
            finished = True
        finally:
            if display is not None:
                display.close(finished)
            for s in sources:
                close = getattr(s, "close", None)
                if close:
                    close()
    finally:
        lock.release()
    for line in failure_lines(result):
        echo(f"citeaudit: {line}", err=True)
    if not (quiet and not result.transitions and not result.failures):
        colored = use_color(ColorMode.auto, False, output)
        _output(render(result, fmt, color=colored), output, fmt, colored)
    raise typer.Exit(exit_code(bool(result.worse), result.incomplete))


@app.command()
def history(
    ctx: typer.Context,
    citation_id: int = typer.Argument(..., help="A citation id (the `id` in JSON reports, `citation_id` in the views)."),
    fmt: str = typer.Option("table", "--format", "-f", metavar="[table|json|markdown|csv]", help=FORMAT_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to this file instead of stdout."),
) -> None:
    """Every check of one citation, oldest first, from the database (no network).

    The id is the number in the table of `run` and `report`. Example:

      citeaudit history 14 --format json
    """
    from citeaudit.report.stored import citation_history, render_history

    _check_format(fmt)
    store = _existing_store(ctx.obj.settings)
    h = citation_history(store, citation_id)
    if h is None:
        fail(f"no citation {citation_id} in {store.path}")
    _output(render_history(h, fmt), output, fmt)


@app.command()
def report(
    ctx: typer.Context,
    articles: List[str] = typer.Argument(..., metavar="ARTICLE",
                                         help="Audited articles: file paths or URLs, as given to `run`."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help=RUN_FORMAT_HELP),
    problems: bool = typer.Option(False, "--problems", help=PROBLEMS_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to this file instead of stdout."),
    color: ColorMode = typer.Option(ColorMode.auto, "--color", help=COLOR_HELP),
    no_color: bool = typer.Option(False, "--no-color", hidden=True, help="Same as --color never."),
) -> None:
    """Articles' latest stored verdicts, from the database (no network).

    Exit code 0 when nothing is mismatched or unfound, 1 when something is, 2 for bad usage,
    3 when some citation has no verdict because the services failed whenever it was checked.
    Examples:

      citeaudit report fixtures/articles/002_kratom_back_pain.txt

      citeaudit report a.txt b.html --problems --format json
    """
    from citeaudit.report.stored import stored_report
    from citeaudit.store import StoreError

    store = _existing_store(ctx.obj.settings)
    reports = []
    for article in articles:
        try:
            reports.append(stored_report(store, article))
        except StoreError as e:
            fail(str(e))
    _write_reports(reports, fmt, use_color(color, no_color, output), problems, output, store)
    from citeaudit.report.model import open_findings

    findings = any(open_findings(r) for r in reports)  # an editor's acceptance is not a finding
    # incomplete: a citation has no conclusive verdict because the services failed each time
    never_checked = any(e["verdict"] == "unchecked" and any(v != "ok" for k, v in (e.get("sources") or {}).items()
                                                            if k != "web")
                        for r in reports for e in r["citations"])
    raise typer.Exit(exit_code(findings, never_checked))


@app.command()
def accept(
    ctx: typer.Context,
    citation_id: int = typer.Argument(..., help="A citation id (the number in the table of `run` and `report`)."),
    reason: str = typer.Option(..., "--reason", "-r", metavar="TEXT", help="Why the citation is accepted (shown in every report)."),
    by: Optional[str] = typer.Option(None, "--by", metavar="NAME", help="Who decided (default: $USER)."),
) -> None:
    """Record an editor's decision: this citation was checked by hand and is accepted.

    Reports show it as accepted, with the reason; exit codes and --problems ignore it.
    `reverify` (and a new `run`) keep it while the evidence is the same, and withdraw it,
    saying so, when the verdict or the matched work changes or the work is retracted.
    Example:

      citeaudit accept 22 --reason "year checked: the 2022 reprint, confirmed with the publisher"
    """
    from citeaudit.store import StoreError
    from citeaudit.store.decisions import accept as do_accept

    store = _existing_store(ctx.obj.settings)
    try:
        d = do_accept(store, citation_id, reason, by=by if by is not None else os.environ.get("USER") or None)
    except StoreError as e:
        fail(str(e))
    echo(f"citation {citation_id} accepted (its latest verdict: {d['verdict']}, check {d['check_id']}): {d['reason']}")


@app.command()
def unaccept(
    ctx: typer.Context,
    citation_id: int = typer.Argument(..., help="A citation id accepted earlier."),
) -> None:
    """Withdraw an editor's acceptance: the citation counts again as its verdict says.

    Example:

      citeaudit unaccept 22
    """
    from citeaudit.store.decisions import unaccept as do_unaccept

    store = _existing_store(ctx.obj.settings)
    d = do_unaccept(store, citation_id)
    if d is None:
        fail(f"citation {citation_id} is not accepted in {ctx.obj.settings.db_path}")
    echo(f"citation {citation_id}: acceptance withdrawn ({d['reason']})")


@app.command()
def export(
    ctx: typer.Context,
    fmt: str = typer.Option("csv", "--format", "-f", metavar="[csv|jsonl]", help="csv (default) or jsonl (one JSON object per line)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to this file instead of stdout."),
    article: Optional[str] = typer.Option(None, "--article", metavar="ARTICLE", help="Only this article."),
    verdict: Optional[str] = typer.Option(None, "--verdict", metavar="[verified|mismatched|unfound|unchecked]",
                                           help="Only citations whose latest verdict is this."),
) -> None:
    """The latest verdict of every stored citation, as CSV or JSON lines (no network).

    Examples:

      citeaudit export > latest.csv

      citeaudit export --format jsonl --verdict unfound -o unfound.jsonl
    """
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
    every: str = typer.Option("daily", "--every", metavar="[hourly|daily|weekly]", help="hourly, daily or weekly."),
    older_than: float = typer.Option(30.0, "--older-than", metavar="DAYS", help="Passed to `reverify --older-than`."),
    install: Optional[str] = typer.Option(None, "--install", metavar="[systemd|cron]", help="Install instead of printing: `systemd` writes "
                                          "the units to ~/.config/systemd/user/, `cron` adds the line via `crontab -`."),
    name: str = typer.Option("citeaudit-reverify", "--name", metavar="NAME", help="Unit name / crontab marker (one per database)."),
) -> None:
    """Print (or install) a crontab line and a systemd service + timer that run `reverify`.

    Examples:

      citeaudit --db /srv/site/audit.db schedule --every daily

      citeaudit schedule --install systemd
    """
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
