"""Fetching web pages: article URLs and cited links. I/O at the edge.

Private-address safety: every hop (the URL and each redirect, followed by hand) has its
host resolved once, every address it resolves to is checked, and the request is sent to
that checked address (the Host header and TLS SNI keep the name), so a DNS answer cannot
change between the check and the connection. Only globally routable unicast addresses are
fetched (`is_public_address`: IPv4 carried inside IPv6 is judged itself) unless the user
allows private ones (`--allow-private-urls` / CITEAUDIT_ALLOW_PRIVATE_URLS=1).

Bounded whatever the server sends: one deadline for the whole fetch (every hop and the
body; CITEAUDIT_TIMEOUT), the body capped after decoding, and one byte budget shared by
every Content-Encoding layer (at most MAX_ENCODING_LAYERS of them), so a small body
encoded twice cannot swell to gigabytes between layers.

The name lookup (`resolve`) and the HTTP client are injectable, so tests can map public
host names to a loopback server, or make a domain not exist, without any real network.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import threading
import time
import zlib
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
    exist), "private" (refused address), "timeout" (one read waited too long), "deadline"
    (the whole fetch took too long), "connect", "too_large", "encoding", "redirects",
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


def _networks(*cidrs: str) -> tuple:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# IANA special-purpose ranges that are not globally reachable, beyond what `is_global` says on
# every Python version (3.11 calls 192.0.0.0/24 global, and knows nothing of site-local fec0::/10)
_V4_REFUSED = _networks(
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
)
_V6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")  # every routable IPv6 unicast address
_V6_REFUSED = _networks("2001::/23", "2001:db8::/32", "3fff::/20", "fec0::/10", "fc00::/7", "fe80::/10",
                        "ff00::/8", "64:ff9b:1::/48", "100::/64", "::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known prefix: the last 32 bits are IPv4


def embedded_ipv4(addr: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: IPv4-mapped (::ffff:a.b.c.d), NAT64
    (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::) and Teredo (server and client)."""
    found: list[ipaddress.IPv4Address] = []
    if addr.ipv4_mapped is not None:
        found.append(addr.ipv4_mapped)
    if addr in _NAT64:
        found.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    if addr.sixtofour is not None:
        found.append(addr.sixtofour)
    if addr.teredo is not None:
        found.extend(addr.teredo)
    return found


def _public_v4(addr: ipaddress.IPv4Address) -> bool:
    return addr.is_global and not addr.is_multicast and not any(addr in net for net in _V4_REFUSED)


def is_public_address(ip: str) -> bool:
    """True only for a globally routable unicast address.

    Decided on what the address is, not how it is written: IPv4 inside IPv6 (mapped, NAT64,
    6to4, Teredo) is taken out and judged itself, so 2002:7f00:1:: (6to4 of 127.0.0.1) and
    64:ff9b::a9fe:a9fe (NAT64 of 169.254.169.254) are refused like the addresses they carry.
    Refused: loopback, private, carrier-grade NAT (100.64.0.0/10, where cloud metadata can
    live), 192.0.0.0/24, link-local, site-local, unique-local, documentation, benchmarking,
    multicast, reserved and unspecified. Anything that is not an address is refused too.
    """
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv4Address):
        return _public_v4(addr)
    carried = embedded_ipv4(addr)
    if carried:
        if addr.teredo is not None:
            return False  # a tunnel endpoint, never a web server's own address
        return all(_public_v4(v4) for v4 in carried)
    return (addr in _V6_GLOBAL_UNICAST and addr.is_global
            and not any(addr in net for net in _V6_REFUSED))


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


