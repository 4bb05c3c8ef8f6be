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

from citeaudit.extract.prose import content_words, overlap
from citeaudit.models import Citation, Fields, Person, SourceAnswer
from citeaudit.normalize import journal_key
from citeaudit.resolve.sources.base import SourceError


def _initial_name(c: Citation) -> tuple[str, str, str]:
    p = c.fields.authors[0]
    initial = p.given.strip()[:1].upper() if p.given else ""
    return p.family, initial, f"{p.given} {p.family}".strip()


def topic_words(topic: str) -> list[str]:
    return content_words(topic)[:4] or [w for w in re.findall(r"\w+", topic.lower()) if len(w) > 2][:4]


def _named(family: str, initial: str, person: Person) -> bool:
    return person.family.lower() == family.lower() and (not initial or person.given[:1].upper() == initial)


def paper_citation(c: Citation, paper: dict) -> Citation:
    """The work a bio names, as a reference entry by the bio's person (to search and judge)."""
    p = c.fields.authors[0]
    return Citation(kind="reference", text=paper["title"], start=c.start, end=c.end, category="scholarly",
                    fields=Fields(title=paper["title"], authors=[Person(p.family, p.given)],
                                  journal=paper.get("journal"), year=paper.get("year")),
                    extra={"entry": False})  # not a reference string: judged on its fields alone


def check_paper(c: Citation, paper: dict, sources) -> dict[str, Any]:
    """Search every source for a paper a bio names and judge it like a reference entry."""
    from citeaudit.judge.reference import judge

    cit = paper_citation(c, paper)
    answers = []
    for s in sources:
        if not s.applies_to(cit):
            continue
        try:
            answers.append(SourceAnswer(s.name, records=s.search(cit)))
        except SourceError as e:
            answers.append(SourceAnswer(s.name, ok=False, error=str(e)))
    check = judge(cit, answers)
    rec = check.record
    return {"title": paper["title"], "journal": paper.get("journal"), "year": paper.get("year"),
            "verdict": check.verdict, "reason": check.reason,
            "record": None if rec is None else {"title": rec.title, "journal": rec.journal, "year": rec.year,
                                                "doi": rec.doi, "pmid": rec.pmid},
            "records": [r for a in answers for r in a.records]}


def _pubmed(sources) -> Any:
    return next((s for s in sources if getattr(s, "name", "") == "pubmed" and hasattr(s, "count")), None)


def _crossref(sources) -> Any:
    return next((s for s in sources if getattr(s, "name", "") == "crossref" and hasattr(s, "author_works")), None)


def gather_bio_evidence(c: Citation, sources) -> dict[str, Any]:
    """Counts and journal checks for one bio citation (see module docstring)."""
    pm, cr = _pubmed(sources), _crossref(sources)
    ev: dict[str, Any] = {"errors": [], "topics": {}, "name_total": {}, "journals": {},
                          "asked": [x.name for x in (pm, cr) if x is not None]}
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
    named_works = 0
    ev["papers"] = []
    for paper in (c.extra.get("papers") or [])[:3]:
        got = check_paper(c, paper, [x for x in (cr, pm) if x is not None])
        named_works += sum(1 for r in got.pop("records") if any(_named(family, initial, a) for a in r.authors))
        ev["papers"].append(got)
        if got["verdict"] == "unfound" and paper.get("journal"):  # an invented paper: is the journal real?
            ev.setdefault("paper_journals", []).append(paper["journal"])
    works_fn = getattr(cr, "_works", None)
    if works_fn is not None and c.extra.get("papers"):  # the name's own works, whatever their topic
        got = attempt("crossref", lambda: works_fn(20, query_author=family))
        if got is not None:
            named_works = max(named_works, sum(1 for r in got if any(_named(family, initial, a) for a in r.authors)))
    ev["name_total"]["crossref_named"] = named_works if (c.extra.get("papers") and cr is not None) else None
    for j in list(c.extra.get("journals") or []) + ev.get("paper_journals", []):
        name = re.sub(r"^the\s+", "", j, flags=re.IGNORECASE)
        row = {}
        if cr is not None:
            items = attempt("crossref", lambda name=name: cr.journals(name))
            row["crossref"] = None if items is None else any(
                journal_key(str(i.get("title") or "")) == journal_key(name) for i in items)
        if pm is not None:
            n = attempt("nlm catalog", lambda name=name: pm.count(f"\"{name}\"[Title]", db="nlmcatalog"))
            if n == 0:  # an abbreviation ('Nutr Res Rev') is the catalog's title abbreviation
                n = attempt("nlm catalog", lambda name=name: pm.count(f"\"{name}\"[ta]", db="nlmcatalog"))
            row["nlm"] = None if n is None else n > 0
        ev["journals"][j] = row
    return ev
