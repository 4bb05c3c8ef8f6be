"""Field-by-field comparison of what a citation states with what a record says.

Pure functions. `compare` gives one FieldComparison per stated field; `identity`
decides whether the record is evidently the cited work (search-then-validate, in the
spirit of Crossref's reference matching: a candidate is accepted only when enough
independent fields agree).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from citeaudit.judge.evidence import (Evidence, evidence, page_range, states_family, states_journal, states_title, title_as_stated,
                                      states_value, string_numbers, take_number, title_changes, unexplained_words)
from citeaudit.models import FieldComparison, Fields, Person, Record
from citeaudit.normalize import family_key, first_page, fold, is_abbreviation_of, journal_alias, journal_key, normalize_number, title_key

TITLE_SAME = 0.90  # at or above: the same title (allowing typos, punctuation, case)
TITLE_CLOSE = 0.75  # at or above: plausibly the same title, needs more agreement
TITLE_DIFFERENT = 0.85  # below this an accepted work's title is reported as differing
YEAR_TOLERANCE = 1  # online-first vs print


def title_similarity(a: str | None, b: str | None) -> float:
    """0..1 similarity of two titles, tolerant of case, punctuation, word order and subtitles."""
    ka, kb = title_key(a), title_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    score = max(fuzz.ratio(ka, kb), fuzz.token_sort_ratio(ka, kb)) / 100
    # a title cited without its subtitle (or with the subtitle only): compare main parts
    short, long_ = sorted((ka, kb), key=len)
    if len(short) >= 25 and len(short) >= 0.45 * len(long_) and long_.startswith(short):
        score = max(score, 0.92)
    return score


def family_matches(a: str, b: str) -> bool:
    ka, kb = family_key(a), family_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    # compound names: 'Garcia-Romeu' cited as 'Romeu', 'van der Berg' as 'Berg'
    if len(ka) >= 4 and len(kb) >= 4 and (ka.endswith(kb) or kb.endswith(ka)):
        return True
    return len(ka) >= 5 and fuzz.ratio(ka, kb) >= 85


def _found_authors(record: Record) -> list[str]:
    return [a.family for a in record.authors if a.family]


def compare_authors(stated: list[Person], record: Record) -> list[FieldComparison]:
    """First author, and the share of stated authors found among the record's."""
    found = _found_authors(record)
    if not stated:
        return []
    if not found:
        return [FieldComparison("first_author", str(stated[0]), None, None)]
    first_ok = family_matches(stated[0].family, found[0])
    if not first_ok and len(found) > 1 and family_matches(stated[0].family, found[1]):
        first_ok = True  # co-first authors listed in either order
    out = [FieldComparison("first_author", stated[0].family, found[0], first_ok, 1.0 if first_ok else 0.0)]
    if len(stated) > 1:
        hits = sum(1 for p in stated if any(family_matches(p.family, f) for f in found))
        share = hits / len(stated)
        out.append(FieldComparison("authors", len(stated), hits, share >= 0.5, share,
                                   note=f"{hits} of {len(stated)} stated authors found"))
    return out


_JOURNAL_QUALIFIER = re.compile(r"\s*\([^()]{1,60}\)\s*$")  # 'Drugs (Abingdon, England)'
_JOURNAL_SUBTITLE = re.compile(r"\s:\s|;\s|\s=\s")  # 'Xenobiotica; the fate of ...', 'A = B'


def journal_names(record: Record) -> list[str]:
    """Every name the record's journal goes by, plus the short forms people cite it with:
    without a place qualifier in parentheses and without a subtitle or parallel title."""
    out: list[str] = []
    for n in [record.journal, *record.journal_abbrevs]:
        if not n:
            continue
        n = html.unescape(n)
        for v in (n, _JOURNAL_QUALIFIER.sub("", n), _JOURNAL_QUALIFIER.sub("", _JOURNAL_SUBTITLE.split(n)[0])):
            v = v.strip(" .")
            if v and v not in out:
                out.append(v)
    return out


