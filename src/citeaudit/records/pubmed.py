"""NCBI E-utilities answers -> Records: efetch XML, esearch XML and ECitMatch text.

XML is parsed with entity resolution and network access off; anything that is not
the expected document (an HTML error page, an ``<ERROR>`` answer, truncated XML)
raises :class:`ValueError` with a short message.
"""

from __future__ import annotations

import re

from lxml import etree

from citeaudit.models import Person, Record, RecordUpdate

SOURCE = "pubmed"
RAW_FORMAT = "pubmed-xml"

_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_DOI_IN_TEXT = re.compile(r"\bdoi:\s*(10\.\S+?)\.?(?:\s|$)", re.I)

# CommentsCorrections RefType -> (kind of link, RecordUpdate.type)
_NOTICES_ABOUT_THIS = {
    "RetractionIn": "retraction",
    "ErratumIn": "correction",
    "CorrectedandRepublishedIn": "correction",
    "ExpressionOfConcernIn": "expression_of_concern",
}
_THIS_IS_NOTICE_FOR = {
    "RetractionOf": "retraction",
    "ErratumFor": "correction",
    "ExpressionOfConcernFor": "expression_of_concern",
}


def _root(xml: bytes | str, what: str) -> etree._Element:
    """Parse XML safely; ValueError when it is not well-formed."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    if not data or not data.strip():
        raise ValueError(f"empty {what} answer")
    try:
        return etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"malformed {what} XML: {exc.msg}") from None


def _text(el: etree._Element | None) -> str | None:
    """All text inside an element (inner markup included), whitespace collapsed."""
    if el is None:
        return None
    text = _SPACE.sub(" ", "".join(el.itertext())).strip()
    return text or None


def _find_text(el: etree._Element, path: str) -> str | None:
    return _text(el.find(path))


def _year_of(date: etree._Element | None) -> int | None:
    """Year of a PubDate/ArticleDate: <Year>, or the first year in <MedlineDate>."""
    if date is None:
        return None
    text = _find_text(date, "Year") or _find_text(date, "MedlineDate") or ""
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def _title(el: etree._Element | None) -> str | None:
    text = _text(el)
    return text.rstrip(".").rstrip() or None if text else None


def _author(el: etree._Element) -> Person | None:
    collective = _find_text(el, "CollectiveName")
    if collective:
        return Person(collective)
    family = _find_text(el, "LastName")
    if not family:
        return None
    given = _find_text(el, "Initials") or _find_text(el, "ForeName") or ""
    return Person(family, given)


def _authors(parent: etree._Element | None) -> list[Person]:
    if parent is None:
        return []
    return [p for p in (_author(a) for a in parent.findall("AuthorList/Author")) if p]


def _abstract(article: etree._Element) -> str | None:
    parts = []
    for el in article.findall("Abstract/AbstractText"):
        text = _text(el)
        if not text:
            continue
        label = (el.get("Label") or "").strip()
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts) or None


def _pages(article: etree._Element) -> str | None:
    """MedlinePgn, else StartPage[-EndPage], else the pii/article-number ELocationID."""
    pages = _find_text(article, "Pagination/MedlinePgn")
    if pages:
        return pages
    start, end = _find_text(article, "Pagination/StartPage"), _find_text(article, "Pagination/EndPage")
    if start:
        return f"{start}-{end}" if end else start
    return _find_text(article, "ELocationID[@EIdType='pii']")


def _article_id(article_el: etree._Element, id_type: str) -> str | None:
    # only the article's own ids: ReferenceList entries carry ArticleIdLists too
    return _find_text(article_el, f"PubmedData/ArticleIdList/ArticleId[@IdType='{id_type}']")


def _comment_links(citation: etree._Element, mapping: dict[str, str]) -> list[RecordUpdate]:
    out = []
    for cc in citation.findall("CommentsCorrectionsList/CommentsCorrections"):
        kind = mapping.get(cc.get("RefType", ""))
        if not kind:
            continue
        label = _find_text(cc, "RefSource")
        doi = _DOI_IN_TEXT.search(label or "")
        out.append(RecordUpdate(type=kind, pmid=_find_text(cc, "PMID"), doi=doi.group(1).lower() if doi else None,
                                source=SOURCE, label=label))
    return out


def _distinct(values: list[str | None]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def _pubmed_url(pmid: str | None) -> str | None:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None


def _parse_article(el: etree._Element) -> Record:
    """One <PubmedArticle> as a Record."""
    citation = el.find("MedlineCitation")
    if citation is None:
        citation = etree.Element("MedlineCitation")
    article = citation.find("Article")
    if article is None:
        article = etree.Element("Article")
    pmid = _find_text(citation, "PMID")
    doi = _article_id(el, "doi") or _find_text(article, "ELocationID[@EIdType='doi']")
    year = _year_of(article.find("Journal/JournalIssue/PubDate"))
    years = {year} | {_year_of(d) for d in article.findall("ArticleDate")}
    return Record(
        source=SOURCE,
        pmid=pmid,
        doi=doi.lower() if doi else None,
        pmcid=_article_id(el, "pmc"),
        title=_title(article.find("ArticleTitle")) or _title(article.find("VernacularTitle")),
        authors=_authors(article),
        journal=_find_text(article, "Journal/Title"),
        journal_abbrevs=_distinct([_find_text(article, "Journal/ISOAbbreviation"),
                                   _find_text(citation, "MedlineJournalInfo/MedlineTA")]),
        year=year,
        years=sorted(y for y in years if y),
        volume=_find_text(article, "Journal/JournalIssue/Volume"),
        issue=_find_text(article, "Journal/JournalIssue/Issue"),
        pages=_pages(article),
        abstract=_abstract(article),
        publication_types=_distinct([_text(p) for p in article.findall("PublicationTypeList/PublicationType")]),
        issns=_distinct([_find_text(article, "Journal/ISSN"), _find_text(citation, "MedlineJournalInfo/ISSNLinking")]),
        updates=_comment_links(citation, _NOTICES_ABOUT_THIS),
        update_to=_comment_links(citation, _THIS_IS_NOTICE_FOR),
        url=_pubmed_url(pmid),
        raw=etree.tostring(el, encoding="unicode"),
        raw_format=RAW_FORMAT,
    )


def _parse_book_article(el: etree._Element) -> Record:
    """A <PubmedBookArticle> (book or chapter): identifiers, title, authors, year."""
    doc = el.find("BookDocument")
    if doc is None:
        doc = etree.Element("BookDocument")
    pmid = _find_text(doc, "PMID")
    year = _year_of(doc.find("Book/PubDate"))
    return Record(
        source=SOURCE,
        pmid=pmid,
        title=_title(doc.find("ArticleTitle")) or _title(doc.find("Book/BookTitle")),
        authors=_authors(doc) or _authors(doc.find("Book")),
        journal=None,
        year=year,
        years=[year] if year else [],
        publication_types=_distinct([_text(p) for p in doc.findall("PublicationType")]),
        url=_pubmed_url(pmid),
        raw=etree.tostring(el, encoding="unicode"),
        raw_format=RAW_FORMAT,
    )


_ARTICLE_PARSERS = {"PubmedArticle": _parse_article, "PubmedBookArticle": _parse_book_article}


def parse_efetch(xml: bytes | str) -> list[Record]:
    """Records of an efetch ``PubmedArticleSet`` (or a single stored article element)."""
    root = _root(xml, "efetch")
    if root.tag in _ARTICLE_PARSERS:
        return [_ARTICLE_PARSERS[root.tag](root)]
    if root.tag != "PubmedArticleSet":
        error = _find_text(root, ".//ERROR")
        raise ValueError(f"efetch error: {error}" if error else f"not a PubmedArticleSet: <{root.tag}>")
    return [_ARTICLE_PARSERS[el.tag](el) for el in root if el.tag in _ARTICLE_PARSERS]


def parse_esearch(xml: bytes | str) -> tuple[int, list[str]]:
    """``(Count, [Id, ...])`` of an esearch answer."""
    root = _root(xml, "esearch")
    if root.tag != "eSearchResult":
        raise ValueError(f"not an eSearchResult: <{root.tag}>")
    error = _find_text(root, "ERROR")
    if error:
        raise ValueError(f"esearch error: {error}")
    count = _find_text(root, "Count")
    if count is None or not count.isdigit():
        raise ValueError("esearch answer has no Count")
    return int(count), [t for t in (_text(i) for i in root.findall("IdList/Id")) if t]


def parse_ecitmatch(text: str) -> dict[str, str | None]:
    """``{key: PMID or None}`` from ECitMatch lines ``journal|year|volume|page|author|key|PMID``.

    A last field that is not a number (``NOT_FOUND``, ``AMBIGUOUS ...``) maps to None.
    """
    out: dict[str, str | None] = {}
    for line in text.replace("\r", "\n").split("\n"):
        fields = [f.strip() for f in line.split("|")]
        if len(fields) < 6 or not fields[5]:
            continue
        answer = fields[6] if len(fields) > 6 else ""
        out[fields[5]] = answer if answer.isdigit() else None
    return out
