"""The records an :class:`~citeaudit.emulate.server.Emulator` serves, and how it searches them.

A :class:`Corpus` keeps the raw Crossref work messages and raw ``<PubmedArticle>``
XML exactly as loaded (that is what the emulator answers with) next to their parsed
:class:`Record` (that is what it searches). Search is deliberately simple: an
inverted index over normalised tokens, scored by weighted token overlap. It is
good enough to make a client's queries behave like the real services' on a small
corpus, not a search engine.

A corpus may be changed while an emulator serves it (add or replace a record);
every method takes the corpus lock, so the next request sees the change.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from citeaudit.models import Person, Record
from citeaudit.records import crossref as crossref_parser
from citeaudit.records import pubmed as pubmed_parser

STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or that the their this to was were with".split()
)
# weight of a query token by the field of the record it was found in
WEIGHTS = {"title": 3.0, "author": 2.0, "journal": 1.0, "year": 1.0}
MIN_SCORE, MAX_SCORE = 10.0, 150.0

_NON_WORD = re.compile(r"[^\w\s]+")
_YEAR = re.compile(r"\d{4}")


def fold(text: str | None) -> str:
    """Lower-case, accents folded, punctuation turned into spaces, whitespace collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_ish = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", ascii_ish.lower().replace("_", " ")).split())


def tokens(text: str | None) -> list[str]:
    """Normalised tokens of a text, stopwords dropped."""
    return [t for t in fold(text).split() if t not in STOPWORDS]


def journal_key(name: str | None) -> str:
    """A journal name compared as written or abbreviated: dots and punctuation ignored."""
    return fold(name)


def initials_of(person: Person) -> str:
    """``KE`` from ``Kirsten E.`` or ``KE``; empty for organisations."""
    given = fold(person.given)
    if not given:
        return ""
    parts = given.split()
    if len(parts) == 1 and parts[0].isalpha() and len(parts[0]) <= 3 and person.given.strip().isupper():
        return parts[0]
    return "".join(p[0] for p in parts)


@dataclass
class Entry:
    """One record of the corpus with its searchable token sets."""

    ident: str
    record: Record
    title: list[str] = field(default_factory=list)  # ordered, for phrase search
    fields: dict[str, set[str]] = field(default_factory=dict)  # field -> token set
    journals: set[str] = field(default_factory=set)  # journal keys (full + abbrevs)
    every: set[str] = field(default_factory=set)  # union of the field token sets

    @classmethod
    def build(cls, ident: str, record: Record) -> Entry:
        title = fold(record.title).split()
        journals = {journal_key(n) for n in [record.journal, *record.journal_abbrevs] if n}
        fields = {
            "title": set(tokens(record.title)),
            "abstract": set(tokens(record.abstract)),
            "author": {t for a in record.authors for t in tokens(a.family)},
            "journal": {t for j in journals for t in j.split() if t not in STOPWORDS},
            "year": {str(y) for y in record.years or ([record.year] if record.year else [])},
        }
        return cls(ident, record, title, fields, journals, set().union(*fields.values()))


