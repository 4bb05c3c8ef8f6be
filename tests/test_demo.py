"""`make demo` (issue 12, item 6): all four verdicts with no network, from a local stand-in
for Crossref and PubMed on 127.0.0.1 that the demo starts, labels and stops; and the README's
SQL examples answer as the README says on the audit.db it leaves behind."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_history_export import Q_DUE, Q_LATEST, Q_PROBLEMS, Q_SUMMARY

ROOT = Path(__file__).resolve().parents[1]


def query(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """What `make demo` runs, in the checkout, into a temporary audit.db."""
    db = tmp_path_factory.mktemp("demo") / "audit.db"
    db.write_bytes(b"")  # a stale database is replaced, not added to
    done = subprocess.run([sys.executable, "-m", "citeaudit.emulate.demo", "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr, db


def test_demo_shows_four_verdicts_from_a_labelled_local_stand_in(demo_run):
    code, out, db = demo_run
    assert code == 0
    assert "LOCAL STAND-IN for Crossref and PubMed on http://127.0.0.1:" in out
    assert "not the real services" in out and "LOCAL STAND-IN stopped" in out
    for word in ("VERIFIED", "MISMATCHED", "UNFOUND", "UNCHECKED"):
        assert f" {word} " in out or f" {word}\n" in out, word
    assert "[mention] For instance, a 2017 study published in the Journal of Pain Research" in out
    assert "[bio] Dr. Emma Johnson" in out
    assert "fix: Charles Veltri & Oliver Grundmann, (2019)" in out
    assert "total: 2 articles, 45 citations: 12 verified, 1 mismatched, 3 unfound, 29 unchecked" in out
    verdicts = {v for (v,) in query(db, "SELECT DISTINCT verdict FROM latest_checks")}
    assert verdicts == {"verified", "mismatched", "unfound", "unchecked"}
    assert query(db, "SELECT DISTINCT mode FROM runs") == [("online",)]  # asked the stand-in, as live


def test_the_stand_in_is_stopped_after_the_demo(demo_run):
    _, out, _ = demo_run
    port = int(out.split("http://127.0.0.1:", 1)[1].split("/", 1)[0].split()[0])
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing listens there any more


def test_readme_sql_examples_on_the_demo_database(demo_run):
    """README, "More SQL examples": 12 rows for seed 002's reference list (7 verified, Veltri's
    year mismatched, 4 grey-literature entries unchecked), the wrong things across articles,
    one line per article (two articles), and what reverify would pick."""
    _, _, db = demo_run
    latest = query(db, Q_LATEST)
    assert sorted(v for _, v, _, _ in latest) == ["mismatched"] + ["unchecked"] * 4 + ["verified"] * 7
    problems = query(db, Q_PROBLEMS)
    assert [json.loads(d) for _, v, _, d in problems if v == "mismatched"] == [
        [{"field": "year", "stated": 2022, "found": 2019}]]
    assert sum(1 for p in problems if p[1] == "unfound") == 3  # 003's two studies and its bio
    summary = query(db, Q_SUMMARY)
    assert [(Path(s).name, v, m, u, c) for s, _, v, m, u, c, _, _ in summary] == [
        ("003_kratom_dopamine.txt", 0, 0, 3, 11), ("002_kratom_back_pain.txt", 12, 1, 0, 18)]
    assert query(db, Q_DUE) == [(29,)]
