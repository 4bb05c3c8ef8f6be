"""Escape codes in service data and file names never reach the terminal (issue 14): every
line `run`, `report`, `history`, `export` and the error messages print goes through one
sanitiser (report/safe.py) as it is written."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from citeaudit.report import safe

from .helpers import RECORDS, SEED_002, assert_no_traceback, db_rows, one_line_error, run_cli

OSC = "\x1b]0;pwned\x07"
CSI = "\x1b[2J\x9b31m"
ACTIVE = ("\x1b", "\x07", "\x9b", "\u202e")


def assert_inert(text: str) -> None:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # citeaudit's own colours (--color) are allowed
    assert not any(ch in text for ch in ACTIVE), repr(text[:2000])


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """The seed audited offline, then every stored record and check given escape codes in
    its DOI and title, as a hostile or broken service answer would store them."""
    db = tmp_path_factory.mktemp("esc") / "audit.db"
    p = run_cli("--db", str(db), "records", "load", str(RECORDS))
    assert p.returncode == 0, p.stderr
    p = run_cli("--db", str(db), "run", str(SEED_002), "--offline", "--no-color")
    assert p.returncode in (0, 1), p.stderr
    import sqlite3

    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE records SET doi = doi || ?, title = ? || title || ?, journal = journal || ?",
                    (OSC, CSI, OSC, "\u202e"))
        con.execute("UPDATE checks SET reason = reason || ?", (OSC,))
    con.close()
    return db


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
def test_run_and_report_print_no_escape_codes(hostile_db, tmp_path, fmt):
    db = tmp_path / "a.db"
    shutil.copy(hostile_db, db)
    for args in (("report", str(SEED_002), "--color", "always"), ("run", str(SEED_002), "--offline", "--color", "always")):
        p = run_cli("--db", str(db), *args, "--format", fmt)
        assert_no_traceback(p)
        assert p.returncode in (0, 1), p.stderr
        assert_inert(p.stdout + p.stderr)
        if fmt == "json" and args[0] == "report":
            json.loads(p.stdout)  # still valid JSON, the data kept (escaped)
            assert "\\u001b]0;pwned\\u0007" in p.stdout
        if fmt == "table":
            assert "\x1b[32m" in p.stdout  # citeaudit's own colours survive --color


def test_history_and_export_print_no_escape_codes(hostile_db, tmp_path):
    db = tmp_path / "a.db"
    shutil.copy(hostile_db, db)
    (cid,) = db_rows(db, "SELECT citation_id FROM checks WHERE record_id IS NOT NULL LIMIT 1")[0]
    for args in (("history", str(cid)), ("history", str(cid), "--format", "markdown"), ("export",),
                 ("export", "--format", "jsonl")):
        p = run_cli("--db", str(db), *args)
        assert_no_traceback(p)
        assert p.returncode == 0, p.stderr
        assert_inert(p.stdout + p.stderr)


def test_file_names_in_error_messages_are_cleaned(tmp_path):
    name = tmp_path / f"art{OSC}icle\n{CSI}.txt"
    p = run_cli("--db", str(tmp_path / "a.db"), "run", str(name), "--offline")
    assert p.returncode == 2
    line = one_line_error(p)
    assert_inert(p.stderr)
    assert "no such file" in line


def test_the_sanitiser_keeps_lines_and_own_colours():
    text = "a\x1b[31mb\x1b[0m\tc\n" + OSC + CSI + "d\u202e"
    assert safe.terminal(text) == "ab\tc\nd"
    assert safe.terminal(text, keep_color=True) == "a\x1b[31mb\x1b[0m\tc\nd"
    assert json.loads(safe.json_text(json.dumps({"x": CSI}, ensure_ascii=False))) == {"x": CSI}
