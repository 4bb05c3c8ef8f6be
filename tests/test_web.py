"""Web pages and cited links: seed 003 as a saved blog page, link verdicts (verified /
mismatched / unfound / unchecked), scholarly links resolved as references, and
`citeaudit run URL` end to end. Every "site" is served by one loopback pytest-httpserver:
a test transport routes each request by its Host header to /<host><path> there, and a
fake name lookup gives every host a public-looking address (dead domains: no such name)."""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.extract.links import link_label, scholarly_ids, with_links
from citeaudit.ingest.document import document_from_html, load_document
from citeaudit.judge.link import PageFacts, is_home_url, link_verdict, title_fit
from citeaudit.models import Citation, Document, Fields, Link
from citeaudit.commands.pipeline import audit_document
from citeaudit.resolve.resolver import Resolver
from citeaudit.resolve.sources.crossref import CrossrefSource
from citeaudit.resolve.sources.pubmed import PubMedSource
from citeaudit.resolve.sources.web import WebSource, page_facts

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "fixtures" / "pages"
SITES = PAGES / "sites"
SEED_TXT = ROOT / "fixtures" / "articles" / "003_kratom_dopamine.txt"
SEED_HTML = PAGES / "003_kratom_dopamine.html"
CASES_HTML = PAGES / "kratom_evidence_links.html"
PUBLIC_IP = "93.184.215.14"
DEAD = {"kratomresearch.net", "www.kratomcouncil-archive.org"}


class HostRoutingTransport(httpx.BaseTransport):
    """Sends every request to the loopback server as http://127.0.0.1:PORT/<Host><path>."""

    def __init__(self, port: int):
        self.port = port
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.headers["host"].split(":")[0]
        url = httpx.URL(f"http://127.0.0.1:{self.port}/{host}{request.url.raw_path.decode()}")
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
        ext = {k: v for k, v in request.extensions.items() if k != "sni_hostname"}
        return self.inner.handle_request(httpx.Request(request.method, url, headers=headers, extensions=ext))

    def close(self) -> None:
        self.inner.close()


def fake_dns(host: str, port: int) -> list[str]:
    if host in DEAD:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [PUBLIC_IP]


def site(name: str) -> str:
    return (SITES / name).read_text(encoding="utf-8")


def serve_page(httpserver, path: str, name: str, status: int = 200) -> None:
    httpserver.expect_request(path).respond_with_data(site(name), status=status, content_type="text/html; charset=utf-8")


def redirect(httpserver, path: str, location: str, status: int = 301) -> None:
    httpserver.expect_request(path).respond_with_data("", status=status, headers={"Location": location})


