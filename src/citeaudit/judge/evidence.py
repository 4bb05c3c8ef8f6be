"""A candidate record validated against the whole reference string, not against a parse of it.

Crossref's search-based matching with validation (SBMV) asks one bibliographic query with the
whole string and keeps a candidate only when the string itself supports it. This module is
that validation step, made field-aware: each detail of the record (authors, year, volume,
issue, first page, journal, title words) is looked for *in the string*, so a style the
entry parser does not know (no title at all, MLA's ``310.20 (2013)``, a list number read as
initials) still finds its work, and a field is called different only when the string clearly
states another value (`aligned`).

Pure functions over folded text: no I/O.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz

from citeaudit.models import Record
from citeaudit.normalize import TITLE_STOPWORDS, fold, normalize_number

# what a reference string carries besides its bibliographic details
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\bdoi:\s*\S+|\b10\.\d{4,9}/\S+", re.IGNORECASE)
_PMID_RE = re.compile(r"\b(?:PMID|PMCID)\s*:?\s*(?:PMC)?\d+", re.IGNORECASE)
_ACCESSED_RE = re.compile(r"\b(?:accessed|retrieved|cited)\b[^.;]{0,60}", re.IGNORECASE)
_MARKER_RE = re.compile(r"^\s*(?:\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}[.)]?(?=\s))\s*")
_NUMBER_RE = re.compile(r"^[a-z]{0,2}\d+[a-z]?$")
# words of a reference string that are neither title, names nor venue
_FILLER = frozenset(
    "pp p vol no nr iss issue suppl supplement ed eds edn et al in and the of pages page art article "
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august "
    "september october november december spring summer autumn fall winter online print epub ahead internet "
    "available from doi pmid pmcid url retrieved accessed proc proceedings".split()
)


def clean_reference(text: str) -> str:
    """The string as a bibliographic query: no list marker, URL, DOI, PMID or 'Accessed' tail."""
    s = html.unescape(text or "")
    s = _MARKER_RE.sub("", s)
    s = _URL_RE.sub(" ", s)
    s = _PMID_RE.sub(" ", s)
    s = _ACCESSED_RE.sub(" ", s)
    return " ".join(s.split())


@dataclass(frozen=True)
class _Text:
    folded: str  # the cleaned string, folded (no URLs or identifiers)
    words: tuple[str, ...]
    wordset: frozenset[str]
    numbers: tuple[str, ...]  # normalised number tokens, in order


_LETTER_PAGE_RE = re.compile(r"(?<![\w-])([A-Za-z]{1,2})\s?[-\u2010\u2011\u2013]\s?(?=\d)")  # 'S–686', 'e-12'
_LEAD_NUMBER_RE = re.compile(r"\s*([A-Za-z]{0,2}\d+[A-Za-z]?)(?![\w])")
_ANY_NUMBER_RE = re.compile(r"(?<![A-Za-z])[A-Za-z]{0,2}\d+[A-Za-z]?(?![\w])")


def lead_number(value: str | None) -> str | None:
    """The number a volume, issue or page value starts with: '4 Supplement' -> '4',
    'S-686' -> 'S686', '1-4' -> '1'."""
    if not value:
        return None
    v = _LETTER_PAGE_RE.sub(r"\1", str(value).strip())
    m = _LEAD_NUMBER_RE.match(v)
    if m:
        return m.group(1)
    found = _ANY_NUMBER_RE.findall(v)  # 'Part 1, No. 3B': the last number names it
    return found[-1] if found else None


def _pages(value: str | None) -> tuple[str | None, str | None]:
    """First and last page of a record's page range (a letter prefix kept with its number)."""
    if not value:
        return None, None
    v = _LETTER_PAGE_RE.sub(r"\1", str(value).strip()).replace("\u2013", "-").replace("\u2014", "-")
    parts = [x.strip() for x in v.split("-") if x.strip()]
    if not parts:
        return None, None
    return lead_number(parts[0]), (lead_number(parts[-1]) if len(parts) > 1 else None)


@lru_cache(maxsize=4096)
def _prepare(text: str) -> _Text:
    return _prepare_folded(fold(_LETTER_PAGE_RE.sub(r"\1", clean_reference(text))))


@lru_cache(maxsize=1 << 14)
def _title_words(title: str) -> tuple[str, ...]:
    return tuple(fold(_URL_RE.sub(" ", html.unescape(title))).split())  # cleaned as the string is


