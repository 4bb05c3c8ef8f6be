"""Decide whether a reference points at scholarly work or grey literature."""

from __future__ import annotations

import re

from citeaudit.models import Fields

_GREY_RE = re.compile(
    r"\b(?:blog|press\s+release|news\s+release|fact\s*sheet|web\s*page|website|web\s+site|newsletter|magazine"
    r"|podcast|news|infographic|brochure|press\s+statement|health\s+topics?)\b",
    re.IGNORECASE,
)
# the marks of a web page cited by its URL: "Accessed 3 May 2024", "Updated May 2020"
_WEB_RE = re.compile(
    r"\b(?:accessed|retrieved|available\s+(?:at|from|online)|updated|last\s+(?:modified|reviewed|updated))\b",
    re.IGNORECASE,
)


# a year and the volume and page numbers of a journal article, in any order ('Kidney Int 1995, 47,
# 1806', 'Kidney International 47, 1806 (1995)', 'Kidney International 47 (1995) 1806')
_ARTICLE_SHAPE_RE = re.compile(
    r"(?<![\d/.])(?:(?:1[6-9]|20)\d{2},\s?\d{1,5}[,:]\s?(?:[A-Za-z]{1,2}_?)?\d{1,15}"
    r"|\d{1,5},\s?(?:[A-Za-z]{1,2}_?)?\d{1,15}\s?\((?:1[6-9]|20)\d{2}\)"
    r"|\d{1,5}\s?\((?:1[6-9]|20)\d{2}\)\s?(?:[A-Za-z]{1,2}_?)?\d{1,15}"
    r"|\d{1,5}\s?\([\w\-\u2013]{1,10}\)\s?[:,]\s?(?:pp?\.\s?)?(?:[A-Za-z]{1,2}_?)?\d{1,15})(?![\d/])"
    # ACS with pages that are not numbers: 'ChemInform 2010, 24, no–no.', 'Geodinamica Acta 2004, 17, I–III.'
    r"|(?<!\d)(?:1[6-9]|20)\d{2},\s?\d{1,5},\s?\w{1,10}(?:[\u2013-]\w{1,10})?\.?\s*$"
    r"|(?<![\d.])\d{1,5},\s?[A-Za-z]{1,3}\s?\((?:1[6-9]|20)\d{2}\)\.?\s*$"  # AIP: 'Gastroenterology 146, S (2014).'
    r"|(?<!\d)(?:1[6-9]|20)\d{2},\s?[A-Za-z]{1,3}\s?\((?:1[6-9]|20)\d{2}\)\.?\s*$"
)


# what only grey literature says of itself: a web page's '[Internet]' and 'Available from', a press
# release, a report series or publication number, a guideline's code
_GREY_MARK_RE = re.compile(
    r"\[(?:internet|press\s+release|fact\s*sheet|news\s+release|online)\]|\bavailable\s+(?:from|at)\s*:"
    r"|\[cited\b|\b(?:press|news|media)\s+release\b|\btechnical\s+report\s+series\b|\bpublication\s+no\b"
    r"|\b(?:NICE\s+guideline|guideline)\s+[A-Z]{1,3}\d{1,4}\b|\bsurgeon\s+general'?s\s+advisory\b",
    re.IGNORECASE)
# an organisation as author: 'National Institute on Aging.', 'Mayo Clinic Staff.', 'U.S. Food and Drug Administration.'
_ORG_WORDS = (r"institutes?|administration|organi[sz]ation|cent(?:er|re)s?|office|association|academy|agency|department"
              r"|clinic|school|society|staff|college|council|commission|foundation|ministry|services?|board|committee"
              r"|federation|bureau|authority|excellence|government|alliance|coalition")
# the lead is the text before the first full stop; dotted initials of two letters or more ('U.S.',
# 'T.H.') are part of a name, a person's single initial ('Liang P.') ends the author list
_ORG_LEAD_RE = re.compile(rf"^(?:[^.()]|\b(?:[A-Z]\.){{2,}}){{0,120}}?\b(?:{_ORG_WORDS})\b[^.()]{{0,60}}?(?:\.\s|\s\()",
                          re.IGNORECASE)


def _grey_marked(fields: Fields, text: str) -> bool:
    """Grey by what the entry says of itself, or by an organisation as author with no journal volume
    (a year read as a volume, 'Darien (IL): AASM; 2023', is not one)."""
    if _GREY_MARK_RE.search(text):
        return True
    real_volume = bool(fields.volume) and fields.volume != str(fields.year)
    return bool(_ORG_LEAD_RE.match(text.strip())) and not real_volume


def classify(fields: Fields, text: str) -> str:
    """Return "scholarly" or "grey" for a parsed reference and its text.

    Identifiers (DOI, PMID, PMCID), a journal with volume/pages, or the year, volume and
    page numbers of a journal article anywhere in the text (title-less styles: ACS, AIP,
    Elsevier) make an entry scholarly; otherwise naming a blog, press release, fact sheet, news site or web page
    makes it grey; a journal with a year is scholarly; an organisation as author with
    no journal is grey; otherwise authors + title + year (a book, a report) count as
    scholarly and the rest as grey.
    """
    if fields.doi or fields.pmid or fields.pmcid:
        return "scholarly"
    if not _ARTICLE_SHAPE_RE.search(text) and _grey_marked(fields, text):
        return "grey"  # an agency page, press release, report or guideline: never searched as an article
    if fields.journal and (fields.volume or fields.pages):
        return "scholarly"
    if _ARTICLE_SHAPE_RE.search(text):
        return "scholarly"  # a journal article, with or without a title: 'Journal 1991, 12, 105.'
    if _GREY_RE.search(text):
        return "grey"
    if fields.url and _WEB_RE.search(text):
        return "grey"
    if fields.journal and fields.year:
        return "scholarly"
    if fields.publisher and not fields.authors and not fields.journal:
        return "grey"
    if fields.authors and fields.title and fields.year:
        return "scholarly"
    return "grey"
