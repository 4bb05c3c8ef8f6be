"""Links in the article body as citations. Pure functions.

Every http(s) link of the Document is classified:

* a scholarly identifier -- doi.org, PubMed, PMC, Europe PMC, or a publisher landing page
  with a DOI in its URL -- becomes a ``kind="link"`` scholarly citation carrying
  ``fields.doi`` / ``pmid`` / ``pmcid`` (resolved like any reference);
* anything else (agency pages, press releases, general web pages) becomes a
  ``kind="link"`` grey citation with ``fields.url`` (checked by fetching it) and
  ``fields.title`` the name the article gives it: the anchor text, or, for a bare URL or
  a "click here" anchor, the label of its list item ("NIDA (Government Portal): ... – URL").

Links the article's own citations already cover are not repeated: one whose identifier an
existing citation carries, or one inside a reference-list entry (a grey entry without a
URL of its own is given the link's URL instead). Relative links, fragments, mailto: and
links to the article's own site are site navigation, not citations, and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from citeaudit.extract.identifiers import normalize_doi
from citeaudit.models import Citation, Document, Fields, Link

_PMID_URL_RES = (
    re.compile(r"^(?:www\.)?pubmed\.ncbi\.nlm\.nih\.gov\$/(\d{1,9})/?$"),
    re.compile(r"^(?:www\.)?ncbi\.nlm\.nih\.gov\$/pubmed/(\d{1,9})/?$"),
    re.compile(r"^(?:www\.)?europepmc\.org\$/(?:article|abstract)/med/(\d{1,9})/?$"),
)
_PMC_URL_RES = (
    re.compile(r"^(?:www\.)?(?:pmc\.)?ncbi\.nlm\.nih\.gov\$/(?:pmc/)?articles/pmc(\d{4,9})/?"),
    re.compile(r"^(?:www\.)?europepmc\.org\$/(?:article/pmc|articles)/pmc(\d{4,9})/?"),
)
_DOI_IN_URL_RE = re.compile(r"10\.\d{4,9}/[^?#\s]+")
# landing-page path endings that follow a DOI in publishers' URLs
_DOI_PAGE_SUFFIX_RE = re.compile(
    r"(?:/(?:full|abstract|abs|pdf|epdf|pdfdirect|fulltext|full-text|html|summary|meta|references|figures|text"
    r"|tables|metrics|supplementary|suppl|citedby|info|reader|article-info)(?:\.\w{2,4})?|\.pdf|\.html?)/?$",
    re.IGNORECASE,
)
_URLISH_RE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$|^\s*[\w-]+(?:\.[\w-]+)+/\S*\s*$", re.IGNORECASE)
_GENERIC_ANCHORS = frozenset({
    "here", "click here", "this", "link", "this link", "source", "sources", "this study", "study", "the study",
    "read more", "learn more", "more", "website", "this website", "this article", "article", "report",
    "this report", "pdf", "full text", "view", "see", "see here", "research", "this research", "according",
})
_LIST_MARK_RE = re.compile(r"^\s*(?:[•·▪◦●‣∙*\-–—+]|\d{1,3}[.)]|\[\d{1,3}\])\s+")
_LABEL_END_RE = re.compile(r":\s|\s[–—-]\s|\s\[|\[")


def scholarly_ids(url: str) -> dict[str, str]:
    """The DOI, PMID or PMCID a URL stands for ({} for an ordinary web page)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    path = unquote(parts.path or "")
    hostpath = f"{host}${path.lower()}"
    for rx in _PMID_URL_RES:
        m = rx.match(hostpath)
        if m:
            return {"pmid": m.group(1).lstrip("0")}
    for rx in _PMC_URL_RES:
        m = rx.match(hostpath)
        if m:
            return {"pmcid": "PMC" + m.group(1)}
    if host.endswith("doi.org"):
        doi = normalize_doi(path.lstrip("/"))
        return {"doi": doi} if doi else {}
    m = _DOI_IN_URL_RE.search(path)
    if m:
        doi = normalize_doi(_strip_page_suffix(m.group(0)))
        if doi:
            return {"doi": doi}
    for _key, value in parse_qsl(parts.query):
        m = _DOI_IN_URL_RE.match(unquote(value).strip())
        if m:
            doi = normalize_doi(m.group(0))
            if doi:
                return {"doi": doi}
    return {}


def _strip_page_suffix(doi: str) -> str:
    while True:
        stripped = _DOI_PAGE_SUFFIX_RE.sub("", doi)
        if stripped == doi:
            return doi.rstrip("/")
        doi = stripped


def _site(host: str | None) -> str:
    host = (host or "").lower()
    return host[4:] if host.startswith("www.") else host