class _Index:
    """Entries by id plus an inverted index token -> entry ids."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.postings: dict[str, set[str]] = {}

    def put(self, entry: Entry) -> None:
        self.remove(entry.ident)
        self.entries[entry.ident] = entry
        for tok in entry.every:
            self.postings.setdefault(tok, set()).add(entry.ident)

    def remove(self, ident: str) -> None:
        old = self.entries.pop(ident, None)
        if old is None:
            return
        for tok in old.every:
            ids = self.postings.get(tok)
            if ids is not None:
                ids.discard(ident)
                if not ids:
                    del self.postings[tok]

    def candidates(self, query: set[str]) -> set[str]:
        out: set[str] = set()
        for tok in query:
            out |= self.postings.get(tok, set())
        return out


class Corpus:
    """Crossref works and PubMed articles held in memory, searchable like the services."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._crossref_messages: dict[str, dict[str, Any]] = {}
        self._crossref = _Index()
        self._pubmed_xml: dict[str, str] = {}
        self._pubmed = _Index()
        self._no_doi = 0

    # --- loading -------------------------------------------------------------------

    def load_dir(self, path: str | Path) -> Corpus:
        """Load every ``*.json`` (Crossref work) and ``*.xml`` (efetch) file under ``path``."""
        for file in sorted(Path(path).rglob("*")):
            if file.suffix == ".json":
                self._load_json(file)
            elif file.suffix == ".xml":
                self._load_xml(file)
        return self

    def _load_json(self, file: Path) -> None:
        body = json.loads(file.read_text(encoding="utf-8"))
        message = body.get("message") if isinstance(body, dict) and "message" in body else body
        if isinstance(message, dict) and (body.get("message-type", "work") == "work"):
            self.add_crossref(message)

    def _load_xml(self, file: Path) -> None:
        for record in pubmed_parser.parse_efetch(file.read_bytes()):
            self._put_pubmed(record)

    def add_crossref(self, message: dict[str, Any]) -> Record:
        """Add (or replace, by DOI) a Crossref work message; returns its parsed Record."""
        record = crossref_parser.parse_work(message)
        with self._lock:
            if record.doi:
                ident = record.doi
            else:
                self._no_doi += 1
                ident = f"no-doi:{self._no_doi}"
            self._crossref_messages[ident] = message
            self._crossref.put(Entry.build(ident, record))
        return record

    def add_pubmed(self, xml_article: str | bytes) -> list[Record]:
        """Add (or replace, by PMID) the article(s) of a ``<PubmedArticle>`` or efetch document."""
        records = pubmed_parser.parse_efetch(xml_article)
        for record in records:
            self._put_pubmed(record)
        return records

    def _put_pubmed(self, record: Record) -> None:
        if not record.pmid or record.raw is None:
            return
        with self._lock:
            self._pubmed_xml[record.pmid] = record.raw
            self._pubmed.put(Entry.build(record.pmid, record))

    def remove_crossref(self, doi: str) -> None:
        with self._lock:
            self._crossref_messages.pop(doi.lower(), None)
            self._crossref.remove(doi.lower())

    def remove_pubmed(self, pmid: str) -> None:
        with self._lock:
            self._pubmed_xml.pop(pmid, None)
            self._pubmed.remove(pmid)

    # --- lookups ---------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return len(self._crossref_messages) + len(self._pubmed_xml)

    def crossref_work(self, doi: str) -> dict[str, Any] | None:
        """The stored Crossref message for a DOI (case-insensitive)."""
        with self._lock:
            return self._crossref_messages.get(doi.strip().lower())

    def crossref_records(self) -> list[Record]:
        with self._lock:
            return [e.record for e in self._crossref.entries.values()]

    def pubmed_xml(self, pmid: str) -> str | None:
        """The stored ``<PubmedArticle>`` XML for a PMID."""
        with self._lock:
            return self._pubmed_xml.get(pmid.strip())

    def pubmed_record(self, pmid: str) -> Record | None:
        with self._lock:
            entry = self._pubmed.entries.get(pmid.strip())
            return entry.record if entry else None

    def pubmed_records(self) -> list[Record]:
        with self._lock:
            return [e.record for e in self._pubmed.entries.values()]

    def journals(self) -> list[dict[str, Any]]:
        """Distinct container titles of the Crossref works, as journal-list items."""
        with self._lock:
            items: dict[str, dict[str, Any]] = {}
            for ident, entry in self._crossref.entries.items():
                record = entry.record
                if record.journal and journal_key(record.journal) not in items:
                    message = self._crossref_messages[ident]
                    items[journal_key(record.journal)] = {
                        "title": record.journal,
                        "publisher": message.get("publisher"),
                        "ISSN": list(dict.fromkeys(record.issns)),
                    }
            return list(items.values())

    def journal_names(self) -> list[tuple[str, set[str]]]:
        """(journal title, its name keys) over both sources, sorted by title: a stand-in NLM catalog."""
        with self._lock:
            names: dict[str, set[str]] = {}
            for index in (self._pubmed, self._crossref):
                for entry in index.entries.values():
                    if entry.record.journal:
                        names.setdefault(entry.record.journal, set()).update(entry.journals)
            return sorted(names.items())

    # --- Crossref search -------------------------------------------------------------

    def crossref_search(
        self,
        bibliographic: str | None = None,
        author: str | None = None,
        container_title: str | None = None,
        from_year: int | None = None,
        until_year: int | None = None,
        rows: int = 20,
        work_type: str | None = None,
    ) -> list[tuple[float, dict[str, Any]]]:
        """Crossref ``/works`` query: ``(score, message)`` best first.

        Query tokens found in a record's title weigh most, then authors, journal and
        year. A record must share at least two query tokens with the query (one
        when the query has a single token).
        """
        query = _CrossrefQuery(set(tokens(bibliographic)), set(tokens(author)), set(tokens(container_title)))
        if not query.size:
            return []
        with self._lock:
            scored = []
            for ident in self._crossref.candidates(query.all):
                entry = self._crossref.entries[ident]
                if not _in_years(entry.record, from_year, until_year):
                    continue
                if work_type and work_type not in entry.record.publication_types:
                    continue
                score = query.score(entry)
                if score is not None:
                    scored.append((score, ident))
            scored.sort(key=lambda s: (-s[0], s[1]))
            return [(score, self._crossref_messages[ident]) for score, ident in scored[: max(rows, 0)]]

    # --- PubMed search ---------------------------------------------------------------

    def pubmed_esearch(self, term: str, retmax: int | None = None) -> list[str]:
        """PMIDs matching an E-utilities ``term``, by title relevance then PMID descending."""
        expr = parse_term(term)
        with self._lock:
            hits = expr.evaluate(self._pubmed) if expr else set()
            wanted = expr.relevance_tokens() if expr else set()
            ranked = sorted(
                hits,
                key=lambda p: (-len(wanted & self._pubmed.entries[p].fields["title"]), -_as_int(p)),
            )
        return ranked if retmax is None else ranked[:retmax]

    def ecitmatch(
        self, journal: str, year: str | int | None, volume: str, first_page: str, author: str | None = None
    ) -> str | None:
        """ECitMatch: the PMID whose journal, volume, first page (and year +-1) agree.

        Several candidates are narrowed by first author's family name; if still
        ambiguous, None.
        """
        jkey, vol, page = journal_key(journal), str(volume).strip(), str(first_page).strip().lower()
        want_year = _as_int(str(year)) if year else None
        with self._lock:
            hits = [
                e for e in self._pubmed.entries.values()
                if jkey in e.journals
                and (e.record.volume or "").strip() == vol
                and (e.record.first_page or "").lower() == page
                and (not want_year or any(abs(int(y) - want_year) <= 1 for y in e.fields["year"]))
            ]
            if len(hits) > 1 and author:
                family = fold(author).split()[0] if fold(author) else ""
                hits = [e for e in hits if e.record.authors and fold(e.record.authors[0].family) == family] or hits
            return hits[0].ident if len(hits) == 1 else None