def journal_matches(stated: str, record: Record) -> tuple[bool, float]:
    names = journal_names(record)
    stated = journal_alias(html.unescape(stated))
    if not journal_key(stated) or not names:
        return False, 0.0
    plain = _JOURNAL_QUALIFIER.sub("", stated).strip(" .")
    if plain and plain != stated:  # 'Drugs (Abingdon, England)' is cited with or without the place
        ok, score = journal_matches(plain, Record(source=record.source, journal=record.journal,
                                                  journal_abbrevs=record.journal_abbrevs))
        if ok:
            return ok, score
    ks = journal_key(stated)
    best = 0.0
    for n in names:
        kn = journal_key(n)
        if ks == kn or ks.replace(" ", "") == kn.replace(" ", ""):
            return True, 1.0
        if is_abbreviation_of(stated, n) or is_abbreviation_of(n, stated):
            return True, 0.95
        # 'Substance Abuse: Research and Treatment' cited as 'Substance Abuse'
        if len(ks) >= 12 and (kn.startswith(ks) or ks.startswith(kn)) and ":" in (n + stated):
            best = max(best, 0.9)
        best = max(best, fuzz.ratio(ks, kn) / 100)
    return best >= 0.9, best


def compare_year(stated: int, record: Record) -> FieldComparison:
    years = sorted(set(record.years) | ({record.year} if record.year else set()))
    if not years:
        return FieldComparison("year", stated, None, None)
    shown = record.year or years[-1]
    if stated in years:
        return FieldComparison("year", stated, shown, True, 1.0)
    gap = min(abs(stated - y) for y in years)
    if gap <= YEAR_TOLERANCE:
        return FieldComparison("year", stated, shown, True, 0.8, note="within a year (online-first vs print)")
    return FieldComparison("year", stated, shown, False, 0.0)


def _simple(field: str, stated: str | None, found: str | None, norm=normalize_number) -> FieldComparison | None:
    if stated is None or str(stated).strip() == "":
        return None
    if found is None or str(found).strip() == "":
        return FieldComparison(field, stated, None, None)
    ok = norm(stated) == norm(found)
    return FieldComparison(field, stated, found, ok, 1.0 if ok else 0.0)


def compare(fields: Fields, record: Record, text: str | None = None) -> list[FieldComparison]:
    """Compare every stated field with the record. Unstated fields are not compared.

    With `text` (the whole reference string) the parse is checked against the string: a
    field the parse read differently agrees when the string states the record's value
    (see `align`), so a field differs only when the string clearly states another value."""
    out = _compare_parsed(fields, record)
    return align(out, fields, record, text) if text else out


def align(comps: list[FieldComparison], fields: Fields, record: Record, text: str) -> list[FieldComparison]:
    """The parse's comparisons corrected by the string: what the string states for each field.

    A title agrees when the record's title stands in the string, or when the stated title
    differs from it only by case, punctuation, typos, stopwords or a subtitle left out; any
    other changed word is a difference (a near-miss title is not the same title). Numbers,
    names and the journal agree when the string states the record's value anywhere the
    parse may have misread it (MLA's ``310.20`` is volume 310, issue 20)."""
    years = {str(y) for y in set(record.years) | {record.year} if y}
    # the string's numbers, less those the agreeing fields account for: a disagreeing number
    # agrees only if the record's value is still among them (so 'no. 1' read as the issue
    # does not pass for a first page 1)
    nums = string_numbers(text)
    for c in comps:
        if c.agrees and c.field in ("year", "volume", "issue"):
            take_number(nums, str(c.stated))
        elif c.agrees and c.field == "pages":
            for page in page_range(str(c.stated)):
                take_number(nums, page)
    out = []
    for c in comps:
        f = c.field
        if f == "title" and record.title:
            if unexplained_words(str(c.stated), record) < 2:
                continue  # no title in the string (ACS, AIP...): what the parse took for one is not compared
            if states_title(text, record.title):
                c = FieldComparison("title", c.stated, c.found, True, max(c.score, 0.99))
            else:
                changed = title_changes(title_as_stated(text, str(c.stated), record.title) or "", record.title)
                ok = not changed and c.score >= TITLE_CLOSE
                note = None if ok else ("words differ: " + ", ".join(changed[:6]) if changed else None)
                c = FieldComparison("title", c.stated, c.found, ok, c.score, note=note)
        elif c.agrees is False:
            if f == "first_author" and record.authors and states_family(text, record.authors[0].family) \
                    and _before_title(text, record):
                c = FieldComparison(f, c.stated, c.found, True, 1.0, note="read from the string")
            elif f == "authors" and record.authors and states_family(text, record.authors[0].family):
                c = FieldComparison(f, c.stated, c.found, True, c.score, note=c.note)
            elif f == "year" and not _year_in_parentheses(text, c.stated, years) \
                    and any(take_number(nums, y) for y in sorted(years)):
                c = FieldComparison(f, c.stated, c.found, True, 1.0, note="the record's year stands in the string")
            elif f == "issue" and str(c.stated).strip() in years:
                continue  # the parse took the year in parentheses, '3 (1799) 51', for an issue
            elif f in ("volume", "issue") and take_number(nums, getattr(record, f)):
                c = FieldComparison(f, c.stated, c.found, True, 1.0)
            elif f == "pages" and take_number(nums, (page_range(record.pages) or [None])[0]):
                c = FieldComparison(f, c.stated, c.found, True, 1.0)
            elif f == "journal" and states_journal(text, record, besides=(record.title,)):
                c = FieldComparison(f, c.stated, c.found, True, 1.0)
        out.append(c)
    out += _author_list(out, fields, record, text)
    have = {c.field for c in out}
    # a detail the parse missed but the string states (MLA's issue after the volume's dot)
    if "volume" not in have and record.volume and states_value(text, record.volume):
        out.append(FieldComparison("volume", record.volume, record.volume, True, 1.0, note="read from the string"))
    if "journal" not in have and states_journal(text, record, besides=(record.title,)):
        out.append(FieldComparison("journal", record.journal, record.journal, True, 1.0, note="read from the string"))
    if "first_author" not in have and record.authors and states_family(text, record.authors[0].family) \
            and _before_title(text, record):
        out.append(FieldComparison("first_author", record.authors[0].family, record.authors[0].family, True, 1.0,
                                   note="read from the string"))
    return out


