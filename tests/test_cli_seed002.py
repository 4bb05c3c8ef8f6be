"""End to end: `citeaudit run` on seed 002 against the loopback emulator, checking the
verdicts of seed-truth.json, the JSON report and the rows written to audit.db."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from citeaudit.cli import app

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures/articles/002_kratom_back_pain.txt"
TRUTH = json.loads((ROOT / "fixtures/seed-truth.json").read_text())["articles"]["002_kratom_back_pain.txt"] \
    if "002_kratom_back_pain.txt" in json.loads((ROOT / "fixtures/seed-truth.json").read_text())["articles"] \
    else json.loads((ROOT / "fixtures/seed-truth.json").read_text())["articles"]["002_2bd6610406edf336.txt"]

runner = CliRunner()


def run_json(*args: str):
    result = runner.invoke(app, ["run", str(SEED), "--format", "json", *args])
    return result, json.loads(result.stdout) if result.stdout.strip().startswith("{") else None


def references(report):
    return [c for c in report["citations"] if c["kind"] == "reference"]


def test_seed_002_verdicts_match_seed_truth(service_env):
    result, report = run_json()
    assert result.exit_code == 1, result.output  # one mismatch -> findings
    refs = references(report)
    assert [c["verdict"] for c in refs] == [e["expected"] for e in TRUTH["reference_list"]]
    veltri = refs[2]
    assert veltri["differences"] == [{"field": "year", "stated": 2022, "found": 2019}]
    assert report["summary"]["verified"] >= 7 and report["summary"]["mismatched"] >= 1
    vick = refs[5]
    assert vick["matched"]["pmid"] == "32607084" and vick["matched"]["doi"] is None


def test_seed_002_rows_in_audit_db(service_env):
    runner.invoke(app, ["run", str(SEED)])
    result = runner.invoke(app, ["run", str(SEED)])  # a second run: new run and checks, same citations
    assert result.exit_code == 1
    db = sqlite3.connect(service_env["CITEAUDIT_DB"])
    assert db.execute("select count(*) from articles").fetchone() == (1,)
    assert db.execute("select count(*), min(status), max(status) from runs").fetchone() == (2, "complete", "complete")
    n_refs = db.execute("select count(*) from citations where kind='reference'").fetchone()[0]
    assert n_refs == 12
    assert db.execute("select count(*) from checks").fetchone()[0] == 2 * db.execute(
        "select count(*) from citations").fetchone()[0]
    rows = dict(db.execute(
        "select verdict, count(*) from latest_checks where kind='reference' group by verdict").fetchall())
    assert rows == {"verified": 7, "mismatched": 1, "unchecked": 4}
    diff = db.execute("select differences from latest_checks where verdict='mismatched' and kind='reference'").fetchone()[0]
    assert json.loads(diff) == [{"field": "year", "stated": 2022, "found": 2019}]
    assert db.execute("select count(*) from records where pmid='32607084'").fetchone() == (1,)


def test_unreachable_services_leave_citations_unchecked(monkeypatch, tmp_path):
    monkeypatch.setenv("CITEAUDIT_CROSSREF_URL", "http://127.0.0.1:9/crossref")
    monkeypatch.setenv("CITEAUDIT_EUTILS_URL", "http://127.0.0.1:9/eutils")
    monkeypatch.setenv("CITEAUDIT_RETRIES", "0")
    monkeypatch.setenv("CITEAUDIT_DB", str(tmp_path / "a.db"))
    result, report = run_json()
    assert result.exit_code == 3, result.output  # incomplete: never read as "clean"
    refs = references(report)
    assert {c["verdict"] for c in refs} == {"unchecked"}
    scholarly = [c for c in refs if c["category"] == "scholarly"]
    assert len(scholarly) == 8
    assert all("could not check" in c["reason"] and "connection refused" in c["reason"] for c in scholarly)
    # one line per service, not one per request
    lines = [line for line in result.stderr.splitlines() if "unchecked; use --offline" in line]
    assert [line.split(":")[1].strip() for line in lines] == ["Crossref unreachable (connection refused)",
                                                              "PubMed unreachable (connection refused)"], result.stderr


def test_server_answering_500_leaves_citations_unchecked(emulator, service_env):
    emulator.set_fault("crossref-query", "500")
    emulator.set_fault("crossref-doi", "500")
    emulator.set_fault("eutils", "500")
    result, report = run_json()
    assert result.exit_code == 3
    assert all(c["verdict"] == "unchecked" for c in references(report))
    assert "HTTP 500" in references(report)[3]["reason"]


def test_offline_resolves_only_from_stored_records(tmp_path, monkeypatch):
    monkeypatch.setenv("CITEAUDIT_DB", str(tmp_path / "o.db"))
    monkeypatch.setenv("CITEAUDIT_CROSSREF_URL", "http://127.0.0.1:9/never")
    empty, report = run_json("--offline")
    assert {c["verdict"] for c in references(report)} == {"unchecked"}
    assert "offline" in references(report)[3]["reason"]
    loaded = runner.invoke(app, ["records", "load", str(ROOT / "fixtures/records")])
    assert loaded.exit_code == 0 and "stored" in loaded.stdout
    result, report = run_json("--offline")
    assert [c["verdict"] for c in references(report)] == [e["expected"] for e in TRUTH["reference_list"]]


def test_bad_usage_and_unreadable_input_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("CITEAUDIT_DB", str(tmp_path / "b.db"))
    assert runner.invoke(app, ["run", str(tmp_path / "missing.txt")]).exit_code == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    r = runner.invoke(app, ["run", str(empty)])
    assert r.exit_code == 2 and "empty" in r.output
    assert runner.invoke(app, ["run", str(SEED), "--format", "yaml"]).exit_code == 2
