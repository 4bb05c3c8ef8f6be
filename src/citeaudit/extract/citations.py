"""Every citation-like thing in a document, in text order. Pure."""

from __future__ import annotations

from citeaudit.extract import extract_references
from citeaudit.extract.links import with_links
from citeaudit.extract.narrative import add_narrative
from citeaudit.models import Citation, Document


def extract_citations(doc: Document) -> list[Citation]:
    """Every citation-like thing in the document, in text order."""
    citations = list(extract_references(doc))
    citations = with_links(doc, citations)  # body links not already covered (extract/links.py)
    citations = add_narrative(doc, citations)  # mentions, quotes, bios, uncited claims (narrative.py)
    return sorted(citations, key=lambda c: (c.start, c.end))
