"""`citeaudit schedule`: prints a crontab line and systemd units for `reverify`; installs
them only with --install (units under $XDG_CONFIG_HOME, the crontab through a stand-in
`crontab` command on PATH: the real crontab is never touched)."""

from __future__ import annotations

import os
import stat

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.commands.schedule import crontab_line, make_plan, replace_cron_entry, service_unit, timer_unit

runner = CliRunner()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A throw-away HOME/XDG_CONFIG_HOME and a fake `crontab` keeping its table in a file."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.delenv("CITEAUDIT_NCBI_API_KEY", raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    table = tmp_path / "crontab.txt"
    fake = bin_dir / "crontab"
    fake.write_text(
        "#!/bin/sh\n"
        f'TABLE="{table}"\n'
        'if [ "$1" = "-l" ]; then\n'
        '  if [ -f "$TABLE" ]; then cat "$TABLE"; else echo "no crontab for tester" >&2; exit 1; fi\n'
        'elif [ "$1" = "-" ]; then cat > "$TABLE"\n'
        "else exit 2; fi\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return tmp_path, table


def test_prints_crontab_and_systemd_units_by_default(home, tmp_path):
    db = tmp_path / "site" / "audit.db"
    r = runner.invoke(app, ["--db", str(db), "schedule"], env={"CITEAUDIT_MAILTO": "ops@example.org",
                                                             "CITEAUDIT_NCBI_API_KEY": "secret-key"})
    assert r.exit_code == 0, r.output
    out = r.stdout
    cron = next(line for line in out.splitlines() if line.startswith("17 3 * * * "))
    assert f"cd {db.parent} && CITEAUDIT_MAILTO=ops@example.org " in cron
    assert cron.endswith(f"citeaudit --db {db} reverify --older-than 30 --quiet")
    assert f"# citeaudit-reverify: citeaudit reverify of {db}" in out
    assert "[Service]\nType=oneshot\n" in out and "SuccessExitStatus=75" in out
    assert f"--db {db} reverify --older-than 30 --quiet" in out
    assert "OnCalendar=*-*-* 03:17:00" in out and "Persistent=true" in out and "WantedBy=timers.target" in out
    assert "Environment=CITEAUDIT_MAILTO=ops@example.org" in out
    assert "secret-key" not in out  # secrets go in the EnvironmentFile, never in the units
    assert "EnvironmentFile=-%h/.config/citeaudit/env" in out
    assert not (tmp_path / "home" / ".config" / "systemd").exists()  # printing installs nothing
    assert not home[1].exists()


@pytest.mark.parametrize("every, cron, calendar", [
    ("hourly", "17 * * * *", "*-*-* *:17:00"),
    ("weekly", "17 3 * * 1", "Mon *-*-* 03:17:00"),
])
def test_every(home, tmp_path, every, cron, calendar):
    plan = make_plan(str(tmp_path / "a.db"), every=every, older_than=7, environ={})
    assert crontab_line(plan).splitlines()[1].startswith(cron + " ")
    assert "--older-than 7 --quiet" in crontab_line(plan)
    assert f"OnCalendar={calendar}\n" in timer_unit(plan)
    assert "Environment=" not in service_unit(plan)


def test_bad_every_and_install_target_are_usage_errors(home):
    r = runner.invoke(app, ["schedule", "--every", "monthly"])
    assert r.exit_code == 2 and "unknown schedule 'monthly'" in r.stderr
    r = runner.invoke(app, ["schedule", "--install", "launchd"])
    assert r.exit_code == 2 and "unknown --install target 'launchd'" in r.stderr


def test_install_systemd_writes_the_units(home, tmp_path):
    db = tmp_path / "audit.db"
    r = runner.invoke(app, ["--db", str(db), "schedule", "--every", "weekly", "--install", "systemd"])
    assert r.exit_code == 0, r.output
    unit_dir = tmp_path / "home" / ".config" / "systemd" / "user"
    service = (unit_dir / "citeaudit-reverify.service").read_text()
    timer = (unit_dir / "citeaudit-reverify.timer").read_text()
    plan = make_plan(str(db), every="weekly")
    assert service == service_unit(plan) and timer == timer_unit(plan)
    assert "OnCalendar=Mon *-*-* 03:17:00" in timer and "Unit=citeaudit-reverify.service" in timer
    assert "systemctl --user daemon-reload && systemctl --user enable --now citeaudit-reverify.timer" in r.stdout
    assert not home[1].exists()  # systemd install leaves the crontab alone


def test_install_cron_replaces_its_own_entry_and_keeps_others(home, tmp_path):
    _, table = home
    table.write_text("MAILTO=ops@example.org\n0 1 * * * /usr/bin/backup\n")
    db = tmp_path / "audit.db"
    for every in ("daily", "hourly"):  # the second install replaces the first
        r = runner.invoke(app, ["--db", str(db), "schedule", "--every", every, "--install", "cron"])
        assert r.exit_code == 0, r.output
    lines = table.read_text().splitlines()
    assert lines[:2] == ["MAILTO=ops@example.org", "0 1 * * * /usr/bin/backup"]
    assert lines[2] == f"# citeaudit-reverify: citeaudit reverify of {db}"
    assert lines[3].startswith("17 * * * * ") and len(lines) == 4


def test_install_cron_into_an_empty_crontab(home, tmp_path):
    _, table = home
    r = runner.invoke(app, ["--db", str(tmp_path / "audit.db"), "schedule", "--install", "cron"])
    assert r.exit_code == 0, r.output
    assert table.read_text().splitlines()[1].startswith("17 3 * * * ")


def test_cron_escapes_percent_and_quotes_paths(tmp_path):
    plan = make_plan(str(tmp_path / "my sites%" / "audit.db"), environ={})
    line = crontab_line(plan).splitlines()[1]
    assert "'" in line and "\\%" in line and "%" not in line.replace("\\%", "")
    assert "%%" in service_unit(plan)
    assert replace_cron_entry(crontab_line(plan), plan) == crontab_line(plan)


def test_no_crontab_command_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    r = runner.invoke(app, ["--db", str(tmp_path / "a.db"), "schedule", "--install", "cron"])
    assert r.exit_code == 2 and "no crontab command" in r.stderr
