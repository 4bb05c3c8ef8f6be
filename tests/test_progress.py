"""The progress display (issue 12, item 4): rich, on a terminal only, with a total known
before it starts that never changes, ending at total/total."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.commands.progress import ProgressDisplay
from citeaudit.commands.runner import AuditRunner
from citeaudit.store import Store

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [ROOT / "fixtures/articles/002_kratom_back_pain.txt", ROOT / "fixtures/articles/900_reverify_stimulants.txt"]


def terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=140, color_system=None), out


def counts(text: str, unit: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(rf"(\d+)/(\d+) {unit}", text)]


def test_run_progress_has_a_stable_total_and_ends_at_total(settings, tmp_path):
    console, out = terminal()
    store = Store(settings.db_path)
    runner = AuditRunner(settings, store, progress=True)
    runner.progress_console = console
    missing = str(tmp_path / "missing.txt")  # an unreadable input counts too
    try:
        results = runner.audit_many([str(a) for a in ARTICLES] + [missing])
    finally:
        runner.close()
        store.close()
    assert len(results) == 3
    seen = counts(out.getvalue(), "articles")
    assert seen and {total for _, total in seen} == {3}  # never grew
    assert seen[-1] == (3, 3)
    resolved = [int(n) for n in re.findall(r"(\d+) citations resolved", out.getvalue())]
    assert resolved[-1] > 0 and resolved == sorted(resolved)


def test_reverify_progress_counts_the_due_citations(service_env, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(ARTICLES[1])]).exit_code == 0
    console, out = terminal()
    import citeaudit.commands.progress as progress

    real = progress.ProgressDisplay
    monkeypatch.setattr(progress, "ProgressDisplay", lambda *a, **k: real(*a, **{**k, "console": console}))
    monkeypatch.setattr("citeaudit.cli.stderr_is_terminal", lambda: True)
    result = runner.invoke(app, ["reverify", "--older-than", "0"])
    assert result.exit_code == 0, result.output
    seen = counts(out.getvalue(), "citations")
    assert seen and seen[-1][0] == seen[-1][1] and {t for _, t in seen} == {seen[-1][1]}
    assert f"{seen[-1][1]} citations re-checked" in result.stdout


def test_an_interrupted_display_stops_where_it_stood():
    console, out = terminal()
    display = ProgressDisplay(5, "articles", console=console)
    display.done(2)
    display.close(finished=False)
    assert counts(out.getvalue(), "articles")[-1] == (2, 5)


def test_no_display_when_stderr_is_not_a_terminal(service_env):
    result = CliRunner().invoke(app, ["run", str(ARTICLES[1])])
    assert result.exit_code == 0
    assert "citations resolved" not in result.stderr and "\r" not in result.stderr
