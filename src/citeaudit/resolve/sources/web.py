"""Checking cited web links by fetching them (httpx, through fetch.fetch_page).

Not a bibliographic source: it has no identifiers and no search (so the Crossref/PubMed
stages skip it); the Resolver hands it the URLs of grey citations (`check_many`), and
`link_verdict` judges what came back. Polite: at most 2 requests in flight and 2 per
second per host, short timeouts, only the first 512 KB of a page read; timeouts, refused
connections, 429 and 5xx are retried a little and then reported as failures (so the link
is "unchecked", never "unfound"). Every hop is checked against private addresses.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlsplit

import httpx
from bs4 import BeautifulSoup

from citeaudit.config import Settings
from citeaudit.ingest.fetch import FetchError, Resolve, content_kind, fetch_page, new_client, system_resolve
from citeaudit.judge.link import PageFacts
from citeaudit.models import Citation, Record, SourceAnswer
from citeaudit.resolve.sources.base import SourceError
from citeaudit.resolve.sources.throttle import Pool, TransientError, call

MAX_LINK_BYTES = 512 * 1024
PER_HOST_CONCURRENCY = 2
PER_HOST_RATE = 2.0
DNS_CANARY = "example.com"  # reserved by IANA (RFC 2606): always resolves where DNS works

# text that parked / for-sale domain pages carry (lower-case, searched in the page source)
_PARKED_RE = re.compile(
    r"this domain (?:name )?(?:is|may be) for sale|buy this domain|domain (?:name )?is for sale"
    r"|this domain has been registered|parked (?:free|domain|by)|domain (?:is )?parked|parking ?crew"
    r"|sedoparking|sedo domain parking|bodis\.com|parklogic|above\.com/marketplace|hugedomains\.com"
    r"|dan\.com/buy-domain|afternic\.com|undeveloped\.com|window\.location\.href\s*=\s*[\"']/lander"
)


@dataclass
class LinkAnswer(SourceAnswer):
    """A SourceAnswer carrying what fetching the link showed."""

    page: PageFacts | None = None


def link_answer_to_json(a: LinkAnswer) -> dict:
    """What a link check showed, as stored (table evidence, kind "link")."""
    from dataclasses import asdict

    return {"page": asdict(a.page) if a.page is not None else None}


def link_answer_from_json(d: dict) -> LinkAnswer:
    page = d.get("page")
    return LinkAnswer(source="web", page=PageFacts(**page) if page is not None else None)


def page_facts(url: str, final_url: str, status: int, content_type: str, body: bytes,
               redirects: list[str]) -> PageFacts:
    """Titles, site name and parked-domain marker of a fetched page (pure)."""
    is_html = content_kind(content_type, body) == "html"
    facts = PageFacts(url=url, final_url=final_url, status=status, content_type=content_type,
                      redirects=list(redirects), is_html=is_html)
    if not is_html or status >= 400:
        return facts
    try:
        soup = BeautifulSoup(body, "lxml")
    except Exception:  # lxml missing or choking
        soup = BeautifulSoup(body, "html.parser")
    titles: list[str] = []

    def add(s: str | None) -> None:
        s = " ".join((s or "").split())
        if s and s not in titles:
            titles.append(s)

    if soup.title is not None:
        add(soup.title.get_text())
    for prop in ("og:title", "twitter:title"):
        tag = soup.find("meta", attrs={"property": prop}) or soup.find("meta", attrs={"name": prop})
        if tag is not None:
            add(str(tag.get("content") or ""))
    h1 = soup.find("h1")
    if h1 is not None:
        add(h1.get_text(" "))
    facts.titles = titles
    site = soup.find("meta", attrs={"property": "og:site_name"})
    if site is not None:
        facts.site_name = " ".join(str(site.get("content") or "").split()) or None
    m = _PARKED_RE.search(body[:200_000].decode("utf-8", errors="replace").lower())
    facts.parked = m.group(0) if m else None
    return facts


class WebSource:
    """Fetches cited links politely; see the module docstring."""

    name = "web"
    id_kinds: tuple[str, ...] = ()
    checks_links = True

    def __init__(self, settings: Settings, client: httpx.Client | None = None, resolve: Resolve | None = None,
                 retries: int | None = None, max_wait: float | None = None, workers: int = 8):
        self.settings = settings
        self.resolve = resolve
        self.retries = min(settings.retries, 2) if retries is None else retries
        self.max_wait = min(settings.max_wait, 30.0) if max_wait is None else max_wait
        self.workers = workers
        self._own_client = client is None
        self.client = client or new_client(settings, timeout=min(settings.timeout, 15.0))
        self._pools: dict[str, Pool] = {}
        self._lock = threading.Lock()
        self._dns_ok: bool | None = None

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    # the Source interface: nothing to fetch by identifier or to search
    def applies_to(self, citation: Citation) -> bool:
        return False

    def fetch(self, kind: str, ids: Sequence[str]) -> dict[str, Record | None]:
        return {}

    def search(self, citation: Citation, limit: int = 5) -> list[Record]:
        return []

    # --- link checking ------------------------------------------------------------

    def _pool(self, url: str) -> Pool:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            if host not in self._pools:
                self._pools[host] = Pool(f"web:{host}", PER_HOST_RATE, PER_HOST_CONCURRENCY)
            return self._pools[host]

    def check(self, url: str) -> LinkAnswer:
        """Fetch one link: a LinkAnswer with the page's facts, or ok=False when it could not be asked."""

        def once():
            try:
                page = fetch_page(url, self.settings, max_bytes=MAX_LINK_BYTES, client=self.client,
                                  resolve=self.resolve, truncate=True)
            except FetchError as e:
                if e.kind == "dns":
                    return PageFacts(url=url, final_url=url, dns_failed=True)
                if e.kind in ("timeout", "connect", "network"):
                    raise TransientError(_reason(e)) from None
                raise SourceError(_reason(e)) from None
            if page.status == 429 or page.status >= 500:
                raise TransientError(f"HTTP {page.status}", status=page.status)
            return page_facts(url, page.url, page.status, page.content_type, page.body, page.redirects)

        try:
            facts = call(once, self._pool(url), f"web {url}", retries=self.retries, max_wait=self.max_wait)
        except SourceError as e:
            return LinkAnswer(source=self.name, ok=False, error=str(e))
        if facts.dns_failed and not self._dns_works():
            return LinkAnswer(source=self.name, ok=False,
                              error=f"name lookup fails even for {DNS_CANARY} (no working DNS?)")
        return LinkAnswer(source=self.name, page=facts)

    def _dns_works(self) -> bool:
        """Whether names resolve at all (asked once): a failed lookup means "the domain does not
        exist" only when a name that certainly exists resolves."""
        with self._lock:
            if self._dns_ok is None:
                try:
                    self._dns_ok = bool((self.resolve or system_resolve)(DNS_CANARY, 443))
                except OSError:
                    self._dns_ok = False
            return self._dns_ok

    def check_many(self, urls: Sequence[str]) -> dict[str, LinkAnswer]:
        """Every distinct URL checked once, concurrently (each host's pool keeps it polite)."""
        distinct = list(dict.fromkeys(urls))
        if not distinct:
            return {}
        with ThreadPoolExecutor(max_workers=min(self.workers, len(distinct))) as pool:
            return dict(zip(distinct, pool.map(self.check, distinct)))


def _reason(e: FetchError) -> str:
    """The part of a FetchError message after the URL."""
    msg = str(e)
    return msg.split(": ", 1)[1] if ": " in msg else msg

