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
    """Author/journal evidence for each bio (index -> evidence)."""
    bios = [i for i, c in enumerate(citations) if c.kind == "bio"]
    if not bios:
        return {}
    from citeaudit.resolve.sources.authors import gather_bio_evidence

    sources = getattr(resolver, "sources", [])
    return {i: gather_bio_evidence(citations[i], sources) for i in bios}


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
