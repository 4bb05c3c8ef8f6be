"""The loopback Crossref / E-utilities emulator, exercised over real HTTP with httpx."""

from __future__ import annotations

import copy
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from citeaudit.emulate import Corpus, Emulator
from citeaudit.records import crossref, pubmed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BATH_DOI = "10.1097/adm.0000000000000570"
BATH_TITLE = "Self-reported Health Diagnoses and Demographic Correlates With Kratom Use: Results From an Online Survey"
VICKNASINGAM_TITLE = "Kratom and Pain Tolerance: A Randomized, Placebo-Controlled, Double-Blind Study"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus().load_dir(FIXTURES / "records")


@pytest.fixture
def emu(corpus):
    """An emulator without limits, for the endpoint tests."""
    with Emulator(corpus, enforce_limits=False) as emulator:
        yield emulator


@pytest.fixture
def client():
    with httpx.Client(timeout=5.0) as c:
        yield c


def _emulator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request" in t.name or t.name == "citeaudit-emulator"]


# --- Crossref ---------------------------------------------------------------------------


def test_doi_lookup_returns_work_with_limit_headers(corpus, client):
    with Emulator(corpus) as emu:
        r = client.get(f"{emu.crossref_url}/works/10.1097/ADM.0000000000000570")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["x-rate-limit-limit"] == "10"
    assert r.headers["x-rate-limit-interval"] == "1s"
    assert r.headers["x-concurrency-limit"] == "3"
    body = r.json()
    assert body["message-type"] == "work"
    assert crossref.parse_work_response(body).title == BATH_TITLE


def test_doi_lookup_url_encoded_and_unknown(emu, client):
    assert client.get(f"{emu.crossref_url}/works/10.1097%2Fadm.0000000000000570").status_code == 200
    r = client.get(f"{emu.crossref_url}/works/10.1371/notarealdoi")
    assert r.status_code == 404 and r.text == "Resource not found."
    assert r.headers["content-type"].startswith("text/plain")


def test_bibliographic_search_ranks_the_exact_work_first(emu, client):
    r = client.get(f"{emu.crossref_url}/works", params={
        "query.bibliographic": "Smith Examining the paradoxical effects of kratom: a narrative inquiry 2023",
        "filter": "from-pub-date:2022,until-pub-date:2024,type:journal-article", "rows": 5})
    message = r.json()["message"]
    assert r.json()["message-type"] == "work-list"
    assert message["items"][0]["DOI"] == "10.3389/fphar.2023.1174139"
    scores = [i["score"] for i in message["items"]]
    assert scores == sorted(scores, reverse=True) and 10 <= scores[-1] <= scores[0] <= 150
    assert message["total-results"] >= len(message["items"])


def test_pubmed_only_work_is_not_in_crossref(emu, client):
    r = client.get(f"{emu.crossref_url}/works", params={"query.bibliographic": VICKNASINGAM_TITLE})
    assert VICKNASINGAM_TITLE not in [i["title"][0] for i in r.json()["message"]["items"]]


def test_search_filters_author_and_select(emu, client):
    def titles(date_filter: str) -> list[str]:
        r = client.get(f"{emu.crossref_url}/works", params={
            "query.bibliographic": "kratom", "query.author": "Grundmann", "filter": date_filter,
            "select": "title,score"})
        items = r.json()["message"]["items"]
        assert all(set(i) == {"title", "score"} for i in items)
        return [i["title"][0] for i in items]

    # Bath 2020 was published online in 2019, so a 2019 filter keeps it
    assert sorted(titles("until-pub-date:2019")) == [
        "Current perspectives on the impact of Kratom use", BATH_TITLE]
    assert titles("from-pub-date:2021") == ["Examining the paradoxical effects of kratom: a narrative inquiry"]
    r = client.get(f"{emu.crossref_url}/works", params={"query.bibliographic": "zzzz qqqq"})
    assert r.json()["message"]["total-results"] == 0


def test_journals_query(emu, client):
    r = client.get(f"{emu.crossref_url}/journals", params={"query": "journal of addiction medicine"})
    body = r.json()
    assert body["message-type"] == "journal-list"
    assert [j["title"] for j in body["message"]["items"]] == ["Journal of Addiction Medicine"]
    assert set(body["message"]["items"][0]) >= {"title", "ISSN", "publisher"}


# --- E-utilities ----------------------------------------------------------------------------


def test_esearch_title_field(emu, client):
    r = client.get(f"{emu.eutils_url}/esearch.fcgi", params={"db": "pubmed", "term": "Kratom and Pain Tolerance[ti]"})
    assert pubmed.parse_esearch(r.content) == (1, ["32607084"])


