"""Item 8 of issue 12: a mismatched reference gets a suggested corrected entry in the
article's own wording: each wrong stated value replaced by the found one, nothing else
touched; shown as `fix:` in the table, `fix` in JSON, in Markdown and HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.judge.fix import suggest_fix
from citeaudit.report.model import add_fix

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures/articles/002_kratom_back_pain.txt"
VELTRI = ("Charles Veltri & Oliver Grundmann, (2022), \u201cCurrent perspectives on the impact of Kratom use\u201d "
          "Substance Abuse and Rehabilitation Volume 10, 2019")
VANCOUVER = ("Bath R, Bucholz T, Buros AF. Self-reported health diagnoses and demographic correlates. "
             "J Addict Med. 2021 May;14(3):244\u2013252. doi:10.1097/ADM.0000000000000571")


@pytest.mark.parametrize("text, differences, expected, fields", [
    (VELTRI, [{"field": "year", "stated": 2022, "found": 2019}],
     VELTRI.replace("(2022)", "(2019)"), ["year"]),
    # pages keep the entry's en dash; volume and DOI rewritten in place; nothing else moves
    (VANCOUVER, [{"field": "year", "stated": 2021, "found": 2020},
                 {"field": "pages", "stated": "244-252", "found": "244-250"},
                 {"field": "doi", "stated": "10.1097/adm.0000000000000571", "found": "10.1097/ADM.0000000000000570"}],
     VANCOUVER.replace("2021", "2020").replace("244\u2013252", "244\u2013250").replace("0571", "0570"),
     ["year", "pages", "doi"]),
    (VANCOUVER, [{"field": "first_author", "stated": "Bath", "found": "Bathe"},
                 {"field": "volume", "stated": "14", "found": "15"}],
     VANCOUVER.replace("Bath R", "Bathe R").replace(";14(3)", ";15(3)"), ["first_author", "volume"]),
    (VELTRI, [{"field": "title", "stated": "current perspectives on the impact of kratom use",
               "found": "Current perspectives on the impact of Kratom use in the USA"}],
     VELTRI.replace("Kratom use\u201d", "Kratom use in the USA\u201d"), ["title"]),
    (VELTRI, [{"field": "journal", "stated": "Substance Abuse and Rehabilitation", "found": "Substance Abuse"}],
     VELTRI.replace("Substance Abuse and Rehabilitation", "Substance Abuse"), ["journal"]),
])
def test_suggest_fix_rewrites_only_the_wrong_values(text, differences, expected, fields):
    fix = suggest_fix(text, differences)
    assert fix is not None and fix.text == expected and fix.fields == fields and fix.unresolved == []


def test_suggest_fix_partial_and_none():
    # a count of authors cannot be rewritten in the text: the fix says so
    fix = suggest_fix(VELTRI, [{"field": "year", "stated": 2022, "found": 2019},
                               {"field": "authors", "stated": 2, "found": 1}])
    assert fix.fields == ["year"] and fix.unresolved == ["authors"]
    # a stated value the text does not hold (the parse normalised it away): no guess
    assert suggest_fix(VELTRI, [{"field": "volume", "stated": "11", "found": "12"}]) is None
    # a year inside a longer number is not the year
    assert suggest_fix("Doe J. Title. J X. 120221;3:1-2.", [{"field": "year", "stated": 2022, "found": 2019}]) is None


def test_only_mismatched_references_get_a_fix():
    base = {"kind": "reference", "verdict": "mismatched", "text": VELTRI,
            "differences": [{"field": "year", "stated": 2022, "found": 2019}]}
    assert add_fix(dict(base))["fix"] == VELTRI.replace("(2022)", "(2019)")
    assert "fix" not in add_fix(dict(base, kind="mention"))
    assert "fix" not in add_fix(dict(base, verdict="verified"))


def test_fix_in_table_json_markdown_and_html(tmp_path, monkeypatch):
    monkeypatch.setenv("CITEAUDIT_DB", str(tmp_path / "audit.db"))
    runner = CliRunner()
    assert runner.invoke(app, ["records", "load", str(ROOT / "fixtures/records")]).exit_code == 0
    ran = runner.invoke(app, ["run", str(SEED), "--offline", "--format", "json"])
    veltri = next(c for c in json.loads(ran.stdout)["citations"] if c["verdict"] == "mismatched")
    fixed = VELTRI.replace("(2022)", "(2019)")
    assert veltri["fix"] == fixed and veltri["fix_fields"] == ["year"]
    stored = json.loads(runner.invoke(app, ["report", str(SEED), "--format", "json"]).stdout)
    assert [c["fix"] for c in stored["citations"] if c.get("fix")] == [fixed]
    table = runner.invoke(app, ["report", str(SEED), "--problems"]).stdout
    assert f"      fix: {fixed}" in table
    md = runner.invoke(app, ["report", str(SEED), "--format", "markdown"]).stdout
    assert "fix: Charles Veltri & Oliver Grundmann, \\(2019\\)" in md
    page = runner.invoke(app, ["report", str(SEED), "--format", "html"]).stdout
    assert "<strong>suggested entry:</strong> Charles Veltri &amp; Oliver Grundmann, (2019)" in page