_ET_AL_RE = re.compile(r"\bet\.?\s?al\b|\.\.\.|\u2026|\bothers\b|\band colleagues\b", re.IGNORECASE)
_NAME_WORD_RE = re.compile(r"[A-Z][a-z\u00C0-\u024F'’\-]{1,}")


def _year_in_parentheses(text: str, stated, years: set[str]) -> bool:
    """The stated year stands in the year slot '(2022)' and no year of the record does: the
    string clearly states another year, whatever other years it mentions ('Volume 10, 2019')."""
    m = re.search(rf"\(\s*{re.escape(str(stated))}[a-z]?\s*[),;]", text)
    if not m or m.start() > max(40, len(text) // 3):
        return False  # not where a year stands after the authors ('... Review: Rethinking (2004) ...')
    if any(re.search(rf"(?<!\d){y}(?!\d)", text[:m.start()]) for y in years):
        return False  # the record's year comes first ('Baker, T.A., 2015. ... (2003)')
    return not any(re.search(rf"\(\s*{y}[a-z]?\s*[),;]", text) for y in years)


def _author_list(comps: list[FieldComparison], fields: Fields, record: Record, text: str) -> list[FieldComparison]:
    """Authors of the work the string leaves out when its list is not cut short with 'et al.'
    (the first author has its own comparison). Names are looked for in the string itself, so a
    name the parser misread is not counted as missing. Names the string gives that the record
    lacks are not reported: records often list fewer authors than the paper has."""
    fams = [a.family for a in record.authors if family_key(a.family)]
    if len(fams) < 2 and not fields.authors:
        return _unnamed_authors(comps, record, text) if fams else []
    by = {c.field: c for c in comps}
    first = by.get("first_author")
    skip_first = first is not None and first.agrees is False
    missing = [] if _ET_AL_RE.search(text) or fields.et_al else \
        [f for i, f in enumerate(fams) if not (i == 0 and skip_first) and not states_family(text, f)]
    out = []
    if missing:
        stated = ", ".join(p.family for p in fields.authors) or None
        out.append(FieldComparison(
            "author_list", stated, ", ".join(fams[:8]) + (" ..." if len(fams) > 8 else ""), False, 0.0,
            note=f"{len(missing)} of the work's {len(fams)} authors not named, with no 'et al.': "
                 + ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")))
    if "first_author" not in by:
        out += _unnamed_authors(comps, record, text)
    return out


def _unnamed_authors(comps: list[FieldComparison], record: Record, text: str) -> list[FieldComparison]:
    """No author was parsed, but the string names people before the record's title and none
    of them is an author of the work: a first-author difference (authors swapped in)."""
    if any(c.field == "first_author" for c in comps) or not record.title or not record.authors:
        return []
    folded, title = fold(text), fold(record.title)
    pos = folded.find(title) if title else -1
    if pos <= 0:
        return []
    before = folded[:pos]
    raw_words = [w for w in re.split(r"[\s,;&.]+", text) if w][: len(before.split())]
    names = [w for w in raw_words if _NAME_WORD_RE.fullmatch(w) and fold(w) not in ("and", "the")]
    if not names or any(states_family(before, a.family) for a in record.authors if a.family):
        return []
    block = " ".join(text.split())[: min(len(text), 80)]
    return [FieldComparison("first_author", block.split(",")[0], record.authors[0].family, False, 0.0,
                            note="none of the work's authors is named before its title")]


def _before_title(text: str, record: Record) -> bool:
    """The record's first author is named where authors stand: before the title (when the
    string states it) or in the first half of the string."""
    folded = f" {fold(text)} "
    fam = fold(record.authors[0].family)
    pos = folded.find(f" {fam} ") if fam else -1
    if pos < 0:
        last = fam.split()[-1] if fam else ""
        pos = folded.find(f" {last} ") if last else -1
    if pos < 0:
        return False
    title = fold(record.title or "")
    tpos = folded.find(f" {title} ") if title else -1
    return pos < tpos if tpos >= 0 else pos < max(60, len(folded) // 2)


_PREPRINT_VENUE_RE = re.compile(r"arxiv|preprint|biorxiv|medrxiv|chemrxiv|ssrn|research\s?square|\bcorr\b|osf",
                                re.IGNORECASE)


def is_preprint(record: Record) -> bool:
    """A preprint server's record (arXiv DOIs 10.48550/arXiv..., Crossref type posted-content)."""
    doi = (record.doi or "").lower()
    return doi.startswith("10.48550/arxiv") or "posted-content" in record.publication_types


def _compare_parsed(fields: Fields, record: Record) -> list[FieldComparison]:
    out: list[FieldComparison] = []
    if fields.title:
        sim = title_similarity(fields.title, record.title)
        agrees = None if not record.title else sim >= TITLE_DIFFERENT
        out.append(FieldComparison("title", fields.title, record.title, agrees, sim))
    out += compare_authors(fields.authors, record)
    if fields.year:
        out.append(compare_year(fields.year, record))
    if fields.journal:
        if record.journal or record.journal_abbrevs:
            ok, sc = journal_matches(fields.journal, record)
            out.append(FieldComparison("journal", fields.journal, record.journal, ok, sc))
        elif is_preprint(record) and not _PREPRINT_VENUE_RE.search(fields.journal):
            out.append(FieldComparison("journal", fields.journal, "preprint (no journal or proceedings)", False, 0.0,
                                       note="the work is a preprint; it was not published in the venue stated"))
        else:
            out.append(FieldComparison("journal", fields.journal, None, None))
    for name, stated, found in (("volume", fields.volume, record.volume), ("issue", fields.issue, record.issue)):
        c = _simple(name, stated, found)
        if c:
            out.append(c)
    if fields.pages:
        c = _simple("pages", fields.pages, record.pages, norm=first_page)
        if c:
            out.append(c)
    if fields.doi:
        c = _simple("doi", fields.doi, record.doi, norm=lambda s: str(s).lower().strip())
        if c:
            out.append(c)
    if fields.pmid:
        c = _simple("pmid", fields.pmid, record.pmid, norm=lambda s: str(s).strip())
        if c:
            out.append(c)
    if fields.pmcid:
        c = _simple("pmcid", fields.pmcid, record.pmcid, norm=lambda s: str(s).strip().upper())
        if c:
            out.append(c)
    return out


@dataclass
class Assessment:
    """How well one candidate work fits a citation."""

    records: list[Record]
    comparisons: list[FieldComparison]
    accepted: bool
    score: float
    why: str
    evidence: Evidence | None = None  # the record checked against the whole string (references)

    @property
    def record(self) -> Record:
        return self.records[0]

    @property
    def differences(self) -> list[FieldComparison]:
        # the 'authors' share is a supporting signal, reported through first_author
        return [c for c in self.comparisons if c.agrees is False and c.field != "authors"]


def merge_comparisons(per_record: list[list[FieldComparison]]) -> list[FieldComparison]:
    """One comparison per field across records of the same work: agreement anywhere wins.

    A work PubMed lists with its print year and Crossref with its online year agrees with
    either year; a field only one source carries is compared with that source.
    """
    best: dict[str, FieldComparison] = {}
    rank = {True: 2, None: 0, False: 1}
    for comps in per_record:
        for c in comps:
            cur = best.get(c.field)
            if cur is None or (rank[c.agrees], c.score) > (rank[cur.agrees], cur.score):
                best[c.field] = c
    order = ["title", "first_author", "authors", "author_list", "year", "journal", "volume", "issue", "pages", "doi", "pmid"]
    return sorted(best.values(), key=lambda c: order.index(c.field) if c.field in order else 99)


def assess(fields: Fields, records: list[Record], text: str | None = None) -> Assessment:
    """Decide whether `records` (one work, possibly from several sources) is the cited work.

    With `text`, the whole reference string: each record is first validated against the
    string (evidence.py); a record the string supports is accepted whatever the parse made
    of it, and the parse's fields are aligned with the string before any is called different.
    """
    comps = merge_comparisons([compare(fields, r, text) for r in records])
    ev = None
    if text:
        ev = max((evidence(text, r) for r in records), key=lambda e: e.score())
    base = _assess_parsed(fields, records, comps)
    if ev is not None:
        base.evidence = base.evidence or ev
        ok, why = ev.accepted()
        if ok and not base.accepted:
            base.accepted, base.why = True, why
    return base


def _assess_parsed(fields: Fields, records: list[Record], comps: list[FieldComparison]) -> Assessment:
    by = {c.field: c for c in comps}

    def agrees(name: str) -> bool:
        c = by.get(name)
        return bool(c and c.agrees)

    def disagrees(name: str) -> bool:
        c = by.get(name)
        return bool(c and c.agrees is False)

    title = by.get("title")
    tsim = title.score if title and title.found else None
    id_match = agrees("doi") or agrees("pmid") or agrees("pmcid")
    author_ok = agrees("first_author") or agrees("authors")
    support = sum([author_ok, agrees("journal"), agrees("year"), agrees("volume") and agrees("pages")])
    locator = agrees("volume") and agrees("pages")

    accepted, why = False, "too little agrees"
    if tsim is not None and tsim >= TITLE_SAME and (support >= 1 or id_match):
        accepted, why = True, "title and at least one other field agree"
    elif tsim is not None and tsim >= TITLE_CLOSE and support >= 2:
        accepted, why = True, "similar title and two other fields agree"
    elif tsim is not None and tsim >= TITLE_SAME and not (fields.authors or fields.journal or fields.year):
        accepted, why = True, "title agrees and nothing else is stated"
    elif author_ok and agrees("journal") and locator and (tsim is None or not disagrees("year")):
        accepted, why = True, "author, journal, volume and first page agree"
    elif not fields.authors and agrees("journal") and locator and agrees("year"):
        accepted, why = True, "journal, year, volume and first page agree (no personal author stated)"
    elif id_match and (tsim is None or tsim >= 0.6) and (support >= 1 or not (fields.authors or fields.journal)):
        accepted, why = True, "identifier and another field agree"
    elif id_match and tsim is None and not fields.authors and not fields.journal:
        accepted, why = True, "identifier resolves and nothing contradicts it"

    weights = {"title": 3.0, "first_author": 1.5, "authors": 0.5, "year": 1.0, "journal": 1.0,
               "volume": 0.5, "issue": 0.25, "pages": 0.75, "doi": 2.0, "pmid": 2.0, "pmcid": 2.0}
    total = sum(weights.get(c.field, 0.5) for c in comps if c.agrees is not None) or 1.0
    got = sum(weights.get(c.field, 0.5) * (c.score if c.field == "title" else 1.0)
              for c in comps if c.agrees)
    return Assessment(records, comps, accepted, round(got / total, 3), why)


def same_work(a: Record, b: Record) -> bool:
    """Two records describe the same work (shared DOI or PMID, or same title and year)."""
    if a.doi and b.doi:
        return a.doi.lower() == b.doi.lower()
    if a.pmid and b.pmid:
        return a.pmid == b.pmid
    if a.title and b.title and title_similarity(a.title, b.title) >= 0.95:
        ya = set(a.years) | {a.year}
        yb = set(b.years) | {b.year}
        return bool(ya & yb) or not (a.year and b.year)
    return False


def group_works(records: list[Record]) -> list[list[Record]]:
    """Group records from all sources into works."""
    groups: list[list[Record]] = []
    for r in records:
        for g in groups:
            if any(same_work(r, x) for x in g):
                if not any(x.key == r.key for x in g):
                    g.append(r)
                break
        else:
            groups.append([r])
    return groups
