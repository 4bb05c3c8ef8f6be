"""Evidence for author bios: publication counts for a name on the claimed topics, and whether
the journals a bio names exist. The I/O half of bio checking; bio_verdict.py judges it.

PubMed: esearch ``"Johnson E"[au] AND kratom[tiab]`` (Count), and the name alone (how
common it is); Crossref: query.author + query.bibliographic, counting works whose author
list really has that family name and initial and whose title/abstract has the topic.
Journals: Crossref /journals?query= (exact title) and the NLM catalog (esearch
db=nlmcatalog). A source failure is recorded as an error, never as "no trace".
"""

from __future__ import annotations

import re
from typing import Any

from ..extract.prose import content_words, overlap
from ..models import Citation
from ..normalize import journal_key
from .base import SourceError


def _initial_name(c: Citation) -> tuple[str, str, str]:
    p = c.fields.authors[0]
    initial = p.given.strip()[:1].upper() if p.given else ""
    return p.family, initial, f"{p.given} {p.family}".strip()


def topic_words(topic: str) -> list[str]:
    return content_words(topic)[:4] or [w for w in re.findall(r"\w+", topic.lower()) if len(w) > 2][:4]


def _pubmed(sources) -> Any:
    return next((s for s in sources if getattr(s, "name", "") == "pubmed" and hasattr(s, "count")), None)


def _crossref(sources) -> Any:
    return next((s for s in sources if getattr(s, "name", "") == "crossref" and hasattr(s, "author_works")), None)


def gather_bio_evidence(c: Citation, sources) -> dict[str, Any]:
    """Counts and journal checks for one bio citation (see module docstring)."""
    pm, cr = _pubmed(sources), _crossref(sources)
    ev: dict[str, Any] = {"errors": [], "topics": {}, "name_total": {}, "journals": {}}
    if pm is None and cr is None:
        ev["offline"] = True
        return ev
    if not c.fields.authors:
        return ev
    family, initial, full = _initial_name(c)
    au = f"\"{family} {initial}\"[au]" if initial else f"{family}[au]"
    ev["query_name"] = f"{family} {initial}".strip()
    topics = list(c.extra.get("topics") or [])[:3]

    def attempt(what: str, fn):
        try:
            return fn()
        except SourceError as e:
            ev["errors"].append(f"{what}: {e}")
            return None

    if pm is not None:
        ev["name_total"]["pubmed"] = attempt("pubmed", lambda: pm.count(au))
    for t in topics:
        tw = topic_words(t)
        if not tw:
            continue
        row: dict[str, Any] = {}
        if pm is not None:
            term = au + " AND " + " AND ".join(f"{w}[tiab]" for w in tw)
            row["pubmed"] = attempt("pubmed", lambda term=term: pm.count(term))
        if cr is not None:
            def crossref_count(tw=tw) -> int:
                n = 0
                for r in cr.author_works(full, " ".join(tw)):
                    named = any(a.family.lower() == family.lower() and (not initial or a.given[:1].upper() == initial)
                                for a in r.authors)
                    if named and len(overlap(tw, f"{r.title or ''} {r.abstract or ''}")) == len(tw):
                        n += 1
                return n
            row["crossref"] = attempt("crossref", crossref_count)
        ev["topics"][t] = row
    for j in c.extra.get("journals") or []:
        name = re.sub(r"^the\s+", "", j, flags=re.IGNORECASE)
        row = {}
        if cr is not None:
            items = attempt("crossref", lambda name=name: cr.journals(name))
            row["crossref"] = None if items is None else any(
                journal_key(str(i.get("title") or "")) == journal_key(name) for i in items)
        if pm is not None:
            n = attempt("nlm catalog", lambda name=name: pm.count(f"\"{name}\"[Title]", db="nlmcatalog"))
            row["nlm"] = None if n is None else n > 0
        ev["journals"][j] = row
    return ev