@dataclass
class Evidence:
    """How much of one record the string states. None: the record lacks that field."""

    title: float | None  # share of the record's significant title words found in the string
    title_words: int  # how many significant words the record's title has
    title_verbatim: bool  # the record's whole title (folded) stands in the string
    main_title_verbatim: bool  # its title before the subtitle (4 words or more) stands in the string
    first_author: bool | None
    authors: float | None  # share of the record's first three authors found
    year: bool | None  # exact
    year_near: bool | None  # within a year (online-first vs print)
    volume: bool | None
    issue: bool | None
    first_page: bool | None
    journal: bool | None
    unaccounted: int  # significant words of the string that no field of the record explains

    @property
    def locator(self) -> bool:
        return bool(self.volume and self.first_page)

    def accepted(self) -> tuple[bool, str]:
        """Enough independent agreement to take the record for the cited work."""
        t = self.title or 0.0
        long_title = self.title_words >= 3
        author = bool(self.first_author)
        year = bool(self.year or self.year_near)
        journal = bool(self.journal)
        support = sum([author, year, journal, self.locator])
        if self.title_verbatim and long_title and support >= 1:
            return True, "the record's title and another detail stand in the string"
        if self.main_title_verbatim and author and year:
            return True, "the record's title (without its subtitle), first author and year stand in the string"
        if long_title and t >= 0.85 and support >= 1 and (author or year):
            return True, "the record's title words, and its author or year, stand in the string"
        if long_title and t >= 0.6 and support >= 2:
            return True, "most title words and two other details stand in the string"
        # no title in the string (ACS, AIP, Elsevier without titles): the numbers decide. With
        # first author, volume and first page all standing, a different title in the string is
        # a wrong title of this work; the weaker combinations need no other title in the string.
        if author and self.locator and (year or journal):
            return True, "first author, volume and first page (and year or journal) stand in the string"
        if long_title and t < 0.5 and self.unaccounted >= 4:
            return False, "the string names another title"
        if journal and self.locator and self.year:
            return True, "journal, year, volume and first page stand in the string"
        if author and journal and self.year and (self.volume or self.first_page) and \
                (self.volume is None or self.first_page is None):
            return True, "first author, journal, year and the one locator the record has stand in the string"
        return False, "too little of the record stands in the string"

    def near(self) -> bool:
        """Close enough that 'nothing matches' would be wrong to say: a work like this may be
        the one cited. A record whose title the string clearly does not state (the string
        names another title) is not near, however many other details it shares: an invented
        paper under real authors in their usual journal is exactly that."""
        t = self.title or 0.0
        year = bool(self.year or self.year_near)
        if self.title_words >= 3 and (t >= 0.8 or (t >= 0.5 and self.first_author and (year or self.journal))):
            return True
        if self.title_words >= 3 and self.unaccounted >= 4:
            return False
        if self.first_author and year and (self.journal or self.volume or self.first_page):
            return True
        return bool(self.journal and self.locator)

    def score(self) -> float:
        t = self.title or 0.0
        s = 3.0 * t * min(1.0, self.title_words / 4) + 1.5 * bool(self.first_author) + 0.5 * (self.authors or 0.0)
        s += 1.0 * bool(self.year) + 0.5 * bool(self.year_near and not self.year) + 1.0 * bool(self.journal)
        s += 1.0 * bool(self.volume) + 1.0 * bool(self.first_page) + 0.25 * bool(self.issue)
        return round(s - 0.15 * min(self.unaccounted, 10), 3)


def _phrase_in(phrase: str, t: _Text) -> bool:
    return bool(phrase) and f" {phrase} " in t.folded


def _family_in(family: str, t: _Text) -> bool:
    f = fold(family)
    if not f:
        return False
    if _phrase_in(f, t):
        return True
    last = f.split()[-1]  # 'van der Berg' cited as 'Berg'
    return len(last) >= 3 and last in t.wordset


def journal_in(names: list[str], t: _Text) -> bool:
    """A name of the journal, written out or abbreviated word by word (ISO 4), stands in the string."""
    from citeaudit.normalize import is_abbreviation_window

    for n in names:
        k = fold(n)
        if k.startswith("the "):
            k = k[4:]
        if len(k) >= 3 and _phrase_in(k, t):
            return True
        if is_abbreviation_window(n, t.words):
            return True
    return False