# --- Crossref scoring -------------------------------------------------------------------


@dataclass
class _CrossrefQuery:
    """Query tokens by the part of the query they came from."""

    bibliographic: set[str]
    author: set[str]
    container: set[str]

    @property
    def all(self) -> set[str]:
        return self.bibliographic | self.author | self.container

    @property
    def size(self) -> int:
        return len(self.bibliographic) + len(self.author) + len(self.container)

    def score(self, entry: Entry) -> float | None:
        """A Crossref-like score in [10, 150], or None below the overlap threshold."""
        f = entry.fields
        weight, matched = 0.0, 0
        for tok in self.bibliographic:
            best = max((WEIGHTS[name] for name in ("title", "author", "journal", "year") if tok in f[name]), default=0.0)
            weight += best
            matched += best > 0
        for tok in self.author:
            hit = tok in f["author"]
            weight += WEIGHTS["author"] * hit
            matched += hit
        for tok in self.container:
            hit = tok in f["journal"]
            weight += WEIGHTS["journal"] * hit
            matched += hit
        if matched < min(2, self.size):
            return None
        best_possible = (
            WEIGHTS["title"] * len(self.bibliographic)
            + WEIGHTS["author"] * len(self.author)
            + WEIGHTS["journal"] * len(self.container)
        )
        coverage = weight / best_possible
        # how much of the record's title the query accounts for: favours the exact work
        title_cover = len(f["title"] & self.bibliographic) / len(f["title"]) if f["title"] else 0.0
        return round(MIN_SCORE + (MAX_SCORE - MIN_SCORE) * (0.8 * coverage + 0.2 * title_cover), 3)


