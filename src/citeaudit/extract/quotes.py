"""Quotations attributed to a work, and linking narrative citations to the reference list.

"A 2020 study found that participants taking kratom: “demonstrated a substantial ...”"
-> Citation(kind="quote", fields=Fields(year=2020, study_type="study"),
extra={"quote": "demonstrated a substantial ...", "attribution": "A 2020 study found that ..."}).

`link_to_references` then points each quote or mention at the reference-list entry it
repeats (same year, study type or organisation agreeing, or a "[n]" marker) when exactly
one entry fits; with several, their indices go to extra["link_candidates"] and the quote
check picks the one whose abstract holds the quote.
"""

from __future__ import annotations

import re

from citeaudit.extract.mentions import (find_authors, find_institution, find_journal, paren_cites, study_type,
                                       title_in)
from citeaudit.extract.prose import find_year, sentence_spans, words
from citeaudit.models import Citation, Document, Fields

_QUOTE_RE = re.compile(r"“([^“”]{12,1200})”|\"([^\"\n]{12,1200})\"")
MIN_QUOTE_WORDS = 5
# the attribution must name something that can be the source of a quotation
_SOURCE_RE = re.compile(
    r"\b(?:stud(?:y|ies)|trials?|review|inquiry|article|paper|report|reports|research|researchers|scientists|survey"
    r"|meta-analysis|analysis|authors?|journal|university|medicine|institute|according\s+to|case\s+reports?|colleagues|et\s+al)\b",
    re.IGNORECASE)
_MARKER_RE = re.compile(r"\[(\d{1,3})\]")
_NOTE_AFTER_RE = re.compile(r"^[”\"’.,]*\[\d{1,3}\]")
# a quote given to the work just named: 'In the same review the authors wrote that "..."'
_SAME_SOURCE_RE = re.compile(
    r"\b(?:(?:the\s+same|this|that|their|the)\s+(?:review|study|paper|trial|article|analysis|report|survey)"
    r"|the\s+(?:authors|researchers|investigators|reviewers))\b", re.IGNORECASE)
# '"...," the researchers wrote in the Yale Journal of Biology and Medicine in 2020.': attribution after the quote
_AFTER_RE = re.compile(
    r"^[,.]?\s*(?:(?:the|a|an|their|this)\s+)?(?:[\w\-'’]+\s+){0,8}?(?:wrote|write|writes|said|says|noted|notes|concluded"
    r"|concludes|reported|reports|stated|states|explained|added|observed|found)\b[^“”\"]{0,200}$", re.IGNORECASE)


def find_quotes(doc: Document, skip: list[tuple[int, int]] | None = None) -> list[Citation]:
    """Quotations of at least five words whose sentence attributes them to a study or source."""
    text = doc.text
    spans = list(skip or []) + list(doc.blocks.get("bio", []))
    out: list[Citation] = []
    for s, e in sentence_spans(text):
        if any(a < e and s < b for a, b in spans):
            continue
        sentence = text[s:e]
        titled = title_in(sentence)  # a work's title in quotation marks is a mention, not a quote
        for m in _QUOTE_RE.finditer(sentence):
            quote = (m.group(1) or m.group(2)).strip()
            if len(words(quote)) < MIN_QUOTE_WORDS or (titled and titled[0] == quote):
                continue
            attribution = sentence[: m.start()].strip()
            noted = _NOTE_AFTER_RE.match(sentence[m.end():])  # '..."[2]': the footnote names the source
            if not _SOURCE_RE.search(attribution) and not noted:
                after = sentence[m.end():].strip()
                if not (_AFTER_RE.match(after) and _SOURCE_RE.search(after)):
                    continue
                attribution = after.lstrip(",. ").rstrip(". ")
            journal = find_journal(attribution)
            fields = Fields(year=find_year(attribution), study_type=study_type(attribution),
                            journal=journal[0] if journal else None, authors=find_authors(attribution))
            cites = paren_cites(sentence[m.end():])  # '"..." (Roe et al., 2021)': the source in brackets
            if cites and not fields.authors:
                fields.authors, fields.year = cites[0][0], cites[0][1]
            extra = {"quote": quote.rstrip(" ."), "attribution": attribution}
            inst = find_institution(attribution)
            if inst:
                extra["institution"] = inst
            marker = _MARKER_RE.search(sentence)
            if marker:
                extra["marker"] = int(marker.group(1))
            out.append(Citation(kind="quote", text=sentence, start=s, end=e, fields=fields,
                                category="scholarly", extra=extra))
            break  # one quote citation per sentence
    return out


