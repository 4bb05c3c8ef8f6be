"""Hostile text from articles and services is harmless in every output, SQL is bound, and
fetching refuses private addresses (every redirect hop re-checked) unless allowed."""

from __future__ import annotations

import csv
import io
import json
import shutil

import httpx
import pytest

from citeaudit.config import Settings
from citeaudit.ingest.fetch import FetchError, check_address, fetch_document, fetch_page, is_public_address
from citeaudit.report import safe
from citeaudit.store import Store

from .helpers import RECORDS, assert_no_traceback, db_rows, run_cli

ANSI = "\x1b[2J\x1b[31mRED\x1b[0m\x1b]0;pwned title\x07\x9b31m\x07\x08"
HOSTILE = [
    ANSI,
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "-2+3", "@SUM(A1)",
    "| col | injected |", "**bold** [link](http://evil.example) <script>alert(1)</script> `code`",
    "\u202eevil\u202c", "Robert'); DROP TABLE citations;--",
]


# --- the escapers ------------------------------------------------------------------------


@pytest.mark.parametrize("s", HOSTILE)
def test_plain_has_no_control_or_bidi_characters(s):
    out = safe.plain(s)
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in out)
    assert "\u202e" not in out and "\u202c" not in out


def test_terminal_escapes_are_removed_whole():
    assert safe.plain(ANSI) == "RED"


@pytest.mark.parametrize("s", ["=1+1", "+1", "-1", "@x", "\t=1", "  =1", "\r\n=1"])
def test_csv_formula_injection_neutralised(s):
    assert safe.csv_cell(s).startswith("'")


def test_markdown_and_html_escaping():
    md = safe.markdown("| a | *b* [c](d) <e> `f` #g")
    assert "|" not in md.replace("\\|", "") and "<" not in md.replace("\\<", "")
    assert safe.html("<script>alert('x')</script> & \"q\"") == \
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;"


# --- end to end: a hostile article in every format, and in the database -------------------


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "audit.db"
    assert run_cli("--db", str(db), "records", "load", str(RECORDS)).returncode == 0
    entries = [f"  \u2022 {h} Smith J, (2020), \u201c{h} a study of kratom.\u201d J Addict Med. 2020;14(3):1-2" for h in HOSTILE]
    article = tmp / "hostile.txt"
    article.write_text("Hostile " + ANSI + "\n\nReferences\n\n" + "\n".join(entries) + "\n", encoding="utf-8")
    outputs = {}
    for fmt in ("table", "markdown", "csv", "json"):
        p = run_cli("--db", str(db), "run", str(article), "--offline", "--format", fmt, "--color", "always")
        assert_no_traceback(p)
        assert p.returncode in (0, 1), p.stderr
        outputs[fmt] = p.stdout
    return db, outputs


def test_table_and_markdown_carry_no_escape_sequences(hostile_run):
    _, out = hostile_run
    for fmt in ("table", "markdown"):
        stripped = out[fmt].replace("\x1b[0m", "")  # our own colour codes (--color) are allowed
        for code in ("\x1b[2J", "\x1b]0", "\x9b", "\x07", "\x08", "\u202e"):
            assert code not in stripped, (fmt, code)


def test_markdown_table_rows_keep_their_columns(hostile_run):
    _, out = hostile_run
    rows = [line for line in out["markdown"].splitlines() if line.startswith("| ") and not line.startswith("| #")]
    assert len(rows) >= len(HOSTILE)
    for row in rows:
        assert row.replace("\\|", "").count("|") == 7, row
    assert "<script>" not in out["markdown"]


def test_csv_cells_never_start_a_formula(hostile_run):
    _, out = hostile_run
    for row in csv.reader(io.StringIO(out["csv"])):
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@"), cell


def test_json_keeps_the_text_verbatim_and_db_holds_it_via_bound_parameters(hostile_run):
    db, out = hostile_run
    report = json.loads(out["json"])
    texts = [c["text"] for c in report["citations"]]
    assert any("Robert'); DROP TABLE citations;--" in t for t in texts)
    stored = [t for (t,) in db_rows(db, "SELECT text FROM citations")]
    assert any("Robert'); DROP TABLE citations;--" in t for t in stored)  # the table still exists
    assert any("=HYPERLINK(" in t for t in stored)


