"""Every kind of citation (reference, mention, bio, link, quote) with each source it needs
(Crossref, PubMed, the web link checker) refused or silent: no citation of a kind that needs
the failed source is judged unfound (unfound needs every source to have answered), each of
them is reported, and the exit code is never 0: 3 (incomplete), or 1 when something that
was checked is wrong. test_services_down.py runs every command with Crossref/PubMed faults;
this adds the per-kind view, quotes and links, and the web checker.

Articles: seed 002 (references and quotes) and seed 003 (a bio, mentions and links), whose
cited sites are served from loopback; seed 002's one mismatched entry is corrected in the
copy, so that with Crossref or PubMed failing nothing is wrong and the exit code must be 3.
With the web checker failing the bio and mentions are still judged (unfound): exit 1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.emulate import Corpus, Emulator

from .helpers import FIXTURES, RECORDS
from .test_services_down import BlackHole, _closed_port_url, _json_objects

ARTICLES = [FIXTURES / "articles/002_kratom_back_pain.txt", FIXTURES / "articles/003_kratom_dopamine.txt"]
VELTRI = "Charles Veltri & Oliver Grundmann, "
KINDS = ("reference", "mention", "bio", "link", "quote")
NEEDS = {"crossref": {"reference", "mention", "bio", "quote"}, "pubmed": {"reference", "mention", "bio", "quote"},
         "web": {"link"}}

runner = CliRunner()


@pytest.fixture(scope="module")
def emulator():
    with Emulator(Corpus().load_dir(RECORDS), enforce_limits=False) as emu:
        yield emu


@pytest.fixture(scope="module")
def hole():
    h = BlackHole()
    yield h
    h.close()


@pytest.fixture
def articles(httpserver, tmp_path) -> list[Path]:
    """The articles with each cited site on the loopback server (one small page per host)."""
    out = []
    for article in ARTICLES:
        # seed 002's one mismatched entry, corrected: then only the failure can stand in for a finding
        text = article.read_text(encoding="utf-8").replace(VELTRI + "(2022)", VELTRI + "(2019)")
        # each site's page is titled with the name the article gives it ('- NAME (Type): [...] – URL')
        names = {host: name for name, host in re.findall(r"^- (.+?) \(.*– https?://([^/\s]+)/", text, re.MULTILINE)}
        for host in sorted(set(re.findall(r"https?://([^/\s)>\]]+)/", text))):
            title = names.get(host, host)
            httpserver.expect_request(f"/{host}/").respond_with_data(
                f"<html><head><title>{title}</title></head><body>{title}</body></html>",
                content_type="text/html; charset=utf-8")
            text = text.replace(f"https://{host}/", httpserver.url_for(f"/{host}/"))
        path = tmp_path / article.name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def site_down(text: str, bad: str) -> str:
    return re.sub(r"http://(?:localhost|127\.0\.0\.1):\d+", bad, text)


@pytest.mark.parametrize("fault", ["refused", "silent"])
@pytest.mark.parametrize("target", ["crossref", "pubmed", "web"])
def test_each_kind_with_each_source_down(monkeypatch, tmp_path, emulator, hole, articles, target, fault):
    bad = _closed_port_url() if fault == "refused" else hole.url
    env = {"CITEAUDIT_CROSSREF_URL": emulator.crossref_url, "CITEAUDIT_EUTILS_URL": emulator.eutils_url,
           "CITEAUDIT_MAILTO": "t@example.org", "CITEAUDIT_TIMEOUT": "1", "CITEAUDIT_RETRIES": "0",
           "CITEAUDIT_MAX_WAIT": "1", "CITEAUDIT_FIRST_ANSWER_TIMEOUT": "0.5", "CITEAUDIT_DB": str(tmp_path / "a.db"),
           "CITEAUDIT_CHECK_LINKS": "1", "CITEAUDIT_ALLOW_PRIVATE_URLS": "1"}
    if target == "crossref":
        env["CITEAUDIT_CROSSREF_URL"] = bad + "/crossref"
    elif target == "pubmed":
        env["CITEAUDIT_EUTILS_URL"] = bad + "/eutils"
    else:  # every cited site fails the same way
        for path in articles:
            path.write_text(site_down(path.read_text(encoding="utf-8"), bad), encoding="utf-8")
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    ran = runner.invoke(app, ["run", *map(str, articles), "--format", "json"])
    citations = [c for text in _json_objects(ran.stdout) for c in json.loads(text)["citations"]]
    assert {c["kind"] for c in citations} >= set(KINDS), {c["kind"] for c in citations}
    for c in citations:
        if c["kind"] in NEEDS[target]:
            assert c["verdict"] != "unfound", (target, c["kind"], c["reason"])
    hit = [c for c in citations if c["kind"] in NEEDS[target] and c["verdict"] == "unchecked"
           and ("could not" in c["reason"] or "unreachable" in c["reason"] or "failed" in c["reason"])]
    assert hit, [(c["kind"], c["verdict"], c["reason"][:80]) for c in citations]
    if target == "web":
        assert all(c["verdict"] == "unchecked" for c in citations if c["kind"] == "link")
        assert "no cited link could be fetched" in ran.stderr, ran.stderr
    findings = {"mismatched", "unfound"} & {c["verdict"] for c in citations}
    assert ran.exit_code == (1 if findings else 3), (ran.exit_code, ran.stderr)
    if target != "web":  # seed 003's bio and mentions are unfound when both services answer, so
        assert ran.exit_code == 3, [(c["kind"], c["verdict"], c["reason"][:150]) for c in citations if c["verdict"] in findings]  # with one of them failing nothing is wrong, but it is incomplete
    assert "Traceback" not in ran.stderr


def test_one_dead_page_among_live_ones_is_the_pages_state(monkeypatch, tmp_path, emulator, httpserver):
    """A cited page that does not answer while other cited pages do is that page's state
    (unchecked), not an incomplete audit: exit 0. When no page answers, the web is down: 3."""
    httpserver.expect_request("/nida/").respond_with_data(
        "<html><head><title>National Institute on Drug Abuse</title></head></html>", content_type="text/html")
    dead = _closed_port_url()
    article = tmp_path / "links.txt"

    def write(first: str) -> None:
        article.write_text("Where to read more\n\nResources:\n\n"
                           f"- National Institute on Drug Abuse (Government Portal): [Research on drugs.] – {first}\n"
                           f"- Kratom Research (Community Forum): [A forum.] – {dead}/forum/\n", encoding="utf-8")

    for key, value in {"CITEAUDIT_CROSSREF_URL": emulator.crossref_url, "CITEAUDIT_EUTILS_URL": emulator.eutils_url,
                       "CITEAUDIT_MAILTO": "t@example.org", "CITEAUDIT_TIMEOUT": "1", "CITEAUDIT_RETRIES": "0",
                       "CITEAUDIT_DB": str(tmp_path / "a.db"), "CITEAUDIT_CHECK_LINKS": "1",
                       "CITEAUDIT_ALLOW_PRIVATE_URLS": "1"}.items():
        monkeypatch.setenv(key, value)
    write(f"http://127.0.0.1:{httpserver.port}/nida/")
    ran = runner.invoke(app, ["run", str(article), "--format", "json"])
    links = [c for c in json.loads(ran.stdout)["citations"] if c["kind"] == "link"]
    assert [c["verdict"] for c in links] == ["verified", "unchecked"], [(c["kind"], c["text"], c["reason"]) for c in json.loads(ran.stdout)["citations"]]
    assert ran.exit_code == 0, ran.stderr

    write(dead + "/nida/")
    ran = runner.invoke(app, ["run", str(article), "--format", "json"])
    assert [c["verdict"] for c in json.loads(ran.stdout)["citations"] if c["kind"] == "link"] == ["unchecked"] * 2
    assert ran.exit_code == 3 and "no cited link could be fetched" in ran.stderr, ran.stderr
