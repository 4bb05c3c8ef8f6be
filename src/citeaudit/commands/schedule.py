"""Run `citeaudit reverify` on a schedule: a crontab line, or a systemd user service + timer.

Text is built by pure functions; only install_systemd (writes two unit files) and
install_cron (pipes the new crontab into `crontab -`) touch the system, and only when
the user asks. Secrets (CITEAUDIT_NCBI_API_KEY) are never written into the units or the
crontab: the service reads them from an optional EnvironmentFile.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# when: (crontab fields, systemd OnCalendar, RandomizedDelaySec). Off the hour, as services prefer.
EVERY = {
    "hourly": ("17 * * * *", "*-*-* *:17:00", "5min"),
    "daily": ("17 3 * * *", "*-*-* 03:17:00", "15min"),
    "weekly": ("17 3 * * 1", "Mon *-*-* 03:17:00", "30min"),
}
# settings passed on to the scheduled job when set here (never secrets)
PASSED_ENV = ("CITEAUDIT_MAILTO", "CITEAUDIT_CROSSREF_URL", "CITEAUDIT_EUTILS_URL", "CITEAUDIT_TIMEOUT",
              "CITEAUDIT_RETRIES", "CITEAUDIT_MAX_WAIT", "CITEAUDIT_USER_AGENT_EXTRA")
ENV_FILE = "%h/.config/citeaudit/env"  # systemd: %h is the user's home
DEFAULT_NAME = "citeaudit-reverify"


class ScheduleError(Exception):
    """Cannot install (one-line reason)."""


@dataclass
class Plan:
    db: str  # absolute path
    every: str = "daily"
    older_than: float = 30.0
    name: str = DEFAULT_NAME
    executable: str = ""
    workdir: str = ""
    env: dict[str, str] = field(default_factory=dict)

    @property
    def marker(self) -> str:
        return f"# {self.name}: citeaudit reverify of {self.db}"


def find_executable() -> str:
    """The citeaudit script of this installation (the venv's), else whatever PATH has."""
    beside = Path(sys.executable).parent / "citeaudit"
    if beside.is_file():
        return str(beside)
    return shutil.which("citeaudit") or "citeaudit"


def make_plan(db_path: str, every: str = "daily", older_than: float = 30.0, name: str = DEFAULT_NAME,
              environ: dict[str, str] | None = None) -> Plan:
    if every not in EVERY:
        raise ValueError(f"unknown schedule {every!r}: use {', '.join(EVERY)}")
    environ = dict(os.environ) if environ is None else environ
    from citeaudit.store.db import is_url

    if is_url(db_path):  # a database URL (PostgreSQL) is passed as it is; the job runs from here
        db, workdir = str(db_path), os.getcwd()
    else:
        db = os.path.abspath(os.path.expanduser(db_path))
        workdir = os.path.dirname(db)
    return Plan(db=db, every=every, older_than=older_than, name=name, executable=find_executable(),
                workdir=workdir, env={k: environ[k] for k in PASSED_ENV if environ.get(k)})


def reverify_args(plan: Plan) -> list[str]:
    return [plan.executable, "--db", plan.db, "reverify", "--older-than", f"{plan.older_than:g}", "--quiet"]


def crontab_line(plan: Plan) -> str:
    """Two lines: a marker comment (so --install can replace it later) and the entry.

    cron mails whatever the job prints; with --quiet reverify prints only when something changed.
    """
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in plan.env.items())
    command = " ".join(shlex.quote(a) for a in reverify_args(plan))
    job = f"cd {shlex.quote(plan.workdir)} && {env + ' ' if env else ''}{command}".replace("%", "\\%")
    return f"{plan.marker}\n{EVERY[plan.every][0]} {job}\n"


