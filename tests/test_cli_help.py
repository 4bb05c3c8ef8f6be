"""A CLI that teaches: every command's --help has an example and shows choices (not `<str>`)
for its options; colour follows --color auto|always|never and NO_COLOR."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit import cli
from citeaudit.cli import ColorMode, app, use_color

ROOT = Path(__file__).resolve().parents[1]
SEED_003 = ROOT / "fixtures/articles/003_kratom_dopamine.txt"
runner = CliRunner()
COMMANDS = [["run"], ["reverify"], ["history"], ["report"], ["export"], ["schedule"], ["records", "load"],
            ["db", "upgrade"], ["db", "metadata"], ["accept"], ["unaccept"], ["records"], ["db"],
            ["queue"], ["queue", "add"], ["queue", "status"], ["worker"], []]


def all_commands(group=None, prefix=()):
    """Every command and group registered on the app, as argument lists."""
    import typer

    group = group or typer.main.get_command(app)
    out = [list(prefix)]
    for name, command in getattr(group, "commands", {}).items():
        out += all_commands(command, (*prefix, name)) if hasattr(command, "commands") else [[*prefix, name]]
    return out


def test_the_list_covers_every_command():
    assert sorted(map(tuple, all_commands())) == sorted(map(tuple, COMMANDS))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "citeaudit")
def test_every_command_has_an_example_and_no_bare_types(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output and "citeaudit " in result.output.split("Example", 1)[1]
    options = result.output.split("Options:", 1)[-1]
    assert not re.search(r"<(str|float|int|bool)>", options), options


def test_choices_are_listed():
    run_help = runner.invoke(app, ["run", "--help"]).output
    assert "<table|json|jsonl|markdown|csv|html>" in run_help and "<auto|always|never>" in run_help
    assert "[verified|mismatched|unfound|unchecked]" in runner.invoke(app, ["export", "--help"]).output


def test_color_always_never_and_auto(service_env):
    always = runner.invoke(app, ["run", str(SEED_003), "--color", "always"]).stdout
    assert "\x1b[31m" in always
    for args in (["--color", "never"], ["--no-color"], []):  # CliRunner's stdout is no terminal: auto is off
        assert "\x1b[" not in runner.invoke(app, ["report", str(SEED_003), *args]).stdout
    assert runner.invoke(app, ["report", str(SEED_003), "--color", "sometimes"]).exit_code == 2


def test_no_color_turns_auto_off_on_a_terminal(monkeypatch):
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(ColorMode.auto, False, None)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(ColorMode.auto, False, None)
    assert use_color(ColorMode.always, False, None)  # an explicit request wins
    assert not use_color(ColorMode.always, False, Path("report.txt"))  # never into a file
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset (no-color.org)
    assert use_color(ColorMode.auto, False, None)
