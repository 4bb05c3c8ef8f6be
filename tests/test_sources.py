"""Crossref and PubMed sources against a loopback HTTP server serving fixture answers:
success, 404, 429 with Retry-After, 500, malformed bodies, HTML error pages."""

from __future__ import annotations

import json

import pytest

from citeaudit.config import Settings
from citeaudit.models import Citation, Fields, Person
from citeaudit.resolve.sources.base import SourceError
from citeaudit.resolve.sources.crossref import CrossrefSource
from citeaudit.resolve.sources.pubmed import PubMedSource, citmatch_line, search_terms

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

BATH_DOI = "10.1097/adm.0000000000000570"
BATH_WORK = json.loads((FIXTURES / "records/reconstructed/crossref-bath2020.json").read_text())
BATH_XML = (FIXTURES / "records/reconstructed/pubmed-bath2020.xml").read_text()
ERROR_PAGE = (FIXTURES / "api/error-pubmed3.html").read_text()


def settings_for(server) -> Settings:
    base = server.url_for("").rstrip("/")
    return Settings(crossref_url=base + "/cr", eutils_url=base + "/eu", timeout=3, retries=2, max_wait=5,
                    crossref_rate=50, crossref_doi_rate=50, pubmed_rate=50, mailto="t@example.org")


def bath_citation() -> Citation:
    return Citation("reference", "Bath R ...", 0, 10, Fields(
        authors=[Person("Bath", "R")], year=2020, journal="J Addict Med", volume="14", issue="3",
        pages="244-252", title="Self-reported Health Diagnoses and Demographic Correlates With Kratom Use"))


def test_crossref_doi_lookup_parses_the_work(httpserver):
    httpserver.expect_request(f"/cr/works/{BATH_DOI}").respond_with_json(BATH_WORK)
    rec = CrossrefSource(settings_for(httpserver)).fetch("doi", [BATH_DOI])[BATH_DOI]
    assert rec.doi == BATH_DOI
    assert rec.title.startswith("Self-reported Health Diagnoses")
    assert 2020 in rec.years


def test_crossref_unknown_doi_is_none_not_an_error(httpserver):
    httpserver.expect_request("/cr/works/10.1371/notarealdoi").respond_with_data(
        "Resource not found.", status=404, content_type="text/plain")
    got = CrossrefSource(settings_for(httpserver)).fetch("doi", ["10.1371/notarealdoi"])
    assert got == {"10.1371/notarealdoi": None}


def test_crossref_429_with_retry_after_is_retried(httpserver):
    httpserver.expect_ordered_request(f"/cr/works/{BATH_DOI}").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}, content_type="text/plain")
    httpserver.expect_ordered_request(f"/cr/works/{BATH_DOI}").respond_with_json(BATH_WORK)
    src = CrossrefSource(settings_for(httpserver))
    rec = src.fetch("doi", [BATH_DOI])[BATH_DOI]
    assert rec is not None and rec.doi == BATH_DOI
    assert len(httpserver.log) == 2
    assert src.doi_pool.throttled == 1


def test_crossref_persistent_500_raises_source_error(httpserver):
    httpserver.expect_request("/cr/works").respond_with_data("oops", status=500)
    with pytest.raises(SourceError, match="HTTP 500"):
        CrossrefSource(settings_for(httpserver)).search(bath_citation())
    assert len(httpserver.log) == 3  # first try + 2 retries


def test_crossref_malformed_json_raises_source_error(httpserver):
    httpserver.expect_request("/cr/works").respond_with_data('{"status": "ok", "message": {"items": [',
                                                            content_type="application/json")
    with pytest.raises(SourceError, match="malformed JSON"):
        CrossrefSource(settings_for(httpserver)).search(bath_citation())


def test_crossref_search_sends_the_bibliographic_query(httpserver):
    httpserver.expect_request("/cr/works").respond_with_json(
        {"status": "ok", "message-type": "work-list", "message": {"total-results": 1, "items": [BATH_WORK["message"]]}})
    found = CrossrefSource(settings_for(httpserver)).search(bath_citation())
    assert [r.doi for r in found] == [BATH_DOI]
    args = httpserver.log[0][0].args
    assert "Kratom" in args["query.bibliographic"] and "Bath" in args["query.bibliographic"]
    assert "(mailto:t@example.org)" in httpserver.log[0][0].headers["User-Agent"]


def test_pubmed_efetch_batches_and_sends_tool_and_email(httpserver):
    httpserver.expect_request("/eu/efetch.fcgi", method="GET").respond_with_data(BATH_XML, content_type="text/xml")
    got = PubMedSource(settings_for(httpserver)).fetch("pmid", ["31567595", "999"])
    assert got["31567595"].title.startswith("Self-reported Health Diagnoses")
    assert got["999"] is None
    form = httpserver.log[0][0].args
    assert form["id"] == "31567595,999" and form["tool"] == "citeaudit" and form["email"] == "t@example.org"


def test_pubmed_html_error_page_is_a_source_error(httpserver):
    httpserver.expect_request("/eu/esearch.fcgi").respond_with_data(ERROR_PAGE, content_type="text/html")
    with pytest.raises(SourceError):
        PubMedSource(settings_for(httpserver)).search(bath_citation())


def test_pubmed_ecitmatch_line_and_hit(httpserver):
    c = bath_citation()
    assert citmatch_line(c, "k0") == "J Addict Med|2020|14|244|Bath R|k0|"
    httpserver.expect_request("/eu/ecitmatch.cgi").respond_with_data(
        "J Addict Med|2020|14|244|Bath R|c0|31567595\n", content_type="text/plain")
    assert PubMedSource(settings_for(httpserver)).citmatch([c]) == {0: "31567595"}


def test_pubmed_search_terms_use_field_tags():
    terms = search_terms(bath_citation())
    assert terms[0].startswith("self[ti] AND reported[ti]")
    assert terms[1] == 'Bath[1au] AND "J Addict Med"[ta] AND 14[vi]'
