"""End to end over the seed articles: `citeaudit run --format json` against the loopback emulator,
asserting the narrative findings of seed-truth.json and the article_credibility view."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures/articles"
runner = CliRunner()


def report(name: str) -> dict:
    result = runner.invoke(app, ["run", str(ARTICLES / name), "--format", "json"])
    assert result.stdout.strip().startswith("{"), result.output
    return json.loads(result.stdout)


def kind(rep: dict, k: str) -> list[dict]:
    return [c for c in rep["citations"] if c["kind"] == k]


def test_seed_003_fabricated_mentions_and_bio(service_env):
    rep = report("003_kratom_dopamine.txt")
    m = kind(rep, "mention")
    allodynia = next(c for c in m if "allodynia" in c["text"])
    trial = next(c for c in m if "Neuropsychopharmacology" in c["text"])
    assert allodynia["verdict"] in ("unfound", "mismatched") and allodynia["verdict"] != "verified"
    assert trial["verdict"] == "unfound"
    [bio] = kind(rep, "bio")
    assert bio["extra"]["name"] == "Dr. Emma Johnson" and bio["verdict"] == "unfound"
    assert "'The Journal of Alternative Pain Management' is not a known journal" in bio["reason"]
    assert rep["credibility"]["bio"] == "unfound"
    assert "author bio" in rep["headline"]
    db = sqlite3.connect(service_env["CITEAUDIT_DB"])
    row = db.execute("select bio_verdict, mentions_unfound, uncited_claims from article_credibility").fetchone()
    assert row[0] == "unfound" and row[1] == 2 and row[2] == rep["credibility"]["uncited_claims"] > 0


def test_seed_004_journal_mention_and_bio(service_env):
    rep = report("004_kratom_guide.txt")
    [mention] = [c for c in kind(rep, "mention") if "Journal of Medicinal Chemistry" in c["text"]]
    assert mention["verdict"] != "unfound" and mention["verdict"] == "verified"
    assert mention["matched"]["journal"] == "Journal of Medicinal Chemistry"
    [bio] = kind(rep, "bio")
    assert bio["extra"]["name"] == "Dr. Emily Thompson" and bio["verdict"] == "unfound"


def test_seed_002_quotes_found_in_their_abstracts(service_env):
    rep = report("002_kratom_back_pain.txt")
    quotes = kind(rep, "quote")
    for q in ("demonstrated a substantial and statistically significant increase in pain tolerance",
              "Severe kratom dependents were more likely to suffer from intense withdrawal symptoms"):
        [c] = [c for c in quotes if q in c["extra"]["quote"]]
        assert c["extra"]["quote_check"] == "verbatim"
        assert c["linked_to"] is not None and c["verdict"] == "verified"
        assert any(n.startswith("quote: found in the abstract") for n in c["notes"])
    # linked quotes are not counted again as sources
    assert rep["credibility"]["sources"]["verified"] == rep["summary"]["by_kind"]["reference"]["verified"]


@pytest.mark.parametrize("name", ["000_kratom_uncited.txt", "001_kratom_vendor.txt"])
def test_seeds_000_001_no_sources_many_claims(service_env, name):
    rep = report(name)
    assert rep["credibility"]["resolvable"] == 0
    assert not kind(rep, "reference") and not kind(rep, "mention")
    claims = kind(rep, "claim")
    assert len(claims) >= 3 and all(c["verdict"] == "unchecked" for c in claims)
    assert all(c["reason"] == "research claimed without a source" for c in claims)
    assert rep["headline"].startswith("No checkable scholarly source")
    if name.startswith("000"):
        texts = " ".join(c["text"] for c in claims)
        assert "Animal studies show" in texts and "Scientists acknowledge" in texts
