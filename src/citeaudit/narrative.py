"""Glue for what citeaudit finds beyond reference lists: narrative mentions, quotes, author
bios and uncited research claims. Extraction and judging are pure; `resolve_citations` and
`gather_evidence` are the I/O steps (sources)."""

from __future__ import annotations

from typing import Any, Sequence

from .bio_verdict import judge_bio
from .extract.bios import bio_spans, find_bios
from .extract.claims import find_claims
from .extract.mentions import find_mentions, mention_in
from .extract.prose import document_subject
from .extract.quotes import find_quotes, link_to_references
from .mentions_verdict import judge_claim, judge_linked, judge_mention, specific_enough
from .models import UNCHECKED, AuditedCitation, Check, Citation, Document, SourceAnswer
from .quote_check import ABSENT, RANK, UNAVAILABLE, quote_status, work_abstracts

NARRATIVE_KINDS = ("mention", "quote", "bio", "claim")


def add_narrative(doc: Document, citations: list[Citation]) -> list[Citation]:
    """The citations plus bios, quotes, mentions and uncited claims, in text order, linked."""
    taken = [(c.start, c.end) for c in citations if c.kind == "reference"]
    bios = find_bios(doc)
    skip = taken + bio_spans(bios)
    quotes = find_quotes(doc, skip)
    mentions = find_mentions(doc, skip + [(q.start, q.end) for q in quotes])
    cited = [(c.start, c.end) for c in citations + quotes + mentions]
    claims = find_claims(doc, cited=cited, skip=skip)
    out = sorted(citations + bios + quotes + mentions + claims, key=lambda c: (c.start, c.end))
    link_to_references(out)
    return [_quoted_study(c, doc) for c in out]


def _quoted_study(c: Citation, doc: Document) -> Citation:
    """A quote no reference-list entry can be the source of, attributed to a study described
    precisely enough to search ('A 2020 study in the Yale Journal of Biology and Medicine concluded:
    "..."'): searched and judged as a mention, its quote checked against the abstract found."""
    if c.kind != "quote" or c.linked_to is not None or c.extra.get("link_candidates"):
        return c
    quote, attribution = c.extra.get("quote", ""), c.extra.get("attribution", "")
    subject = document_subject(doc.text)
    probe = f"{attribution.rstrip(' :,')} that {quote}."
    # 'the researchers wrote in <journal> in 2020': a source named without a study word
    m = mention_in(probe, c.start, subject) or mention_in("A study: " + probe, c.start, subject)
    if m is None or not specific_enough(m):
        return c
    return Citation(kind="mention", text=c.text, start=c.start, end=c.end, fields=m.fields, category=c.category,
                    extra={**m.extra, "quote": quote, "attribution": attribution})


def needs_search(c: Citation) -> bool:
    if c.kind in ("bio", "claim", "quote"):
        return False
    return not (c.kind == "mention" and c.linked_to is not None)


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
    from .sources.authors import gather_bio_evidence

    sources = getattr(resolver, "sources", [])
    return {i: gather_bio_evidence(citations[i], sources) for i in bios}


def _check_quote(i: int, c: Citation, items: list[AuditedCitation], answers: Sequence[list[SourceAnswer]]) -> Check:
    cands = [c.linked_to] if c.linked_to is not None else list(c.extra.get("link_candidates", []))
    quote = c.extra.get("quote", "")
    results = []
    for k in cands:
        status, score = quote_status(quote, work_abstracts(items[k].check, answers[k]))
        results.append((RANK[status], score, k, status))
    if not results:
        return Check(UNCHECKED, f"quotation attributed to {c.extra.get('attribution', '')[:80]!r} "
                                "with no reference to check it against",
                     notes=["quote: no source named precisely enough to find its abstract"])
    results.sort(reverse=True)
    rank, score, k, status = results[0]
    if c.linked_to is None:
        if rank <= RANK[ABSENT] and len(results) > 1:
            c.extra["quote_check"] = status
            return Check(UNCHECKED, f"{len(results)} reference-list entries could be the source of this quotation "
                                    "and none of their abstracts holds it",
                         notes=[f"quote: {status} (checked entries {', '.join(str(r[2] + 1) for r in results)})"])
        c.linked_to = k
    check = judge_linked(c, k, items[k].check)
    c.extra["quote_check"] = status
    note = {UNAVAILABLE: "quote: abstract unavailable, cannot compare",
            ABSENT: "quote: not found in the abstract (abstract available; it may be in the full text)"}.get(
        status, f"quote: found in the abstract ({status}, {score:.2f})")
    check.notes.insert(0, note)
    return check


def _note_quote(c: Citation, check: Check, answers: list[SourceAnswer]) -> None:
    """The quote of a quoted study, compared with the abstract of the work found for it."""
    if check.record is None:
        check.notes.insert(0, "quote: no work found to compare it with")
        return
    status, score = quote_status(c.extra["quote"], work_abstracts(check, answers))
    c.extra["quote_check"] = status
    check.notes.insert(0, {UNAVAILABLE: "quote: abstract unavailable, cannot compare",
                           ABSENT: "quote: not found in the abstract (abstract available; it may be in the full text)"}
                       .get(status, f"quote: found in the abstract ({status}, {score:.2f})"))


def judge_narrative(items: list[AuditedCitation], answers: Sequence[list[SourceAnswer]], offline: bool,
                    evidence: dict[int, dict[str, Any]] | None = None) -> list[AuditedCitation]:
    """Replace the generic verdicts of narrative citations with theirs (references first)."""
    evidence = evidence or {}
    for i, it in enumerate(items):
        c = it.citation
        if c.kind == "mention":
            it.check = (judge_linked(c, c.linked_to, items[c.linked_to].check) if c.linked_to is not None
                        else judge_mention(c, answers[i], offline))
            if c.extra.get("quote"):
                _note_quote(c, it.check, answers[i])
        elif c.kind == "claim":
            it.check = judge_claim(c)
        elif c.kind == "bio":
            it.check = judge_bio(c, evidence.get(i), offline)
    for i, it in enumerate(items):
        if it.citation.kind == "quote":
            it.check = _check_quote(i, it.citation, items, answers)
    return items


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
