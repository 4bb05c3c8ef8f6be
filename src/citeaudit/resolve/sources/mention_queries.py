"""Field-restricted search requests for narrative mentions (pure: citation in, queries out).

What a mention states drives the searches, most specific first:

- a quoted title: title words [ti] (with the named author), as for a reference entry;
- named author + journal + year: ``Foss[1au] AND "J Pain Res"[ta] AND 2016:2018[dp]``, and [au];
- named author + year on the topic: ``Foss[au] AND 2016:2018[dp] AND (w1[tiab] OR w2[tiab] ...)``;
- journal + year on the topic: ``"J Pain Res"[ta] AND 2016:2018[dp] AND w1[tiab] AND w2[tiab]``,
  then the same with the topic words OR-ed (a paraphrased topic);
- the topic anywhere, and the named author on the topic in any year (to name the nearest real work
  in another journal or year).

Crossref gets the same as query.author / query.container-title / query.bibliographic with
from/until-pub-date filters. The verdict (mentions_verdict.py) decides what the answers mean.
"""

from __future__ import annotations

import re

from citeaudit.models import Citation
from citeaudit.normalize import journal_alias, significant_words

TOPIC_AND = 3  # topic words AND-ed in the strict journal/year search


def _q(s: str) -> str:
    return re.sub(r"[\"\[\]()|]", " ", s).strip()


def _journal(name: str) -> str:
    return re.sub(r"^the\s+", "", _q(name), flags=re.IGNORECASE)


def mention_terms(c: Citation) -> tuple[str | None, list[str]]:
    anchor = c.extra.get("anchor")
    terms = [t for t in c.extra.get("terms", []) if t != anchor]
    return anchor, terms + list(c.extra.get("population", []))


def topic_words(c: Citation) -> list[str]:
    """The mention's topic words, anchor first, population last."""
    anchor, terms = mention_terms(c)
    return [w for w in ([anchor] if anchor else []) + terms if w]


def _search_words(c: Citation, limit: int = 6) -> list[str]:
    """Topic words fit for a [tiab] search (no hyphenated compounds PubMed splits oddly)."""
    out = []
    for w in topic_words(c):
        w = _q(w).strip("-'’")
        if len(w) >= 3 and w not in out:
            out.append(w)
    return out[:limit]


def _ta(journal: str) -> str:
    """A journal clause: the name as written, or with a leading 'The' (NLM titles such as 'The western
    journal of emergency medicine' keep it; writers drop it)."""
    name = _journal(journal_alias(journal))
    if len(name.split()) < 3 or not re.search(r"\b(?:of|and|for|journal)\b", name, re.IGNORECASE):
        return f"\"{name}\"[ta]"
    return f"(\"{name}\"[ta] OR \"The {name}\"[ta])"


def _dp(year: int | None) -> str:
    return f"{year - 1}:{year + 1}[dp]" if year else ""


def _and(*parts: str) -> str:
    return " AND ".join(p for p in parts if p)


def pubmed_mention_terms(c: Citation) -> list[str]:
    """esearch terms for a mention, most specific first (see module docstring)."""
    f = c.fields
    words = _search_words(c)
    dp = _dp(f.year)
    ta = _ta(f.journal) if f.journal else ""
    fam = _q(f.authors[0].family) if f.authors else ""
    ors = "(" + " OR ".join(f"{w}[tiab]" for w in words) + ")" if words else ""
    out: list[str] = []
    if f.title:
        tw = significant_words(f.title, limit=8)
        if len(tw) >= 2:
            out.append(" AND ".join(f"{w}[ti]" for w in tw))
            if fam:
                out.append(_and(f"{fam}[au]", "(" + " OR ".join(f"{w}[ti]" for w in tw) + ")", dp))
    if fam and (ta or dp):
        out.append(_and(f"{fam}[1au]", ta, dp))
        out.append(_and(f"{fam}[au]", ta, dp))
    if fam and ors:
        out.append(_and(f"{fam}[au]", dp, ors))
    if (ta or dp) and words:
        out.append(_and(ta, dp, *(f"{w}[tiab]" for w in words[:TOPIC_AND])))
        if ta:
            out.append(_and(ta, dp, ors))
    if len(words) >= 2:
        out.append(" AND ".join(f"{w}[tiab]" for w in words[:TOPIC_AND]))
    if fam and ors and dp:
        out.append(_and(f"{fam}[au]", ors))  # the named author's work on the topic in another year
    return list(dict.fromkeys(out))


def crossref_mention_queries(c: Citation) -> list[dict]:
    """habanero works() keyword sets, most specific first."""
    f = c.fields
    words = topic_words(c)
    bib = " ".join(words[:10])
    fam = f.authors[0].family if f.authors else None
    years = {"from_pub_date": str(f.year - 1), "until_pub_date": str(f.year + 1)} if f.year else None
    out: list[dict] = []
    if f.title:
        q: dict = {"query_bibliographic": " ".join(x for x in (f.title, f.journal or "") if x)}
        if fam:
            q["query_author"] = fam
        out.append(q)
    if fam and (f.journal or years):
        q = {"query_author": fam}
        if bib:
            q["query_bibliographic"] = bib
        if f.journal:
            q["query_container_title"] = _journal(f.journal)
        if years:
            q["filter"] = dict(years)
        out.append(q)
    if bib and (f.journal or years):
        q = {"query_bibliographic": bib}
        if f.journal:
            q["query_container_title"] = _journal(f.journal)
        if years:
            q["filter"] = dict(years)
        out.append(q)
    if bib and not f.title:
        out.append({"query_bibliographic": bib})
    return out
