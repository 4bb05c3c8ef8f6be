"""Crossref REST API through habanero: DOI lookup and `query.bibliographic` search.

habanero is used only here, through its public ``Crossref(base_url=, mailto=, timeout=)``
client; the rate and concurrency limits come from the settings (CITEAUDIT_CROSSREF_RATE,
CITEAUDIT_CROSSREF_DOI_RATE, CITEAUDIT_CROSSREF_CONCURRENCY), which default to Crossref's
published polite-pool limits. Its errors (httpx2 exceptions, habanero RequestError) are
translated into TransientError (retry) or SourceError (give up), and a 404 on a DOI
into "no such DOI".
"""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

import httpx2
from habanero import Crossref
from habanero.exceptions import RequestError

from citeaudit.config import Settings
from citeaudit.judge.evidence import clean_reference
from citeaudit.judge.reference import reference_text
from citeaudit.models import Citation, Record
from citeaudit.records.crossref import parse_work, parse_works_response
from citeaudit.resolve.sources.base import SourceError
from citeaudit.resolve.sources.throttle import (SILENT, UNREACHABLE, Gate, Pool, ServiceHealth, TransientError,
                                                answer_deadline, call, connect_failure, parse_retry_after,
                                                run_with_deadline)

SELECT = [
    "DOI", "title", "subtitle", "author", "container-title", "short-container-title", "issued",
    "published-print", "published-online", "published", "created", "volume", "issue", "page",
    "type", "ISSN", "updated-by", "update-to", "abstract", "URL", "score", "article-number",
]


# candidates asked for a reference string (one request, whatever the number)
REFERENCE_ROWS = 20

def _status_error(status: int, headers: Any, what: str) -> Exception:
    if status == 429 or status >= 500:
        ra = parse_retry_after(headers.get("retry-after")) if headers is not None else None
        return TransientError(f"HTTP {status}", retry_after=ra, status=status, headers=headers)
    return SourceError(f"{what}: HTTP {status}")


def _guard(fn: Callable[[], Any], what: str) -> Any:
    """Call habanero, mapping its failures onto ours. Returns None for a 404."""
    try:
        return fn()
    except httpx2.HTTPStatusError as e:
        if e.response.status_code == 404:
            return None
        raise _status_error(e.response.status_code, e.response.headers, what) from None
    except RequestError as e:
        if e.status_code == 404:
            return None
        cause = e.__cause__
        headers = cause.response.headers if isinstance(cause, httpx2.HTTPStatusError) else None
        if e.status_code == 200:  # a 200 that was not JSON: an error page
            raise TransientError("answered with something other than JSON") from None
        raise _status_error(int(e.status_code), headers, what) from None
    except httpx2.TimeoutException as e:
        raise TransientError("timed out", kind=SILENT) from e
    except httpx2.TransportError as e:
        refused = connect_failure(e)
        raise TransientError(refused or f"could not connect ({type(e).__name__})",
                             kind=UNREACHABLE if refused else None) from e
    except RuntimeError as e:  # habanero wraps transport errors of searches in RuntimeError
        refused = connect_failure(e)
        if refused:
            raise TransientError(refused, kind=UNREACHABLE) from e
        timed_out = "timed out" in str(e).lower()
        raise TransientError("timed out" if timed_out else "could not connect",
                             kind=SILENT if timed_out else None) from e
    except (ValueError, json.JSONDecodeError, KeyError, TypeError, AttributeError):
        raise TransientError("malformed JSON in the response") from None


