"""Plain data passed between the stages of an audit.

ingest -> Document -> extract -> Citation -> resolve -> Record candidates
-> match (FieldComparison) -> verdict (Check) -> store -> report.

Everything here is a plain dataclass: no I/O, no database handles, easy to
serialise (``to_dict``) and to build in tests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# --- verdicts ---------------------------------------------------------------------

VERIFIED = "verified"
MISMATCHED = "mismatched"
UNFOUND = "unfound"
UNCHECKED = "unchecked"
VERDICTS = (VERIFIED, MISMATCHED, UNFOUND, UNCHECKED)
# Check.notes that mean "the cited work is retracted" start with one of these (verdict.record_notes)
RETRACTION_NOTE_PREFIXES = ("RETRACTED", "WITHDRAWN", "REMOVED")
Verdict = Literal["verified", "mismatched", "unfound", "unchecked"]

# Citation kinds: a formal reference-list entry, a narrative mention of a study in
# running text, a quotation attributed to a work, an author bio, a link in the body,
# and an uncited claim of research.
CitationKind = Literal["reference", "mention", "quote", "bio", "link", "claim"]
# What a citation points at: a scholarly work (journal article, book chapter...) that
# Crossref/PubMed can resolve, or grey literature (agency page, press release, blog).
Category = Literal["scholarly", "grey"]


@dataclass
class Person:
    """An author as written: family name and whatever given names/initials were given."""

    family: str
    given: str = ""

    def __str__(self) -> str:
        return f"{self.family} {self.given}".strip()


@dataclass
class Link:
    """A hyperlink in a document: character span of its anchor text in Document.text."""

    start: int
    end: int
    href: str
    text: str = ""


@dataclass
class Document:
    """An article reduced to plain text with offsets kept.

    ``text`` is what every citation span points into. ``links`` are the anchors found
    in HTML/Markdown input. ``kind`` is the input format.
    """

    source: str  # file path or URL as given
    text: str
    kind: Literal["text", "markdown", "html"] = "text"
    title: str | None = None
    content_hash: str = ""
    links: list[Link] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # author, date, site... from <meta>/JSON-LD
    # spans of blocks the ingester identified: e.g. {"bio": [(s, e)], "list_items": [(s, e), ...]}
    blocks: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass
class Fields:
    """Bibliographic details as stated by the article (every field optional)."""

    authors: list[Person] = field(default_factory=list)
    et_al: bool = False
    year: int | None = None
    title: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None  # as written, e.g. "244-252", "e33693", "1174139"
    doi: str | None = None  # normalised: lower-case, no "https://doi.org/" prefix
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    publisher: str | None = None  # for grey literature: the organisation
    # narrative mentions: free topic words and study type ("trial", "review")
    topic: str | None = None
    study_type: str | None = None

    @property
    def first_page(self) -> str | None:
        if not self.pages:
            return None
        return self.pages.replace("\u2013", "-").replace("\u2014", "-").split("-")[0].strip() or None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["authors"] = [str(p) for p in self.authors]
        return {k: v for k, v in d.items() if v not in (None, [], False, "")}


@dataclass
class Citation:
    """One thing in the article that claims a source: see CitationKind."""

    kind: str
    text: str
    start: int
    end: int
    fields: Fields = field(default_factory=Fields)
    category: str = "scholarly"
    # a parse or extraction note (e.g. "no title found"), shown in reports
    note: str | None = None
    # for quotes/mentions: index (in the article's citation list) of the reference it points to
    linked_to: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass
class RecordUpdate:
    """A notice attached to a work: retraction, correction, expression of concern..."""

    type: str  # "retraction", "correction", "expression_of_concern", "erratum", ...
    doi: str | None = None
    pmid: str | None = None
    source: str | None = None  # e.g. "retraction-watch", "publisher", "pubmed"
    date: str | None = None
    label: str | None = None


@dataclass
class Record:
    """A bibliographic record as one source describes a work."""

    source: str  # "crossref" | "pubmed" | any other source name
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    title: str | None = None
    authors: list[Person] = field(default_factory=list)
    journal: str | None = None
    # other names of the journal: ISO/NLM abbreviations, short container titles
    journal_abbrevs: list[str] = field(default_factory=list)
    year: int | None = None  # the year of record ("issued" / PubDate)
    # every year the work can honestly be cited with (online, print, issued)
    years: list[int] = field(default_factory=list)
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    abstract: str | None = None
    publication_types: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    # notices about this work (retraction of it, corrections to it)
    updates: list[RecordUpdate] = field(default_factory=list)
    # if this record is itself a notice: what it updates
    update_to: list[RecordUpdate] = field(default_factory=list)
    url: str | None = None
    # the source's own text of the record (JSON or XML) so it can be stored and re-parsed
    raw: str | None = None
    raw_format: str | None = None  # "crossref-json" | "pubmed-xml"

    @property
    def key(self) -> str:
        """A stable identity for the record within its source."""
        if self.doi:
            return f"{self.source}:doi:{self.doi.lower()}"
        if self.pmid:
            return f"{self.source}:pmid:{self.pmid}"
        return f"{self.source}:title:{(self.title or '').lower()[:80]}:{self.year}"

    @property
    def first_page(self) -> str | None:
        if not self.pages:
            return None
        return self.pages.replace("\u2013", "-").split("-")[0].strip() or None

    @property
    def retracted(self) -> bool:
        return any(u.type == "retraction" for u in self.updates) or any(
            "retracted publication" == t.lower() for t in self.publication_types
        )

    def summary(self) -> dict[str, Any]:
        """The fields a report shows of a matched record."""
        return {
            "source": self.source,
            "doi": self.doi,
            "pmid": self.pmid,
            "title": self.title,
            "authors": [str(a) for a in self.authors[:3]] + (["et al."] if len(self.authors) > 3 else []),
            "journal": self.journal,
            "year": self.year,
            "volume": self.volume,
            "issue": self.issue,
            "pages": self.pages,
            "retracted": self.retracted,
        }


# --- what a source answers ----------------------------------------------------------


@dataclass
class SourceAnswer:
    """What one source said about one citation.

    ``ok`` is False when the source could not be asked or did not answer usably
    (network error, 5xx after retries, garbage body): the citation may then only be
    "unchecked", never "unfound". ``applicable`` is False when the source had nothing
    to ask for this citation (e.g. PubMed for grey literature).
    """

    source: str
    ok: bool = True
    applicable: bool = True
    records: list[Record] = field(default_factory=list)
    error: str | None = None
    # record reached through an identifier stated in the citation (DOI/PMID lookup)
    by_identifier: dict[str, Record | None] = field(default_factory=dict)


@dataclass
class FieldComparison:
    """One field of a citation compared with one record."""

    field: str
    stated: Any
    found: Any
    agrees: bool | None  # None: could not compare (one side missing)
    score: float = 0.0  # similarity 0..1 where meaningful
    note: str | None = None


@dataclass
class Check:
    """The verdict on one citation in one run."""

    verdict: str
    reason: str
    record: Record | None = None
    score: float = 0.0
    comparisons: list[FieldComparison] = field(default_factory=list)
    differences: list[FieldComparison] = field(default_factory=list)
    candidates: list[Record] = field(default_factory=list)  # others considered / ambiguous set
    notes: list[str] = field(default_factory=list)  # retraction/correction flags, quote results
    sources: dict[str, str] = field(default_factory=dict)  # source name -> "ok" | error text

    def differences_dict(self) -> list[dict[str, Any]]:
        return [{"field": d.field, "stated": d.stated, "found": d.found, **({"note": d.note} if d.note else {})}
                for d in self.differences]

    @property
    def failed_sources(self) -> dict[str, str]:
        """Bibliographic services (Crossref, PubMed) that could not be asked for this check,
        with their errors. A cited web site that failed is the site's state, not a service's."""
        return {name: status for name, status in self.sources.items() if status != "ok" and name != "web"}

    @property
    def inconclusive(self) -> bool:
        """Unchecked because a service failed: an attempt, not a verdict. It never stands in
        for an earlier conclusive verdict (store views), and it makes an audit incomplete."""
        return self.verdict == UNCHECKED and bool(self.failed_sources)

    @property
    def retracted(self) -> bool:
        """The cited work is retracted: by its record, or by a retraction flag in the notes
        (another record of the same work may carry the notice)."""
        return bool(self.record and self.record.retracted) or any(
            n.startswith(RETRACTION_NOTE_PREFIXES) for n in self.notes)


@dataclass
class AuditedCitation:
    citation: Citation
    check: Check


@dataclass
class Audit:
    """The result of auditing one document."""

    document: Document
    items: list[AuditedCitation] = field(default_factory=list)
    offline: bool = False

    def counts(self) -> dict[str, int]:
        c = {v: 0 for v in VERDICTS}
        for it in self.items:
            c[it.check.verdict] = c.get(it.check.verdict, 0) + 1
        return c


# --- (de)serialisation of records, for the store ------------------------------------


def record_to_dict(r: Record) -> dict[str, Any]:
    d = asdict(r)
    d.pop("raw", None)
    return d


def record_from_dict(d: dict[str, Any], raw: str | None = None) -> Record:
    d = dict(d)
    d["authors"] = [Person(**a) if isinstance(a, dict) else Person(str(a)) for a in d.get("authors") or []]
    d["updates"] = [RecordUpdate(**u) for u in d.get("updates") or []]
    d["update_to"] = [RecordUpdate(**u) for u in d.get("update_to") or []]
    known = set(Record.__dataclass_fields__)
    d = {k: v for k, v in d.items() if k in known}
    d["raw"] = raw
    return Record(**d)


def fields_from_dict(d: dict[str, Any]) -> Fields:
    d = dict(d)
    authors = []
    for a in d.get("authors") or []:
        if isinstance(a, dict):
            authors.append(Person(**a))
        else:
            fam, _, giv = str(a).partition(" ")
            authors.append(Person(fam, giv))
    d["authors"] = authors
    known = set(Fields.__dataclass_fields__)
    return Fields(**{k: v for k, v in d.items() if k in known})
