"""Hostile network content (issue 14): the address filter's decisions, stacked content
encodings under one byte budget, and one deadline per fetch whatever the server does.

Servers are on 127.0.0.1 only (src/citeaudit/emulate/hostile.py); public host names are
mapped to them by an injected name lookup. The autouse loopback guard (tests/conftest.py)
fails any test that connects anywhere else."""

from __future__ import annotations

import gzip
import socket
import tracemalloc

import httpx
import pytest

from citeaudit.config import Settings
from citeaudit.emulate.hostile import HostileServer
from citeaudit.ingest.fetch import (FetchError, check_address, embedded_ipv4, fetch_document, fetch_page,
                                    is_public_address)

from .helpers import assert_no_traceback, cli_env, one_line_error, run_cli


@pytest.mark.parametrize("ip", [
    "100.64.0.1", "100.100.100.200", "100.127.255.254",  # carrier-grade NAT, a cloud metadata address
    "192.0.0.8", "192.0.0.170",  # IETF protocol assignments
    "2002:7f00:1::1", "2002:a9fe:a9fe::", "2002:0a00:0001::",  # 6to4 of loopback, link-local, private
    "fec0::1", "fec0:1:2::3",  # site-local
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::6440:1",  # NAT64 of loopback, metadata, CGN
    "::ffff:169.254.169.254", "::ffff:100.100.100.200",  # IPv4-mapped
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "::7f00:1", "::", "::1", "fe80::1%eth0", "fd12::1", "ff0e::1", "2001:db8::1",
    "127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "224.0.0.1", "240.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.2.1", "203.0.113.9",
    "not an address",
])
def test_not_globally_routable_addresses_are_refused(ip):
    assert is_public_address(ip) is False


@pytest.mark.parametrize("ip", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "2001:4860:4860::8888",
                                "::ffff:93.184.215.14", "2002:5db8:d70e::1", "64:ff9b::5db8:d70e"])
def test_globally_routable_addresses_pass(ip):
    assert is_public_address(ip) is True


def test_ipv4_is_taken_out_of_ipv6():
    import ipaddress

    found = {str(a) for a in embedded_ipv4(ipaddress.IPv6Address("2002:a9fe:a9fe::"))}
    assert found == {"169.254.169.254"}
    assert [str(a) for a in embedded_ipv4(ipaddress.IPv6Address("64:ff9b::7f00:1"))] == ["127.0.0.1"]


@pytest.mark.parametrize("address", ["100.100.100.200", "2002:7f00:1::1", "fec0::1", "192.0.0.8"])
def test_article_url_redirect_hop_and_cited_link_all_get_the_check(address):
    """A host resolving to the address is refused before any connection, for every caller."""
    asked: list[str] = []

    def transport(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://inner.example/"})

    def dns(host: str, port: int) -> list[str]:
        return [address] if host == "inner.example" else ["93.184.215.14"]

    client = httpx.Client(transport=httpx.MockTransport(transport))
    with pytest.raises(FetchError) as e:  # the article URL itself
        check_address("http://inner.example/", allow_private=False, resolve=dns)
    assert e.value.kind == "private"
    with pytest.raises(FetchError) as e:  # a redirect hop
        fetch_page("http://outer.example/", Settings(), client=client, resolve=dns)
    assert e.value.kind == "private" and asked == ["http://93.184.215.14/"]

    from citeaudit.resolve.sources.web import WebSource

    web = WebSource(Settings(), client=client, resolve=dns, retries=0)
    answer = web.check("http://inner.example/cited")  # a cited link
    assert not answer.ok and "private" in answer.error
    assert asked == ["http://93.184.215.14/"]


@pytest.fixture(scope="module")
def hostile():
    with HostileServer(bomb_size=256 * 1024 * 1024, bomb_layers=2, interval=0.5) as server:
        yield server


def test_stacked_gzip_bomb_is_refused_within_the_byte_budget(hostile):
    assert len(hostile.bomb) < 64 * 1024  # a few KB on the wire for 256 MB decoded
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as e:
            fetch_page(hostile.url("/bomb"), Settings(allow_private_urls=True))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert e.value.kind == "too_large"
    assert peak < 64 * 1024 * 1024  # the 10 MB page cap and its budget, not 256 MB


def test_a_stacked_bomb_as_a_cited_link_is_not_verified(hostile):
    from citeaudit.resolve.sources.web import WebSource

    web = WebSource(Settings(allow_private_urls=True), retries=0)
    try:
        answer = web.check(hostile.url("/bomb"))
    finally:
        web.close()
    assert not answer.ok and "compression bomb" in answer.error, answer


def _encoded(body: bytes, codings: list[str]) -> httpx.Client:
    def transport(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "text/html", "Content-Encoding": ", ".join(codings)},
                              stream=httpx.ByteStream(body))

    return httpx.Client(transport=httpx.MockTransport(transport))


def _dns(host: str, port: int) -> list[str]:
    return ["93.184.215.14"]


def test_honest_encodings_are_decoded():
    page = b"<html><title>A post</title><p>Kratom is a plant.</p></html>" * 50
    deflate = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(
        200, headers={"Content-Encoding": "deflate"}, stream=httpx.ByteStream(__import__("zlib").compress(page)))))
    for client in (_encoded(gzip.compress(page), ["gzip"]), _encoded(gzip.compress(gzip.compress(page)), ["gzip", "gzip"]),
                   _encoded(page, ["identity"]), deflate):
        assert fetch_page("https://blog.example/", Settings(), client=client, resolve=_dns).body == page


def test_too_many_layers_unknown_and_damaged_encodings_are_one_line_errors():
    body = gzip.compress(gzip.compress(gzip.compress(b"<p>hi</p>")))
    cases = [(_encoded(body, ["gzip"] * 3), "3 layers of content encoding"),
             (_encoded(b"abc", ["compress"]), "unsupported content encoding 'compress'"),
             (_encoded(b"\x1f\x8b not gzip at all", ["gzip"]), "content encoding is damaged")]
    for client, message in cases:
        with pytest.raises(FetchError, match=message) as e:
            fetch_page("https://blog.example/", Settings(), client=client, resolve=_dns)
        assert e.value.kind == "encoding"


def test_a_dripping_server_meets_one_deadline(hostile):
    """10,000 bytes at one per half second would take 80 minutes: the deadline ends it."""
    for path in ("/drip", "/drip-headers"):
        with pytest.raises(FetchError) as e:
            fetch_page(hostile.url(path), Settings(allow_private_urls=True, timeout=1.0))
        assert e.value.kind == "deadline" and "deadline" in str(e.value)


def test_a_dripping_cited_link_is_unchecked_not_retried(hostile):
    from citeaudit.resolve.sources.web import WebSource

    web = WebSource(Settings(allow_private_urls=True, timeout=1.0))
    try:
        answer = web.check(hostile.url("/drip"))
    finally:
        web.close()
    assert not answer.ok and "deadline" in answer.error


def test_run_on_a_dripping_url_ends_with_one_line(hostile, tmp_path):
    p = run_cli("--db", str(tmp_path / "a.db"), "run", hostile.url("/drip"), "--allow-private-urls",
                env=cli_env(CITEAUDIT_TIMEOUT="1"), timeout=120)
    assert p.returncode == 2
    assert "deadline" in one_line_error(p)


def test_guard_refuses_non_loopback(loopback_guard):
    sock = socket.socket()
    try:
        with pytest.raises(ConnectionRefusedError):
            sock.connect(("93.184.215.14", 80))
    finally:
        sock.close()
    loopback_guard.clear()  # this test made the escape on purpose
