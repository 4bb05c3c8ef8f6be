"""The verdict on a cited web link, from what fetching it showed. Pure functions.

verified    the page exists and its title fits what the article calls it (or nothing is
            stated to compare with)
mismatched  the link resolves to something else: another title, the site's home page for
            a deep link, a parked (for-sale) domain
unfound     HTTP 404/410, or the domain does not exist
unchecked   the network did not answer (timeout, refused connection, 5xx after retries),
            the site refused the request (401/403/429), or the answer is not a page whose
            title can be compared
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from citeaudit.judge.match import title_similarity
from citeaudit.models import MISMATCHED, UNCHECKED, UNFOUND, VERIFIED, Check, Citation, FieldComparison, Record
from citeaudit.normalize import TITLE_STOPWORDS, tokens

OFFLINE_REASON = "offline: the link was not fetched; run online to check it"

# words of a page title that say nothing about what the page is
_GENERIC_TITLE_WORDS = frozenset({"home", "homepage", "welcome", "page", "official", "website", "site", "index",
                                  "main", "www", "com", "org", "gov", "net"})
_SEPARATORS_RE = re.compile(r"\s+[|\-–—:·•»]\s+|\s*::\s*")
_HOME_PATH_RE = re.compile(r"^/?(?:index\.\w{2,5}|home(?:page)?|default\.aspx?|[a-z]{2}(?:[-_][a-z]{2})?)?/?$",
                           re.IGNORECASE)


@dataclass
class PageFacts:
    """What fetching a link showed (plain data, built by sources/web.py)."""

    url: str  # as cited
    final_url: str | None = None
    status: int | None = None
    content_type: str = ""
    titles: list[str] = field(default_factory=list)  # <title>, og:title, first <h1>
    site_name: str | None = None
    redirects: list[str] = field(default_factory=list)
    dns_failed: bool = False
    parked: str | None = None  # the parked-domain marker found, if any
    is_html: bool = True


def is_home_url(url: str) -> bool:
    """A site's home page: no path (or /, /index.html, /en/), no query."""
    parts = urlsplit(url)
    return not parts.query and bool(_HOME_PATH_RE.match(parts.path or "/"))


def _words(s: str) -> list[str]:
    return [w for w in tokens(s) if w not in TITLE_STOPWORDS and len(w) > 1]


def _acronym(s: str) -> str:
    ws = [w for w in tokens(s) if w not in TITLE_STOPWORDS]
    return "".join(w[0] for w in ws) if len(ws) >= 3 else ""


def _title_parts(title: str, site_name: str | None, deep: bool) -> list[str]:
    """The separated parts of a page title ("Kratom | NIDA" -> ["Kratom", "NIDA"]). For a
    deep link the site's own name (og:site_name, else the last part) is left out, so that
    any page of the right site does not pass for the cited one."""
    parts = [p.strip() for p in _SEPARATORS_RE.split(title) if p and p.strip()]
    if deep and len(parts) > 1:
        site = tokens(site_name or "")
        kept = [p for p in parts if tokens(p) != site] if site else parts
        parts = kept[:-1] if len(kept) == len(parts) else kept
    return parts or [title]


def title_fit(stated: str, titles: list[str], site_name: str | None = None,
              deep: bool = False) -> tuple[bool, float, str | None]:
    """Whether one of the page's titles fits the stated name/title: (fits, score, best title).

    A fit is a similar title (>= 0.75, whole or one of its " | "-separated parts), a part
    whose meaningful words all appear in the stated text ("PubMed" in "PubMed Central
    (Academic Database)"), most stated words appearing in a part, or an acronym of one side
    written on the other ("NIDA"). For a deep link the site-name part does not count.
    """
    stated_words = set(_words(stated))
    best: tuple[float, str | None] = (0.0, titles[0] if titles else None)
    for title in titles:
        parts = _title_parts(title, site_name, deep)
        for part in dict.fromkeys([title, *parts]):
            sim = title_similarity(stated, part)
            if sim > best[0]:
                best = (sim, title)
            if sim >= 0.75:
                return True, sim, title
        for part in parts:
            part_words = [w for w in _words(part) if w not in _GENERIC_TITLE_WORDS]
            if part_words and any(len(w) >= 4 for w in part_words) and set(part_words) <= stated_words:
                return True, max(best[0], 0.8), title
            if len(stated_words) >= 2 and len(stated_words & set(part_words)) >= 0.6 * len(stated_words):
                return True, max(best[0], 0.75), title
            acr_part, acr_stated = _acronym(part), _acronym(stated)
            if (acr_part and acr_part in stated_words) or (acr_stated and acr_stated in set(part_words)):
                return True, max(best[0], 0.75), title
    return False, best[0], best[1]