def _consume(numbers: list[str], value: str | None) -> bool | None:
    if not value:
        return None
    v = normalize_number(lead_number(value))
    if v in numbers:
        numbers.remove(v)
        return True
    return False


def evidence(text: str, record: Record) -> Evidence:
    """What of `record` the reference string `text` states."""
    from citeaudit.judge.match import journal_names

    t = _prepare(text)
    accounted: set[str] = set()
    # title
    rtitle = _title_words(record.title or "")
    sig = [w for w in rtitle if w not in TITLE_STOPWORDS and len(w) > 1]
    title = (sum(1 for w in sig if w in t.wordset) / len(sig)) if sig else None
    verbatim = bool(rtitle) and _phrase_in(" ".join(rtitle), t)
    main = _main_title(record.title or "")
    main_verbatim = verbatim or (4 <= len(main) < len(rtitle) and _phrase_in(" ".join(main), t))
    accounted.update(rtitle)
    # authors
    fams = [a.family for a in record.authors if a.family]
    first_author = _family_in(fams[0], t) if fams else None
    share = (sum(_family_in(f, t) for f in fams[:3]) / len(fams[:3])) if fams else None
    for a in record.authors:
        accounted.update(fold(a.family).split())
        accounted.update(fold(a.given).split())
        accounted.update(w[0] for w in fold(a.given).split() if w)
    # venue
    names = journal_names(record)
    journal = journal_in(names, t) if names else None
    for n in names:
        accounted.update(fold(n).split())
    # numbers, each used once: volume, issue, pages, then the year
    nums = list(t.numbers)
    volume = _consume(nums, record.volume)
    issue = _consume(nums, record.issue)
    page1, page2 = _pages(record.pages)
    first_page = _consume(nums, page1)
    if page2:
        _consume(nums, page2)
    years = sorted(set(record.years) | ({record.year} if record.year else set()))
    year = year_near = None
    if years:
        year = any(str(y) in nums for y in years)
        year_near = year or any(str(y + d) in nums for y in years for d in (-1, 1))
        for y in years:
            if str(y) in nums:
                nums.remove(str(y))
    # a locator the string does not state at all (no number left that could be it) is unstated, not different
    left = [n for n in nums if not (len(n) == 4 and n.isdigit() and 1800 <= int(n) <= 2100)]
    if first_page is False and not left:
        first_page = None
    if volume is False and not left:
        volume = None
    unaccounted = sum(1 for w in t.words if w not in accounted and w not in _FILLER and len(w) > 2
                      and w not in TITLE_STOPWORDS and not any(c.isdigit() for c in w))
    return Evidence(title, len(sig), verbatim, main_verbatim, first_author, share, year, year_near, volume, issue, first_page,
                    journal, unaccounted)


# --- what the string states, aligned with the accepted record -------------------------------


def states_value(text: str, value: str | None) -> bool:
    """The number `value` (volume, issue, first page, year) appears in the string."""
    if not value:
        return False
    return normalize_number(lead_number(str(value))) in _prepare(text).numbers


def string_numbers(text: str) -> list[str]:
    """The string's number tokens (normalised), in order: a fresh list to take from."""
    return list(_prepare(text).numbers)


def take_number(numbers: list[str], value: str | None) -> bool:
    """Take `value` (its leading number) from `numbers` if it is there."""
    return bool(_consume(numbers, value))


def page_range(pages: str | None) -> list[str]:
    """First and (when given) last page of a page range."""
    return [p for p in _pages(pages) if p]


def unexplained_words(stated: str, record: Record) -> int:
    """Significant words of a stated title that the record's authors, journal and numbers do
    not explain: a 'title' a parser read from a title-less string (initials, the journal name)
    has none, a real title has several."""
    from citeaudit.judge.match import journal_names

    words = fold(html.unescape(stated)).split()
    if words and sum(1 for w in words if len(w) == 1) >= 0.25 * len(words):
        return 0  # a run of names and initials ('Kwon, M.-H.; Kim, H.-H.; ...'), not a title
    known: set[str] = set(_FILLER)
    for a in record.authors:
        known.update(fold(a.family).split())
        known.update(fold(a.given).split())
    for n in journal_names(record):
        known.update(fold(n).split())
    return sum(1 for w in words if w not in known and w not in TITLE_STOPWORDS and len(w) > 1
               and not any(c.isdigit() for c in w))


def states_family(text: str, family: str) -> bool:
    return _family_in(family, _prepare(text))


