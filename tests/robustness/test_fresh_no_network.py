"""`reverify --older-than 0 --max-age-days 30` right after a run whose records, bio evidence
and link pages are all fresh sends no request at all: the bibliographic services point at a
closed port and the site server counts what it is asked. It finishes with exit 0, every
citation re-checked and unchanged, and latest_checks as before (README "reverify")."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.emulate import Corpus, Emulator

from .helpers import FIXTURES, RECORDS
from .test_services_down import _closed_port_url

ARTICLES = [FIXTURES / "articles/003_kratom_dopamine.txt", FIXTURES / "articles/900_reverify_stimulants.txt"]

runner = CliRunner()


def env_for(db: Path, crossref: str, eutils: str) -> dict[str, str]:
    return {"CITEAUDIT_CROSSREF_URL": crossref, "CITEAUDIT_EUTILS_URL": eutils, "CITEAUDIT_MAILTO": "t@example.org",
            "CITEAUDIT_TIMEOUT": "1", "CITEAUDIT_RETRIES": "1", "CITEAUDIT_MAX_WAIT": "2",
            "CITEAUDIT_FIRST_ANSWER_TIMEOUT": "0.5", "CITEAUDIT_DB": str(db), "CITEAUDIT_CHECK_LINKS": "1",
            "CITEAUDIT_ALLOW_PRIVATE_URLS": "1"}  # the cited sites are on loopback


def invoke(monkeypatch, env: dict[str, str], *args: str):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runner.invoke(app, list(args))


def local_sites(httpserver, tmp_path: Path) -> list[Path]:
    """The articles with each cited site moved to the loopback server (one page per host)."""
    out = []
    for article in ARTICLES:
        text = article.read_text(encoding="utf-8")
        for host in sorted(set(re.findall(r"https?://([^/\s)>]+)/", text))):
            httpserver.expect_request(f"/{host}/").respond_with_data(
                f"<html><head><title>{host}</title></head><body>{host}</body></html>",
                content_type="text/html; charset=utf-8")
            text = text.replace(f"https://{host}/", httpserver.url_for(f"/{host}/"))
        path = tmp_path / article.name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def latest(db: Path) -> dict[int, tuple[str, str]]:
    con = sqlite3.connect(db)
    try:
        return {cid: (verdict, kind) for cid, verdict, kind in
                con.execute("SELECT citation_id, verdict, kind FROM latest_checks")}
    finally:
        con.close()


def test_reverify_with_fresh_records_sends_nothing(monkeypatch, tmp_path, httpserver):
    db = tmp_path / "audit.db"
    articles = local_sites(httpserver, tmp_path)
    with Emulator(Corpus().load_dir(RECORDS), enforce_limits=False) as emu:
        ran = invoke(monkeypatch, env_for(db, emu.crossref_url, emu.eutils_url), "run", *map(str, articles),
                     "--format", "json")
    assert ran.exit_code == 1, ran.output  # seed 003's bio and a mention are findings
    before = latest(db)
    kinds = {kind for _, kind in before.values()}
    assert {"reference", "mention", "bio", "link"} <= kinds, kinds
    asked_sites = len(httpserver.log)
    assert asked_sites > 0

    dead = _closed_port_url()  # any request to a service would fail (and show as a failure)
    again = invoke(monkeypatch, env_for(db, dead + "/crossref", dead + "/eutils"),
                   "reverify", "--older-than", "0", "--max-age-days", "30", "--format", "json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["failed"] == 0 and summary["changed"] == 0, summary
    assert summary["checked"] == summary["unchanged"] == len(before)
    assert again.stderr == "", again.stderr  # no "unreachable" line: nothing was asked
    assert len(httpserver.log) == asked_sites  # no page fetched again
    assert latest(db) == before

    con = sqlite3.connect(db)
    try:
        runs = con.execute("SELECT COUNT(*) FROM runs WHERE status = 'complete'").fetchone()[0]
    finally:
        con.close()
    assert runs == 4  # two audits, then one re-check run per article