class CrossrefSource:
    name = "crossref"
    id_kinds = ("doi",)

    def __init__(self, settings: Settings):
        self.settings = settings
        ua = "citeaudit" + (f" {settings.user_agent_extra}" if settings.user_agent_extra else "")
        self.client = Crossref(base_url=settings.crossref_url, mailto=settings.mailto, ua_string=ua,
                               timeout=settings.timeout)
        # queries and DOI lookups have their own rates but share one concurrency limit
        self.health = ServiceHealth("crossref", "Crossref", first_answer_timeout=settings.first_answer_timeout)
        gate = Gate(settings.crossref_concurrency, health=self.health)
        self.query_pool = Pool("crossref-query", settings.crossref_rate, gate=gate)
        self.doi_pool = Pool("crossref-doi", settings.crossref_doi_rate, gate=gate)

    def close(self) -> None:
        """Nothing to release: habanero opens and closes a connection for each request."""

    def applies_to(self, citation: Citation) -> bool:
        f = citation.fields
        if citation.kind == "mention":
            return bool(citation.extra.get("anchor"))
        # a list entry goes whole, so it can be searched even when its parse found no title or
        # journal ('N. Krause, ChemInform 24, no (2010).'); whether a miss is "unfound" is judged later
        whole = bool(reference_text(citation)) and len(clean_reference(citation.text).split()) >= 3
        return bool(f.doi or f.title or (f.authors and f.journal) or whole)

    def _call(self, fn: Callable[[], Any], pool: Pool, what: str) -> Any:
        s = self.settings

        def once() -> Any:
            # a slow drip never trips habanero's read timeout; a service yet to answer gets less
            limit = self.health.timeout(answer_deadline(s.timeout))
            try:
                return run_with_deadline(lambda: _guard(fn, what), limit)
            except TransientError as e:
                if e.kind is None and e.status is None and "too slow" in e.reason:
                    e.kind = SILENT
                raise
        return call(once, pool, f"crossref {what}", retries=s.retries, max_wait=s.max_wait)

    def fetch(self, kind: str, ids: Sequence[str]) -> dict[str, Record | None]:
        out: dict[str, Record | None] = {}
        if kind != "doi":
            return out
        for doi in ids:
            body = self._call(lambda d=doi: self.client.works(ids=d), self.doi_pool, "DOI lookup")
            out[doi] = self._work(body)
        return out

    @staticmethod
    def _work(body: Any) -> Record | None:
        if body is None:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            raise SourceError("crossref DOI lookup: the answer is not a Crossref work")
        return parse_work(body["message"], json.dumps(body["message"], ensure_ascii=False))

    def search(self, citation: Citation, limit: int = 5) -> list[Record]:
        if citation.kind == "mention":
            return self.search_mention(citation, limit=10)
        query = bibliographic_query(citation)
        if not query:
            return []
        if reference_text(citation):
            limit = max(limit, REFERENCE_ROWS)  # candidates are validated against the string: a wider net is free
        body = self._call(lambda: self.client.works(query_bibliographic=query, limit=limit, select=SELECT),
                          self.query_pool, "search")
        if body is None:
            return []
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            raise SourceError("crossref search: the answer is not a Crossref work list")
        return parse_works_response(body)[:limit]

    def _works(self, limit: int, **query) -> list[Record]:
        body = self._call(lambda: self.client.works(limit=limit, select=SELECT, **query), self.query_pool, "search")
        if body is None:
            return []
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            raise SourceError("crossref search: the answer is not a Crossref work list")
        return parse_works_response(body)[:limit]

    def search_mention(self, citation: Citation, limit: int = 10) -> list[Record]:
        """Container-title / pub-date restricted bibliographic searches for a narrative mention."""
        from citeaudit.resolve.sources.mention_queries import crossref_mention_queries

        out: list[Record] = []
        for query in crossref_mention_queries(citation):
            out += [r for r in self._works(limit, **query) if r.key not in {x.key for x in out}]
        return out

    def author_works(self, name: str, topic: str, limit: int = 20) -> list[Record]:
        """Works whose authors match `name`, ranked by `topic` (query.author + query.bibliographic)."""
        return self._works(limit, query_author=name, query_bibliographic=topic)

    def journals(self, query: str, limit: int = 10) -> list[dict]:
        """Crossref /journals?query= items (title, publisher, ISSN)."""
        body = self._call(lambda: self.client.journals(query=query, limit=limit), self.query_pool, "journals")
        if body is None:
            return []
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            raise SourceError("crossref journals: the answer is not a journal list")
        return [i for i in body["message"].get("items") or [] if isinstance(i, dict)]


def bibliographic_query(citation: Citation) -> str:
    """The text Crossref's bibliographic search gets.

    A reference-list entry is sent whole (list marker, URLs, identifiers and 'Accessed' tails
    removed), as Crossref's own reference matcher does: the search ranks on every word of the
    string, whatever its style, and a parse of it is never needed to find the work. Other
    citations (a link's anchor text, a quoted title) send the details read from them."""
    if reference_text(citation):
        cleaned = clean_reference(citation.text)
        if len(cleaned) > 600:  # a long author list: its start, and the title, venue and numbers at the end
            cleaned = cleaned[:200].rsplit(" ", 1)[0] + " " + cleaned[-400:].split(" ", 1)[-1]
        if len(cleaned.split()) >= 3:
            return cleaned
    f = citation.fields
    parts = [
        " ".join(p.family for p in f.authors[:3]),
        f.title or "",
        f.journal or "",
        str(f.year or ""),
        f.volume or "",
        f.first_page or "",
    ]
    text = " ".join(p for p in parts if p).strip()
    if not f.title and citation.kind == "reference":
        text = citation.text
    return " ".join(text.split())[:600]
