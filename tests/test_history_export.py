"""The database as a product: the documented SQL queries over the views (on the offline steps;
tests/test_demo.py runs them on what `make demo` leaves behind), `history`,
`report` (from the database, every format) and `export`, on a database made by the demo
steps (`records load fixtures/records/` + `run fixtures/articles/002_kratom_back_pain.txt
--offline`), then after a `reverify` against the emulator in which the world has changed.
Each test runs on SQLite and on PostgreSQL (the README's PostgreSQL spelling of the queries
that use SQLite's date and JSON functions is run there verbatim)."""

from __future__ import annotations

import copy
import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.report.stored import EXPORT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures/articles/002_kratom_back_pain.txt"
BATH = "10.1097/adm.0000000000000570"  # retracted at run time below (RECONSTRUCTED variant)
SMITH = "10.3389/fphar.2023.1174139"  # removed from the emulator's corpus below: verified -> unfound

# --- the example queries of the README (run verbatim with the sqlite3 module) ---------------

# latest verdict of every reference-list entry of one article
Q_LATEST = """
SELECT citation_id, verdict, matched_doi, substr(text, 1, 50) AS citation
FROM latest_checks
WHERE article_source LIKE '%002_kratom_back_pain.txt' AND kind = 'reference'
ORDER BY start_offset
"""
# what is wrong, across every article
Q_PROBLEMS = """
SELECT article_source, verdict, reason, differences
FROM latest_checks
WHERE verdict IN ('mismatched', 'unfound')
ORDER BY article_source, start_offset
"""
# one line per article, worst first
Q_SUMMARY = """
SELECT source, citations, verified, mismatched, unfound, unchecked, retracted, last_run_status
FROM article_summary
ORDER BY unfound DESC, mismatched DESC, source
"""
# verdicts that changed in the last 7 days
Q_CHANGES = """
SELECT changed_at, article_source, from_verdict, to_verdict, substr(text, 1, 50) AS citation
FROM verdict_changes
WHERE changed_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days')
ORDER BY changed_at DESC, citation_id
"""
# citations of retracted works, whatever their verdict
Q_RETRACTED = """
SELECT article_source, citation_id, verdict, matched_doi, notes
FROM retracted_citations
ORDER BY article_source, start_offset
"""
# corrections and other notices on cited works (notes is a JSON array)
Q_NOTICES = """
SELECT l.citation_id, l.matched_doi, n.value AS notice
FROM latest_checks l, json_each(l.notes) n
WHERE n.value LIKE 'CORRECTION%' OR n.value LIKE 'EXPRESSION OF CONCERN%' OR n.value LIKE 'RETRACTED%'
ORDER BY l.citation_id
"""
# what `reverify` would pick by default: checked over 30 days ago, or unchecked
Q_DUE = """
SELECT COUNT(*) FROM latest_checks
WHERE checked_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-30 days') OR verdict = 'unchecked'
"""

# --- the same, in the README's PostgreSQL spelling (date and JSON functions differ) ------------
PG_Q_CHANGES = """
SELECT changed_at, article_source, from_verdict, to_verdict, substr(text, 1, 50) AS citation
FROM verdict_changes
WHERE changed_at >= to_char(now() AT TIME ZONE 'UTC' - interval '7 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
ORDER BY changed_at DESC, citation_id
"""
PG_Q_NOTICES = """
SELECT l.citation_id, l.matched_doi, n.value AS notice
FROM latest_checks l, json_array_elements_text(l.notes::json) AS n(value)
WHERE n.value LIKE 'CORRECTION%' OR n.value LIKE 'EXPRESSION OF CONCERN%' OR n.value LIKE 'RETRACTED%'
ORDER BY l.citation_id
"""
PG_Q_DUE = """
SELECT COUNT(*) FROM latest_checks
WHERE checked_at < to_char(now() AT TIME ZONE 'UTC' - interval '30 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
   OR verdict = 'unchecked'
"""
POSTGRESQL = {Q_CHANGES: PG_Q_CHANGES, Q_NOTICES: PG_Q_NOTICES, Q_DUE: PG_Q_DUE}

runner = CliRunner()