def _in_years(record: Record, from_year: int | None, until_year: int | None) -> bool:
    if from_year is None and until_year is None:
        return True
    years = record.years or ([record.year] if record.year else [])
    return any((from_year is None or y >= from_year) and (until_year is None or y <= until_year) for y in years)


def _as_int(text: str) -> int:
    m = re.search(r"\d+", text or "")
    return int(m.group()) if m else 0


# --- E-utilities term syntax ------------------------------------------------------------

_TERM_TOKEN = re.compile(r'\s*(?:(?P<paren>[()])|"(?P<quoted>[^"]*)"|\[(?P<tag>[^\]]*)\]|(?P<word>[^\s()"\[\]]+))')
_OPERATORS = {"AND", "OR", "NOT"}
_FIELD_ALIASES = {
    "ti": "title", "title": "title", "tiab": "tiab", "title/abstract": "tiab",
    "au": "author", "author": "author", "1au": "first_author", "ta": "journal", "journal": "journal",
    "jour": "journal", "dp": "year", "pdat": "year", "publication date": "year",
    "vi": "volume", "volume": "volume", "pg": "page", "page": "page", "doi": "doi", "aid": "doi",
    "pmid": "pmid", "uid": "pmid", "pmcid": "pmcid", "pmc": "pmcid", "all": "all", "all fields": "all",
}


@dataclass
class Clause:
    """``value[field]``: words (or a quoted phrase) searched in one field."""

    value: str
    field: str = "all"
    phrase: bool = False

    def matches(self, entry: Entry) -> bool:
        return _FIELD_MATCHERS.get(self.field, _match_all)(self, entry)

    def relevance_tokens(self) -> set[str]:
        return set(tokens(self.value)) if self.field in ("title", "tiab", "all") else set()


@dataclass
class BoolExpr:
    """Clauses and groups combined left to right with AND / OR / NOT, as PubMed does."""

    items: list[Clause | BoolExpr]
    ops: list[str]  # ops[i] joins items[i] and items[i + 1]

    def evaluate(self, index: _Index) -> set[str]:
        result = _evaluate_item(self.items[0], index)
        for op, item in zip(self.ops, self.items[1:]):
            other = _evaluate_item(item, index)
            result = result & other if op == "AND" else result | other if op == "OR" else result - other
        return result

    def relevance_tokens(self) -> set[str]:
        return set().union(*(i.relevance_tokens() for i in self.items))


def _evaluate_item(item: Clause | BoolExpr, index: _Index) -> set[str]:
    if isinstance(item, BoolExpr):
        return item.evaluate(index)
    ids: set[str] | list[str] = list(index.entries)
    words = set(tokens(item.value))
    if item.field in ("title", "tiab") and words:  # narrow through the index first
        ids = set.intersection(*(index.postings.get(w, set()) for w in words))
    return {ident for ident in ids if item.matches(index.entries[ident])}


def parse_term(term: str) -> BoolExpr | None:
    """Parse an esearch ``term`` into a :class:`BoolExpr`; None when it has no clauses.

    Consecutive untagged words form one clause with the tag that follows them, so
    ``Kratom and Pain Tolerance[ti]`` searches all those words in titles.
    """
    lexemes = [(m.lastgroup, m.group(m.lastgroup)) for m in _TERM_TOKEN.finditer(term or "") if m.lastgroup]
    expr, _ = _parse_group(lexemes, 0)
    return expr


def _parse_group(lexemes: list[tuple[str, str]], pos: int) -> tuple[BoolExpr | None, int]:
    items: list[Clause | BoolExpr] = []
    ops: list[str] = []
    words: list[str] = []
    pending_op = "AND"

    def push(item: Clause | BoolExpr | None) -> None:
        nonlocal pending_op
        if item is None:
            return
        if items:
            ops.append(pending_op)
        items.append(item)
        pending_op = "AND"

    def flush_words(field: str = "all") -> None:
        if words:
            push(Clause(" ".join(words), field))
            words.clear()

    while pos < len(lexemes):
        kind, value = lexemes[pos]
        pos += 1
        if kind == "paren" and value == ")":
            break
        if kind == "paren":
            flush_words()
            group, pos = _parse_group(lexemes, pos)
            push(group)
        elif kind == "word" and value in _OPERATORS:
            flush_words()
            pending_op = value
        elif kind == "word":
            words.append(value)
        elif kind == "quoted":
            flush_words()
            field = "all"
            if pos < len(lexemes) and lexemes[pos][0] == "tag":
                field = _field(lexemes[pos][1])
                pos += 1
            push(Clause(value, field, phrase=True))
        elif kind == "tag":
            flush_words(_field(value))
    flush_words()
    return (BoolExpr(items, ops) if items else None), pos


