"""PubMed through NCBI E-utilities (httpx): efetch by PMID, ECitMatch, esearch with field tags.

Polite by default: every request carries `tool`, `email` (when configured) and `api_key`
(when configured); requests share one Pool at 3/s (10/s with a key). efetch takes up
to 200 ids per request; ECitMatch takes every citation of a run in one request, and its
hits are confirmed against the fetched records by the matcher, never trusted alone.
"""

from __future__ import annotations

import re
import time
from typing import Sequence

import httpx

from citeaudit.config import Settings
from citeaudit.models import Citation, Record
from citeaudit.normalize import family_key, significant_words
from citeaudit.records.pubmed import parse_ecitmatch, parse_efetch, parse_esearch
from citeaudit.resolve.sources.base import SourceError
from citeaudit.resolve.sources.throttle import (SILENT, UNREACHABLE, Gate, Pool, ServiceHealth, TransientError,
                                                answer_deadline, call, connect_failure, parse_retry_after)

BATCH = 200


class PubMedSource:
    name = "pubmed"
    id_kinds = ("pmid",)
    batch_size = BATCH  # ids per efetch / lines per ECitMatch request

    def __init__(self, settings: Settings, client: httpx.Client | None = None):
        self.settings = settings
        self.base = settings.eutils_url.rstrip("/")
        self.health = ServiceHealth("pubmed", "PubMed", first_answer_timeout=settings.first_answer_timeout)
        self.pool = Pool("eutils", settings.pubmed_rate,
                         gate=Gate(settings.pubmed_concurrency, health=self.health))
        ua = "citeaudit" + (f" ({settings.mailto})" if settings.mailto else "")
        self.client = client or httpx.Client(timeout=settings.timeout, headers={"User-Agent": ua},
                                             follow_redirects=True)

    def close(self) -> None:
        self.client.close()

    # --- plumbing -----------------------------------------------------------------

    def _params(self, **extra) -> dict[str, str]:
        p = {"tool": self.settings.ncbi_tool}
        if self.settings.mailto:
            p["email"] = self.settings.mailto
        if self.settings.ncbi_api_key:
            p["api_key"] = self.settings.ncbi_api_key
        p.update({k: str(v) for k, v in extra.items() if v is not None})
        return p

    def _request(self, endpoint: str, what: str, data: dict[str, str] | None = None,
                 params: dict[str, str] | None = None) -> str:
        url = f"{self.base}/{endpoint}"

        def once() -> str:
            try:
                r = self._send(url, data, params)
            except httpx.TimeoutException as e:
                raise TransientError("timed out", kind=SILENT) from e
            except httpx.TransportError as e:
                refused = connect_failure(e)
                raise TransientError(refused or f"could not connect ({type(e).__name__})",
                                     kind=UNREACHABLE if refused else None) from e
            if r.status_code == 429 or r.status_code >= 500:
                raise TransientError(f"HTTP {r.status_code}", parse_retry_after(r.headers.get("retry-after")),
                                     status=r.status_code, headers=r.headers)
            self.pool.adopt_limits(r.headers)
            if r.status_code >= 400:
                raise SourceError(f"pubmed {what}: HTTP {r.status_code}")
            ctype = r.headers.get("content-type", "")
            if "html" in ctype and not r.text.lstrip().startswith("<?xml"):
                raise TransientError("answered with an HTML error page")
            return r.text

        s = self.settings
        return call(once, self.pool, f"pubmed {what}", retries=s.retries, max_wait=s.max_wait)

    def _send(self, url: str, data: dict[str, str] | None, params: dict[str, str] | None) -> httpx.Response:
        """One request, its body read in full within answer_deadline(timeout) (a slow drip
        never trips the per-read timeout); TransientError when it takes longer."""
        limit = self.health.timeout(answer_deadline(self.settings.timeout))
        deadline = time.monotonic() + limit
        method, kw = ("POST", {"data": data}) if data is not None else ("GET", {"params": params})
        # a service yet to answer in this run gets a short wait (ServiceHealth), others the configured one
        kw["timeout"] = self.health.timeout(self.settings.timeout)
        with self.client.stream(method, url, **kw) as r:
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                if time.monotonic() > deadline:
                    raise TransientError(f"no complete answer within {limit:g} s (too slow)", kind=SILENT)
            return httpx.Response(r.status_code, headers=r.headers, content=bytes(body), request=r.request)

    def _parsed(self, parse, text: str, what: str):
        try:
            return parse(text)
        except ValueError as e:
            raise SourceError(f"pubmed {what}: unusable answer ({e})") from None

    # --- the Source interface -----------------------------------------------------

    def applies_to(self, citation: Citation) -> bool:
        f = citation.fields
        if citation.kind == "mention":
            return bool(citation.extra.get("anchor"))
        return bool(f.pmid or f.title or (f.authors and f.journal) or f.doi or f.pmcid)

    def fetch(self, kind: str, ids: Sequence[str]) -> dict[str, Record | None]:
        if kind != "pmid":
            return {}
        wanted = [i for i in dict.fromkeys(str(i) for i in ids) if i.isdigit()]
        out: dict[str, Record | None] = {i: None for i in wanted}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start:start + BATCH]
            # GET up to 200 ids, as NCBI documents (POST is for longer lists)
            text = self._request("efetch.fcgi", "efetch",
                                 params=self._params(db="pubmed", id=",".join(chunk), retmode="xml"))
            for rec in self._parsed(parse_efetch, text, "efetch"):
                if rec.pmid in out:
                    out[rec.pmid] = rec
        return out

    def esearch(self, term: str, retmax: int = 5) -> list[str]:
        text = self._request("esearch.fcgi", "esearch",
                             params=self._params(db="pubmed", term=term, retmax=retmax, retmode="xml"))
        _count, ids = self._parsed(parse_esearch, text, "esearch")
        return ids

    def search(self, citation: Citation, limit: int = 5, fetch=None) -> list[Record]:
        """esearch, then the hits' records; `fetch(ids) -> {id: Record}` may batch them with others'."""
        if citation.kind == "mention":
            return self.search_mention(citation, limit=10)
        ids: list[str] = []
        for term in search_terms(citation):
            ids = self.esearch(term, retmax=limit)
            if ids:
                break
        if not ids:
            return []
        found = (fetch or (lambda wanted: self.fetch("pmid", wanted)))(ids[:limit])
        return [r for r in (found.get(i) for i in ids[:limit]) if r is not None]

    def count(self, term: str, db: str = "pubmed") -> int:
        """How many records an esearch term matches (db "pubmed" or "nlmcatalog")."""
        text = self._request("esearch.fcgi", "esearch",
                             params=self._params(db=db, term=term, retmax=0, retmode="xml"))
        n, _ids = self._parsed(parse_esearch, text, "esearch")
        return n

    def search_mention(self, citation: Citation, limit: int = 10) -> list[Record]:
        """Field-restricted searches for a narrative mention; the union of their hits."""
        from citeaudit.resolve.sources.mention_queries import pubmed_mention_terms

        ids: list[str] = []
        for term in pubmed_mention_terms(citation):
            ids += [i for i in self.esearch(term, retmax=limit) if i not in ids]
        if not ids:
            return []
        found = self.fetch("pmid", ids)
        return [r for r in (found.get(i) for i in ids) if r is not None]

    def citmatch(self, citations: Sequence[Citation]) -> dict[int, str]:
        """ECitMatch for every citation with journal, volume and first page: index -> PMID."""
        lines, keys = [], {}
        for i, c in enumerate(citations):
            line = citmatch_line(c, f"c{i}")
            if line:
                lines.append(line)
                keys[f"c{i}"] = i
        if not lines:
            return {}
        out: dict[int, str] = {}
        for key, pmid in self.citmatch_lines(lines).items():
            if pmid and key in keys:
                out[keys[key]] = pmid
        return out

    def citmatch_lines(self, lines: Sequence[str]) -> dict[str, str | None]:
        """ECitMatch for `citmatch_line` lines (BATCH per request): line key -> PMID or None."""
        out: dict[str, str | None] = {}
        for start in range(0, len(lines), BATCH):
            bdata = "\r".join(lines[start:start + BATCH]) + "\r"
            text = self._request("ecitmatch.cgi", "ECitMatch",
                                 params=self._params(db="pubmed", retmode="xml", bdata=bdata))
            out.update(self._parsed(parse_ecitmatch, text, "ECitMatch"))
        return out