def _systemd_quote(arg: str) -> str:
    arg = arg.replace("%", "%%")
    if arg and all(ch.isalnum() or ch in "/._-+=:,@" for ch in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def service_unit(plan: Plan) -> str:
    env = "".join(f"Environment={_systemd_quote(f'{k}={v}')}\n" for k, v in plan.env.items())
    return (
        f"# {plan.name}.service: written by `citeaudit schedule`\n"
        "[Unit]\n"
        f"Description=citeaudit reverify of {plan.db.replace('%', '%%')}\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={_systemd_quote(plan.workdir)}\n"
        f"{env}"
        "# secrets such as CITEAUDIT_NCBI_API_KEY go in this file, one KEY=value per line\n"
        f"EnvironmentFile=-{ENV_FILE}\n"
        f"ExecStart={' '.join(_systemd_quote(a) for a in reverify_args(plan))}\n"
        "# exit 1: something got worse (the unit shows failed; add OnFailure= to be alerted)\n"
        "# exit 75: another reverify held the lock, not a failure\n"
        "SuccessExitStatus=75\n"
        "Nice=10\n"
    )


def timer_unit(plan: Plan) -> str:
    _, calendar, delay = EVERY[plan.every]
    return (
        f"# {plan.name}.timer: written by `citeaudit schedule`\n"
        "[Unit]\n"
        f"Description=citeaudit reverify {plan.every}\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={calendar}\n"
        f"RandomizedDelaySec={delay}\n"
        "Persistent=true\n"
        f"Unit={plan.name}.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def describe(plan: Plan) -> str:
    """What `citeaudit schedule` prints: both ways, ready to paste."""
    return (
        f"# crontab (crontab -e), {plan.every}:\n"
        f"{crontab_line(plan)}\n"
        f"# systemd user units: ~/.config/systemd/user/{plan.name}.service\n"
        f"{service_unit(plan)}\n"
        f"# ~/.config/systemd/user/{plan.name}.timer\n"
        f"{timer_unit(plan)}\n"
        f"# then: systemctl --user daemon-reload && systemctl --user enable --now {plan.name}.timer\n"
        "# or let citeaudit write them: citeaudit schedule --install systemd   (or --install cron)\n"
    )


def systemd_user_dir(environ: dict[str, str] | None = None) -> Path:
    environ = dict(os.environ) if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(environ.get("HOME") or str(Path.home()), ".config")
    return Path(base) / "systemd" / "user"


def install_systemd(plan: Plan, unit_dir: Path | None = None) -> list[Path]:
    """Write <name>.service and <name>.timer; returns their paths (does not enable them)."""
    unit_dir = unit_dir or systemd_user_dir()
    try:
        unit_dir.mkdir(parents=True, exist_ok=True)
        paths = [unit_dir / f"{plan.name}.service", unit_dir / f"{plan.name}.timer"]
        paths[0].write_text(service_unit(plan), encoding="utf-8")
        paths[1].write_text(timer_unit(plan), encoding="utf-8")
    except OSError as e:
        raise ScheduleError(f"cannot write units to {unit_dir}: {e.strerror}") from None
    return paths


def replace_cron_entry(current: str, plan: Plan) -> str:
    """The crontab with this plan's entry (marker line + job line) replaced or appended."""
    lines = current.splitlines()
    kept: list[str] = []
    skip = False
    for line in lines:
        if skip:
            skip = False
            continue
        if line.strip() == plan.marker:
            skip = True  # drop the marker and the job line under it
            continue
        kept.append(line)
    text = "\n".join(kept).rstrip("\n")
    return (text + "\n" if text else "") + crontab_line(plan)


def install_cron(plan: Plan) -> str:
    """Replace or add this plan's entry in the user's crontab via `crontab -`; returns the new crontab."""
    crontab = shutil.which("crontab")
    if crontab is None:
        raise ScheduleError("no crontab command on this system; use --install systemd or paste the line")
    listed = subprocess.run([crontab, "-l"], capture_output=True, text=True)
    current = listed.stdout if listed.returncode == 0 else ""  # "no crontab for user" -> empty
    new = replace_cron_entry(current, plan)
    written = subprocess.run([crontab, "-"], input=new, capture_output=True, text=True)
    if written.returncode != 0:
        why = (written.stderr.strip().splitlines() or ["crontab failed"])[-1]
        raise ScheduleError(f"crontab -: {why}")
    return new
