"""Editors' decisions that persist (issue 12, item 7): `citeaudit accept ID --reason` and
`unaccept`; reports show the acceptance with its reason, exit codes and --problems ignore
it, a new run keeps it while the evidence is the same, and reverify withdraws it (saying
so) when the evidence changes: here the accepted work becomes retracted."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.judge.decision import evidence_change

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures/articles/002_kratom_back_pain.txt"
ARTICLE = ROOT / "fixtures/articles/900_reverify_stimulants.txt"
LEE = "10.1016/j.neurobiolaging.2010.03.024"
REASON = "2022 is the reprint year; confirmed with the publisher"

runner = CliRunner()


def rows(db, query, *params):
    con = sqlite3.connect(db)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


@pytest.fixture
def offline_db(tmp_path, monkeypatch):
    db = str(tmp_path / "audit.db")
    monkeypatch.setenv("CITEAUDIT_DB", db)
    assert runner.invoke(app, ["records", "load", str(ROOT / "fixtures/records")]).exit_code == 0
    first = runner.invoke(app, ["run", str(SEED), "--offline", "--format", "json"])
    assert first.exit_code == 1  # Veltri & Grundmann's year is mismatched
    veltri = next(c for c in json.loads(first.stdout)["citations"] if c["verdict"] == "mismatched")
    return db, veltri["id"]


def test_accept_shows_in_every_format_and_clears_the_exit_code(offline_db):
    db, cid = offline_db
    done = runner.invoke(app, ["accept", str(cid), "--reason", REASON, "--by", "ed"])
    assert done.exit_code == 0, done.output
    assert f"citation {cid} accepted (its latest verdict: mismatched" in done.stdout

    table = runner.invoke(app, ["report", str(SEED)])
    assert table.exit_code == 0, table.output  # the only finding is accepted
    line = next(x for x in table.stdout.splitlines() if x.lstrip().startswith(f"{cid}."))
    assert "MISMATCHED" in line and "[ACCEPTED]" in line
    assert f"      accepted: {REASON} (" in table.stdout and ", ed)" in table.stdout
    assert "1 accepted by an editor" in table.stdout

    problems = runner.invoke(app, ["report", str(SEED), "--problems", "--format", "json"])
    assert problems.exit_code == 0 and json.loads(problems.stdout)["citations"] == []

    rep = json.loads(runner.invoke(app, ["report", str(SEED), "--format", "json"]).stdout)
    entry = next(c for c in rep["citations"] if c["id"] == cid)
    assert entry["verdict"] == "mismatched"  # the verdict stays what the evidence says
    assert entry["accepted"]["reason"] == REASON and entry["accepted"]["by"] == "ed"
    assert entry["accepted"]["verdict"] == "mismatched" and rep["summary"]["accepted"] == 1

    md = runner.invoke(app, ["report", str(SEED), "--format", "markdown"]).stdout
    row = next(x for x in md.splitlines() if x.startswith(f"| {cid} |"))
    assert "mismatched **ACCEPTED**" in row and f"accepted: {REASON}" in row
    table_csv = list(csv.DictReader(io.StringIO(runner.invoke(app, ["report", str(SEED), "--format", "csv"]).stdout)))
    assert next(r for r in table_csv if r["citation_id"] == str(cid))["accepted_reason"] == REASON
    page = runner.invoke(app, ["report", str(SEED), "--format", "html"]).stdout
    assert "\u2714 ACCEPTED" in page and "accepted by the editor:</strong> 2022 is the reprint year" in page

    assert rows(db, "SELECT citation_id, verdict, accepted_reason, accepted_verdict FROM accepted_citations") == [
        (cid, "mismatched", REASON, "mismatched")]

    # a new run on the same evidence keeps the acceptance, and exits 0
    again = runner.invoke(app, ["run", str(SEED), "--offline", "--format", "json"])
    assert again.exit_code == 0, again.output
    assert next(c for c in json.loads(again.stdout)["citations"] if c["id"] == cid)["accepted"]["reason"] == REASON

    # unaccept: a finding again; the decision is kept, withdrawn by the editor
    undone = runner.invoke(app, ["unaccept", str(cid)])
    assert undone.exit_code == 0 and "acceptance withdrawn" in undone.stdout
    assert runner.invoke(app, ["report", str(SEED)]).exit_code == 1
    assert rows(db, "SELECT COUNT(*) FROM accepted_citations") == [(0,)]
    assert rows(db, "SELECT revoked_by FROM decisions") == [("editor",)]


def test_accept_and_unaccept_refuse_bad_ids_in_one_line(offline_db):
    _, cid = offline_db
    for args, message in ((["accept", "99999", "--reason", "x"], "there is no such citation"),
                          (["accept", str(cid), "--reason", "  "], "needs a reason"),
                          (["unaccept", str(cid)], "is not accepted"),
                          (["accept", str(cid)], "--reason")):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


def test_reverify_keeps_an_acceptance_until_the_work_is_retracted(corpus, service_env):
    from tests.test_reverify import retracted_variant

    db = service_env["CITEAUDIT_DB"]
    first = json.loads(runner.invoke(app, ["run", str(ARTICLE), "--format", "json"]).stdout)
    lee = next(c for c in first["citations"] if (c["matched"] or {}).get("doi") == LEE)
    assert lee["verdict"] == "verified"
    assert runner.invoke(app, ["accept", str(lee["id"]), "-r", "the editor read the paper"]).exit_code == 0

    same = runner.invoke(app, ["reverify", "--older-than", "0"])
    assert same.exit_code == 0, same.output
    assert "acceptance withdrawn" not in same.stdout
    assert rows(db, "SELECT citation_id FROM accepted_citations") == [(lee["id"],)]

    corpus.add_crossref(retracted_variant(corpus.crossref_work(LEE)))
    changed = runner.invoke(app, ["reverify", "--older-than", "0"])
    assert changed.exit_code == 1, changed.output
    assert "newly retracted; acceptance withdrawn: the work is now retracted" in changed.stdout
    assert rows(db, "SELECT COUNT(*) FROM accepted_citations") == [(0,)]
    assert rows(db, "SELECT revoked_by, revoked_reason FROM decisions") == [
        ("evidence", "evidence changed: the work is now retracted")]
    rep = json.loads(runner.invoke(app, ["report", str(ARTICLE), "--format", "json"]).stdout)
    entry = next(c for c in rep["citations"] if c["id"] == lee["id"])
    assert "accepted" not in entry and entry["retracted"] is True
    assert "acceptance withdrawn: the work is now retracted" in entry["notes"]


ACCEPTED = {"verdict": "mismatched", "retracted": 0, "record_id": 7, "record_doi": "10.1/a", "record_pmid": None}


@pytest.mark.parametrize("verdict, record, retracted, inconclusive, expected", [
    ("mismatched", {"id": 7, "doi": "10.1/a"}, False, False, None),
    ("mismatched", {"id": 9, "doi": "10.1/A"}, False, False, None),  # the same work from the other source
    ("unchecked", None, False, True, None),  # a failed attempt says nothing
    ("mismatched", {"id": 7, "doi": "10.1/a"}, True, False, "the work is now retracted"),
    ("verified", {"id": 7, "doi": "10.1/a"}, False, False, "verdict mismatched -> verified"),
    ("mismatched", {"id": 8, "doi": "10.1/b"}, False, False, "another work was found"),
    ("unfound", None, False, False, "verdict mismatched -> unfound; no work is matched any more"),
])
def test_evidence_change(verdict, record, retracted, inconclusive, expected):
    assert evidence_change(ACCEPTED, verdict, record, retracted, inconclusive) == expected