def test_esearch_fields_json_and_post(emu, client):
    term = "Bath R[au] AND J. Addict. Med.[ta] AND 14[vi] AND 244[pg] AND 2019:2021[dp]"
    r = client.get(f"{emu.eutils_url}/esearch.fcgi", params={"db": "pubmed", "term": term, "retmode": "json"})
    assert r.json()["esearchresult"]["idlist"] == ["31567595"] and r.json()["esearchresult"]["count"] == "1"
    r = client.post(f"{emu.eutils_url}/esearch.fcgi", data={"db": "pubmed", "term": "(kratom[ti] OR pain[ti]) AND 2022[dp]"})
    count, ids = pubmed.parse_esearch(r.content)
    assert "35952436" in ids and count == len(ids)
    r = client.get(f"{emu.eutils_url}/esearch.fcgi", params={"db": "pubmed", "term": '"pain tolerance"[tiab] NOT Bath[au]'})
    assert pubmed.parse_esearch(r.content) == (1, ["32607084"])


def test_esearch_nlmcatalog_and_errors(emu, client):
    r = client.get(f"{emu.eutils_url}/esearch.fcgi", params={"db": "nlmcatalog", "term": '"Yale J Biol Med"[ta]'})
    count, ids = pubmed.parse_esearch(r.content)
    assert count == 1 and ids[0].startswith("nlm-")
    r = client.get(f"{emu.eutils_url}/esearch.fcgi", params={"db": "nlmcatalog",
                                                              "term": "Journal of Alternative Pain Management[ta]"})
    assert pubmed.parse_esearch(r.content) == (0, [])
    r = client.get(f"{emu.eutils_url}/esearch.fcgi", params={"db": "nosuchdb", "term": "x"})
    with pytest.raises(ValueError):
        pubmed.parse_esearch(r.content)


def test_efetch_returns_articles_in_requested_order(emu, client):
    r = client.get(f"{emu.eutils_url}/efetch.fcgi", params={"db": "pubmed", "id": "32607084,999999999,31567595"})
    records = pubmed.parse_efetch(r.content)
    assert [rec.pmid for rec in records] == ["32607084", "31567595"]
    r = client.post(f"{emu.eutils_url}/efetch.fcgi", data={"db": "pubmed", "id": "31567595,11636720"})
    assert [rec.pmid for rec in pubmed.parse_efetch(r.content)] == ["31567595", "11636720"]
    too_many = ",".join(str(n) for n in range(201))
    assert client.post(f"{emu.eutils_url}/efetch.fcgi", data={"db": "pubmed", "id": too_many}).status_code == 400


def test_esummary_json_and_xml(emu, client):
    r = client.get(f"{emu.eutils_url}/esummary.fcgi",
                   params={"db": "pubmed", "id": "31567595,1", "version": "2.0", "retmode": "json"})
    result = r.json()["result"]
    assert result["uids"] == ["31567595", "1"]
    doc = result["31567595"]
    assert doc["source"] == "J Addict Med" and doc["fulljournalname"] == "Journal of Addiction Medicine"
    assert doc["pubdate"] == "2020 May-Jun" and doc["pages"] == "244-252" and doc["authors"][0]["name"] == "Bath R"
    assert {"idtype": "doi", "idtypen": 3, "value": BATH_DOI} in doc["articleids"]
    assert "error" in result["1"]
    r = client.get(f"{emu.eutils_url}/esummary.fcgi", params={"db": "pubmed", "id": "32607084"})
    assert "<DocSum><Id>32607084</Id>" in r.text and 'Name="Source" Type="String">Yale J Biol Med<' in r.text


def test_ecitmatch(emu, client):
    bdata = "j addict med|2020|14|244|bath r|k1|\rnature|1999|1|1|nobody x|k2|"
    r = client.get(f"{emu.eutils_url}/ecitmatch.cgi", params={"db": "pubmed", "retmode": "xml", "bdata": bdata})
    assert r.text.splitlines()[0] == "j addict med|2020|14|244|bath r|k1|31567595"
    assert pubmed.parse_ecitmatch(r.text) == {"k1": "31567595", "k2": None}


def test_corpus_changes_are_seen_by_the_next_request(corpus, emu, client):
    original = copy.deepcopy(corpus.crossref_work(BATH_DOI))
    retracted = copy.deepcopy(original)
    retracted["updated-by"] = [{"DOI": "10.1097/notice", "type": "retraction", "source": "retraction-watch",
                                "updated": {"date-parts": [[2024, 1, 2]]}, "label": "Retraction"}]
    corpus.add_crossref(retracted)
    try:
        record = crossref.parse_work_response(client.get(f"{emu.crossref_url}/works/{BATH_DOI}").json())
        assert record.retracted and record.updates[0].source == "retraction-watch"
    finally:
        corpus.add_crossref(original)
    assert not crossref.parse_work_response(client.get(f"{emu.crossref_url}/works/{BATH_DOI}").json()).retracted


# --- limits, latency, stats -----------------------------------------------------------------


