"""A loopback HTTP emulator of the Crossref REST API and NCBI E-utilities.

It answers from a :class:`~citeaudit.emulate.corpus.Corpus` with the real services'
shapes, enforces their rate and concurrency limits (429 + ``Retry-After``), adds
latency on demand and injects faults, so clients can be tested and benchmarked
without the network::

    with Emulator(Corpus().load_dir("fixtures/records")) as emu:
        httpx.get(f"{emu.crossref_url}/works/10.1097/adm.0000000000000570")

Pools: ``crossref-doi`` (``/works/{doi}``), ``crossref-query`` (``/works?...``,
``/journals``) and ``eutils``. The two Crossref pools share one concurrency limit.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from lxml import etree

from citeaudit.emulate.corpus import Corpus, journal_key, tokens
from citeaudit.models import Record

POOLS = ("crossref-query", "crossref-doi", "eutils", "other")
FAULT_KINDS = ("500", "502", "503", "429", "429-no-retry-after", "malformed", "html-error", "hang", "drip", "reset")
MAX_EFETCH_IDS = 200

_FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
_ERROR_HTML_FILE = _FIXTURES / "api" / "error-pubmed3.html"
_FALLBACK_ERROR_HTML = "<html><head><title>Error</title></head><body><pre>Service unavailable</pre></body></html>\n"
_ESEARCH_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
_EFETCH_HEAD = (
    '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
_ESUMMARY_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSummaryResult PUBLIC "-//NLM//DTD esummary v1 20041029//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20041029/esummary-v1.dtd">\n'
)


def default_error_html() -> str:
    """The recorded NCBI HTML error page from fixtures/, or a minimal stand-in outside a checkout."""
    if _ERROR_HTML_FILE.is_file():
        return _ERROR_HTML_FILE.read_text(encoding="utf-8")
    return _FALLBACK_ERROR_HTML


@dataclass
class Response:
    """An answer before it is written: status, body, content type and extra headers."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain;charset=utf-8") -> Response:
        return cls(status, text.encode("utf-8"), content_type)

    @classmethod
    def xml(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode("utf-8"), "text/xml; charset=UTF-8")


@dataclass
class _Fault:
    target: str  # a pool name or a path prefix
    kind: str
    remaining: int | None  # None: until cleared


