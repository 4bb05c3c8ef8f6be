"""The pure middle of an audit: document -> citations -> (sources) -> verdicts.

`extract_citations` and `judge_all` are pure; `audit_document` wires them to a Resolver,
which is where the I/O happens.
"""

from __future__ import annotations

from typing import Sequence

from .extract import extract_references
from .extract.links import with_links
from .models import Audit, AuditedCitation, Citation, Document, SourceAnswer
from .narrative import add_narrative, gather_evidence, judge_narrative, resolve_citations
from .verdict import judge


def extract_citations(doc: Document) -> list[Citation]:
    """Every citation-like thing in the document, in text order."""
    citations = list(extract_references(doc))
    citations = with_links(doc, citations)  # body links not already covered (extract/links.py)
    citations = add_narrative(doc, citations)  # mentions, quotes, bios, uncited claims (narrative.py)
    return sorted(citations, key=lambda c: (c.start, c.end))


def judge_all(citations: Sequence[Citation], answers: Sequence[list[SourceAnswer]], offline: bool,
              evidence: dict | None = None) -> list[AuditedCitation]:
    items = [AuditedCitation(c, judge(c, a, offline=offline)) for c, a in zip(citations, answers)]
    return judge_narrative(items, answers, offline, evidence)


def audit_document(doc: Document, resolver, offline: bool = False) -> Audit:
    citations = extract_citations(doc)
    answers = resolve_citations(resolver, citations)
    evidence = gather_evidence(resolver, citations)
    return Audit(document=doc, items=judge_all(citations, answers, offline, evidence), offline=offline)
