"""Reference extraction: the reference list of a Document as Citations.

``extract_references`` returns one ``kind="reference"`` Citation per entry of the
article's reference list, plus one per bare DOI/PMID written in the body text that
no entry already carries. Narrative mentions, quotes and bios are extracted elsewhere.
"""

from __future__ import annotations

from citeaudit.extract.classify import classify
from citeaudit.extract.entry import parse_entry
from citeaudit.extract.identifiers import find_dois, find_pmids
from citeaudit.extract.references import find_reference_entries
from citeaudit.models import Citation, Document, Fields

__all__ = ["extract_references", "find_reference_entries", "parse_entry", "classify"]


def extract_references(doc: Document) -> list[Citation]:
    """Citations for the reference-list entries and the bare identifiers of ``doc``, in text order."""
    citations = [_entry_citation(doc.text, start, end) for start, end in find_reference_entries(doc)]
    citations.extend(_identifier_citations(doc.text, citations))
    return sorted(citations, key=lambda c: c.start)


def _entry_citation(text: str, start: int, end: int) -> Citation:
    """A Citation for one reference-list entry, parsed and classified."""
    entry = text[start:end]
    fields = parse_entry(entry)
    note = None if (fields.title or fields.journal) else "could not find a title or journal in this entry"
    return Citation(kind="reference", text=entry, start=start, end=end, fields=fields,
                    category=classify(fields, entry), note=note, extra={"entry": True})


def _identifier_citations(text: str, entries: list[Citation]) -> list[Citation]:
    """Citations for DOIs/PMIDs outside every entry whose identifier no entry already has."""
    spans = [(c.start, c.end) for c in entries]
    seen = {("doi", c.fields.doi) for c in entries if c.fields.doi}
    seen |= {("pmid", c.fields.pmid) for c in entries if c.fields.pmid}
    found = [(s, e, "doi", v) for s, e, v in find_dois(text)] + [(s, e, "pmid", v) for s, e, v in find_pmids(text)]
    citations = []
    for start, end, key, value in sorted(found):
        if (key, value) in seen or any(s <= start < e for s, e in spans):
            continue
        seen.add((key, value))
        citations.append(Citation(kind="reference", text=text[start:end], start=start, end=end,
                                  fields=Fields(**{key: value}), category="scholarly",
                                  note=f"bare {key.upper()} in the body text", extra={"entry": False}))
    return citations