class Emulator:
    """Crossref + E-utilities on 127.0.0.1, served from a corpus (see module docstring).

    Rates are requests per second over a sliding one-second window; concurrency is
    the number of requests in flight. ``None`` means unlimited; ``enforce_limits``
    False turns every limit off (headers still announce them).
    """

    def __init__(
        self,
        corpus: Corpus,
        latency: float = 0.0,
        crossref_rate: float | None = 3.0,
        crossref_doi_rate: float | None = 10.0,
        crossref_concurrency: int | None = 3,
        eutils_rate: float | None = 3.0,
        eutils_concurrency: int | None = 3,
        enforce_limits: bool = True,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        hang_seconds: float = 30.0,
        drip_interval: float = 0.5,
        error_html: str | None = None,
    ) -> None:
        self.corpus = corpus
        self.latency = latency
        self.enforce_limits = enforce_limits
        self.rates: dict[str, float | None] = {
            "crossref-query": crossref_rate, "crossref-doi": crossref_doi_rate, "eutils": eutils_rate,
        }
        self.concurrency: dict[str, int | None] = {"crossref": crossref_concurrency, "eutils": eutils_concurrency}
        self.hang_seconds = hang_seconds
        self.drip_interval = drip_interval
        self.error_html = error_html if error_html is not None else default_error_html()
        self._address = (host, port)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._windows: dict[str, deque[float]] = {p: deque() for p in self.rates}
        self._in_flight: dict[str, int] = {g: 0 for g in self.concurrency}
        self._faults: list[_Fault] = []
        self._connections: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset_stats()

    # --- life cycle ------------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind (port 0 picks a free port) and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stop.clear()
        handler = type("Handler", (_Handler,), {"emulator": self})
        self._server = ThreadingHTTPServer(self._address, handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="citeaudit-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and wait for the handler threads."""
        if self._server is None:
            return
        self._stop.set()
        self._server.shutdown()
        with self._lock:
            connections, threads = list(self._connections), list(self._threads)
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(timeout=2.0)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._server = self._thread = None

    def _track(self, sock: socket.socket) -> None:
        """Remember a connection and its thread, so :meth:`stop` can cut and join them."""
        with self._lock:
            self._connections.add(sock)
            self._threads = [t for t in self._threads if t.is_alive()] + [threading.current_thread()]

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.discard(sock)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._address[0]}:{self.port}"

    @property
    def crossref_url(self) -> str:
        return f"{self.base_url}/crossref"

    @property
    def eutils_url(self) -> str:
        return f"{self.base_url}/eutils"

    # --- stats -----------------------------------------------------------------------

    def reset_stats(self) -> None:
        """Zero the per-pool counters and empty the request log."""
        with self._lock:
            self._stats = {p: {"requests": 0, "429": 0, "faults": 0} for p in POOLS}
            self._log: list[tuple[float, str, str]] = []

    @property
    def stats(self) -> dict[str, dict[str, int]]:
        """``{pool: {"requests": n, "429": n (rate-limited), "faults": n}}`` (a copy)."""
        with self._lock:
            return {p: dict(c) for p, c in self._stats.items()}

    @property
    def log(self) -> list[tuple[float, str, str]]:
        """``(time.monotonic(), pool, path)`` of every request received (a copy)."""
        with self._lock:
            return list(self._log)

    # --- faults ----------------------------------------------------------------------

    def set_fault(self, target: str, kind: str, count: int | None = None) -> None:
        """Make requests to a pool (or whose path starts with ``target``) fail with ``kind``.

        ``count`` requests get the fault, then it clears; None keeps it until
        :meth:`clear_faults`. The most recently set matching fault wins.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
        with self._lock:
            self._faults.insert(0, _Fault(target, kind, count))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, pool: str, path: str) -> str | None:
        with self._lock:
            for fault in self._faults:
                if fault.target == pool or path.startswith(fault.target):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    self._stats[pool]["faults"] += 1
                    return fault.kind
        return None

    # --- limits ----------------------------------------------------------------------

    def _admit(self, pool: str) -> bool:
        """Take a rate-window slot and a concurrency slot, or refuse (counted as a 429)."""
        if not self.enforce_limits or pool not in self.rates:
            return True
        group = _group(pool)
        now = time.monotonic()
        with self._lock:
            window = self._windows[pool]
            while window and now - window[0] >= 1.0:
                window.popleft()
            rate, limit = self.rates[pool], self.concurrency[group]
            if (rate is not None and len(window) >= rate) or (limit is not None and self._in_flight[group] >= limit):
                self._stats[pool]["429"] += 1
                return False
            window.append(now)
            self._in_flight[group] += 1
            return True

    def _release(self, pool: str) -> None:
        if self.enforce_limits and pool in self.rates:
            with self._lock:
                self._in_flight[_group(pool)] -= 1

    def _limit_headers(self, pool: str) -> dict[str, str]:
        """The rate-limit headers Crossref (and, in its own spelling, NCBI) sends."""
        rate = self.rates.get(pool)
        if pool.startswith("crossref"):
            limit = self.concurrency["crossref"]
            return {
                "x-rate-limit-limit": _number(rate),
                "x-rate-limit-interval": "1s",
                "x-concurrency-limit": _number(limit),
            }
        if pool == "eutils":
            return {"x-ratelimit-limit": _number(rate)}
        return {}

    # --- request handling --------------------------------------------------------------

    def handle(self, handler: _Handler, params: dict[str, str]) -> None:
        """Answer one request: stats, faults, limits, latency, then the route."""
        path = urlsplit(handler.path).path
        pool = _pool_of(path)
        with self._lock:
            self._stats[pool]["requests"] += 1
            self._log.append((time.monotonic(), pool, path))
        fault = self._take_fault(pool, path)
        admitted = fault is not None or self._admit(pool)
        if not admitted:
            handler.send(self._rate_limited(pool))
            return
        try:
            if self.latency:
                self._stop.wait(self.latency)
            if fault is None:
                handler.send(self._with_headers(pool, self.route(handler.path, params)))
            else:
                self._serve_fault(handler, pool, fault, lambda: self.route(handler.path, params))
        finally:
            if fault is None:
                self._release(pool)

    def _with_headers(self, pool: str, response: Response) -> Response:
        response.headers = {**self._limit_headers(pool), **response.headers}
        return response

    def _rate_limited(self, pool: str, retry_after: bool = True) -> Response:
        if pool == "eutils":
            response = Response.json({"error": "API rate limit exceeded", "limit": _number(self.rates["eutils"])}, 429)
        else:
            response = Response.text("Rate limit exceeded", 429)
        if retry_after:
            response.headers["Retry-After"] = "1"
        return self._with_headers(pool, response)

    def _serve_fault(self, handler: _Handler, pool: str, kind: str, answer: Callable[[], Response]) -> None:
        if kind in ("500", "502", "503"):
            handler.send(self._with_headers(pool, Response.text(f"Emulated error {kind}", int(kind))))
        elif kind in ("429", "429-no-retry-after"):
            handler.send(self._rate_limited(pool, retry_after=kind == "429"))
        elif kind == "html-error":
            handler.send(Response.text(self.error_html, 200, "text/html; charset=UTF-8"))
        elif kind == "malformed":
            good = answer()
            handler.send(Response(200, good.body[: max(1, len(good.body) // 2)], good.content_type))
        elif kind == "drip":
            handler.drip(self._with_headers(pool, answer()), self.drip_interval, self._stop)
        elif kind == "hang":
            self._stop.wait(self.hang_seconds)
            handler.close_connection = True
        elif kind == "reset":
            handler.reset()

    def route(self, raw_path: str, params: dict[str, str]) -> Response:
        """The service's answer to a path and its parameters (no limits, no faults)."""
        path = urlsplit(raw_path).path
        if path.startswith("/crossref/works/"):
            return self._crossref_work(unquote(path[len("/crossref/works/"):]))
        routes: dict[str, Callable[[dict[str, str]], Response]] = {
            "/crossref/works": self._crossref_works,
            "/crossref/journals": self._crossref_journals,
            "/eutils/esearch.fcgi": self._esearch,
            "/eutils/efetch.fcgi": self._efetch,
            "/eutils/esummary.fcgi": self._esummary,
            "/eutils/ecitmatch.cgi": self._ecitmatch,
        }
        route = routes.get(path.rstrip("/"))
        if route is None:
            return Response.text("Resource not found.", 404)
        return route(params)

    # --- Crossref ----------------------------------------------------------------------

    def _crossref_work(self, doi: str) -> Response:
        message = self.corpus.crossref_work(doi)
        if message is None:
            return Response.text("Resource not found.", 404)
        return Response.json({"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message})

    def _crossref_works(self, params: dict[str, str]) -> Response:
        filters = _crossref_filters(params.get("filter", ""))
        rows, offset = _int(params.get("rows"), 20, 0, 1000), _int(params.get("offset"), 0, 0, 10_000)
        bibliographic = " ".join(
            v for v in (params.get("query"), params.get("query.bibliographic"), params.get("query.title")) if v
        )
        hits = self.corpus.crossref_search(
            bibliographic=bibliographic or None,
            author=params.get("query.author"),
            container_title=params.get("query.container-title"),
            from_year=_year_of(filters.get("from-pub-date")),
            until_year=_year_of(filters.get("until-pub-date")),
            rows=offset + rows,
            work_type=filters.get("type"),
        )
        select = [s for s in params.get("select", "").split(",") if s]
        items = [_select({**message, "score": score}, select) for score, message in hits[offset:]]
        return Response.json({
            "status": "ok", "message-type": "work-list", "message-version": "1.0.0",
            "message": {
                "facets": {}, "total-results": len(hits), "items": items, "items-per-page": rows,
                "query": {"start-index": offset, "search-terms": bibliographic or None},
            },
        })

    def _crossref_journals(self, params: dict[str, str]) -> Response:
        wanted = set(tokens(params.get("query")))
        journals = [j for j in self.corpus.journals() if wanted <= set(tokens(j["title"]))]
        rows = _int(params.get("rows"), 20, 0, 1000)
        return Response.json({
            "status": "ok", "message-type": "journal-list", "message-version": "1.0.0",
            "message": {
                "items-per-page": rows, "query": {"start-index": 0, "search-terms": params.get("query")},
                "total-results": len(journals), "items": journals[:rows],
            },
        })

    # --- E-utilities -------------------------------------------------------------------

    def _esearch(self, params: dict[str, str]) -> Response:
        db, term = params.get("db", "pubmed"), params.get("term", "").strip()
        if db not in ("pubmed", "nlmcatalog"):
            return Response.xml(_ESEARCH_HEAD + f"<eSearchResult><ERROR>Invalid db name specified: {_esc(db)}</ERROR></eSearchResult>\n")
        if not term:
            return Response.xml(_ESEARCH_HEAD + "<eSearchResult><ERROR>Empty term and query_key - nothing todo</ERROR></eSearchResult>\n")
        ids = self.corpus.pubmed_esearch(term) if db == "pubmed" else self._nlmcatalog_search(term)
        retmax, retstart = _int(params.get("retmax"), 20, 0, 100_000), _int(params.get("retstart"), 0, 0, 100_000)
        page = ids[retstart: retstart + retmax]
        if params.get("retmode") == "json":
            return Response.json({
                "header": {"type": "esearch", "version": "0.3"},
                "esearchresult": {
                    "count": str(len(ids)), "retmax": str(len(page)), "retstart": str(retstart),
                    "idlist": page, "translationset": [], "querytranslation": term,
                },
            })
        id_xml = "".join(f"<Id>{i}</Id>\n" for i in page)
        return Response.xml(
            _ESEARCH_HEAD + f"<eSearchResult><Count>{len(ids)}</Count><RetMax>{len(page)}</RetMax>"
            f"<RetStart>{retstart}</RetStart><IdList>\n{id_xml}</IdList><TranslationSet/>"
            f"<QueryTranslation>{_esc(term)}</QueryTranslation></eSearchResult>\n"
        )

    def _nlmcatalog_search(self, term: str) -> list[str]:
        """Journal titles matching a catalog term; ids are labelled fakes ``nlm-<n>``."""
        value = re.sub(r"\[[^\]]*\]", " ", term).replace('"', " ")
        key, words = journal_key(value), set(tokens(value))
        return [
            f"nlm-{n}" for n, (title, keys) in enumerate(self.corpus.journal_names())
            if key in keys or (words and words <= set(tokens(title)))
        ]

    def _efetch(self, params: dict[str, str]) -> Response:
        ids = _id_list(params.get("id", ""))
        if params.get("db", "pubmed") != "pubmed" or not ids:
            return Response.xml("<eFetchResult><ERROR>Empty id list - nothing todo</ERROR></eFetchResult>\n", 400)
        if len(ids) > MAX_EFETCH_IDS:
            return Response.xml(
                f"<eFetchResult><ERROR>Too many UIDs in request. Maximum number of UIDs is {MAX_EFETCH_IDS}.</ERROR>"
                "</eFetchResult>\n", 400)
        articles = [xml for xml in (self.corpus.pubmed_xml(i) for i in ids) if xml]
        return Response.xml(_EFETCH_HEAD + "<PubmedArticleSet>\n" + "\n".join(articles) + "\n</PubmedArticleSet>\n")

    def _esummary(self, params: dict[str, str]) -> Response:
        ids = _id_list(params.get("id", ""))
        if len(ids) > MAX_EFETCH_IDS:
            return Response.text("Too many UIDs in request", 400)
        found = {i: self.corpus.pubmed_record(i) for i in ids}
        if params.get("retmode") == "json":
            result: dict[str, Any] = {"uids": ids}
            for pmid, record in found.items():
                result[pmid] = _summary_json(record) if record else {"uid": pmid, "error": "cannot get document summary"}
            return Response.json({"header": {"type": "esummary", "version": "0.3"}, "result": result})
        root = etree.Element("eSummaryResult")
        for pmid, record in found.items():
            if record:
                root.append(_summary_docsum(record))
            else:
                etree.SubElement(root, "ERROR").text = f"UID={pmid}: cannot get document summary"
        return Response.xml(_ESUMMARY_HEAD + etree.tostring(root, encoding="unicode") + "\n")

    def _ecitmatch(self, params: dict[str, str]) -> Response:
        lines = []
        for line in re.split(r"[\r\n]+", params.get("bdata", "")):
            fields = line.split("|")
            if len(fields) < 6:
                continue
            journal, year, volume, page, author, key = (f.strip() for f in fields[:6])
            pmid = self.corpus.ecitmatch(journal, year, volume, page, author)
            lines.append("|".join([journal, year, volume, page, author, key, pmid or "NOT_FOUND"]))
        return Response.text("\n".join(lines) + ("\n" if lines else ""))


class _Handler(BaseHTTPRequestHandler):
    """Reads the request, hands it to the emulator, writes what it answers."""

    protocol_version = "HTTP/1.1"
    server_version = "citeaudit-emulator"
    timeout = 30  # an idle keep-alive connection is dropped after this
    emulator: Emulator

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.emulator._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.emulator._untrack(self.connection)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.emulator.handle(self, _query_params(self.path))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        params = _query_params(self.path)
        params.update({k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()})
        self.emulator.handle(self, params)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: the emulator keeps its own request log."""

    def _head(self, response: Response, length: int) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(length))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()

    def send(self, response: Response) -> None:
        try:
            self._head(response, len(response.body))
            self.wfile.write(response.body)
        except OSError:
            self.close_connection = True

    def drip(self, response: Response, interval: float, stop: threading.Event) -> None:
        """Headers at once, then the body one byte per ``interval`` (until stopped)."""
        self.close_connection = True
        try:
            self._head(response, len(response.body))
            self.wfile.flush()
            for i in range(len(response.body)):
                self.wfile.write(response.body[i: i + 1])
                self.wfile.flush()
                if stop.wait(interval):
                    return
        except OSError:
            return

    def reset(self) -> None:
        """Close the socket at once with an RST, answering nothing."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


# --- helpers --------------------------------------------------------------------------------


def _pool_of(path: str) -> str:
    if path.startswith("/crossref/works/"):
        return "crossref-doi"
    if path.startswith("/crossref"):
        return "crossref-query"
    if path.startswith("/eutils"):
        return "eutils"
    return "other"


def _group(pool: str) -> str:
    return "crossref" if pool.startswith("crossref") else pool


def _number(value: float | int | None) -> str:
    if value is None:
        return "unlimited"
    return str(int(value)) if float(value).is_integer() else str(value)


def _query_params(raw_path: str) -> dict[str, str]:
    """Last value of each query parameter (blank values kept)."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(raw_path).query, keep_blank_values=True).items()}


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value), low), high) if value not in (None, "") else default
    except ValueError:
        return default


def _year_of(value: str | None) -> int | None:
    m = re.match(r"\d{4}", value or "")
    return int(m.group()) if m else None


def _crossref_filters(text: str) -> dict[str, str]:
    """``from-pub-date:2019,type:journal-article`` -> dict."""
    out = {}
    for part in text.split(","):
        name, _, value = part.partition(":")
        if name.strip() and value.strip():
            out[name.strip()] = value.strip()
    return out


def _select(message: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k in fields} if fields else message


def _id_list(text: str) -> list[str]:
    return [i.strip() for i in text.split(",") if i.strip()]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pubdate(record: Record) -> str:
    """``2020 May-Jun`` style PubDate text from the stored article XML (year as fallback)."""
    if record.raw:
        root = etree.fromstring(record.raw.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        date = root.find(".//Article/Journal/JournalIssue/PubDate")
        if date is not None:
            medline = date.findtext("MedlineDate")
            parts = [date.findtext(t) for t in ("Year", "Month", "Day")]
            text = medline or " ".join(p for p in parts if p)
            if text:
                return text.strip()
    return str(record.year or "")


def _source(record: Record) -> str:
    """esummary's Source: the NLM title abbreviation (MedlineTA, listed last)."""
    return record.journal_abbrevs[-1] if record.journal_abbrevs else record.journal or ""


def _display_title(record: Record) -> str:
    title = record.title or ""
    return title if not title or title[-1] in ".?!" else title + "."


def _article_ids(record: Record) -> list[tuple[str, int, str]]:
    ids = [("pubmed", 1, record.pmid), ("doi", 3, record.doi), ("pmc", 8, record.pmcid)]
    return [(kind, n, value) for kind, n, value in ids if value]


def _summary_json(record: Record) -> dict[str, Any]:
    """An esummary v2.0 JSON document summary."""
    authors = [str(a) for a in record.authors]
    return {
        "uid": record.pmid,
        "pubdate": _pubdate(record),
        "epubdate": "",
        "source": _source(record),
        "authors": [{"name": a, "authtype": "Author", "clusterid": ""} for a in authors],
        "lastauthor": authors[-1] if authors else "",
        "title": _display_title(record),
        "volume": record.volume or "",
        "issue": record.issue or "",
        "pages": record.pages or "",
        "issn": record.issns[0] if record.issns else "",
        "pubtype": record.publication_types,
        "articleids": [{"idtype": k, "idtypen": n, "value": v} for k, n, v in _article_ids(record)],
        "fulljournalname": record.journal or "",
        "elocationid": f"doi: {record.doi}" if record.doi else "",
    }


def _item(parent: etree._Element, name: str, kind: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, "Item", Name=name, Type=kind)
    if text is not None:
        el.text = text
    return el


def _summary_docsum(record: Record) -> etree._Element:
    """An esummary v1 XML ``<DocSum>``."""
    doc = etree.Element("DocSum")
    etree.SubElement(doc, "Id").text = record.pmid
    _item(doc, "PubDate", "Date", _pubdate(record))
    _item(doc, "Source", "String", _source(record))
    authors = _item(doc, "AuthorList", "List")
    for a in record.authors:
        _item(authors, "Author", "String", str(a))
    _item(doc, "LastAuthor", "String", str(record.authors[-1]) if record.authors else "")
    _item(doc, "Title", "String", _display_title(record))
    for name, value in (("Volume", record.volume), ("Issue", record.issue), ("Pages", record.pages)):
        _item(doc, name, "String", value or "")
    _item(doc, "ISSN", "String", record.issns[0] if record.issns else "")
    types = _item(doc, "PubTypeList", "List")
    for t in record.publication_types:
        _item(types, "PubType", "String", t)
    ids = _item(doc, "ArticleIds", "List")
    for kind, _, value in _article_ids(record):
        _item(ids, kind, "String", value)
    _item(doc, "DOI", "String", record.doi or "")
    _item(doc, "FullJournalName", "String", record.journal or "")
    return doc