def _pinned_request(client: httpx.Client, url: str, ip: str, timeout: float,
                    guard: "_Guard | None" = None) -> httpx.Request:
    """A GET for `url` sent to the already checked address `ip`, keeping Host and SNI.

    Every connect, write and read waits at most `timeout`; `guard` learns the socket the
    request opens, so the deadline can end it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    ip_host = f"[{ip}]" if ":" in ip else ip
    netloc = ip_host + (f":{parts.port}" if parts.port else "")
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions: dict = {"sni_hostname": host} if parts.scheme == "https" else {}
    if guard is not None:
        extensions["trace"] = guard.trace
    return client.build_request("GET", target, headers={"Host": host_header}, extensions=extensions,
                                timeout=httpx.Timeout(max(timeout, 0.001)))


def new_client(settings: Settings, timeout: float | None = None) -> httpx.Client:
    """An httpx client that never follows redirects itself (fetch_page re-checks each hop).

    No connection is kept alive: every request opens its own, which the deadline watchdog
    sees (see _Guard). Only gzip and deflate are asked for, the encodings _Decoder reads."""
    return httpx.Client(timeout=timeout or settings.timeout, follow_redirects=False,
                        limits=httpx.Limits(max_keepalive_connections=0),
                        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
                                 "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})


# --- the deadline ------------------------------------------------------------------------


class _Guard:
    """The deadline of one fetch: the sockets it opened are shut down when it passes.

    httpx's timeouts bound each read, not a whole response: a server sending one byte a
    second never trips them. One watchdog thread (shared by every fetch) shuts down the
    sockets of fetches past their deadline, which ends any read blocked on them at once;
    between chunks the reader checks the clock itself (for transports without sockets)."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def trace(self, event: str, info: dict) -> None:
        """httpcore's trace extension: note the socket of every new connection."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with self._lock:
                    self._sockets.append(sock)
                    if self.expired:
                        _shutdown(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _Watchdog:
    """One daemon thread expiring guards at their deadlines."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._guards: set[_Guard] = set()
        self._thread: threading.Thread | None = None

    def watch(self, guard: _Guard) -> None:
        with self._cond:
            self._guards.add(guard)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="citeaudit-fetch-deadline", daemon=True)
                self._thread.start()
            self._cond.notify()

    def forget(self, guard: _Guard) -> None:
        with self._cond:
            self._guards.discard(guard)

    def _loop(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for guard in [g for g in self._guards if g.deadline <= now]:
                    self._guards.discard(guard)
                    guard.expire()
                wait = min((g.deadline for g in self._guards), default=now + 60) - now
                self._cond.wait(timeout=max(wait, 0.01))


_WATCHDOG = _Watchdog()


def fetch_page(url: str, settings: Settings, max_bytes: int = MAX_PAGE_BYTES,
               client: httpx.Client | None = None, resolve: Resolve | None = None,
               truncate: bool = False, deadline: float | None = None) -> Page:
    """GET a URL, following redirects (each re-checked), reading at most `max_bytes`.

    The whole fetch (every hop, name lookups aside, and the body) ends within `deadline`
    seconds (default: CITEAUDIT_TIMEOUT), whatever the server does: FetchError "deadline".
    With `truncate` a longer body is cut (Page.truncated) instead of raising.
    """
    own = client is None
    client = client or new_client(settings)
    redirects: list[str] = []
    guard = _Guard(time.monotonic() + (deadline if deadline is not None else settings.timeout))
    _WATCHDOG.watch(guard)
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            ip = check_address(current, settings.allow_private_urls, resolve)
            try:
                if guard.remaining() <= 0:
                    raise httpx.ReadTimeout("deadline")
                request = _pinned_request(client, current, ip, min(settings.timeout, guard.remaining()), guard)
                r = client.send(request, stream=True)
                try:
                    if r.is_redirect and r.headers.get("location"):
                        redirects.append(current)
                        current = urljoin(current, r.headers["location"].strip())
                        continue
                    body, truncated = _read_capped(r, url, max_bytes, truncate, guard)
                    return Page(current, r.status_code, r.headers.get("content-type", ""), body, redirects, truncated)
                finally:
                    r.close()
            except httpx.HTTPError as e:
                if guard.expired or guard.remaining() <= 0:
                    # not retried: a server that dribbles would only do it again
                    raise FetchError(f"{current}: no full answer within the {_seconds(settings, deadline)} "
                                     "deadline", "deadline") from e
                if isinstance(e, httpx.TimeoutException):
                    raise FetchError(f"{current}: timed out", "timeout") from e
                if isinstance(e, httpx.ConnectError):
                    raise FetchError(f"{current}: could not connect", "connect") from e
                raise FetchError(f"{current}: {type(e).__name__}", "network") from e
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects", "redirects")
    finally:
        _WATCHDOG.forget(guard)
        if own:
            client.close()


def _seconds(settings: Settings, deadline: float | None) -> str:
    return f"{deadline if deadline is not None else settings.timeout:g} s"


# --- the body: one byte budget across every content-encoding layer ----------------------------

MAX_ENCODING_LAYERS = 2  # "gzip" or "gzip, gzip" is read; a third layer is refused
MAX_EXPANSION = 200  # past the first MB, a body growing more than this per received byte is a bomb
_STEP = 64 * 1024  # no decoding layer hands on more than this at once


class _Decoder:
    """Content-Encoding layers undone in bounded steps, under one byte budget.

    Every byte any layer produces counts against `budget`, so a body encoded twice (or
    more) cannot swell in memory between layers: no layer ever holds more than `_STEP`
    bytes of output at once, and decoding stops when the budget is spent."""

    def __init__(self, codings: list[str], budget: int):
        self.codings = codings
        self.layers: list = [None] * len(codings)
        self.budget = budget
        self.produced = 0
        self.received = 0  # bytes off the wire so far (set by the reader)

    def feed(self, data: bytes) -> bytes:
        return self._push(0, data)

    def finish(self) -> bytes:
        out = bytearray()
        for i, layer in enumerate(self.layers):
            if layer is not None:
                tail = layer.flush()
                self._count(tail)
                out += self._push(i + 1, tail)
        return bytes(out)

    def _count(self, piece: bytes) -> None:
        self.produced += len(piece)
        if self.produced > self.budget:
            raise _OverBudget
        if self.produced > _BOMB_FLOOR and self.produced > MAX_EXPANSION * max(self.received, 1):
            raise _Bomb

    def _layer(self, i: int, first: bytes):
        if self.layers[i] is None:
            coding = self.codings[i]
            if coding in ("gzip", "x-gzip"):
                self.layers[i] = zlib.decompressobj(16 + zlib.MAX_WBITS)
            else:  # deflate: zlib-wrapped as the RFC says, or raw as some servers send it
                wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
                self.layers[i] = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        return self.layers[i]

    def _push(self, i: int, data: bytes) -> bytes:
        if i == len(self.codings):
            return data
        if not data:
            return b""
        layer = self._layer(i, data)
        out = bytearray()
        while True:
            piece = layer.decompress(data, _STEP)
            data = layer.unconsumed_tail
            self._count(piece)
            out += self._push(i + 1, piece)
            if layer.eof or (not data and len(piece) < _STEP):
                return bytes(out)


class _OverBudget(Exception):
    pass


class _Bomb(Exception):
    pass


_BOMB_FLOOR = 1024 * 1024  # below this much decoded output no expansion is suspicious


def _codings(r: httpx.Response, url: str) -> list[str]:
    """The response's content codings, in the order to undo them."""
    header = ",".join(r.headers.get_list("content-encoding"))
    codings = [c.strip().lower() for c in header.split(",") if c.strip() and c.strip().lower() != "identity"]
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(f"{url}: unsupported content encoding {coding!r}", "encoding")
    if len(codings) > MAX_ENCODING_LAYERS:
        raise FetchError(f"{url}: {len(codings)} layers of content encoding (at most "
                         f"{MAX_ENCODING_LAYERS} are read)", "encoding")
    return codings[::-1]


def _read_capped(r: httpx.Response, url: str, max_bytes: int, truncate: bool,
                 guard: _Guard | None = None) -> tuple[bytes, bool]:
    """The decoded body, at most `max_bytes`; the bytes every decoding layer produces share
    one budget (twice `max_bytes`), the bytes received are capped at `max_bytes`."""
    decoder = _Decoder(_codings(r, url), budget=2 * max_bytes)
    body = bytearray()
    received = 0
    chunks = r.iter_raw()
    if r.is_stream_consumed:  # a response built in memory (MockTransport) holds its decoded content
        decoder, chunks = _Decoder([], budget=2 * max_bytes), iter([r.content])

    def too_large() -> FetchError:
        return FetchError(f"{url}: the page is larger than {_size(max_bytes)}", "too_large")

    def cut() -> tuple[bytes, bool]:
        if len(decoder.codings) > 1:  # no honest page is encoded twice and longer than the cap
            raise FetchError(f"{url}: the page is encoded {len(decoder.codings)} times and decodes to more "
                             f"than {_size(max_bytes)} (a compression bomb)", "too_large")
        return bytes(body[:max_bytes]), True

    try:
        for chunk in chunks:
            if guard is not None and guard.remaining() <= 0:
                raise httpx.ReadTimeout("deadline")
            received += len(chunk)
            if received > max_bytes and not truncate:
                raise too_large()
            decoder.received = received
            body += decoder.feed(chunk)
            if len(body) > max_bytes or received > max_bytes:
                if truncate:
                    return cut()
                raise too_large()
        body += decoder.finish()
    except _Bomb:  # an error even where a long page would only be cut
        raise FetchError(f"{url}: the page expands more than {MAX_EXPANSION}-fold when decoded "
                         "(a compression bomb)", "too_large") from None
    except _OverBudget:
        if truncate:
            return cut()
        raise too_large() from None
    except zlib.error:
        raise FetchError(f"{url}: the page's content encoding is damaged", "encoding") from None
    if len(body) > max_bytes:
        if truncate:
            return cut()
        raise too_large()
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