def query(db, sql):
    """Rows of a documented query run with the plain driver: sqlite3, or psycopg on a URL."""
    if "://" in str(db):
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(str(db))
        with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database) as con:
            return [tuple(r) for r in con.execute(POSTGRESQL.get(sql, sql)).fetchall()]
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def demo_db(tmp_path, monkeypatch, db_target):
    """The README's demo: records load + an offline run of seed 002 (SQLite or PostgreSQL)."""
    monkeypatch.chdir(tmp_path)
    db = db_target
    loaded = runner.invoke(app, ["--db", str(db), "records", "load", str(ROOT / "fixtures/records")])
    assert loaded.exit_code == 0, loaded.output
    ran = runner.invoke(app, ["--db", str(db), "run", str(SEED), "--offline", "--format", "json"])
    assert ran.exit_code == 1, ran.output  # Veltri's year is wrong
    return db, json.loads(ran.stdout)


def cli(db, *args):
    return runner.invoke(app, ["--db", str(db), *args])


def test_documented_queries_on_the_demo_database(demo_db):
    db, _ = demo_db
    latest = query(db, Q_LATEST)
    assert [v for _, v, _, _ in latest] == ["unchecked", "unchecked", "mismatched", "verified", "verified", "verified",
                                            "verified", "unchecked", "unchecked", "verified", "verified", "verified"]
    assert latest[3][2] == BATH and latest[2][3].startswith("Charles Veltri")
    problems = query(db, Q_PROBLEMS)
    assert {p[1] for p in problems} == {"mismatched"}
    assert any(json.loads(p[3]) == [{"field": "year", "stated": 2022, "found": 2019}] for p in problems)
    summary = query(db, Q_SUMMARY)
    assert len(summary) == 1
    source, citations, verified, mismatched, unfound, unchecked, retracted, status = summary[0]
    assert source == str(SEED) and status == "complete" and unfound == 0 and retracted == 0
    assert citations == verified + mismatched + unfound + unchecked and verified >= 7 and mismatched >= 1
    assert query(db, Q_CHANGES) == []  # one run: nothing has changed yet
    assert query(db, Q_RETRACTED) == []
    assert query(db, Q_NOTICES) == []
    due = query(db, Q_DUE)[0][0]
    assert due == sum(1 for r in query(db, "SELECT verdict FROM latest_checks") if r[0] == "unchecked")


def test_documented_queries_after_a_reverify(demo_db, corpus, emulator, service_env):
    db, _ = demo_db
    bath = copy.deepcopy(corpus.crossref_work(BATH))
    # RECONSTRUCTED for tests: a retraction notice (no DOI: none was seen in a source) added to a copy
    bath["updated-by"] = [{"type": "retraction", "source": "retraction-watch", "label": "Retraction",
                           "updated": {"date-parts": [[2026, 1, 15]]}}]
    corpus.add_crossref(bath)
    corpus.remove_crossref(SMITH)
    result = cli(db, "reverify", "--older-than", "0", "--format", "json")
    assert result.exit_code == 1, result.output  # a retraction and a verified -> unfound
    d = json.loads(result.stdout)
    assert {t["change"] for t in d["transitions"]} >= {"newly retracted", "verified -> unfound"}

    changes = query(db, Q_CHANGES)
    assert [(f, t) for _, _, f, t, c in changes if c.startswith("Kirsten E. Smith")] == [("verified", "unfound")]
    retracted = query(db, Q_RETRACTED)
    bath_rows = [r for r in retracted if r[3] == BATH]
    assert bath_rows and bath_rows[0][2] == "verified"
    assert "RETRACTED: 2026-01-15, source retraction-watch" in json.loads(bath_rows[0][4])
    assert any(n == "RETRACTED: 2026-01-15, source retraction-watch" for _, doi, n in query(db, Q_NOTICES)
               if doi == BATH)
    source, citations, verified, mismatched, unfound, unchecked, retracted_n, status = query(db, Q_SUMMARY)[0]
    assert unfound >= 1 and retracted_n >= 1 and status == "complete"

    # history of the retracted citation: two checks, the second flagged
    cid = bath_rows[0][1]
    h = json.loads(cli(db, "history", str(cid), "--format", "json").stdout)
    assert [k["verdict"] for k in h["checks"]] == ["verified", "verified"]
    assert [k["retracted"] for k in h["checks"]] == [False, True]
    table = cli(db, "history", str(cid)).stdout
    assert table.count("VERIFIED") == 2 and "[RETRACTED WORK]" in table
    smith_id = query(db, "SELECT citation_id FROM verdict_changes WHERE to_verdict = 'unfound' "
                         "AND text LIKE 'Kirsten E. Smith%'")[0][0]
    h = json.loads(cli(db, "history", str(smith_id), "--format", "json").stdout)
    assert [(k["verdict"], k["changed_from"]) for k in h["checks"]] == [("verified", None), ("unfound", "verified")]
    md = cli(db, "history", str(smith_id), "--format", "markdown").stdout
    assert "| unfound (was verified) |" in md
    rows = list(csv.reader(io.StringIO(cli(db, "history", str(smith_id), "--format", "csv").stdout)))
    assert rows[0][:6] == ["citation_id", "article", "check_id", "run_id", "checked_at", "verdict"]
    assert [r[5] for r in rows[1:]] == ["verified", "unfound"] and rows[2][6] == "verified"