@pytest.fixture
def web_world(httpserver):
    """The sites seed 003 and the link-cases page point at."""
    hs = httpserver
    redirect(hs, "/www.drugabuse.gov/", "https://nida.nih.gov/")
    serve_page(hs, "/nida.nih.gov/", "nida_home.html")
    serve_page(hs, "/pubmed.ncbi.nlm.nih.gov/", "pubmed_home.html")
    serve_page(hs, "/clinicaltrials.gov/", "clinicaltrials_home.html")
    serve_page(hs, "/www.aapm.org/", "aapm_home.html")
    serve_page(hs, "/www.nccih.nih.gov/", "nccih_home.html")
    serve_page(hs, "/www.medicalnewstoday.com/", "mnt_home.html")
    serve_page(hs, "/nida.nih.gov/research-topics/kratom", "nida_kratom.html")
    redirect(hs, "/nccih.nih.gov/health/kratom", "https://www.nccih.nih.gov/health/kratom")
    serve_page(hs, "/www.nccih.nih.gov/health/kratom", "nccih_kratom.html")
    redirect(hs, "/www.fda.gov/news-events/public-health-focus/fda-and-kratom", "https://www.fda.gov/", 302)
    serve_page(hs, "/www.fda.gov/", "fda_home.html")
    serve_page(hs, "/www.who.int/news-room/fact-sheets/detail/kratom", "not_found.html", status=404)
    serve_page(hs, "/www.who.int/news-room/fact-sheets/detail/low-back-pain", "who_low_back_pain.html")
    hs.expect_request("/www.cdc.gov/mmwr/volumes/68/wr/pdfs/mm6814a2-H.pdf").respond_with_data(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n", content_type="application/pdf")
    serve_page(hs, "/kratomfacts.org/", "parked.html")
    serve_page(hs, "/www.hopkinsmedicine.org/news/newsroom/news-releases/2020/kratom-withdrawal-study",
               "hopkins_news.html")
    hs.expect_request("/www.samhsa.gov/kratom-guidance").respond_with_data("Service Unavailable", status=503)
    return hs


@pytest.fixture
def web_source(web_world, settings):
    client = httpx.Client(transport=HostRoutingTransport(web_world.port), timeout=5, follow_redirects=False)
    src = WebSource(settings, client=client, resolve=fake_dns, retries=1, max_wait=3)
    yield src
    client.close()


@pytest.fixture
def resolver(settings, web_source):
    sources = [CrossrefSource(settings), PubMedSource(settings), web_source]
    yield Resolver(sources)
    for s in sources[:2]:
        getattr(s, "close", lambda: None)()


def verdicts_by_url(audit) -> dict[str, str]:
    return {it.citation.fields.url: it.check.verdict for it in audit.items if it.citation.kind == "link"}


SEED_LINK_VERDICTS = {
    "https://www.drugabuse.gov/": "verified",  # redirects to nida.nih.gov, whose title names NIDA
    "https://pubmed.ncbi.nlm.nih.gov/": "verified",
    "https://clinicaltrials.gov/": "verified",
    "https://www.aapm.org/": "verified",
    "https://www.nccih.nih.gov/": "verified",
    "https://www.medicalnewstoday.com/": "verified",
    "https://kratomresearch.net/": "unfound",  # the domain does not exist
}


# --- seed 003 as a web page --------------------------------------------------------------


def test_seed_003_html_has_the_text_versions_body_and_the_pages_metadata():
    html, txt = load_document(str(SEED_HTML)), load_document(str(SEED_TXT))

    def norm(s: str) -> str:
        return " ".join(s.replace("• ", "").replace("\n- ", "\n").split())

    assert norm(html.text) == norm(txt.text)  # nav, breadcrumbs, sidebar, comments, related posts gone
    assert html.meta["author"] == "Dr. Emma Johnson" and html.meta["date"].startswith("2024-11-03")
    assert html.title == "What Does Kratom Do to Dopamine Naturally? Chronic Pain Guide"
    assert [html.text[s:e] for s, e in html.blocks["bio"]][0].startswith("About the Author\n\nDr. Emma Johnson")
    assert "Related Resources" in html.text and "cheap-kratom-deals" not in html.text


def test_seed_003_html_yields_a_link_verdict_for_each_related_resource(resolver):
    audit = audit_document(load_document(str(SEED_HTML)), resolver)
    assert verdicts_by_url(audit) == SEED_LINK_VERDICTS
    nida = next(it for it in audit.items if it.citation.fields.url == "https://www.drugabuse.gov/")
    assert nida.citation.fields.title == "National Institute on Drug Abuse (NIDA) (Government Portal)"
    assert nida.check.record.url == "https://nida.nih.gov/"
    dead = next(it for it in audit.items if it.citation.fields.url == "https://kratomresearch.net/")
    assert "does not exist" in dead.check.reason


def test_seed_003_html_and_text_give_the_same_verdicts(resolver):
    html = audit_document(load_document(str(SEED_HTML)), resolver)
    txt = audit_document(load_document(str(SEED_TXT)), resolver)

    def verdicts(audit, kinds):
        return [(it.citation.kind, it.check.verdict) for it in audit.items if it.citation.kind in kinds]

    kinds = {"reference", "mention", "quote", "bio", "claim"}
    assert verdicts(html, kinds) == verdicts(txt, kinds)
    assert verdicts_by_url(txt) == verdicts_by_url(html) == SEED_LINK_VERDICTS


# --- every kind of link ------------------------------------------------------------------


def test_link_cases_page_every_verdict(resolver, web_world):
    audit = audit_document(load_document(str(CASES_HTML)), resolver)
    by_url = verdicts_by_url(audit)
    assert by_url == {
        "https://doi.org/10.1097/ADM.0000000000000570": "verified",  # Crossref by DOI
        "https://pubmed.ncbi.nlm.nih.gov/32607084/": "verified",  # PubMed by PMID
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7309661/": "verified",  # PubMed by PMCID
        "https://www.frontiersin.org/articles/10.3389/fphar.2023.1174139/full": "verified",  # DOI in a landing page
        "https://nida.nih.gov/research-topics/kratom": "verified",
        "http://nccih.nih.gov/health/kratom": "verified",  # after a redirect
        "https://www.fda.gov/news-events/public-health-focus/fda-and-kratom": "mismatched",  # -> home page
        "https://www.who.int/news-room/fact-sheets/detail/kratom": "unfound",  # 404
        "https://www.cdc.gov/mmwr/volumes/68/wr/pdfs/mm6814a2-H.pdf": "unchecked",  # a PDF: title not compared
        "http://kratomfacts.org/": "mismatched",  # parked domain
        "https://www.hopkinsmedicine.org/news/newsroom/news-releases/2020/kratom-withdrawal-study": "mismatched",
        "https://www.samhsa.gov/kratom-guidance": "unchecked",  # 503 after retries
        "https://www.kratomcouncil-archive.org/findings": "unfound",  # no such domain
    }
    items = {it.citation.fields.url: it for it in audit.items if it.citation.kind == "link"}
    assert items["https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7309661/"].check.record.pmid == "32607084"
    assert items["https://doi.org/10.1097/ADM.0000000000000570"].citation.category == "scholarly"
    assert "home page" in items["https://www.fda.gov/news-events/public-health-focus/fda-and-kratom"].check.reason
    assert "parked" in items["http://kratomfacts.org/"].check.reason
    hopkins = items["https://www.hopkinsmedicine.org/news/newsroom/news-releases/2020/kratom-withdrawal-study"]
    assert hopkins.check.differences[0].found.startswith("Johns Hopkins Medicine Opens New Outpatient Center")
    assert "HTTP 503" in items["https://www.samhsa.gov/kratom-guidance"].check.reason
    # reference entries: the DOI link inside one is not repeated; a grey entry's URL is fetched
    refs = [it for it in audit.items if it.citation.kind == "reference"]
    assert [(r.citation.category, r.check.verdict) for r in refs] == [("scholarly", "verified"), ("grey", "verified")]
    assert refs[1].check.record.title == "Low back pain"
    # comments, related posts, navigation and the site's own links are not citations
    urls = {it.citation.fields.url for it in audit.items}
    assert not any(u and ("kratom-shop" in u or "painfreeliving" in u or "ghost.org" in u) for u in urls)
    # the 503 was retried once: two requests, then "unchecked"
    assert sum(1 for req, _ in web_world.log if req.path == "/www.samhsa.gov/kratom-guidance") == 2


def test_network_failure_is_unchecked_never_unfound(settings):
    # nothing listens on the closed port: connection refused
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    web = WebSource(settings.with_(allow_private_urls=True), retries=0)
    answer = web.check(f"http://127.0.0.1:{port}/page")
    web.close()
    assert not answer.ok
    c = Citation("link", "x", 0, 1, Fields(url=f"http://127.0.0.1:{port}/page", title="Some page"), category="grey")
    check = link_verdict(c, answer.page, ok=answer.ok, error=answer.error)
    assert check.verdict == "unchecked" and "could not connect" in check.reason


def test_no_such_domain_when_dns_itself_is_down_is_unchecked(settings):
    def no_dns(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    web = WebSource(settings, resolve=no_dns, retries=0)
    answer = web.check("https://kratomresearch.net/")
    web.close()
    assert not answer.ok and "no working DNS" in answer.error


def test_private_address_links_are_refused_and_unchecked(settings, httpserver):
    httpserver.expect_request("/admin").respond_with_data("<title>Router admin</title>", content_type="text/html")
    web = WebSource(settings, retries=0)  # allow_private_urls is off
    answer = web.check(httpserver.url_for("/admin"))
    web.close()
    assert not answer.ok and "private or local address" in answer.error
    assert not any(req.path == "/admin" for req, _ in httpserver.log)


# --- pure parts ----------------------------------------------------------------------------


@pytest.mark.parametrize("url,ids", [
    ("https://doi.org/10.1007/s40122-020-00151-x", {"doi": "10.1007/s40122-020-00151-x"}),
    ("http://dx.doi.org/10.1097%2FADM.0000000000000570", {"doi": "10.1097/adm.0000000000000570"}),
    ("https://pubmed.ncbi.nlm.nih.gov/32607084/", {"pmid": "32607084"}),
    ("https://www.ncbi.nlm.nih.gov/pubmed/31994019", {"pmid": "31994019"}),
    ("https://pmc.ncbi.nlm.nih.gov/articles/PMC7309661/", {"pmcid": "PMC7309661"}),
    ("https://europepmc.org/article/MED/31994019", {"pmid": "31994019"}),
    ("https://onlinelibrary.wiley.com/doi/full/10.1111/ele.13085", {"doi": "10.1111/ele.13085"}),
    ("https://link.springer.com/content/pdf/10.1007/s40122-020-00151-x.pdf", {"doi": "10.1007/s40122-020-00151-x"}),
    ("https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0033693", {"doi": "10.1371/journal.pone.0033693"}),
    ("https://pubmed.ncbi.nlm.nih.gov/", {}),
    ("https://nida.nih.gov/research-topics/kratom", {}),
])
def test_scholarly_ids_from_urls(url, ids):
    assert scholarly_ids(url) == ids


def test_link_label_prefers_anchor_then_list_item_label():
    text = ("See the NIDA page here.\n• Kratom Research (Community Forum): [A forum.] – https://kratomresearch.net/\n"
            + "Kratom is a plant. " * 20 + "Read more here.")
    here = text.index("here")  # a generic anchor on a short line: the line names it
    assert link_label(text, Link(here, here + 4, "https://nida.nih.gov/", "here")) == "See the NIDA page"
    last = text.rindex("here")  # ... in a long paragraph: nothing to compare with
    assert link_label(text, Link(last, last + 4, "https://nida.nih.gov/", "here")) is None
    nida = text.index("NIDA page")
    assert link_label(text, Link(nida, nida + 9, "https://nida.nih.gov/", "NIDA page")) == "NIDA page"
    u = text.index("https://kratomresearch")
    link = Link(u, len(text), "https://kratomresearch.net/", "https://kratomresearch.net/")
    assert link_label(text, link) == "Kratom Research (Community Forum)"


def test_with_links_skips_internal_fragment_mailto_and_duplicates():
    html = """<html><body><article>
    <p><a href="https://doi.org/10.1234/abc">a study</a> and <a href="https://doi.org/10.1234/ABC">again</a>,
    <a href="/about">about us</a>, <a href="#top">top</a>, <a href="mailto:x@y.org">mail</a>,
    <a href="https://myblog.example/other-post/">my other post</a>, <a href="https://who.int/x">WHO</a>.</p>
    </article></body></html>"""
    doc = document_from_html(html, "https://myblog.example/post/")
    cites = with_links(doc, [])
    assert [(c.category, c.fields.doi or c.fields.url) for c in cites] == [("scholarly", "10.1234/abc"),
                                                                            ("grey", "https://who.int/x")]


def test_grey_reference_without_url_gets_its_links_url():
    doc = Document("page.html", "NIDA. (2022). Kratom. Link", links=[Link(22, 26, "https://nida.nih.gov/k", "Link")])
    entry = Citation("reference", doc.text, 0, len(doc.text), Fields(title="Kratom", year=2022), category="grey")
    out = with_links(doc, [entry])
    assert len(out) == 1 and out[0].fields.url == "https://nida.nih.gov/k" and entry.fields.url is None


def test_title_fit_and_home_urls():
    assert title_fit("PubMed Central (Academic Database)", ["PubMed"])[0]
    assert title_fit("NIDA", ["National Institute on Drug Abuse"])[0]
    assert not title_fit("Johns Hopkins Medicine press release", ["New center opens | Johns Hopkins Medicine"],
                         deep=True)[0]
    assert is_home_url("https://www.fda.gov/") and is_home_url("https://x.org/en/") and is_home_url("https://x.org")
    assert not is_home_url("https://www.fda.gov/news") and not is_home_url("https://x.org/?p=12")


def test_link_verdicts_for_status_codes():
    c = Citation("link", "x", 0, 1, Fields(url="https://a.org/p", title="A page"), category="grey")
    for status, verdict in ((404, "unfound"), (410, "unfound"), (403, "unchecked"), (429, "unchecked")):
        assert link_verdict(c, PageFacts(url="https://a.org/p", final_url="https://a.org/p", status=status)).verdict \
            == verdict
    ok = PageFacts(url="https://a.org/p", final_url="https://a.org/p", status=200, titles=["A page | A"])
    assert link_verdict(c, ok).verdict == "verified"
    assert link_verdict(c, None, ok=False, error="timed out").verdict == "unchecked"


def test_page_facts_reads_titles_and_parked_markers():
    facts = page_facts("http://kratomfacts.org/", "http://kratomfacts.org/", 200, "text/html",
                       site("parked.html").encode(), [])
    assert facts.titles[0] == "kratomfacts.org" and facts.parked
    facts = page_facts("https://nida.nih.gov/", "https://nida.nih.gov/", 200, "text/html",
                       site("nida_home.html").encode(), [])
    assert facts.parked is None and facts.site_name == "NIDA" and "National Institute on Drug Abuse (NIDA)" in facts.titles


# --- `citeaudit run URL` end to end ------------------------------------------------------------


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_cli_run_url_end_to_end(service_env, httpserver, monkeypatch):
    base = f"http://localhost:{httpserver.port}"
    page = SEED_HTML.read_text(encoding="utf-8")
    hosts = {"https://www.drugabuse.gov/": ("/nida/", "nida_home.html"),
             "https://pubmed.ncbi.nlm.nih.gov/": ("/pubmed/", "pubmed_home.html"),
             "https://clinicaltrials.gov/": ("/ctgov/", "clinicaltrials_home.html"),
             "https://www.aapm.org/": ("/aapm/", "aapm_home.html"),
             "https://www.nccih.nih.gov/": ("/nccih/", "nccih_home.html"),
             "https://www.medicalnewstoday.com/": ("/mnt/", "mnt_home.html")}
    for url, (path, name) in hosts.items():
        page = page.replace(f'"{url}"', f'"{base}{path}"')
        serve_page(httpserver, path, name)
    page = page.replace('"https://kratomresearch.net/"', f'"http://localhost:{_closed_port()}/"')
    body = page.encode("utf-8")
    httpserver.expect_request("/page.html").respond_with_data(body, content_type="text/html; charset=utf-8")
    url = f"http://127.0.0.1:{httpserver.port}/page.html"  # links are on "localhost": another site
    monkeypatch.delenv("CITEAUDIT_ALLOW_PRIVATE_URLS", raising=False)
    monkeypatch.setenv("CITEAUDIT_CHECK_LINKS", "1")  # the links above are all on loopback

    refused = CliRunner().invoke(app, ["run", url])
    assert refused.exit_code == 2 and "refusing to fetch a private or local address" in refused.output

    result = CliRunner().invoke(app, ["run", url, "--allow-private-urls", "--format", "json"])
    report = json.loads(result.stdout)
    links = [c for c in report["citations"] if c["kind"] == "link"]
    assert [c["verdict"] for c in links] == ["verified"] * 6 + ["unchecked"]  # nothing listens: unchecked
    assert report["article"]["source"] == url
    db = sqlite3.connect(service_env["CITEAUDIT_DB"])
    assert db.execute("select source, content_hash, kind from articles").fetchall() == [
        (url, hashlib.sha256(body).hexdigest(), "html")]
    assert db.execute("select count(*) from latest_checks where kind='link'").fetchone() == (7,)


def test_cli_run_non_html_url_is_a_clear_error(service_env, httpserver):
    httpserver.expect_request("/report.pdf").respond_with_data(b"%PDF-1.4\n", content_type="application/pdf")
    result = CliRunner().invoke(app, ["run", httpserver.url_for("/report.pdf"), "--allow-private-urls"])
    assert result.exit_code == 2
    assert "not an HTML page (content type application/pdf)" in result.output
    assert "Traceback" not in result.output