def test_doi_rate_limit_gives_429_with_retry_after(corpus, client):
    with Emulator(corpus, crossref_doi_rate=10) as emu:
        answers = [client.get(f"{emu.crossref_url}/works/{BATH_DOI}") for _ in range(12)]
        stats = emu.stats
    limited = [r for r in answers if r.status_code == 429]
    assert limited and all(r.headers["Retry-After"] == "1" for r in limited)
    assert stats["crossref-doi"] == {"requests": 12, "429": len(limited), "faults": 0}


def test_concurrency_limit_and_latency(corpus):
    with Emulator(corpus, latency=0.5, crossref_concurrency=1, crossref_doi_rate=None) as emu:
        url = f"{emu.crossref_url}/works/{BATH_DOI}"
        start = time.monotonic()
        with ThreadPoolExecutor(3) as pool:
            codes = sorted(pool.map(lambda _: httpx.get(url, timeout=5).status_code, range(3)))
        assert time.monotonic() - start >= 0.3
        assert codes[0] == 200 and 429 in codes
        assert [pool for _, pool, _ in emu.log] == ["crossref-doi"] * 3
        emu.reset_stats()
        assert emu.stats["crossref-doi"]["requests"] == 0 and emu.log == []


def test_eutils_rate_limit(corpus, client):
    with Emulator(corpus, eutils_rate=3) as emu:
        codes = [client.get(f"{emu.eutils_url}/esearch.fcgi", params={"term": "kratom"}).status_code
                 for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


# --- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_error_faults_clear_after_count(emu, client, kind):
    emu.set_fault("crossref-doi", kind, count=1)
    assert client.get(f"{emu.crossref_url}/works/{BATH_DOI}").status_code == int(kind)
    assert client.get(f"{emu.crossref_url}/works/{BATH_DOI}").status_code == 200
    assert emu.stats["crossref-doi"]["faults"] == 1


def test_429_faults(emu, client):
    emu.set_fault("/eutils/esearch.fcgi", "429", count=1)
    r = client.get(f"{emu.eutils_url}/esearch.fcgi", params={"term": "kratom"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    emu.set_fault("eutils", "429-no-retry-after")
    r = client.get(f"{emu.eutils_url}/efetch.fcgi", params={"id": "31567595"})
    assert r.status_code == 429 and "Retry-After" not in r.headers
    emu.clear_faults()
    assert client.get(f"{emu.eutils_url}/efetch.fcgi", params={"id": "31567595"}).status_code == 200


def test_malformed_and_html_error_faults(emu, client):
    emu.set_fault("crossref-doi", "malformed", count=1)
    r = client.get(f"{emu.crossref_url}/works/{BATH_DOI}")
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()
    emu.set_fault("eutils", "malformed", count=1)
    with pytest.raises(ValueError):
        pubmed.parse_efetch(client.get(f"{emu.eutils_url}/efetch.fcgi", params={"id": "31567595"}).content)
    emu.set_fault("eutils", "html-error", count=1)
    r = client.get(f"{emu.eutils_url}/esearch.fcgi", params={"term": "kratom"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.text == (FIXTURES / "api" / "error-pubmed3.html").read_text()
    with pytest.raises(ValueError):
        pubmed.parse_esearch(r.content)


def test_hang_fault_times_out_and_stop_is_prompt(corpus):
    emu = Emulator(corpus, enforce_limits=False).start()
    emu.set_fault("crossref-query", "hang")
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{emu.crossref_url}/works", params={"query": "kratom"}, timeout=0.3)
    start = time.monotonic()
    emu.stop()
    assert time.monotonic() - start < 3


def test_drip_fault_sends_headers_then_slow_bytes(corpus):
    with Emulator(corpus, enforce_limits=False, drip_interval=0.2) as emu:
        emu.set_fault("crossref-doi", "drip", count=1)
        start = time.monotonic()
        with httpx.stream("GET", f"{emu.crossref_url}/works/{BATH_DOI}", timeout=5) as r:
            assert r.status_code == 200 and int(r.headers["content-length"]) > 100
            received = b""
            for chunk in r.iter_raw():
                received += chunk
                if len(received) >= 3:
                    break
        assert received.startswith(b"{") and time.monotonic() - start >= 0.3


def test_reset_fault_drops_the_connection(emu, client):
    emu.set_fault(f"/crossref/works/{BATH_DOI}", "reset", count=1)
    with pytest.raises(httpx.TransportError):
        client.get(f"{emu.crossref_url}/works/{BATH_DOI}")
    assert client.get(f"{emu.crossref_url}/works/{BATH_DOI}").status_code == 200


def test_unknown_fault_kind_is_rejected(emu):
    with pytest.raises(ValueError):
        emu.set_fault("eutils", "teapot")


def test_stop_leaves_no_threads(corpus):
    with Emulator(corpus) as emu:
        client = httpx.Client(timeout=5)
        client.get(f"{emu.crossref_url}/works/{BATH_DOI}")  # keep-alive connection stays open
    client.close()
    deadline = time.monotonic() + 2
    while _emulator_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _emulator_threads() == []
