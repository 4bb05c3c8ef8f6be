"""The pure middle of an audit: document -> citations -> (sources) -> verdicts.

`extract_citations` and `judge_all` are pure; `audit_document` wires them to a Resolver,
which is where the I/O happens.
"""

from __future__ import annotations

from typing import Sequence

from .extract import extract_references
from .models import Audit, AuditedCitation, Citation, Document, SourceAnswer
from .verdict import judge


def extract_citations(doc: Document) -> list[Citation]:
    """Every citation-like thing in the document, in text order."""
    citations = list(extract_references(doc))
    return sorted(citations, key=lambda c: (c.start, c.end))


def judge_all(citations: Sequence[Citation], answers: Sequence[list[SourceAnswer]], offline: bool) -> list[AuditedCitation]:
    return [AuditedCitation(c, judge(c, a, offline=offline)) for c, a in zip(citations, answers)]


def audit_document(doc: Document, resolver, offline: bool = False) -> Audit:
    citations = extract_citations(doc)
    answers = resolver.resolve(citations)
    return Audit(document=doc, items=judge_all(citations, answers, offline), offline=offline)