def _clean(s: str) -> str:
    return re.sub(r"[|\r\n\[\]\"()]", " ", s).strip()


def citmatch_line(c: Citation, key: str) -> str | None:
    f = c.fields
    if not (f.journal and f.volume and f.first_page):
        return None
    author = ""
    if f.authors:
        a = f.authors[0]
        initials = "".join(w[0] for w in re.split(r"[\s.\-]+", a.given) if w)
        author = f"{a.family} {initials}".strip()
    return "|".join([_clean(f.journal), str(f.year or ""), _clean(f.volume), _clean(f.first_page),
                     _clean(author), key]) + "|"


def _author_term(person) -> str:
    """'Curiel Cid R' as PubMed writes authors: family name and first initial (when known),
    so a two-word family name is not read as a name plus initials."""
    initial = next((ch for ch in person.given if ch.isalpha()), "")
    return f"{_clean(person.family)} {initial.upper()}".strip()


_STRING_YEAR_RE = re.compile(r"(?<![\d.])(1[89]\d{2}|20\d{2})(?![\d.])")
_STRING_NUMBER_RE = re.compile(r"(?<![\w.])(\d{1,5})(?![\d])")
_SURNAME_RE = re.compile(r"[A-Z\u00C0-\u024F][\w'’\-\u00C0-\u024F]+")


