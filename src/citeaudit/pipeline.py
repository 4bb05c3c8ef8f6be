"""The pure middle of an audit: document -> citations -> (sources) -> verdicts.

`extract_citations` and `judge_all` are pure; `audit_document` wires them to a Resolver,
which is where the I/O happens.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from .extract import extract_references
from .extract.links import with_links
from .models import Audit, AuditedCitation, Check, Citation, Document, SourceAnswer
from .narrative import add_narrative, gather_evidence, judge_narrative, resolve_citations
from .verdict import judge


def extract_citations(doc: Document) -> list[Citation]:
    """Every citation-like thing in the document, in text order."""
    citations = list(extract_references(doc))
    citations = with_links(doc, citations)  # body links not already covered (extract/links.py)
    citations = add_narrative(doc, citations)  # mentions, quotes, bios, uncited claims (narrative.py)
    return sorted(citations, key=lambda c: (c.start, c.end))


def judge_all(citations: Sequence[Citation], answers: Sequence[list[SourceAnswer]], offline: bool,
              evidence: dict | None = None, memo: dict | None = None) -> list[AuditedCitation]:
    """Verdicts for every citation. `memo` (shared across the articles of one resolver pass)
    judges a citation once when the same entry, with the same answers, appears again."""
    memo = {} if memo is None else memo
    items = []
    for c, a in zip(citations, answers):
        key = (c.kind, c.category, c.text, repr(c.fields), tuple(id(x) for x in a))
        if key not in memo:
            memo[key] = (judge(c, a, offline=offline), a)  # `a` kept: its ids stay unique
        items.append(AuditedCitation(c, _copy_check(memo[key][0])))
    return judge_narrative(items, answers, offline, evidence)


def _copy_check(c: Check) -> Check:
    return replace(c, comparisons=list(c.comparisons), differences=list(c.differences),
                   candidates=list(c.candidates), notes=list(c.notes), sources=dict(c.sources))


def audit_document(doc: Document, resolver, offline: bool = False) -> Audit:
    citations = extract_citations(doc)
    answers = resolve_citations(resolver, citations)
    evidence = gather_evidence(resolver, citations)
    return Audit(document=doc, items=judge_all(citations, answers, offline, evidence), offline=offline)