def _type_fits(stype: str | None, ref: Citation) -> bool | None:
    """Whether the study type named fits the entry's title (None: cannot tell)."""
    if not stype or stype in ("study", "article", "paper", "analysis"):
        return None
    title = (ref.fields.title or ref.text).lower()
    key = {"trial": "trial", "survey": "survey", "narrative inquiry": "narrative inquiry",
           "narrative review": "narrative review", "comprehensive review": "review", "review": "review",
           "systematic review": "systematic review", "meta-analysis": "meta-analys"}.get(stype, stype.split()[-1])
    return key in title


def reference_candidates(c: Citation, citations: list[Citation]) -> list[int]:
    """Indices of the reference-list entries a quote or mention could be repeating."""
    refs = [(i, r) for i, r in enumerate(citations) if r.kind == "reference"]
    marker = c.extra.get("marker")
    if marker is not None and 1 <= marker <= len(refs):
        k = refs[marker - 1][0]
        while citations[k].linked_to is not None and citations[k].kind == "reference":  # note [2] is 'Ibid.'
            k = citations[k].linked_to
        return [k]
    org = c.extra.get("institution")
    if org:
        by_org = [i for i, r in refs if org.lower() in r.text.lower()]
        if by_org:
            return by_org
    f = c.fields
    if f.authors:
        fam = f.authors[0].family.lower()
        by_author = [i for i, r in refs if r.fields.authors and r.fields.authors[0].family.lower() == fam
                     and (not f.year or r.fields.year in (None, f.year, f.year - 1, f.year + 1))]
        if by_author:
            return by_author
    if not f.year:
        return []
    same = [(i, r) for i, r in refs if r.fields.year == f.year and r.category == "scholarly"]
    if f.journal:
        from citeaudit.normalize import journal_key

        same = [(i, r) for i, r in same if r.fields.journal and journal_key(r.fields.journal) == journal_key(f.journal)]
    typed = [(i, r) for i, r in same if _type_fits(f.study_type, r)]
    if typed:
        return [i for i, _ in typed]
    fitting = [(i, r) for i, r in same if _type_fits(f.study_type, r) is not False or f.study_type in ("study",)]
    if f.study_type == "study":  # 'a study' is not a review or survey when a plain study fits
        plain = [(i, r) for i, r in fitting if not re.search(r"\b(?:review|survey|inquiry)\b",
                                                              (r.fields.title or "").lower())]
        fitting = plain or fitting
    return [i for i, _ in fitting]


def link_to_references(citations: list[Citation]) -> None:
    """Set linked_to (one fitting entry) or extra['link_candidates'] (several) on quotes and mentions."""
    if not any(c.kind == "reference" for c in citations):
        return
    for c in citations:
        if c.kind not in ("quote", "mention") or c.linked_to is not None:
            continue
        cands = reference_candidates(c, citations)
        if not cands and c.kind == "quote":
            cands = _same_source(c, citations)
        if len(cands) == 1:
            c.linked_to = cands[0]
        elif cands:
            c.extra["link_candidates"] = cands


def _same_source(c: Citation, citations: list[Citation]) -> list[int]:
    """The entry of the quote or mention just before, for a quote attributed to 'the same review' or
    'the authors' with no details of its own, within 600 characters."""
    f = c.fields
    if f.year or f.authors or f.journal or not _SAME_SOURCE_RE.search(c.extra.get("attribution", "")):
        return []
    before = [p for p in citations if p.kind in ("quote", "mention") and p.end <= c.start and p.linked_to is not None]
    if not before:
        return []
    prev = before[-1]
    return [prev.linked_to] if c.start - prev.end < 600 else []
