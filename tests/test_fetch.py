"""fetch_page / fetch_document: private-address safety (every hop), redirects, size cap,
non-HTML answers, and the stored hash. Loopback servers only; public hosts are faked with
an injected name lookup and an httpx MockTransport (no real network)."""

from __future__ import annotations

import hashlib
import socket

import httpx
import pytest

from citeaudit.config import Settings
from citeaudit.ingest.fetch import FetchError, check_address, fetch_document, fetch_page, is_public_address

PAGE = b"<html><head><title>A post</title></head><body><article><p>Kratom is a plant.</p></article></body></html>"


def public_dns(host: str, port: int) -> list[str]:
    """Every name is public, except these; addresses resolve to themselves."""
    if host.replace(".", "").isdigit() or ":" in host:
        return [host]
    if host in ("localhost", "localhost.evil.example"):
        return ["127.0.0.1"]
    if host == "split.example":
        return ["93.184.215.14", "10.0.0.7"]
    return ["93.184.215.14"]


def test_loopback_url_refused_without_the_allow_flag(httpserver):
    httpserver.expect_request("/page.html").respond_with_data(PAGE, content_type="text/html")
    with pytest.raises(FetchError) as e:
        fetch_document(httpserver.url_for("/page.html"), Settings())
    assert e.value.kind == "private" and "--allow-private-urls" in str(e.value)
    assert len(httpserver.log) == 0  # refused before any connection


def test_loopback_url_allowed_with_the_flag_stores_url_and_hash(httpserver):
    httpserver.expect_request("/page.html").respond_with_data(PAGE, content_type="text/html; charset=utf-8")
    url = httpserver.url_for("/page.html")
    doc = fetch_document(url, Settings(allow_private_urls=True))
    assert doc.kind == "html" and doc.source == url and doc.title == "A post"
    assert doc.text == "Kratom is a plant."
    assert doc.content_hash == hashlib.sha256(PAGE).hexdigest()


def test_redirect_from_an_allowed_host_to_a_private_address_is_refused(httpserver):
    httpserver.expect_request("/secret").respond_with_data("internal", content_type="text/plain")
    secret = httpserver.url_for("/secret")
    seen: list[str] = []

    def public_site(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.host} {request.headers['host']}{request.url.path}")
        return httpx.Response(302, headers={"Location": secret})

    client = httpx.Client(transport=httpx.MockTransport(public_site), follow_redirects=False)
    with pytest.raises(FetchError) as e:
        fetch_page("https://blog.example/post", Settings(), client=client, resolve=public_dns)
    assert e.value.kind == "private" and "127.0.0.1" in str(e.value)
    # the first hop went to the checked address with the host name kept; the private one never asked
    assert seen == ["93.184.215.14 blog.example/post"]
    assert not any(req.path == "/secret" for req, _ in httpserver.log)


def test_a_name_resolving_to_any_private_address_is_refused():
    for host in ("localhost.evil.example", "split.example"):
        with pytest.raises(FetchError) as e:
            check_address(f"http://{host}/", allow_private=False, resolve=public_dns)
        assert e.value.kind == "private"
    assert check_address("http://ok.example/", allow_private=False, resolve=public_dns) == "93.184.215.14"


@pytest.mark.parametrize("ip,public", [("127.0.0.1", False), ("10.1.2.3", False), ("169.254.169.254", False),
                                       ("::1", False), ("::ffff:127.0.0.1", False), ("fd00::1", False),
                                       ("0.0.0.0", False), ("93.184.215.14", True), ("2606:4700::1111", True)])
def test_is_public_address(ip, public):
    assert is_public_address(ip) is public


def test_bad_schemes_and_unknown_domains():
    with pytest.raises(FetchError) as e:
        fetch_page("file:///etc/passwd", Settings())
    assert e.value.kind == "scheme"

    def nxdomain(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(FetchError) as e:
        fetch_page("https://no-such-site.example/", Settings(), resolve=nxdomain)
    assert e.value.kind == "dns"

    def dns_down(host, port):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    with pytest.raises(FetchError) as e:
        fetch_page("https://nida.nih.gov/", Settings(), resolve=dns_down)
    assert e.value.kind == "network"  # a lookup failure is not "the domain does not exist"


def test_redirects_are_followed_and_recorded(httpserver):
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(PAGE, content_type="text/html")
    page = fetch_page(httpserver.url_for("/old"), Settings(allow_private_urls=True))
    assert page.status == 200 and page.url.endswith("/new") and page.redirects == [httpserver.url_for("/old")]


def test_redirect_loop_is_an_error(httpserver):
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError) as e:
        fetch_page(httpserver.url_for("/loop"), Settings(allow_private_urls=True))
    assert e.value.kind == "redirects"


def test_size_cap_raises_or_truncates(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"<p>" + b"x" * 5000, content_type="text/html")
    with pytest.raises(FetchError) as e:
        fetch_page(httpserver.url_for("/big"), Settings(allow_private_urls=True), max_bytes=1000)
    assert e.value.kind == "too_large"
    page = fetch_page(httpserver.url_for("/big"), Settings(allow_private_urls=True), max_bytes=1000, truncate=True)
    assert page.truncated and len(page.body) == 1000


def test_non_html_and_error_pages_are_clear_errors(httpserver):
    httpserver.expect_request("/doc.pdf").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    httpserver.expect_request("/gone").respond_with_data("gone", status=410, content_type="text/html")
    settings = Settings(allow_private_urls=True)
    with pytest.raises(FetchError, match=r"not an HTML page \(content type application/pdf\)"):
        fetch_document(httpserver.url_for("/doc.pdf"), settings)
    with pytest.raises(FetchError, match="HTTP 410"):
        fetch_document(httpserver.url_for("/gone"), settings)


def test_plain_text_url_is_audited_as_text(httpserver):
    httpserver.expect_request("/a.txt").respond_with_data("Kratom is a plant.\nSee https://nida.nih.gov/ too.",
                                                          content_type="text/plain; charset=utf-8")
    doc = fetch_document(httpserver.url_for("/a.txt"), Settings(allow_private_urls=True))
    assert doc.kind == "text" and doc.links[0].href == "https://nida.nih.gov/"


def test_connection_refused_and_timeout_kinds(httpserver):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(FetchError) as e:
        fetch_page(f"http://127.0.0.1:{port}/", Settings(allow_private_urls=True))
    assert e.value.kind == "connect"

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = httpx.Client(transport=httpx.MockTransport(slow))
    with pytest.raises(FetchError) as e:
        fetch_page("https://nida.nih.gov/", Settings(), client=client, resolve=public_dns)
    assert e.value.kind == "timeout"
