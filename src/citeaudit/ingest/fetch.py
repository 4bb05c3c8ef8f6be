"""Fetching web pages: article URLs and cited links. I/O at the edge.

Private-address safety: every hop (the URL and each redirect, followed by hand) has its
host resolved once, every address it resolves to is checked, and the request is sent to
that checked address (the Host header and TLS SNI keep the name), so a DNS answer cannot
change between the check and the connection. Loopback, private, link-local, reserved,
multicast and unspecified addresses are refused unless the user allows them
(`--allow-private-urls` / CITEAUDIT_ALLOW_PRIVATE_URLS=1). Size and time are capped.

The name lookup (`resolve`) and the HTTP client are injectable, so tests can map public
host names to a loopback server, or make a domain not exist, without any real network.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from citeaudit.config import Settings
from citeaudit.ingest.document import IngestError, document_from_html, document_from_text

MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 8
USER_AGENT = "citeaudit (citation checker)"

# getaddrinfo errors that mean "no such name" (anything else, e.g. EAI_AGAIN, is a lookup failure)
_NO_SUCH_NAME = tuple(getattr(socket, n) for n in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, n))

#: host, port -> the IP addresses (as strings) the host resolves to; raises socket.gaierror
Resolve = Callable[[str, int], list[str]]


class FetchError(IngestError):
    """A URL that could not be fetched (one-line reason).

    ``kind`` says why, for callers that judge links: "scheme", "dns" (the domain does not
    exist), "private" (refused address), "timeout", "connect", "too_large", "redirects",
    "network".
    """

    def __init__(self, message: str, kind: str = "network"):
        super().__init__(message)
        self.kind = kind


@dataclass
class Page:
    url: str  # final URL after redirects (with its host name, not the address used)
    status: int
    content_type: str
    body: bytes
    redirects: list[str] = field(default_factory=list)  # every URL that answered with a redirect
    truncated: bool = False  # body cut at max_bytes (only when truncate=True)


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, through the system resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(ip: str) -> bool:
    """False for loopback, private, link-local, reserved, multicast and unspecified addresses."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return not (addr.is_loopback or addr.is_private or addr.is_link_local or addr.is_reserved
                or addr.is_multicast or addr.is_unspecified)


def check_address(url: str, allow_private: bool, resolve: Resolve | None = None) -> str:
    """Resolve the URL's host and return the address to connect to.

    Raises FetchError for non-http(s) URLs, unknown domains, and (unless `allow_private`)
    hosts with any loopback/private/link-local/reserved address.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: only http and https URLs can be fetched", "scheme")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(f"{url}: the port is not a number", "scheme") from None
    try:
        addresses = (resolve or system_resolve)(parts.hostname, port)
    except socket.gaierror as e:
        if e.errno not in (None, *_NO_SUCH_NAME):
            raise FetchError(f"{url}: name lookup failed ({e.strerror or e})", "network") from None
        raise FetchError(f"{url}: the domain {parts.hostname} does not resolve", "dns") from None
    except UnicodeError:
        raise FetchError(f"{url}: the domain {parts.hostname} does not resolve", "dns") from None
    except OSError as e:
        raise FetchError(f"{url}: name lookup failed ({e})", "network") from None
    if not addresses:
        raise FetchError(f"{url}: the domain {parts.hostname} does not resolve", "dns")
    if not allow_private:
        for ip in addresses:
            if not is_public_address(ip):
                raise FetchError(f"{url}: refusing to fetch a private or local address ({ip}); "
                                 "use --allow-private-urls to permit it", "private")
    return sorted(addresses, key=lambda ip: ":" in ip)[0]  # IPv4 first, as most servers listen there


def _pinned_request(client: httpx.Client, url: str, ip: str) -> httpx.Request:
    """A GET for `url` sent to the already checked address `ip`, keeping Host and SNI."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    ip_host = f"[{ip}]" if ":" in ip else ip
    netloc = ip_host + (f":{parts.port}" if parts.port else "")
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return client.build_request("GET", target, headers={"Host": host_header}, extensions=extensions)


def new_client(settings: Settings, timeout: float | None = None) -> httpx.Client:
    """An httpx client that never follows redirects itself (fetch_page re-checks each hop)."""
    return httpx.Client(timeout=timeout or settings.timeout, follow_redirects=False,
                        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})


def fetch_page(url: str, settings: Settings, max_bytes: int = MAX_PAGE_BYTES,
               client: httpx.Client | None = None, resolve: Resolve | None = None,
               truncate: bool = False) -> Page:
    """GET a URL, following redirects (each re-checked), reading at most `max_bytes`.

    With `truncate` a longer body is cut (Page.truncated) instead of raising.
    """
    own = client is None
    client = client or new_client(settings)
    redirects: list[str] = []
    try:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            ip = check_address(current, settings.allow_private_urls, resolve)
            try:
                request = _pinned_request(client, current, ip)
                r = client.send(request, stream=True)
                try:
                    if r.is_redirect and r.headers.get("location"):
                        redirects.append(current)
                        current = urljoin(current, r.headers["location"].strip())
                        continue
                    body, truncated = _read_capped(r, url, max_bytes, truncate)
                    return Page(current, r.status_code, r.headers.get("content-type", ""), body, redirects, truncated)
                finally:
                    r.close()
            except httpx.TimeoutException:
                raise FetchError(f"{current}: timed out", "timeout") from None
            except httpx.ConnectError:
                raise FetchError(f"{current}: could not connect", "connect") from None
            except httpx.HTTPError as e:
                raise FetchError(f"{current}: {type(e).__name__}", "network") from None
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects", "redirects")
    finally:
        if own:
            client.close()


def _read_capped(r: httpx.Response, url: str, max_bytes: int, truncate: bool) -> tuple[bytes, bool]:
    body = bytearray()
    for chunk in r.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            if truncate:
                return bytes(body[:max_bytes]), True
            raise FetchError(f"{url}: the page is larger than {_size(max_bytes)}", "too_large")
    return bytes(body), False


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def content_kind(content_type: str, body: bytes) -> str:
    """"html", "text", "markdown" or "" (anything else) for a response."""
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml"):
        return "html"
    if not ctype and body.lstrip()[:1] == b"<":
        return "html"
    if ctype == "text/markdown":
        return "markdown"
    if ctype == "text/plain":
        return "text"
    return ""


def fetch_document(url: str, settings: Settings, client: httpx.Client | None = None,
                   resolve: Resolve | None = None):
    """An article URL as a Document (HTML or plain text); a clear error for anything else.

    ``doc.source`` is the URL as given; ``doc.content_hash`` the SHA-256 of the fetched
    body; ``doc.meta["final_url"]`` where redirects ended.
    """
    page = fetch_page(url, settings, client=client, resolve=resolve)
    if page.status >= 400:
        raise FetchError(f"{url}: HTTP {page.status}", "http")
    kind = content_kind(page.content_type, page.body)
    if kind == "html":
        doc = document_from_html(page.body, url)
    elif kind in ("text", "markdown"):
        text = page.body.decode("utf-8", errors="replace")
        if not text.strip():
            raise FetchError(f"{url}: the page is empty", "empty")
        doc = document_from_text(text, url, kind)
    else:
        ctype = page.content_type.split(";")[0].strip() or "unknown"
        raise FetchError(f"{url}: not an HTML page (content type {ctype})", "content")
    doc.content_hash = hashlib.sha256(page.body).hexdigest()
    doc.meta.setdefault("final_url", page.url)
    return doc
