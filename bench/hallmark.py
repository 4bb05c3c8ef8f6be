#!/usr/bin/env python3
"""Verdicts on HALLMARK's labelled real and hallucinated citations, against the emulator.

HALLMARK (dev_public split, MIT licence) is 1,119 BibTeX entries of mostly computer-science
papers, each labelled VALID or HALLUCINATED, the latter with a `hallucination_type`
(plausible_fabrication, swapped_authors, near_miss_title, ...) and an `explanation`. This
script renders every entry as a reference-list entry in APA, Vancouver and IEEE, embeds them
in plain-text articles (a few entries under a "References" heading, as bench/accuracy.py
does), and runs each article through `citeaudit run`'s path (AuditRunner: ingest, extract,
resolve, judge, store) against the loopback emulator of Crossref and E-utilities. Extracted
citations are mapped back to the placed entries by span overlap.

    .venv/bin/python bench/hallmark.py --data ../shared/benchdata/hallmark-dev
    .venv/bin/python bench/hallmark.py --data DIR --styles apa --limit 200
    .venv/bin/python bench/hallmark.py --data DIR --show-errors 5     # wrong outcomes, 5 per bucket
    .venv/bin/python bench/hallmark.py --data DIR --json

What it measures (per style and overall): how VALID entries are called (verified /
mismatched / unfound / unchecked / not extracted) and, per hallucination type, the verdict
counts; then the targets: hallucinated called verified <= 1%, valid called unfound <= 0.5%,
and for the types that are real works cited wrongly (swapped_authors, wrong_venue,
near_miss_title, future_date, partial_author_list, preprint_as_published,
arxiv_version_mismatch) the share not verified (target >= 99%) and the share reported
mismatched when the original work is in the emulated index (goal >= 90%, the mismatched
recall target of bench/accuracy.py). When the original is not in the index, "unfound" is
the right answer in this emulated world, so the mismatched share is only scored on
entries whose original is served.

The emulated index (the "real world" of this benchmark)
-------------------------------------------------------
No service answers were recorded for these works. The index is built from the file, and
no identifier is ever invented: a DOI is served only when the entry (or, in one case
below, the explanation) states it.

* Every VALID entry becomes a Crossref work message: title (BibTeX markup removed),
  authors split on " and " into given/family (BibTeX "First von Last" order; a trailing
  "others" is dropped), `container-title` = booktitle or journal exactly as given (so
  conference acronyms like "CVPR"), `issued` = the year, `type` proceedings-article or
  journal-article, and the DOI when the entry has one. Entries without a DOI are served as
  DOI-less Crossref works (the emulator's Corpus keeps them under an internal key; they
  are found by search only, never by DOI lookup). None is served by PubMed. Where several
  VALID entries are the same work (same DOI, or same title when there is no DOI), one
  record is served (a DBLP-scraped entry first) and the others are cited against it.
* For HALLUCINATED entries that are real works cited wrongly, the original work when the
  entry and its explanation state it; every other field is taken from the entry:
  - near_miss_title: the original title from "Title slightly modified: 'X' (original:
    'Y')", "Title altered from the real 'Y'" or "the real [YEAR] paper is 'Y'" (and that
    year when stated);
  - wrong_venue and preprint_as_published ("Venue changed to 'V' (original was
    different)", "Preprint falsely cited as published at 'V'"): the venue the entry's DOI
    names (10.1609/aaai... AAAI, 10.1109/CVPR... CVPR, 10.1109/ICCV... ICCV,
    10.24963/ijcai... IJCAI, ACL Anthology 10.18653/v1/... by its event, 10.48550/arXiv...
    arXiv); skipped when the entry has no DOI, when the DOI names no venue, or when it
    names the venue that is said to be wrong;
  - wrong_venue / arxiv_version_mismatch with a stated original: "Real paper published at
    V YEAR", "the real paper appeared at V YEAR", "... is an arXiv preprint (YEAR)",
    "Preprint (arXiv, posted YEAR)", "the actual submission year, YEAR"; a DOI named in the
    explanation ("(DOI 10.24963/ijcai.2019/815)") replaces the entry's, and the entry's DOI
    is dropped when the explanation says it belongs to another work;
  - arxiv_version_mismatch ("Real paper cited with wrong venue 'V' and year shifted to N")
    and future_date ("Publication year N is in the future"): the venue and year the DOI
    states literally (CVPR52729.2023 is CVPR 2023, arXiv.2006.x is arXiv 2020); skipped when
    the DOI carries no year (AAAI DOIs) or there is no DOI;
  - swapped_authors / merged_citation: the other entry named by its bibtex key when that
    key is in the file (in dev_public none is: the named keys are DBLP keys, the file's are
    hashes, so nothing is reconstructed for these two types);
  - partial_author_list: nothing (the missing authors and their places are not stated).
  A reconstruction whose DOI or title is already served is not added (the VALID entry
  stands for the work); the summary line counts them per type.
* The project's fixture records (fixtures/records: 218 biomedical Crossref works and
  PubMed articles) as distractors.

BibTeX text is cleaned the same way for the index and the rendered entries: LaTeX accents
composed, braces and math markup dropped, HTML entities decoded, DBLP's trailing period
dropped from titles; an author field written as "A B, C D, E F" (no " and ") is split on
the commas.

An entry's original is "served" when a served record has the entry's title (for
near_miss_title, the original title from the explanation), compared case- and
punctuation-insensitively; for wrong_venue and preprint_as_published the record must also
state a venue (several VALID arXiv entries have none, so their records cannot contradict a
cited venue: the report counts the hallucinated entries verified against such records).

Rendering: APA (`Family, G. I., & Family, G. (Year). Title. Venue. https://doi.org/DOI`,
unnumbered), Vancouver (`1. Family GI, Family G. Title. Venue. Year. doi: DOI`), IEEE
(`[1] G. I. Family and G. Family, "Title," in Proc. Venue, Year, doi: DOI.`; no "in Proc."
for @article entries and journal-like venue names). A BibTeX "others" is rendered as et al.;
over-long lists are cut as each style does (APA after 20, Vancouver after 6, IEEE first
author et al. over 6). Articles hold 8 entries of one style, shuffled (--seed) across labels.

Wrong outcomes (--show-errors K lists K per bucket, distinct entries first): a VALID entry
not verified; a hallucinated entry verified, unchecked or not extracted; a real work cited
wrongly whose original is served but that was called unfound. Each shows the verdict, the
reason, the record matched, the differences and the parsed fields.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from citeaudit.emulate import Corpus  # noqa: E402
from harness import fast_emulator, runner_on  # noqa: E402
from citeaudit.models import MISMATCHED, UNCHECKED, UNFOUND, VERIFIED  # noqa: E402

RECORDS = ROOT / "fixtures" / "records"
DATA_FILE = "dev_public.jsonl"
STYLES = ("apa", "vancouver", "ieee")
MISSED = "not extracted"
REPORTED = (VERIFIED, MISMATCHED, UNFOUND, UNCHECKED, MISSED)
PER_ARTICLE = 8
VALID, HALLUCINATED = "VALID", "HALLUCINATED"
# hallucinated entries that are real works cited with a wrong detail: "mismatched" is the useful verdict
REAL_WORK_TYPES = ("swapped_authors", "wrong_venue", "near_miss_title", "future_date", "partial_author_list",
                   "preprint_as_published", "arxiv_version_mismatch")
# of those, the types whose wrong detail is the venue: detectable only against a record that has one
VENUE_CLAIM_TYPES = ("wrong_venue", "preprint_as_published")
TARGET_HALLUCINATED_VERIFIED = 0.01
TARGET_VALID_UNFOUND = 0.005
TARGET_REAL_WORK_NOT_VERIFIED = 0.99
GOAL_REAL_WORK_MISMATCHED = 0.90

FILLER = [
    "This note collects the work we build on, with pointers for readers new to the area.",
    "We summarise the main results below; details are in the cited papers.",
    "Several of these methods were proposed concurrently, and their evaluations differ.",
    "Benchmarks in this area change quickly, so we cite the versions we used.",
]


# --- BibTeX text ------------------------------------------------------------------------------

_MATH = {r"\varepsilon": "ε", r"\epsilon": "ε", r"\alpha": "α", r"\beta": "β", r"\gamma": "γ",
         r"\delta": "δ", r"\lambda": "λ", r"\mu": "μ", r"\ell": "ℓ"}
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a"}
_LETTERS = {"ss": "ß", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
            "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı"}
_LETTER_CMD = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i)(?![A-Za-z])")
_SYMBOL_ACCENT = re.compile(r"""\\([`'^"~=.])\s*\{?\s*([A-Za-z])\}?""")
_LETTER_ACCENT = re.compile(r"\\([uvHckr])(?:\s*\{\s*|\s+)([A-Za-z])\}?")
_COMMAND = re.compile(r"\\[A-Za-z]+\s*")


def detex(text: str | None) -> str:
    """BibTeX field text as plain Unicode: accents composed, braces and math markup removed."""
    if not text:
        return ""
    s = html.unescape(text)  # a few entries carry HTML entities ("d&apos;Amore")
    for cmd, char in _MATH.items():
        s = s.replace(cmd, char)
    s = _LETTER_CMD.sub(lambda m: _LETTERS[m.group(1)], s)
    s = _SYMBOL_ACCENT.sub(lambda m: m.group(2) + _ACCENTS[m.group(1)], s)
    s = _LETTER_ACCENT.sub(lambda m: m.group(2) + _ACCENTS[m.group(1)], s)
    s = s.replace(r"\&", "&").replace(r"\%", "%").replace(r"\_", "_")
    s = _COMMAND.sub("", s)
    s = s.replace("{", "").replace("}", "").replace("$", "")
    s = s.replace("``", "\u201c").replace("''", "\u201d").replace("---", "\u2014").replace("--", "\u2013")
    return " ".join(unicodedata.normalize("NFC", s).split())


def fold(text: str | None) -> str:
    """Lower-case, accents folded, punctuation dropped: for comparing titles."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w\s]+", " ", plain).split())


@dataclass
class Name:
    given: str
    family: str


def split_name(raw: str) -> Name | None:
    """One BibTeX name: "Family, Given" or "Given von Family" (von: the lower-case words)."""
    raw = " ".join(raw.split()).strip(" ,")
    if not raw:
        return None
    if "," in raw:
        family, _, given = raw.partition(",")
        return Name(given.strip(), family.strip())
    words = raw.split()
    if len(words) == 1:
        return Name("", words[0])
    cut = next((i for i in range(1, len(words) - 1) if words[i][:1].islower()), len(words) - 1)
    return Name(" ".join(words[:cut]), " ".join(words[cut:]))


def split_authors(raw: str) -> tuple[list[Name], bool]:
    """Authors of a BibTeX `author` field and whether it ended in "others".

    Split on " and "; a field with no " and " but several comma-separated full names
    ("Liam Smith, Yuki Nakamura") is split on the commas.
    """
    text = detex(raw)
    parts = [p.strip() for p in re.split(r"\s+and\s+", text) if p.strip()]
    if len(parts) == 1 and text.count(",") >= 2 and all(" " in p.strip() for p in text.split(",")):
        parts = [p.strip() for p in text.split(",")]
    others = bool(parts) and parts[-1].lower() == "others"
    if others:
        parts = parts[:-1]
    names = [n for n in (split_name(p) for p in parts) if n]
    return names, others


@dataclass
class Entry:
    """One HALLMARK entry, cleaned for rendering and serving."""

    key: str
    label: str
    htype: str | None
    explanation: str
    source: str
    kind: str  # "inproceedings" | "article"
    title: str
    authors: list[Name]
    others: bool
    year: str
    venue: str
    doi: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Entry:
        f = row["fields"]
        authors, others = split_authors(f.get("author", ""))
        doi = (f.get("doi") or "").strip() or None
        return cls(key=row["bibtex_key"], label=row["label"], htype=row.get("hallucination_type"),
                   explanation=row.get("explanation") or "", source=row.get("source") or "",
                   kind=row.get("bibtex_type") or "inproceedings", title=detex(f.get("title")).rstrip("."),
                   authors=authors, others=others, year=(f.get("year") or "").strip(),
                   venue=detex(f.get("booktitle") or f.get("journal")), doi=doi)

    @property
    def bucket(self) -> str:
        return VALID if self.label == VALID else self.htype or "hallucinated"


def load_entries(data_dir: Path) -> list[Entry]:
    with open(data_dir / DATA_FILE, encoding="utf-8") as fh:
        return [Entry.from_row(json.loads(line)) for line in fh if line.strip()]


# --- the emulated index -------------------------------------------------------------------------


def work_message(title: str, authors: list[Name], year: str, venue: str, doi: str | None, kind: str) -> dict:
    """A Crossref work message with what a BibTeX entry states (and nothing else)."""
    msg: dict[str, Any] = {
        "type": "journal-article" if kind == "article" else "proceedings-article",
        "title": [title],
        "author": [{"given": a.given, "family": a.family, "sequence": "first" if i == 0 else "additional"}
                   if a.given else {"family": a.family, "sequence": "first" if i == 0 else "additional"}
                   for i, a in enumerate(authors)],
    }
    if venue:
        msg["container-title"] = [venue]
    if year.isdigit():
        msg["issued"] = {"date-parts": [[int(year)]]}
    if doi:
        msg["DOI"] = doi
        msg["URL"] = f"https://doi.org/{doi}"
    return msg


_ACL_OLD = {"P": "ACL", "N": "NAACL", "D": "EMNLP", "E": "EACL"}


def doi_venue(doi: str | None) -> tuple[str | None, int | None]:
    """The venue (and year, when written in it) that a DOI itself names; (None, None) if none."""
    d = (doi or "").lower()
    if re.match(r"10\.1609/aaai\.v\d+", d):
        return "AAAI", None
    if m := re.match(r"10\.1109/(cvpr|iccv|wacv)\d*\.(\d{4})\.", d):
        return m.group(1).upper(), int(m.group(2))
    if m := re.match(r"10\.24963/ijcai\.(\d{4})/", d):
        return "IJCAI", int(m.group(1))
    if m := re.match(r"10\.18653/v1/(\d{4})\.(findings-)?([a-z]+)-", d):
        return m.group(3).upper(), int(m.group(1))
    if m := re.match(r"10\.18653/v1/([pnde])(\d{2})-\d+", d):
        return _ACL_OLD[m.group(1).upper()], 2000 + int(m.group(2))
    if m := re.match(r"10\.48550/arxiv\.(\d{2})(\d{2})\.\d+", d):
        return "arXiv", 2000 + int(m.group(1))
    return None, None


_NEAR_MISS = (
    re.compile(r"^Title slightly modified: '.*' \(original: '(?P<title>.+)'\)\s*$"),
    re.compile(r"^Title altered from the real '(?P<title>.+?)' \("),
    re.compile(r"the real (?:(?P<year>\d{4}) )?paper is '(?P<title>.+?)'"),
)
# "Real paper published at ICLR 2020;", "Real paper (LEO) published at ICLR 2019;",
# "Real paper published at NAACL in 2019;", "Real survey published in JMLR (vol. 20) in 2019;",
# "Real paper published in Nature Computational Science (2021);", "the real paper appeared at ICLR 2017"
_STATED_VENUE = re.compile(
    r"[Rr]eal (?:paper|survey)(?: \([^)]*\))? (?:published|appeared) (?:at|in) "
    r"(?P<venue>[A-Z][\w&.\- ]*?)(?: \(vol\. \d+\))?(?: in)? \(?(?P<year>(?:19|20)\d{2})\)?[;,. ]")
_STATED_DOI = re.compile(r"\(DOI (?P<doi>10\.\d{4,9}/[^\s)]+)\)")
_STATED_PREPRINT = (
    re.compile(r"arXiv preprint \((?P<year>\d{4})\)"),
    re.compile(r"arXiv preprint from (?:[A-Z][a-z]+ )?(?P<year>\d{4})"),
    re.compile(r"Preprint \(arXiv, posted (?P<year>\d{4})\)"),
)
_STATED_YEAR_ONLY = re.compile(r"actual submission year, (?P<year>\d{4})")
_DOI_DISOWNED = re.compile(r"DOI (?:belongs|resolves) to", re.I)


@dataclass
class Reconstruction:
    entry: Entry
    how: str
    message: dict[str, Any]
    title: str


def reconstruct(e: Entry) -> tuple[Reconstruction | None, str]:
    """The original work of a hallucinated entry, when the entry and explanation state it.

    Returns (reconstruction or None, a short note saying how or why not)."""
    x = e.explanation

    def build(how: str, title: str | None = None, venue: str | None = None, year: str | None = None,
              doi: str | None = "entry") -> tuple[Reconstruction, str]:
        doi = e.doi if doi == "entry" else doi
        t = title or e.title
        msg = work_message(t, e.authors, year or e.year, venue if venue is not None else e.venue, doi, e.kind)
        return Reconstruction(e, how, msg, t), how

    if e.htype == "near_miss_title":
        for rx in _NEAR_MISS:
            if m := rx.search(x):
                year = m.groupdict().get("year")
                return build("original title from the explanation" + (", stated year" if year else ""),
                             title=detex(m.group("title")).rstrip("."), year=year)
        return None, "no original title stated"
    if e.htype in ("wrong_venue", "arxiv_version_mismatch"):
        doi: str | None = "entry"
        if m := _STATED_DOI.search(x):
            doi = m.group("doi").rstrip(".;,")
        elif _DOI_DISOWNED.search(x):
            doi = None
        if m := _STATED_VENUE.search(x):
            return build("venue and year stated in the explanation", venue=m.group("venue").strip(),
                         year=m.group("year"), doi=doi)
        for rx in _STATED_PREPRINT:
            if m := rx.search(x):
                return build("arXiv preprint and year stated in the explanation", venue="arXiv",
                             year=m.group("year"), doi=doi)
        if m := _STATED_YEAR_ONLY.search(x):
            return build("year stated in the explanation", year=m.group("year"), doi=doi)
    if e.htype in ("wrong_venue", "preprint_as_published") and re.match(
            r"^(Venue changed to|Preprint falsely cited as published at) '", x):
        venue, _ = doi_venue(e.doi)
        if not e.doi:
            return None, "no DOI, original venue unknown"
        if not venue:
            return None, "DOI names no venue"
        if fold(venue) == fold(e.venue):
            return None, "DOI names the venue said to be wrong"
        return build("venue named by the DOI", venue=venue)
    if e.htype in ("arxiv_version_mismatch", "future_date") and re.match(
            r"^(Real paper cited with wrong venue|Publication year \d+ is in the future)", x):
        venue, year = doi_venue(e.doi)
        if not e.doi:
            return None, "no DOI, original year unknown"
        if not year:
            return None, "DOI states no year"
        if e.htype == "future_date":
            return build("year written in the DOI", year=str(year))
        return build("venue and year written in the DOI", venue=venue, year=str(year))
    if e.htype in ("swapped_authors", "merged_citation"):
        return None, "no other entry of the file named by bibtex key"
    if e.htype in REAL_WORK_TYPES:
        return None, "original not stated"
    return None, ""


def _valid_rank(e: Entry) -> int:
    return 0 if e.source.startswith("dblp") or "scraped" in e.explanation.lower() else 1


@dataclass
class Index:
    corpus: Corpus
    titles: dict[str, bool] = field(default_factory=dict)  # folded title of each served work -> has a venue
    summary: dict[str, Any] = field(default_factory=dict)
    original_title: dict[str, str] = field(default_factory=dict)  # entry key -> title its original has


def build_index(entries: list[Entry], records_dir: Path = RECORDS) -> Index:
    corpus = Corpus().load_dir(records_dir)
    n_fixture = len(corpus)
    index = Index(corpus)
    dois: set[str] = set()
    valid = sorted((e for e in entries if e.label == VALID), key=_valid_rank)
    n_doi = n_nodoi = dup = 0
    for e in valid:
        ident = e.doi.lower() if e.doi else None
        if (ident and ident in dois) or (not ident and fold(e.title) in index.titles):
            dup += 1
            continue
        corpus.add_crossref(work_message(e.title, e.authors, e.year, e.venue, e.doi, e.kind))
        index.titles[fold(e.title)] = index.titles.get(fold(e.title), False) or bool(e.venue)
        if ident:
            dois.add(ident)
            n_doi += 1
        else:
            n_nodoi += 1
    built: Counter = Counter()
    already: Counter = Counter()
    skipped: dict[str, Counter] = defaultdict(Counter)
    hows: dict[str, Counter] = defaultdict(Counter)
    for e in entries:
        if e.label == VALID:
            continue
        rec, note = reconstruct(e)
        if rec is None:
            if note:
                skipped[e.htype or "?"][note] += 1
            continue
        index.original_title[e.key] = rec.title
        doi = (rec.message.get("DOI") or "").lower()
        if (doi and doi in dois) or fold(rec.title) in index.titles:
            already[e.htype] += 1
            continue
        corpus.add_crossref(rec.message)
        index.titles[fold(rec.title)] = bool(rec.message.get("container-title"))  # title not served before
        if doi:
            dois.add(doi)
        built[e.htype] += 1
        hows[e.htype][rec.how] += 1
    index.summary = {
        "fixture_records": n_fixture,
        "valid_served_with_doi": n_doi,
        "valid_served_without_doi": n_nodoi,
        "valid_duplicates_collapsed": dup,
        "reconstructed": dict(built),
        "reconstructed_how": {k: dict(v) for k, v in hows.items()},
        "reconstruction_already_served": dict(already),
        "not_reconstructed": {k: dict(v) for k, v in skipped.items()},
    }
    return index


def original_served(e: Entry, index: Index) -> bool | None:
    """For real-works types: whether the index holds the original (a record with its title), and,
    when the wrong detail is the venue, a venue to contradict the cited one."""
    if e.label == VALID or e.htype not in REAL_WORK_TYPES:
        return None
    has_venue = index.titles.get(fold(index.original_title.get(e.key, e.title)))
    if has_venue is None:
        return False
    return has_venue or e.htype not in VENUE_CLAIM_TYPES


# --- rendering ----------------------------------------------------------------------------------


def _initials(given: str, dotted: bool) -> str:
    """'Jan-Willem' -> 'J.-W.' (dotted) or 'JW'; 'Ramin M.' -> 'R. M.' or 'RM'."""
    out = []
    for word in given.replace(".", ". ").split():
        parts = [p for p in word.split("-") if p]
        if not parts:
            continue
        if dotted:
            out.append("-".join(f"{p[0].upper()}." for p in parts))
        else:
            out.append("".join(p[0].upper() for p in parts))
    return (" " if dotted else "").join(out)


def _end(text: str) -> str:
    return text if text[-1:] in "?!." else text + "."


def fmt_apa(e: Entry) -> str:
    names = [f"{a.family}, {_initials(a.given, True)}" if a.given else a.family for a in e.authors]
    et_al = e.others or len(names) > 20
    names = names[:19] if len(names) > 20 else names
    if et_al:
        who = ", ".join(names) + ", et al."
    elif len(names) > 1:
        who = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        who = names[0] if names else ""
    s = f"{who} ({e.year}). {_end(e.title)}"
    if e.venue:
        s += f" {_end(e.venue)}"
    if e.doi:
        s += f" https://doi.org/{e.doi}"
    return s


def fmt_vancouver(e: Entry) -> str:
    names = [f"{a.family} {_initials(a.given, False)}".strip() for a in e.authors]
    if e.others or len(names) > 6:
        who = ", ".join(names[:6]) + ", et al"
    else:
        who = ", ".join(names)
    s = f"{who}. {_end(e.title)}"
    if e.venue:
        s += f" {_end(e.venue)}"
    s += f" {e.year}."
    if e.doi:
        s += f" doi: {e.doi}"
    return s


_JOURNAL = re.compile(r"\b(J\.|Journal|Trans\.|Transactions|Mach\. Learn\.|Nature|Science)(?!\w)")


def is_journal(e: Entry) -> bool:
    """A journal (no "in Proc." in IEEE): a BibTeX @article, or a venue named like a journal."""
    return e.kind == "article" or bool(_JOURNAL.search(e.venue))


def fmt_ieee(e: Entry) -> str:
    names = [f"{_initials(a.given, True)} {a.family}".strip() for a in e.authors]
    if len(names) > 6:
        who = names[0] + " et al."
    elif e.others:
        who = ", ".join(names) + ", et al."
    elif len(names) > 2:
        who = ", ".join(names[:-1]) + ", and " + names[-1]
    else:
        who = " and ".join(names)
    title = e.title if e.title[-1:] in "?!" else e.title + ","
    s = f"{who}, \u201c{title}\u201d"
    if e.venue:
        s += f" {e.venue}," if is_journal(e) else f" in Proc. {e.venue},"
    s += f" {e.year}"
    s += f", doi: {e.doi}." if e.doi else "."
    return s


RENDER = {"apa": fmt_apa, "vancouver": fmt_vancouver, "ieee": fmt_ieee}
MARKER = {"apa": "", "vancouver": "{n}. ", "ieee": "[{n}] "}


@dataclass
class Placed:
    item: int  # index into the citation list
    start: int
    end: int


@dataclass
class Article:
    name: str
    text: str
    placed: list[Placed] = field(default_factory=list)


def build_articles(items: list[tuple[int, str, str]], seed: int, per_article: int = PER_ARTICLE) -> list[Article]:
    """Articles of `per_article` entries of one style each, entries shuffled across labels."""
    rng = random.Random(seed)
    articles: list[Article] = []
    by_style: dict[str, list[int]] = defaultdict(list)
    for i, (_, style, _) in enumerate(items):
        by_style[style].append(i)
    for style, idx in by_style.items():
        rng.shuffle(idx)
        for a, start in enumerate(range(0, len(idx), per_article)):
            text = f"Related work, part {a + 1}\n\n" + "\n\n".join(rng.sample(FILLER, 2)) + "\n\nReferences\n\n"
            art = Article(f"{style}-{a:03d}.txt", "")
            marker = MARKER[style]
            for n, i in enumerate(idx[start:start + per_article], 1):
                prefix = marker.format(n=n)
                entry_text = items[i][2]
                s = len(text) + len(prefix)
                text += prefix + entry_text
                art.placed.append(Placed(i, s, s + len(entry_text)))
                text += "\n" if marker else "\n\n"
            art.text = text
            articles.append(art)
    return articles


# --- running -------------------------------------------------------------------------------------


def _outcome(placed: Placed, audit_items) -> dict[str, Any]:
    """The reported verdict for one placed entry: the extracted citation overlapping it most."""
    best, overlap = None, 0
    for it in audit_items:
        o = min(it.citation.end, placed.end) - max(it.citation.start, placed.start)
        if o > overlap:
            best, overlap = it, o
    if best is None:
        return {"reported": MISSED, "reason": "no citation extracted from this text", "differences": []}
    chk = best.check
    rec = chk.record
    return {"reported": chk.verdict, "reason": chk.reason, "differences": chk.differences_dict(),
            "parsed": best.citation.fields.to_dict(), "kind": best.citation.kind,
            "record": ({"doi": rec.doi, "title": rec.title, "journal": rec.journal, "year": rec.year}
                       if rec else None)}


def run(entries: list[Entry], styles: list[str], seed: int, index: Index) -> tuple[list[dict[str, Any]], int]:
    """Every entry in every style through the pipeline; one result dict per (entry, style)."""
    items = [(k, style, RENDER[style](e)) for style in styles for k, e in enumerate(entries)]
    articles = build_articles(items, seed)
    outcomes: list[dict[str, Any] | None] = [None] * len(items)
    with tempfile.TemporaryDirectory(prefix="citeaudit-hallmark-") as tmp, fast_emulator(index.corpus) as emu, \
            runner_on(emu, Path(tmp) / "hallmark.db") as runner:
        paths = []
        for art in articles:
            path = Path(tmp) / art.name
            path.write_text(art.text, encoding="utf-8")
            paths.append(str(path))
        results = dict(runner.audit_many(paths))
        for art, path in zip(articles, paths):
            result = results[path]
            if isinstance(result, Exception):
                raise result
            assert result.audit.document.text == art.text, "ingest changed the article text"
            for p in art.placed:
                outcomes[p.item] = _outcome(p, result.audit.items)
    out = []
    for (k, style, text), o in zip(items, outcomes):
        e = entries[k]
        o = o or {"reported": MISSED, "reason": "article not audited", "differences": []}
        out.append({"key": e.key, "label": e.label, "type": e.htype, "bucket": e.bucket, "style": style,
                    "text": text, "original_served": original_served(e, index), "explanation": e.explanation,
                    **o})
    return out, len(articles)


# --- scoring -------------------------------------------------------------------------------------


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def _counts(results: list[dict[str, Any]]) -> dict[str, int]:
    c = Counter(r["reported"] for r in results)
    return {v: c.get(v, 0) for v in REPORTED} | {"n": len(results)}


def targets(results: list[dict[str, Any]]) -> dict[str, Any]:
    hall = [r for r in results if r["label"] == HALLUCINATED]
    valid = [r for r in results if r["label"] == VALID]
    real = [r for r in hall if r["type"] in REAL_WORK_TYPES]
    served = [r for r in real if r["original_served"]]
    return {
        "hallucinated_called_verified": _rate(sum(r["reported"] == VERIFIED for r in hall), len(hall)),
        "valid_called_unfound": _rate(sum(r["reported"] == UNFOUND for r in valid), len(valid)),
        "valid_called_verified": _rate(sum(r["reported"] == VERIFIED for r in valid), len(valid)),
        "real_work_types_not_verified": _rate(sum(r["reported"] != VERIFIED for r in real), len(real)),
        "real_work_types_mismatched": _rate(sum(r["reported"] == MISMATCHED for r in real), len(real)),
        "real_work_types_original_served": len(served),
        "real_work_types_n": len(real),
        # the served record states no venue (VALID entries without booktitle/journal), so a wrong venue
        # cannot be told from the record: "verified" is all the evidence allows
        "hallucinated_verified_venueless_record": _rate(
            sum(r["reported"] == VERIFIED and bool(r.get("record")) and not r["record"].get("journal")
                for r in hall), len(hall)),
        "real_work_types_served_mismatched": _rate(sum(r["reported"] == MISMATCHED for r in served), len(served)),
    }


def per_type_real(results: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for t in REAL_WORK_TYPES:
        rs = [r for r in results if r["type"] == t]
        served = [r for r in rs if r["original_served"]]
        out[t] = {"n": len(rs), "not_verified": _rate(sum(r["reported"] != VERIFIED for r in rs), len(rs)),
                  "mismatched": _rate(sum(r["reported"] == MISMATCHED for r in rs), len(rs)),
                  "served": len(served),
                  "served_mismatched": _rate(sum(r["reported"] == MISMATCHED for r in served), len(served))}
    return out


def is_wrong(r: dict[str, Any]) -> str | None:
    """The error bucket of one outcome, or None when the outcome is acceptable."""
    v = r["reported"]
    if r["label"] == VALID:
        return None if v == VERIFIED else f"VALID -> {v}"
    if v in (VERIFIED, UNCHECKED, MISSED):
        return f"{r['type']} -> {v}"
    if v == UNFOUND and r["original_served"]:
        return f"{r['type']} (original served) -> unfound"
    return None


def evaluate(results: list[dict[str, Any]], styles: list[str]) -> dict[str, Any]:
    buckets = [VALID] + sorted({r["bucket"] for r in results if r["label"] == HALLUCINATED})
    blocks = {}
    for style in [*styles, "overall"]:
        rs = results if style == "overall" else [r for r in results if r["style"] == style]
        blocks[style] = {
            "by_bucket": {b: _counts([r for r in rs if r["bucket"] == b]) for b in buckets},
            "hallucinated": _counts([r for r in rs if r["label"] == HALLUCINATED]),
            "targets": targets(rs),
        }
    errors: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        b = is_wrong(r)
        if b:
            errors[b].append(r)
    return {"blocks": blocks, "real_work_types": per_type_real(results), "errors": dict(errors)}


# --- printing ------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "     -" if x is None else f"{100 * x:5.1f}%"


def _verdict_table(by_bucket: dict[str, dict[str, int]], hall: dict[str, int]) -> list[str]:
    head = f"  {'':<24}" + "".join(f"{v:>14}" for v in REPORTED) + f"{'n':>7}"
    lines = [head]
    rows = list(by_bucket.items())
    for b, c in rows[:1] + [("HALLUCINATED (all)", hall)] + rows[1:]:
        lines.append(f"  {b:<24}" + "".join(f"{c[v]:>14}" for v in REPORTED) + f"{c['n']:>7}")
    return lines


def _check(value: float | None, target: float, at_most: bool) -> str:
    if value is None:
        return "n/a"
    return "PASS" if (value <= target if at_most else value >= target) else "FAIL"


def format_report(res: dict[str, Any], meta: dict[str, Any], styles: list[str], show: int) -> str:
    s = meta["index"]
    out = [
        f"HALLMARK dev_public: {meta['entries']} entries ({meta['valid']} VALID, {meta['hallucinated']} HALLUCINATED)"
        f" x {len(styles)} styles = {meta['citations']} citations in {meta['articles']} articles;"
        f" {meta['seconds']:.1f} s",
        f"index: {s['valid_served_with_doi']} VALID works with DOI + {s['valid_served_without_doi']} without"
        f" ({s['valid_duplicates_collapsed']} duplicate VALID entries collapsed),"
        f" {sum(s['reconstructed'].values())} reconstructed originals, {s['fixture_records']} fixture records",
        "reconstructed: " + (", ".join(f"{k} {v}" for k, v in sorted(s["reconstructed"].items())) or "none")
        + ("; already served by a VALID entry: "
           + ", ".join(f"{k} {v}" for k, v in sorted(s["reconstruction_already_served"].items()))
           if s["reconstruction_already_served"] else ""),
    ]
    for style, blk in res["blocks"].items():
        out += ["", f"== {style} =="] + _verdict_table(blk["by_bucket"], blk["hallucinated"])
    cols = [*styles, "overall"]
    out += ["", "== targets ==", f"  {'':<48}" + "".join(f"{c:>11}" for c in cols) + "   target"]
    rows = [
        ("hallucinated called verified", "hallucinated_called_verified", f"<= {TARGET_HALLUCINATED_VERIFIED:.0%}"),
        ("  of them against a record with no venue", "hallucinated_verified_venueless_record", ""),
        ("valid called unfound", "valid_called_unfound", f"<= {TARGET_VALID_UNFOUND:.1%}"),
        ("valid called verified", "valid_called_verified", ""),
        ("real works cited wrongly: not verified", "real_work_types_not_verified",
         f">= {TARGET_REAL_WORK_NOT_VERIFIED:.0%}"),
        ("real works cited wrongly: mismatched", "real_work_types_mismatched", ""),
        ("  original served: mismatched", "real_work_types_served_mismatched", f">= {GOAL_REAL_WORK_MISMATCHED:.0%}"),
    ]
    for label, key, tgt in rows:
        out.append(f"  {label:<48}" + "".join(f"{_pct(res['blocks'][c]['targets'][key]):>11}" for c in cols)
                   + f"   {tgt}")
    ov = res["blocks"]["overall"]["targets"]
    out.append(f"  (real works cited wrongly: {ov['real_work_types_n']} citations,"
               f" {ov['real_work_types_original_served']} with the original served)")
    out += ["", f"  {'real-work type':<24}{'n':>6}{'not verified':>14}{'mismatched':>12}{'served':>8}"
                f"{'served: mismatched':>20}"]
    for t, d in res["real_work_types"].items():
        out.append(f"  {t:<24}{d['n']:>6}{_pct(d['not_verified']):>14}{_pct(d['mismatched']):>12}{d['served']:>8}"
                   f"{_pct(d['served_mismatched']):>20}")
    out += [
        "",
        f"{_check(ov['hallucinated_called_verified'], TARGET_HALLUCINATED_VERIFIED, True)}"
        f"  hallucinated called verified {_pct(ov['hallucinated_called_verified']).strip()}"
        f" (target <= {TARGET_HALLUCINATED_VERIFIED:.0%})",
        f"{_check(ov['valid_called_unfound'], TARGET_VALID_UNFOUND, True)}"
        f"  valid called unfound {_pct(ov['valid_called_unfound']).strip()} (target <= {TARGET_VALID_UNFOUND:.1%})",
        f"{_check(ov['real_work_types_not_verified'], TARGET_REAL_WORK_NOT_VERIFIED, False)}"
        f"  real works cited wrongly not verified {_pct(ov['real_work_types_not_verified']).strip()}"
        f" (target >= {TARGET_REAL_WORK_NOT_VERIFIED:.0%})",
        f"{_check(ov['real_work_types_served_mismatched'], GOAL_REAL_WORK_MISMATCHED, False)}"
        f"  real works cited wrongly, original served, mismatched"
        f" {_pct(ov['real_work_types_served_mismatched']).strip()} (goal >= {GOAL_REAL_WORK_MISMATCHED:.0%})",
    ]
    errs = res["errors"]
    out += ["", "wrong outcomes by bucket: " + ", ".join(f"{b} {len(v)}" for b, v in sorted(errs.items()))
            + ("" if show else "; --show-errors K lists K per bucket")]
    if show:
        for b, rs in sorted(errs.items()):
            out += ["", f"-- {b} ({len(rs)}) --"]
            first: dict[str, dict[str, Any]] = {}
            for r in rs:
                first.setdefault(r["key"], r)
            # distinct entries first, then the same entries in other styles
            shown = (list(first.values()) + [r for r in rs if first[r["key"]] is not r])[:show]
            for r in shown:
                out.append(f"- {r['key']} [{r['style']}] {r['reported']}: {r['reason']}\n    {r['text']}")
                if r.get("differences"):
                    out.append("    differences: " + json.dumps(r["differences"], ensure_ascii=False))
                if r.get("record"):
                    out.append("    record: " + json.dumps(r["record"], ensure_ascii=False))
                if r.get("parsed"):
                    out.append("    parsed: " + json.dumps(r["parsed"], ensure_ascii=False))
                if r["label"] != VALID:
                    out.append(f"    explanation: {r['explanation'][:240]}")
    return "\n".join(out) + "\n"


def _sample(entries: list[Entry], n: int, seed: int) -> list[Entry]:
    """n entries drawn without replacement, in file order (every type keeps its share)."""
    if n >= len(entries):
        return entries
    keep = set(random.Random(seed).sample(range(len(entries)), n))
    return [e for i, e in enumerate(entries) if i in keep]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Verdicts on HALLMARK's labelled citations, against the emulator.")
    ap.add_argument("--data", required=True, help=f"directory holding {DATA_FILE}")
    ap.add_argument("--records", default=str(RECORDS), help="fixture records served as distractors")
    ap.add_argument("--styles", default=",".join(STYLES), help="comma-separated: apa,vancouver,ieee")
    ap.add_argument("--limit", type=int, default=None, help="only N entries (a seeded sample)")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--show-errors", type=int, default=0, metavar="K", help="list K wrong outcomes per bucket")
    ap.add_argument("--json", action="store_true", help="print figures and wrong outcomes as JSON")
    a = ap.parse_args(argv)
    styles = [s.strip() for s in a.styles.split(",") if s.strip()]
    unknown = [s for s in styles if s not in RENDER]
    if unknown or not styles:
        ap.error(f"unknown style(s) {unknown}; choose from {', '.join(STYLES)}")
    try:
        entries = load_entries(Path(a.data))
    except (OSError, ValueError, KeyError) as e:
        print(f"hallmark: error: cannot read {Path(a.data) / DATA_FILE}: {e}", file=sys.stderr)
        return 2
    index = build_index(entries, Path(a.records))  # the whole file: the index does not shrink with --limit
    if a.limit:
        entries = _sample(entries, a.limit, a.seed)
    t0 = time.perf_counter()
    results, n_articles = run(entries, styles, a.seed, index)
    seconds = time.perf_counter() - t0
    res = evaluate(results, styles)
    meta = {"entries": len(entries), "valid": sum(e.label == VALID for e in entries),
            "hallucinated": sum(e.label == HALLUCINATED for e in entries), "citations": len(results),
            "articles": n_articles, "seconds": round(seconds, 1), "index": index.summary, "styles": styles}
    if a.json:
        print(json.dumps({"meta": meta, **res}, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_report(res, meta, styles, a.show_errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
