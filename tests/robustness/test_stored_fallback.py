"""A service failing during an online run: citations are judged from the stored records (the
`--offline` lookups and full-text search) before being left unchecked, the reason says the
verdict comes from a stored record of date D, the exit code is 3, and nothing becomes
unfound. Records come from `records load` or from an earlier run."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.emulate import Corpus, Emulator

from .helpers import FIXTURES, RECORDS
from .test_services_down import BlackHole, _closed_port_url

ARTICLE = FIXTURES / "articles/900_reverify_stimulants.txt"
TOSATTO = "10.1038/srep16696"
# a well-formed entry for a work that is in no stored record (made up for this test)
INVENTED = ("5. Quillfeather AB, Marchetti-Oyelaran C. Synthetic caffeine analogues and sleep spindles in aged "
            "zebrafish. J Neurochem Res Lett. 2019;41(2):101-109.")

runner = CliRunner()


def env_for(db: Path, crossref: str, eutils: str) -> dict[str, str]:
    return {"CITEAUDIT_CROSSREF_URL": crossref, "CITEAUDIT_EUTILS_URL": eutils, "CITEAUDIT_MAILTO": "t@example.org",
            "CITEAUDIT_TIMEOUT": "1", "CITEAUDIT_RETRIES": "1", "CITEAUDIT_MAX_WAIT": "2",
            "CITEAUDIT_FIRST_ANSWER_TIMEOUT": "0.5", "CITEAUDIT_DB": str(db), "CITEAUDIT_CHECK_LINKS": "0"}


def invoke(monkeypatch, env: dict[str, str], *args: str):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runner.invoke(app, list(args))


def no_doi_article(tmp_path: Path) -> Path:
    """Article 900 with its DOIs removed (found by search only) and one entry nobody stored."""
    text = re.sub(r" doi:\S+", "", ARTICLE.read_text(encoding="utf-8")).rstrip() + "\n" + INVENTED + "\n"
    path = tmp_path / "stimulants-no-doi.txt"
    path.write_text(text, encoding="utf-8")
    return path


def down(kind: str, hole: BlackHole | None = None) -> tuple[str, str]:
    base = {"name": "http://citeaudit-test.invalid", "refused": _closed_port_url()}.get(kind) or hole.url
    return base + "/crossref", base + "/eutils"


def by_text(report: dict) -> dict[str, dict]:
    return {c["text"][:40]: c for c in report["citations"] if c["kind"] == "reference"}


@pytest.fixture(scope="module")
def hole():
    h = BlackHole()
    yield h
    h.close()


@pytest.mark.parametrize("kind", ["name", "refused", "silent"])
def test_records_load_then_run_with_services_down(monkeypatch, tmp_path, hole, kind):
    db = tmp_path / "audit.db"
    env = env_for(db, *down(kind, hole))
    loaded = invoke(monkeypatch, env, "records", "load", str(RECORDS))
    assert loaded.exit_code == 0 and "stored 218 records" in loaded.output, loaded.output
    article = no_doi_article(tmp_path)

    ran = invoke(monkeypatch, env, "run", str(article), "--format", "json")
    assert ran.exit_code == 3, ran.output  # judged, but not by the services asked for: incomplete
    report = json.loads(ran.stdout)
    refs = list(by_text(report).values())
    assert [c["verdict"] for c in refs] == ["verified"] * 4 + ["unchecked"], [c["reason"] for c in refs]
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    for c in refs[:4]:
        assert c["reason"].endswith(f"(from a stored record of {today}: Crossref and PubMed could not be asked)"), \
            c["reason"]
        assert c["sources"]["stored"] == "ok" and c["sources"]["crossref"] != "ok"
    assert refs[4]["reason"].startswith("could not check"), refs[4]["reason"]  # never unfound
    assert "unfound" not in {c["verdict"] for c in report["citations"]}
    mention = next(c for c in report["citations"] if c["kind"] == "mention")  # follows its reference
    assert mention["verdict"] == "verified" and "from a stored record of" in mention["reason"]
    assert "1 citation unchecked, 5 citations judged from stored records" in ran.stderr, ran.stderr  # 4 + the mention
    assert "1 citation unchecked" in ran.stderr and "Traceback" not in ran.stderr

    con = sqlite3.connect(db)  # stored as conclusive verdicts: latest_checks shows them
    try:
        stored = dict(con.execute("SELECT verdict, COUNT(*) FROM latest_checks WHERE kind = 'reference' "
                                  "GROUP BY verdict"))
    finally:
        con.close()
    assert stored == {"verified": 4, "unchecked": 1}


def test_refresh_run_with_services_down_uses_the_records_an_earlier_run_stored(monkeypatch, tmp_path):
    """A healthy run stores its records; a later `--refresh` run (no reuse of fresh records)
    with both services refused still judges from them. The work no service had stays as it
    was: its earlier unfound verdict stands in latest_checks, the new attempt is unchecked."""
    corpus = Corpus().load_dir(RECORDS)
    corpus.remove_crossref(TOSATTO)
    db = tmp_path / "audit.db"
    with Emulator(corpus, enforce_limits=False) as emu:
        first = invoke(monkeypatch, env_for(db, emu.crossref_url, emu.eutils_url), "run", str(ARTICLE), "-f", "json")
    assert first.exit_code == 1, first.output  # Tosatto unfound
    before = {c["text"][:12]: c["verdict"] for c in json.loads(first.stdout)["citations"] if c["kind"] == "reference"}
    assert sorted(before.values()) == ["unfound", "verified", "verified", "verified"]

    again = invoke(monkeypatch, env_for(db, *down("refused")), "run", str(ARTICLE), "--refresh", "-f", "json")
    assert again.exit_code == 3, again.output
    now = {c["text"][:12]: c for c in json.loads(again.stdout)["citations"] if c["kind"] == "reference"}
    for key, verdict in before.items():
        if verdict == "verified":
            assert now[key]["verdict"] == "verified" and "from a stored record of" in now[key]["reason"]
        else:
            assert now[key]["verdict"] == "unchecked"  # nothing stored fits: never unfound
    con = sqlite3.connect(db)
    try:
        latest = sorted(v for (v,) in con.execute("SELECT verdict FROM latest_checks WHERE kind = 'reference'"))
    finally:
        con.close()
    assert latest == ["unfound", "verified", "verified", "verified"]


def test_offline_hint_only_for_what_is_left_unchecked(monkeypatch, tmp_path):
    """Every citation judged from stored records: no '--offline' advice, but still exit 3."""
    db = tmp_path / "audit.db"
    env = env_for(db, *down("refused"))
    assert invoke(monkeypatch, env, "records", "load", str(RECORDS)).exit_code == 0
    article = tmp_path / "a.txt"
    article.write_text(re.sub(r" doi:\S+", "", ARTICLE.read_text(encoding="utf-8")), encoding="utf-8")
    ran = invoke(monkeypatch, env, "run", str(article), "-f", "json")
    assert ran.exit_code == 3, ran.output
    assert {c["verdict"] for c in json.loads(ran.stdout)["citations"]} == {"verified"}
    assert "judged from stored records" in ran.stderr and "--offline" not in ran.stderr
