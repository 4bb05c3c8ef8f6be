"""One document through the whole audit: extract, resolve (the I/O), judge."""

from __future__ import annotations

from citeaudit.extract.citations import extract_citations
from citeaudit.judge.audit import judge_all
from citeaudit.models import Audit, Document
from citeaudit.resolve.narrative import gather_evidence, resolve_citations


def audit_document(doc: Document, resolver, offline: bool = False) -> Audit:
    citations = extract_citations(doc)
    answers = resolve_citations(resolver, citations)
    evidence = gather_evidence(resolver, citations)
    return Audit(document=doc, items=judge_all(citations, answers, offline, evidence), offline=offline)