def test_search_of_stored_records_takes_any_string(tmp_path):
    """FTS syntax and SQL in a query are only words: no error, the tables untouched."""
    db = tmp_path / "s.db"
    shutil.copy(RECORDS.parent / "records" / "crossref" / "10.1002_ece3.2314.json", tmp_path / "r.json")
    assert run_cli("--db", str(db), "records", "load", str(tmp_path / "r.json")).returncode == 0
    with Store(db) as store:
        for q in ['" OR 1=1 --', "title:* NEAR(a b)", "'); DROP TABLE records;--", "\x00", "AND OR NOT", ""]:
            assert isinstance(store.search_records(q), list)
    assert db_rows(db, "SELECT count(*) FROM records") == [(1,)]


# --- fetching: no private addresses, every redirect hop re-checked ------------------------

PRIVATE = ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "0.0.0.0", "::1", "fe80::1",
           "fc00::1", "::ffff:127.0.0.1", "224.0.0.1"]


@pytest.mark.parametrize("ip", PRIVATE)
def test_private_addresses_are_refused_unless_allowed(ip):
    assert not is_public_address(ip)
    resolve = lambda host, port: [ip]  # noqa: E731
    with pytest.raises(FetchError) as e:
        check_address("http://looks-public.example/page", False, resolve)
    assert e.value.kind == "private" and "--allow-private-urls" in str(e.value)
    assert check_address("http://looks-public.example/page", True, resolve) == ip


def test_a_host_with_one_private_address_among_public_ones_is_refused():
    with pytest.raises(FetchError):
        check_address("http://x.example/", False, lambda h, p: ["93.184.216.34", "127.0.0.1"])


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x/", "ftp://x.example/", "http:///nohost"])
def test_only_http_urls(url):
    with pytest.raises(FetchError):
        check_address(url, True, lambda h, p: ["93.184.216.34"])


def test_unresolvable_domain_is_a_clear_error():
    with pytest.raises(FetchError) as e:
        check_address("http://nonexistent.invalid/", False)
    assert e.value.kind in ("dns", "network") and "nonexistent.invalid" in str(e.value)


def test_redirect_to_a_private_address_is_refused():
    """A public page redirecting to the cloud metadata address: the second hop is refused
    before any request is sent to it."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.headers.get("host")))
        return httpx.Response(302, headers={"location": "http://metadata.internal/latest/meta-data/"})

    addresses = {"public.example": ["93.184.216.34"], "metadata.internal": ["169.254.169.254"]}
    client = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=False)
    with pytest.raises(FetchError) as e:
        fetch_page("http://public.example/a", Settings(), client=client, resolve=lambda h, p: addresses[h])
    assert e.value.kind == "private"
    assert seen == [("93.184.216.34", "public.example")]  # only the public hop was asked


def test_loopback_article_url_refused_then_allowed(httpserver):
    httpserver.expect_request("/article").respond_with_data(
        "<html><body><h1>Kratom</h1><p>Text.</p></body></html>", content_type="text/html")
    url = httpserver.url_for("/article")
    with pytest.raises(FetchError) as e:
        fetch_document(url, Settings(timeout=5))
    assert e.value.kind == "private"
    doc = fetch_document(url, Settings(timeout=5, allow_private_urls=True))
    assert "Kratom" in doc.text


def test_cli_refuses_a_loopback_url_with_one_line(httpserver, tmp_path):
    httpserver.expect_request("/a").respond_with_data("<html><body><p>x</p></body></html>", content_type="text/html")
    p = run_cli("--db", str(tmp_path / "a.db"), "run", httpserver.url_for("/a"), "--offline")
    assert_no_traceback(p)
    assert p.returncode == 2
    assert "refusing to fetch a private or local address" in p.stderr