def test_stored_report_matches_the_run(demo_db):
    """`report` rebuilds, from the database alone, the report `run` printed."""
    db, ran = demo_db
    got = cli(db, "report", str(SEED), "--format", "json")
    assert got.exit_code == 1, got.output  # a mismatch: same exit code as run
    stored = json.loads(got.stdout)
    keys = ("id", "kind", "category", "text", "span", "verdict", "reason", "stated", "matched", "differences",
            "notes", "retracted", "candidates", "sources")
    assert [{k: c.get(k) for k in keys} for c in stored["citations"]] == \
           [{k: c.get(k) for k in keys} for c in ran["citations"]]
    assert {k: stored["summary"][k] for k in ("total", "verified", "mismatched", "unfound", "unchecked")} == \
           {k: ran["summary"][k] for k in ("total", "verified", "mismatched", "unfound", "unchecked")}
    assert stored["run"]["from_database"] is True and stored["run"]["id"] == 1
    table = cli(db, "report", str(SEED), "--no-color").stdout
    assert "MISMATCHED" in table and "year: stated 2022, found 2019" in table
    assert cli(db, "report", str(SEED), "--format", "markdown").stdout.startswith("# citeaudit report:")
    csv_rows = list(csv.reader(io.StringIO(cli(db, "report", str(SEED), "--format", "csv").stdout)))
    assert len(csv_rows) == 1 + len(ran["citations"]) and csv_rows[0][-3:] == ["retracted", "fix", "accepted_reason"]


def test_report_errors(demo_db, tmp_path):
    db, _ = demo_db
    r = cli(db, "report", str(tmp_path / "never-audited.txt"))
    assert r.exit_code == 2 and "no article" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = cli(db, "report", str(SEED), "--format", "pdf")
    assert r.exit_code == 2 and "'pdf' is not one of" in r.stderr and "html" in r.stderr
    r = cli(db, "history", "99999")
    assert r.exit_code == 2 and "no citation 99999" in r.stderr
    r = cli(db, "history", "abc")
    assert r.exit_code == 2


def test_export_csv_and_jsonl(demo_db, tmp_path):
    db, ran = demo_db
    out = cli(db, "export")
    assert out.exit_code == 0, out.output
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(table[0]) == EXPORT_COLUMNS
    assert len(table) == len(ran["citations"]) == query(db, "SELECT COUNT(*) FROM latest_checks")[0][0]
    veltri = next(r for r in table if r["text"].startswith("Charles Veltri") and r["kind"] == "reference")
    assert veltri["verdict"] == "mismatched" and veltri["differences"] == "year: stated 2022, found 2019"

    target = tmp_path / "latest.jsonl"
    out = cli(db, "export", "--format", "jsonl", "--output", str(target))
    assert out.exit_code == 0 and out.stdout == ""
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [x["citation_id"] for x in lines] == [int(r["citation_id"]) for r in table]
    bath = next(x for x in lines if x["matched_doi"] == BATH and x["kind"] == "reference")
    assert bath["verdict"] == "verified" and bath["retracted"] is False and bath["notes"] == []

    only = list(csv.DictReader(io.StringIO(cli(db, "export", "--verdict", "mismatched").stdout)))
    assert only and {r["verdict"] for r in only} == {"mismatched"}
    assert cli(db, "export", "--format", "xml").exit_code == 2
