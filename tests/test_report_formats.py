"""Output of `run` and `report` over several articles: --problems, the total line, one JSON
array, JSON lines, one CSV header, and the table numbered by citation id (the id `history`,
`export` and the SQL views use). Against the loopback emulator."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.report.render import Format, FORMATS, is_problem, render_reports

ROOT = Path(__file__).resolve().parents[1]
SEED_002 = ROOT / "fixtures/articles/002_kratom_back_pain.txt"
SEED_003 = ROOT / "fixtures/articles/003_kratom_dopamine.txt"
runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, [*args])


@pytest.fixture
def two_articles(service_env):
    """Seeds 002 and 003 audited in one run; returns the JSON reports (a list)."""
    result = cli("run", str(SEED_002), str(SEED_003), "--format", "json")
    assert result.exit_code == 1, result.output  # 003 has an unfound study mention and bio
    reports = json.loads(result.stdout)
    assert isinstance(reports, list) and len(reports) == 2
    return reports


def test_every_format_member_is_rendered():
    assert set(FORMATS) == {f.value for f in Format}


def test_json_for_several_articles_is_one_array_and_jsonl_one_line_each(two_articles, service_env):
    assert [r["article"]["source"] for r in two_articles] == [str(SEED_002), str(SEED_003)]
    single = json.loads(cli("report", str(SEED_003), "--format", "json").stdout)
    assert isinstance(single, dict)  # one article stays one object
    lines = cli("report", str(SEED_002), str(SEED_003), "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 2 and [json.loads(x)["article"]["source"] for x in lines] == [str(SEED_002), str(SEED_003)]
    rows = list(csv.reader(io.StringIO(cli("report", str(SEED_002), str(SEED_003), "--format", "csv").stdout)))
    assert sum(1 for r in rows if r[0] == "article") == 1  # one header
    assert len(rows) == 1 + sum(len(r["citations"]) for r in two_articles)


def test_problems_lists_only_problems_with_whole_summaries(two_articles, service_env):
    result = cli("report", str(SEED_002), str(SEED_003), "--problems", "--format", "json")
    assert result.exit_code == 1
    filtered = json.loads(result.stdout)
    for full, only in zip(two_articles, filtered):
        assert only["problems_only"] is True and only["citations_total"] == len(full["citations"])
        assert only["summary"]["total"] == full["summary"]["total"]  # the summary is the article's
        assert [c["id"] for c in only["citations"]] == [c["id"] for c in full["citations"] if is_problem(c)]
        assert all(c["verdict"] in ("mismatched", "unfound") or c["retracted"] or
                   any(v != "ok" for v in c["sources"].values()) for c in only["citations"])
    assert any(c["verdict"] == "unfound" for c in filtered[1]["citations"])
    table = cli("run", str(SEED_002), str(SEED_003), "--problems", "--no-color").stdout
    assert "VERIFIED" not in table and "UNFOUND" in table
    assert "showing " in table and " problems of " in table
    total = [line for line in table.splitlines() if line.startswith("total: 2 articles")]
    n = sum(r["summary"]["total"] for r in two_articles)
    # seed 002 (Veltri & Grundmann's wrong year) and seed 003 (invented studies) both have problems
    assert len(total) == 1 and f"{n} citations" in total[0] and "2 articles with problems" in total[0]
    assert "MISMATCHED" in table


def test_failed_checks_count_as_problems():
    entry = {"verdict": "unchecked", "sources": {"crossref": "could not connect", "pubmed": "ok"}, "retracted": False}
    assert is_problem(entry)
    assert not is_problem({**entry, "sources": {"crossref": "ok"}})  # grey literature, offline...
    assert is_problem({"verdict": "verified", "sources": {}, "retracted": True})


def test_table_numbers_are_citation_ids(two_articles, service_env):
    table = cli("report", str(SEED_003), "--no-color").stdout
    numbered = [line.split(".")[0].strip() for line in table.splitlines() if line[:5].strip().rstrip(".").isdigit()]
    ids = [str(c["id"]) for c in two_articles[1]["citations"]]
    assert numbered == ids and ids[0] != "1"  # 003's ids follow 002's
    db = sqlite3.connect(service_env["CITEAUDIT_DB"])
    first = int(ids[0])
    (text,) = db.execute("select text from latest_checks where citation_id = ?", (first,)).fetchone()
    assert text == two_articles[1]["citations"][0]["text"]
    history = cli("history", str(first)).stdout
    assert history.startswith(f"citation {first} in ")
    md = cli("report", str(SEED_003), "--format", "markdown").stdout
    assert f"| {first} | " in md


def test_total_line_only_for_several_articles(two_articles):
    one = render_reports(two_articles[:1], "table")
    assert "total:" not in one
    assert "total: 2 articles" in render_reports(two_articles, "markdown")


def test_unknown_format_lists_the_choices(service_env):
    result = cli("run", str(SEED_003), "--format", "yaml")
    assert result.exit_code == 2
    assert "yaml" in result.output and "html" in result.output
