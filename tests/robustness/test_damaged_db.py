"""Damaged, foreign, read-only and full databases (issue 14): one line, their own exit code,
and nothing written into a database that is refused."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3

import pytest

from .helpers import RECORDS, SEED_002, cli_env, db_rows, one_line_error, run_cli

EXIT_DATABASE, EXIT_DISK_FULL, EXIT_READONLY = 65, 74, 77


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    db = tmp_path_factory.mktemp("dmg") / "good.db"
    assert run_cli("--db", str(db), "records", "load", str(RECORDS)).returncode == 0
    assert run_cli("--db", str(db), "run", str(SEED_002), "--offline").returncode in (0, 1)
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return db


def damage(path) -> None:
    """Keep the header and the first pages; scribble over cells of later pages."""
    size = path.stat().st_size
    with path.open("r+b") as f:
        for offset in range(4096 * 2, size, 4096 * 3):
            f.seek(offset + 100)
            f.write(bytes(range(256)) * 2)


COMMANDS = [("report", str(SEED_002)), ("export",), ("reverify",), ("history", "1"),
            ("run", str(SEED_002), "--offline"), ("records", "load", str(RECORDS)), ("db", "upgrade")]


@pytest.mark.parametrize("args", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_damaged_database_is_refused_in_one_line_and_left_alone(audited, tmp_path, args):
    db = tmp_path / "damaged.db"
    shutil.copy(audited, db)
    damage(db)
    before = digest(db)
    p = run_cli("--db", str(db), *args)
    assert p.returncode == EXIT_DATABASE, p.stderr
    assert "is damaged" in one_line_error(p)
    assert digest(db) == before  # no run written into it
    assert not (tmp_path / "damaged.db-wal").exists() or (tmp_path / "damaged.db-wal").stat().st_size == 0


def test_another_applications_database_is_not_switched_to_wal(tmp_path):
    db = tmp_path / "notes.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE notes (body TEXT)")
    con.execute("INSERT INTO notes VALUES ('mine')")
    con.commit()
    con.close()
    before = digest(db)
    for args in (("run", str(SEED_002), "--offline"), ("report", "x"), ("db", "upgrade")):
        p = run_cli("--db", str(db), *args)
        assert p.returncode == EXIT_DATABASE
        assert "not a citeaudit database" in one_line_error(p)
    assert db_rows(db, "PRAGMA journal_mode") == [("delete",)]
    assert digest(db) == before
    assert not (tmp_path / "notes.db-wal").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_database_is_refused(audited, tmp_path):
    db = tmp_path / "ro.db"
    shutil.copy(audited, db)
    db.chmod(0o444)
    before = digest(db)
    p = run_cli("--db", str(db), "run", str(SEED_002), "--offline")
    assert p.returncode == EXIT_READONLY
    assert "read-only" in one_line_error(p)
    assert digest(db) == before


# the disk fills up: SQLite's own size limit (max_page_count) gives the same SQLITE_FULL error
FULL_DISK = """
import sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

@event.listens_for(Engine, "connect")
def _almost_full(dbapi_connection, record):
    pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
    dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

sys.argv = ["citeaudit", *sys.argv[1:]]
from citeaudit.cli import main
main()
"""


def test_a_full_disk_is_one_line_its_own_code_and_an_incomplete_run(audited, tmp_path):
    import subprocess
    import sys

    db = tmp_path / "full.db"
    shutil.copy(audited, db)
    runs_before = db_rows(db, "SELECT COUNT(*) FROM runs")[0][0]
    p = subprocess.run([sys.executable, "-c", FULL_DISK, "--db", str(db), "run", str(SEED_002), "--offline",
                        "--refresh"], env=cli_env(), capture_output=True, text=True, timeout=300)
    assert p.returncode == EXIT_DISK_FULL, p.stderr
    line = one_line_error(p)
    assert "is full" in line and "marked incomplete" in line
    statuses = [s for (s,) in db_rows(db, "SELECT status FROM runs ORDER BY id")]
    assert len(statuses) == runs_before + 1 and statuses[-1] == "incomplete"
