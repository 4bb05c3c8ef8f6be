"""Which narrative citations are searched, and the bio evidence step (the sources' I/O)."""

from __future__ import annotations

from typing import Any, Sequence

from citeaudit.models import Citation, SourceAnswer

def needs_search(c: Citation) -> bool:
    if c.kind in ("bio", "claim", "quote"):
        return False
    return not (c.kind in ("mention", "reference") and c.linked_to is not None)  # a note repeating another: no search


def resolve_citations(resolver, citations: Sequence[Citation]) -> list[list[SourceAnswer]]:
    """Ask the sources about the citations that need a search; [] for the rest."""
    idx = [i for i, c in enumerate(citations) if needs_search(c)]
    got = resolver.resolve([citations[i] for i in idx]) if idx else []
    answers: list[list[SourceAnswer]] = [[] for _ in citations]
    for i, a in zip(idx, got):
        answers[i] = a
    return answers


def gather_evidence(resolver, citations: Sequence[Citation]) -> dict[int, dict[str, Any]]:
    """Author/journal evidence for each bio (index -> evidence).

    With a store and a freshness limit (the resolver's ``max_age_days``: `run`'s default,
    `reverify --max-age-days`), evidence gathered within that many days is reused without a
    request, and evidence gathered now is stored when every service answered."""
    bios = [i for i, c in enumerate(citations) if c.kind == "bio"]
    if not bios:
        return {}
    from citeaudit.resolve.sources.authors import gather_bio_evidence

    sources = getattr(resolver, "sources", [])
    store, max_age = getattr(resolver, "store", None), getattr(resolver, "max_age_days", None)
    cache = store is not None and max_age is not None and hasattr(store, "get_evidence") and any(
        getattr(s, "name", "") in ("crossref", "pubmed") for s in sources)
    keys = {i: bio_key(citations[i], sources) for i in bios} if cache else {}
    known = store.get_evidence("bio", list(keys.values()), max_age) if cache else {}
    out, new = {}, {}
    for i in bios:
        if cache and keys[i] in known:
            out[i] = known[keys[i]]
            continue
        out[i] = gather_bio_evidence(citations[i], sources)
        if cache and not out[i]["errors"] and not out[i].get("offline"):
            new[keys[i]] = out[i]
    if new:
        store.save_evidence("bio", new)
    return out


def bio_key(c: Citation, sources) -> str:
    """What a bio's evidence depends on: the person, the claims, and the services asked."""
    import hashlib
    import json

    what = {"authors": [str(p) for p in c.fields.authors], "text": c.text,
            "topics": c.extra.get("topics"), "papers": c.extra.get("papers"), "journals": c.extra.get("journals"),
            "asked": sorted(n for n in (getattr(s, "name", "") for s in sources) if n in ("crossref", "pubmed"))}
    return hashlib.sha1(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


def resolve_many(resolver, groups: Sequence[Sequence[Citation]]) -> list[list[list[SourceAnswer]]]:
    """`resolve_citations` for several articles at once (one resolver.resolve_many call)."""
    idx = [[i for i, c in enumerate(g) if needs_search(c)] for g in groups]
    got = resolver.resolve_many([[g[i] for i in ix] for g, ix in zip(groups, idx)])
    out = []
    for g, ix, answers in zip(groups, idx, got):
        full: list[list[SourceAnswer]] = [[] for _ in g]
        for i, a in zip(ix, answers):
            full[i] = a
        out.append(full)
    return out
