"""Helpers shared by the robustness tests: run the real CLI in a subprocess, read the db."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
RECORDS = FIXTURES / "records"
SEED_002 = FIXTURES / "articles" / "002_kratom_back_pain.txt"

# env for a subprocess: no inherited service URLs, fast failure everywhere
FAST_ENV = {
    "CITEAUDIT_TIMEOUT": "1",
    "CITEAUDIT_RETRIES": "1",
    "CITEAUDIT_MAX_WAIT": "2",
    "CITEAUDIT_CROSSREF_RATE": "50",
    "CITEAUDIT_CROSSREF_DOI_RATE": "50",
    "CITEAUDIT_PUBMED_RATE": "50",
    "CITEAUDIT_MAILTO": "tests@example.org",
}


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEAUDIT_")}
    env.update(FAST_ENV)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def cli_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from citeaudit.cli import main; main()", *args]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cli_cmd(*args), env=env or cli_env(), capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def assert_no_traceback(p: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in p.stderr, p.stderr[-3000:]
    assert "Traceback" not in p.stdout, p.stdout[-3000:]


def one_line_error(p: subprocess.CompletedProcess) -> str:
    """The single 'citeaudit: error: ...' line of a failed run (asserting there is exactly one)."""
    assert_no_traceback(p)
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("citeaudit: error: ")]
    assert len(errors) == 1, p.stderr
    return errors[0]


def db_rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def integrity_ok(db: Path) -> bool:
    return db_rows(db, "PRAGMA integrity_check") == [("ok",)]
