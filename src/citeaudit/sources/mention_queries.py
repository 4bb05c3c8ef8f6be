"""Field-restricted search requests for narrative mentions (pure: citation in, queries out).

PubMed: journal [journal], date [dp] and topic words in [tiab]; Crossref: query.bibliographic
with the topic, query.container-title with the journal and from/until-pub-date filters.
Most specific first; the verdict (mentions_verdict.py) decides what the answers mean.
"""

from __future__ import annotations

import re

from ..models import Citation


def _q(s: str) -> str:
    return re.sub(r"[\"\[\]()|]", " ", s).strip()


def _journal(name: str) -> str:
    return re.sub(r"^the\s+", "", _q(name), flags=re.IGNORECASE)


def mention_terms(c: Citation) -> tuple[str | None, list[str]]:
    anchor = c.extra.get("anchor")
    terms = [t for t in c.extra.get("terms", []) if t != anchor]
    return anchor, terms + list(c.extra.get("population", []))


def pubmed_mention_terms(c: Citation) -> list[str]:
    """esearch terms: in the stated journal/year on the anchor topic; by the stated authors;
    then on the topic anywhere (to name the nearest real work)."""
    f = c.fields
    anchor, terms = mention_terms(c)
    if not anchor:
        return []
    topic = f"{_q(anchor)}[tiab]"
    dp = f" AND {f.year - 1}:{f.year + 1}[dp]" if f.year else ""
    out = []
    if f.journal:
        out.append(f"\"{_journal(f.journal)}\"[journal] AND {topic}{dp}")
    if f.authors:
        out.append(f"{_q(f.authors[0].family)}[au] AND {topic}{dp}")
    if terms:
        ors = " OR ".join(f"{_q(t)}[tiab]" for t in terms[:6])
        out.append(f"{topic} AND ({ors})")
    return out


def crossref_mention_queries(c: Citation) -> list[dict]:
    """habanero works() keyword sets, most specific first."""
    f = c.fields
    anchor, terms = mention_terms(c)
    if not anchor:
        return []
    bib = " ".join([anchor, *terms[:8]])
    out = []
    if f.journal or f.year:
        q: dict = {"query_bibliographic": bib}
        if f.journal:
            q["query_container_title"] = _journal(f.journal)
        if f.year:
            q["filter"] = {"from_pub_date": str(f.year - 1), "until_pub_date": str(f.year + 1)}
        out.append(q)
    if f.authors:
        out.append({"query_bibliographic": bib, "query_author": f.authors[0].family})
    out.append({"query_bibliographic": bib})
    return out