def _page_record(page: PageFacts) -> Record:
    return Record(source="web", url=page.final_url or page.url, title=(page.titles or [None])[0])


def _where(page: PageFacts) -> str:
    if page.final_url and page.final_url != page.url:
        return f"{page.url} -> {page.final_url}"
    return page.url


def link_verdict(citation: Citation, page: PageFacts | None, ok: bool = True, error: str | None = None) -> Check:
    """The verdict on a cited link (or a grey reference with a URL) given what fetching showed."""
    url = citation.fields.url or (page.url if page else "")
    sources = {"web": "ok" if ok else (error or "failed")}
    if not ok or page is None:
        return Check(UNCHECKED, f"could not check the link {url}: {error or 'no answer'}", sources=sources)
    if page.dns_failed:
        host = urlsplit(page.final_url or page.url).hostname or page.url
        return Check(UNFOUND, f"the domain {host} does not exist (the name does not resolve)", sources=sources)
    status = page.status or 0
    if status in (404, 410):
        return Check(UNFOUND, f"{_where(page)} answers HTTP {status}: the page does not exist", sources=sources)
    if status >= 400:
        return Check(UNCHECKED, f"{_where(page)} answers HTTP {status}: the site refused or failed the request",
                     sources=sources)
    if status < 200 or status >= 300:
        return Check(UNCHECKED, f"{_where(page)} answers HTTP {status}", sources=sources)
    record = _page_record(page)
    if page.parked:
        return Check(MISMATCHED, f"{_where(page)} is a parked domain (page says {page.parked!r}), not the cited source",
                     record=record, sources=sources,
                     differences=[FieldComparison("url", url, page.final_url, False, note="parked domain")])
    if not is_home_url(page.url) and page.final_url and is_home_url(page.final_url):
        return Check(MISMATCHED, f"the deep link {page.url} now leads to the site's home page {page.final_url}",
                     record=record, sources=sources,
                     differences=[FieldComparison("url", url, page.final_url, False,
                                                  note="redirects to the home page")])
    stated = citation.fields.title
    if not page.is_html:
        what = page.content_type.split(";")[0].strip() or "a non-HTML document"
        if stated:
            return Check(UNCHECKED, f"{_where(page)} exists but answers with {what}; its title was not compared "
                                    f"with {stated!r}", record=record, sources=sources)
        return Check(VERIFIED, f"{_where(page)} exists ({what})", record=record, sources=sources)
    if not stated:
        return Check(VERIFIED, f"{_where(page)} exists; the article names nothing to compare its title with",
                     record=record, sources=sources)
    if not page.titles:
        return Check(VERIFIED, f"{_where(page)} exists; the page has no title to compare with {stated!r}",
                     record=record, sources=sources)
    fits, score, title = title_fit(stated, page.titles, page.site_name, deep=not is_home_url(page.url))
    comparison = FieldComparison("title", stated, title, fits, score)
    if fits:
        return Check(VERIFIED, f"{_where(page)} exists and its title {title!r} fits {stated!r}", record=record,
                     score=score, comparisons=[comparison], sources=sources)
    return Check(MISMATCHED, f"{_where(page)} is titled {title!r}, which does not fit {stated!r}", record=record,
                 score=score, comparisons=[comparison], differences=[comparison], sources=sources)
