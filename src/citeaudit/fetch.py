"""Fetching web pages: article URLs and cited links. I/O at the edge.

Redirects are followed by hand so that every hop is re-checked: a URL may not reach
loopback, private or link-local addresses unless the user allows it
(`--allow-private-urls` / CITEAUDIT_ALLOW_PRIVATE_URLS=1). Size and time are capped.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from .config import Settings
from .ingest import IngestError, document_from_html, document_from_text

MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 8


class FetchError(IngestError):
    """A URL that could not be fetched (one-line reason)."""


@dataclass
class Page:
    url: str  # final URL after redirects
    status: int
    content_type: str
    body: bytes
    redirects: list[str]


def check_address(url: str, allow_private: bool) -> None:
    """Refuse URLs whose host resolves to a loopback, private, link-local or reserved address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: only http and https URLs can be fetched")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror:
        raise FetchError(f"{url}: the domain {parts.hostname} does not resolve") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
            raise FetchError(f"{url}: refusing to fetch a private or local address ({ip}); "
                             "use --allow-private-urls to permit it")


def fetch_page(url: str, settings: Settings, max_bytes: int = MAX_PAGE_BYTES,
               client: httpx.Client | None = None) -> Page:
    """GET a URL, following redirects (each re-checked), reading at most `max_bytes`."""
    own = client is None
    client = client or httpx.Client(timeout=settings.timeout, follow_redirects=False,
                                    headers={"User-Agent": "citeaudit (citation checker)"})
    redirects: list[str] = []
    try:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_address(current, settings.allow_private_urls)
            try:
                with client.stream("GET", current) as r:
                    if r.is_redirect and r.headers.get("location"):
                        redirects.append(current)
                        current = urljoin(current, r.headers["location"])
                        continue
                    body = bytearray()
                    for chunk in r.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise FetchError(f"{url}: the page is larger than {max_bytes // (1024 * 1024)} MB")
                    return Page(str(r.url), r.status_code, r.headers.get("content-type", ""), bytes(body), redirects)
            except httpx.TimeoutException:
                raise FetchError(f"{url}: timed out") from None
            except httpx.ConnectError as e:
                msg = str(e).lower()
                if "name or service" in msg or "nodename" in msg or "getaddrinfo" in msg:
                    raise FetchError(f"{url}: the domain does not resolve") from None
                raise FetchError(f"{url}: could not connect") from None
            except httpx.HTTPError as e:
                raise FetchError(f"{url}: {type(e).__name__}") from None
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
    finally:
        if own:
            client.close()


def fetch_document(url: str, settings: Settings):
    """An article URL as a Document (HTML or plain text); a clear error for anything else."""
    page = fetch_page(url, settings)
    if page.status >= 400:
        raise FetchError(f"{url}: HTTP {page.status}")
    ctype = page.content_type.split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml") or (not ctype and page.body.lstrip()[:1] == b"<"):
        doc = document_from_html(page.body, url)
    elif ctype in ("text/plain", "text/markdown"):
        doc = document_from_text(page.body, url, "markdown" if ctype == "text/markdown" else "text")
    else:
        raise FetchError(f"{url}: not an HTML page (content type {ctype or 'unknown'})")
    doc.content_hash = hashlib.sha256(page.body).hexdigest()
    doc.meta.setdefault("final_url", page.url)
    return doc