def absolute_url(href: str, base: str) -> str | None:
    """The link as an absolute http(s) URL, or None for fragments, mailto:, relative links
    in a local file, and other schemes."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if href.lower().startswith("www."):
        href = "http://" + href
    parts = urlsplit(href)
    if parts.scheme in ("http", "https"):
        return href if parts.hostname else None
    if parts.scheme:  # mailto:, tel:, javascript:, ftp:...
        return None
    if urlsplit(base).scheme in ("http", "https"):
        return urljoin(base, href)
    return None  # a relative link in a local file: nothing to fetch


def is_internal(url: str, base: str) -> bool:
    """A link to the article's own site (same host, ignoring "www.")."""
    b = urlsplit(base)
    return b.scheme in ("http", "https") and _site(urlsplit(url).hostname) == _site(b.hostname)


def link_label(text: str, link: Link) -> str | None:
    """What the article calls a link: its anchor text unless that is a URL or a generic
    "click here", else the label of the list item / short line it sits on."""
    anchor = " ".join(link.text.split())
    if anchor and not _URLISH_RE.match(anchor) and anchor.lower().strip(" .:") not in _GENERIC_ANCHORS \
            and len(anchor) > 2:
        return anchor
    line_start = text.rfind("\n", 0, link.start) + 1
    line_end = text.find("\n", link.end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    listed = bool(_LIST_MARK_RE.match(line))
    if not listed and len(line) > 300:
        return None
    before = _LIST_MARK_RE.sub("", text[line_start : link.start], count=1)
    m = _LABEL_END_RE.search(before)
    label = " ".join((before[: m.start()] if m else before).split()).strip(" -–—:;,")
    if not label or len(label) > 150 or _URLISH_RE.match(label):
        return None
    return label


_DESCRIBES_WORK_RE = re.compile(
    r"\b(?:study|trial|review|survey|meta-analysis|analysis|paper|article|report|guideline|experiment|inquiry)\b",
    re.IGNORECASE)


def anchor_details(anchor: str) -> dict:
    """The year and journal an anchor describing the work states ('A 2022 study in PNAS'): compared
    with the record the link's DOI leads to, as a reference's stated details are."""
    from citeaudit.extract.mentions import find_journal
    from citeaudit.extract.prose import find_year

    if not _DESCRIBES_WORK_RE.search(anchor):
        return {}
    out: dict = {}
    year = find_year(anchor)
    if year:
        out["year"] = year
    journal = find_journal(anchor)
    if journal:
        out["journal"] = journal[0]
    return out


def link_citation(doc: Document, link: Link, url: str) -> Citation:
    """One link as a citation: scholarly (identifier) or grey (URL to fetch)."""
    ids = scholarly_ids(url)
    text = doc.text[link.start : link.end] or link.text or url
    extra = {"href": url, "anchor": link.text}
    if ids:
        stated = anchor_details(link.text or "")
        if stated:
            extra["stated"] = sorted(stated)
        return Citation(kind="link", text=text, start=link.start, end=link.end,
                        fields=Fields(url=url, **ids, **stated), category="scholarly", extra=extra)
    return Citation(kind="link", text=text, start=link.start, end=link.end,
                    fields=Fields(url=url, title=link_label(doc.text, link)), category="grey", extra=extra)


def _covered_ids(citations: list[Citation]) -> set[tuple[str, str]]:
    out = set()
    for c in citations:
        for kind in ("doi", "pmid", "pmcid"):
            v = getattr(c.fields, kind)
            if v:
                out.add((kind, v.lower()))
    return out


def with_links(doc: Document, citations: list[Citation]) -> list[Citation]:
    """`citations` plus one citation per body link they do not already cover.

    Returns a new list; a grey reference entry that contains a link and states no URL is
    replaced by a copy carrying the link's URL (so it is checked by fetching).
    """
    out = list(citations)
    covered = _covered_ids(out)
    seen_urls: set[str] = set()
    # the page's own address: the URL it was fetched from, else its canonical / og:url
    page_url = doc.source if urlsplit(doc.source).scheme in ("http", "https") else str(doc.meta.get("url") or "")
    for link in doc.links:
        url = absolute_url(link.href, page_url or doc.source)
        if url is None or (page_url and is_internal(url, page_url)):
            continue
        ids = scholarly_ids(url)
        if any((k, v.lower()) in covered for k, v in ids.items()):
            continue
        host_idx = next((i for i, c in enumerate(out) if c.kind == "reference" and c.start <= link.start < c.end),
                        None)
        if host_idx is not None:
            entry = out[host_idx]
            if entry.category == "grey" and not entry.fields.url and not ids:
                out[host_idx] = replace(entry, fields=replace(entry.fields, url=url))
            if not ids or entry.category == "grey":
                continue
            if entry.fields.doi or entry.fields.pmid or entry.fields.pmcid:
                continue
        key = url.rstrip("/")
        if key in seen_urls:
            continue
        seen_urls.add(key)
        cite = link_citation(doc, link, url)
        covered |= _covered_ids([cite])
        out.append(cite)
    return out