def _field(tag: str) -> str:
    return _FIELD_ALIASES.get(tag.strip().lower(), "all")


# --- clause matchers, by field ----------------------------------------------------------


def _words_in(clause: Clause, token_set: set[str], ordered: list[str] | None = None) -> bool:
    """All the clause's words in a field (a quoted phrase: contiguous, when order is known)."""
    if clause.phrase and ordered is not None:
        phrase = fold(clause.value).split()
        n = len(phrase)
        return n > 0 and any(ordered[i : i + n] == phrase for i in range(len(ordered) - n + 1))
    words = set(tokens(clause.value)) or set(fold(clause.value).split())
    return bool(words) and words <= token_set


def _match_title(clause: Clause, entry: Entry) -> bool:
    return _words_in(clause, entry.fields["title"], entry.title)


def _match_tiab(clause: Clause, entry: Entry) -> bool:
    if _match_title(clause, entry):
        return True
    if clause.phrase:
        return _words_in(clause, entry.fields["abstract"], fold(entry.record.abstract).split())
    return _words_in(clause, entry.fields["abstract"] | entry.fields["title"])


def _author_matches(value: str, person: Person) -> bool:
    """``Bath R`` / ``Bath`` / ``Smith KE``: family name, initials (if given) as a prefix."""
    words = fold(value).split()
    if not words:
        return False
    initials = ""
    if len(words) > 1 and len(words[-1]) <= 3:
        initials = words.pop()
    if " ".join(words) != fold(person.family):
        return False
    known = initials_of(person)
    return not initials or not known or known.startswith(initials)


def _match_author(clause: Clause, entry: Entry) -> bool:
    return any(_author_matches(clause.value, p) for p in entry.record.authors)


def _match_first_author(clause: Clause, entry: Entry) -> bool:
    return bool(entry.record.authors) and _author_matches(clause.value, entry.record.authors[0])


def _match_journal(clause: Clause, entry: Entry) -> bool:
    return journal_key(clause.value) in entry.journals


def _match_year(clause: Clause, entry: Entry) -> bool:
    bounds = [int(y) for y in _YEAR.findall(clause.value)[:2]]
    if not bounds:
        return False
    low, high = bounds[0], bounds[-1]
    return any(low <= int(y) <= high for y in entry.fields["year"])


def _match_volume(clause: Clause, entry: Entry) -> bool:
    return (entry.record.volume or "").strip().lower() == clause.value.strip().lower()


def _match_page(clause: Clause, entry: Entry) -> bool:
    first = clause.value.replace("\u2013", "-").split("-")[0].strip().lower()
    return bool(first) and (entry.record.first_page or "").lower() == first


def _match_doi(clause: Clause, entry: Entry) -> bool:
    return (entry.record.doi or "") == clause.value.strip().lower()


def _match_pmid(clause: Clause, entry: Entry) -> bool:
    return entry.record.pmid == clause.value.strip()


def _match_pmcid(clause: Clause, entry: Entry) -> bool:
    return bool(entry.record.pmcid) and entry.record.pmcid.upper() == clause.value.strip().upper()


def _match_all(clause: Clause, entry: Entry) -> bool:
    if clause.phrase:
        return _match_tiab(clause, entry)
    return _words_in(clause, entry.every) or _match_doi(clause, entry) or _match_pmid(clause, entry)


_FIELD_MATCHERS = {
    "title": _match_title,
    "tiab": _match_tiab,
    "author": _match_author,
    "first_author": _match_first_author,
    "journal": _match_journal,
    "year": _match_year,
    "volume": _match_volume,
    "page": _match_page,
    "doi": _match_doi,
    "pmid": _match_pmid,
    "pmcid": _match_pmcid,
    "all": _match_all,
}