def string_term(citation: Citation) -> str | None:
    """An esearch term from the strong tokens of a reference string, whatever its style: the
    first author's surname, the year and the string's other numbers as volume candidates
    ('Ewing[1au] AND 2021[dp] AND (111[vi] OR 1715[vi])'). It finds a journal article cited
    with no title (ACS, AIP, Elsevier) that a parse of the string could not read."""
    from citeaudit.judge.evidence import clean_reference
    from citeaudit.judge.reference import reference_text

    if not reference_text(citation):
        return None

    text = clean_reference(citation.text)
    years = _STRING_YEAR_RE.findall(text)
    family = citation.fields.authors[0].family if citation.fields.authors else None
    if not family:
        m = _SURNAME_RE.search(text)
        family = m.group(0) if m else None
    if not years or not family or len(family_key(family)) < 2:
        return None
    numbers = [n for n in dict.fromkeys(_STRING_NUMBER_RE.findall(text)) if n not in years and n != "0"][:4]
    if not numbers:
        return None
    return (f"{_clean(family)}[1au] AND {years[0]}[dp] AND ("
            + " OR ".join(f"{n}[vi]" for n in numbers) + ")")


def search_terms(citation: Citation) -> list[str]:
    """esearch terms, most specific first: title words; author + journal + volume/year;
    author + year + any title word; the DOI. The search stops at the first that finds something."""
    f = citation.fields
    terms: list[str] = []
    if f.pmcid and not f.pmid and re.fullmatch(r"PMC\d{4,9}", f.pmcid, re.IGNORECASE):
        terms.append(f"{f.pmcid.upper()}[pmcid]")  # a PMC link: PubMed finds the article by its PMCID
    strong = string_term(citation)
    if strong:
        terms.append(strong)
    words = significant_words(f.title or "", limit=8)
    if len(words) >= 2:
        terms.append(" AND ".join(f"{w}[ti]" for w in words))
    first = family_key(f.authors[0].family) if f.authors else ""
    if first and f.journal:
        t = f"{_clean(f.authors[0].family)}[1au] AND \"{_clean(f.journal)}\"[ta]"
        if f.volume:
            t += f" AND {_clean(f.volume)}[vi]"
        elif f.year:
            t += f" AND {f.year - 1}:{f.year + 1}[dp]"
        terms.append(t)
    if first and len(words) >= 2:
        # tolerant of a misspelt title word or a journal written differently: the first
        # author's papers around the year that share any title word, best match first
        t = f"{_author_term(f.authors[0])}[1au]"
        if f.year:
            t += f" AND {f.year - 1}:{f.year + 1}[dp]"
        terms.append(t + " AND (" + " OR ".join(f"{w}[ti]" for w in words) + ")")
    if f.doi:
        terms.append(f"{f.doi}[aid]")
    return terms[:5]
