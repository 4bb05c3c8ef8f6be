"""Beyond reference lists: author bios, quotations, narrative mentions of studies and uncited
research claims, found in the running text and linked to the reference list. Pure."""

from __future__ import annotations

from citeaudit.extract.bios import bio_spans, find_bios
from citeaudit.extract.claims import find_claims
from citeaudit.extract.notes import link_notes
from citeaudit.extract.mentions import find_mentions, mention_in, specific_enough
from citeaudit.extract.prose import document_subject
from citeaudit.extract.quotes import find_quotes, link_to_references
from citeaudit.models import Citation, Document

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
    link_notes(out)
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