def states_journal(text: str, record: Record, besides: tuple[str | None, ...] = ()) -> bool:
    """A name of the record's journal stands in the string, outside the titles in `besides`
    (a title may name a journal: 'Inaugural editorial: Rehabilitation Psychology')."""
    from citeaudit.judge.match import journal_names

    names = journal_names(record)
    if not names:
        return False
    t = _prepare(text)
    for title in besides:
        k = fold(html.unescape(title or ""))
        if len(k) >= 8 and f" {k} " in t.folded:
            t = _prepare_folded(t.folded.replace(f" {k} ", " ", 1))
    return journal_in(names, t)


def _prepare_folded(folded: str) -> _Text:
    words = tuple(folded.split())
    numbers = tuple(normalize_number(w) for w in words if _NUMBER_RE.match(w) and any(c.isdigit() for c in w))
    return _Text(f" {' '.join(words)} ", words, frozenset(words), numbers)


def states_title(text: str, title: str | None) -> bool:
    """The record's title stands in the string as written (folded; a subtitle may be left out)."""
    words = _title_words(title or "")
    if not words:
        return False
    return _phrase_in(" ".join(words), _prepare(text))


def title_as_stated(text: str, stated: str | None, found: str | None) -> str | None:
    """The title the string states, for comparison with the record's `found` title. Usually
    the parsed title; but when the parse cut the title at its '?' or ':' (the record's main
    title) and the string goes on with the rest of the record's title, changed or not, the
    string's words over the record's whole length ('... Metrics for Evaluating ... Model.')."""
    if not stated or not found:
        return stated
    main, words = _main_title(found), list(_title_words(found))
    a = list(_title_words(stated))
    if a != main or len(words) <= len(main) + 1:
        return stated
    t = _prepare(text)
    tw = list(t.words)
    for i in range(len(tw) - len(a) + 1):
        if tw[i:i + len(a)] == a:
            rest = tw[i + len(a):i + len(a) + 2]
            sub = words[len(main):len(main) + 2]
            if sum(1 for x, y in zip(rest, sub) if _typo(x, y)) >= 1:
                return " ".join(tw[i:i + len(words)])
            break
    return stated


def _typo(x: str, y: str) -> bool:
    """One slip of the keyboard inside a word: two neighbouring letters swapped, or one letter
    dropped, added or replaced *inside* it. A changed ending ('privacy' -> 'privacys',
    'learning' -> 'learnings') makes another word, not a typo."""
    if x == y:
        return True
    if len(x) == len(y):
        diff = [i for i, (a, b) in enumerate(zip(x, y)) if a != b]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]]:
            return True
        return len(diff) == 1 and len(x) >= 5 and 0 < diff[0] < len(x) - 1
    if abs(len(x) - len(y)) != 1:
        return False
    long_, short = (x, y) if len(x) > len(y) else (y, x)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return 0 < i < len(long_) - 1 and len(short) >= 4
    return False


def _main_title(title: str) -> list[str]:
    """The words of a title before its subtitle (after ':', ' - ', '?', '.' or ';')."""
    main = re.split(r"\s*(?::|\?|\.|;|\s[-\u2013\u2014]\s)\s+", html.unescape(title or "").strip(), maxsplit=1)[0]
    return fold(main).split()


def title_changes(stated: str, found: str) -> list[str]:
    """Words changed between a stated title and the record's. Ignored: case, punctuation,
    typos inside words (`_typo`), words joined or split ('post-traumatic', 'posttraumatic')
    and a subtitle left out at the end. Any other changed, added or dropped word counts, a
    small one too ('with' for 'from', a dropped 'the'): a near-miss title is not the title.
    Empty: the same title."""
    a, b = list(_title_words(stated)), list(_title_words(found))
    if not a or not b:
        return []
    if _main_title(found) == a or _main_title(stated) == b:
        return []  # cited without the subtitle, or the record keeps its subtitle apart
    out: list[str] = []
    ops = SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for i, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        sa, sb = a[i1:i2], b[j1:j2]
        if tag == "replace" and len(sa) == len(sb) and all(_typo(x, y) for x, y in zip(sa, sb)):
            continue
        if "".join(sa) == "".join(sb) or (tag == "replace" and _typo("".join(sa), "".join(sb))):
            continue  # 'post traumatic' vs 'posttraumatic'
        out += sa + sb
    return out
