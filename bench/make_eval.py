#!/usr/bin/env python3
"""Write the labelled citation corpus fixtures/eval/citations.jsonl (seeded, reproducible).

Every citation is built from the real records in fixtures/records (the recorded PubMed
and Crossref answers and the reconstructed seed works), written out the way articles
write them, and labelled with the verdict citeaudit should reach:

* real      - a real work in one of several styles, with the usual noise  -> verified
* mismatch  - a real work with one stated detail wrong                    -> mismatched
* fabricated- an invented work (in a real journal, or by real authors)    -> unfound
* mention / bio (separate section) - narrative mentions and author bios, real or invented

    python bench/make_eval.py                 # seed 8, writes fixtures/eval/
    python bench/make_eval.py --seed 3 --out /tmp/eval

The same seed always gives byte-identical files.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rapidfuzz import fuzz  # noqa: E402

from citeaudit.emulate.corpus import Corpus  # noqa: E402
from citeaudit.models import Record  # noqa: E402

DEFAULT_SEED = 8
STYLES = ("vancouver", "ama", "apa", "harvard", "chicago", "blog")
WRONG = ("year", "journal", "first_author", "title", "volume", "pages", "doi")

# vocabulary for invented titles (plausible health-research titles)
EXPOSURES = [
    "Kratom use", "Vitamin D supplementation", "Intermittent fasting", "Mindfulness-based stress reduction",
    "Ashwagandha root extract", "Curcumin", "Cold-water immersion", "Melatonin", "Omega-3 fatty acid intake",
    "Probiotic supplementation", "High-intensity interval training", "Cannabidiol", "Magnesium glycinate",
    "Green tea catechins", "Time-restricted eating", "Low-dose naltrexone", "Acupuncture", "Yoga practice",
    "Ketogenic diet", "Screen time", "Sauna bathing", "Resistance training", "Berberine", "Psilocybin",
]
OUTCOMES = [
    "chronic low back pain", "sleep quality", "anxiety symptoms", "liver enzyme levels", "opioid withdrawal",
    "cognitive decline", "blood pressure", "glycaemic control", "depressive symptoms", "migraine frequency",
    "bone mineral density", "inflammatory markers", "fatigue", "gut microbiota composition", "pain tolerance",
    "cardiovascular risk", "muscle recovery", "quality of life", "insulin sensitivity", "alcohol craving",
]
POPULATIONS = [
    "older adults", "adolescents", "postmenopausal women", "patients with fibromyalgia", "healthy volunteers",
    "veterans", "people with type 2 diabetes", "university students", "night-shift workers", "primary care patients",
    "patients with chronic pain", "adults with obesity", "community-dwelling adults", "athletes",
]
DESIGNS = [
    "a randomized controlled trial", "a systematic review and meta-analysis", "a prospective cohort study",
    "a cross-sectional survey", "a double-blind placebo-controlled trial", "a pilot study", "a narrative review",
    "results from a national survey", "a retrospective analysis",
]
TITLE_FORMS = [
    "{exp} and {out} in {pop}: {des}",
    "Effects of {exp_l} on {out} among {pop}: {des}",
    "Association between {exp_l} and {out} in {pop}",
    "{exp} for {out}: {des}",
    "Does {exp_l} improve {out} in {pop}? {Des}",
    "The impact of {exp_l} on {out}: evidence from {pop}",
]
GIVEN = ["James", "Maria", "Wei", "Sarah", "Ahmed", "Laura", "Kenji", "Anna", "David", "Priya", "Thomas",
         "Elena", "Michael", "Fatima", "Daniel", "Sofia", "Robert", "Ines", "Lukas", "Mei"]
MENTION_VERBS = ["found that", "reported that", "concluded that", "observed that", "suggested that"]
MENTION_CLAIMS = [
    "the effect was modest but consistent", "more research is needed before firm conclusions",
    "participants reported fewer symptoms", "the association held after adjustment",
    "results varied widely between groups", "the findings were clinically meaningful",
]
STUDY_WORDS = {"review": "review", "trial": "trial", "meta-analysis": "meta-analysis", "survey": "survey"}


# --- the works ---------------------------------------------------------------------------


@dataclass
class Work:
    """One real work, merged from its Crossref and PubMed records."""

    records: list[Record]
    doi: str | None
    pmid: str | None
    title: str
    authors: list[tuple[str, str]]  # (family, given) as the records give them
    journal: str  # full name as people write it
    abbrev: str | None  # NLM/ISO abbreviation, when a record gives one
    year: int
    years: list[int]
    volume: str | None
    issue: str | None
    pages: str | None
    extra: dict = field(default_factory=dict)

    def ident(self) -> dict:
        return {k: v for k, v in (("doi", self.doi), ("pmid", self.pmid), ("title", self.title)) if v}


def clean(s: str | None) -> str:
    s = html.unescape(re.sub(r"<[^>]{0,200}>", "", s or ""))
    return " ".join(s.replace("\u2010", "-").replace("\u2011", "-").split())


def clean_title(t: str) -> str:
    t = clean(t)
    if t.startswith("[") and t.endswith("]."):
        t = t[1:-2]
    elif t.startswith("[") and t.endswith("]"):
        t = t[1:-1]
    return t.rstrip(". ")


_LOWER = {"of", "and", "the", "in", "for", "on", "a", "an", "de", "to", "at", "with"}


def journal_name(name: str) -> str:
    """A journal title as people write it: no ': subtitle', '; ...', ' = ...' or '(Place)'; title case."""
    n = clean(name)
    n = re.split(r"\s:\s|;\s|\s=\s", n)[0]
    n = re.sub(r"\s*\([^)]*\)\s*$", "", n).strip(" .")
    if n.startswith("The "):
        n = n[4:]
    if n.islower() or n[1:].islower():
        words = n.split()
        n = " ".join(w if (i and w in _LOWER) else (w[:1].upper() + w[1:]) for i, w in enumerate(words))
    return n


def load_works(records_dir: Path) -> list[Work]:
    corpus = Corpus().load_dir(records_dir)
    groups: dict[str, list[Record]] = {}
    for r in corpus.crossref_records() + corpus.pubmed_records():
        key = r.doi or (f"pmid:{r.pmid}" if r.pmid else f"title:{clean_title(r.title or '').lower()}")
        groups.setdefault(key, []).append(r)
    works = []
    for key in sorted(groups):
        recs = groups[key]
        w = _work(recs)
        if w is not None:
            works.append(w)
    return works


def _work(recs: list[Record]) -> Work | None:
    """A citable journal article: a real title, authors, journal and year (else None)."""
    main = next((r for r in recs if r.source == "pubmed"), recs[0])
    title = clean_title(main.title or "")
    types = {t.lower() for r in recs for t in r.publication_types}
    if types & {"posted-content", "dataset", "proceedings-article", "published erratum"}:
        return None
    if len(title) < 20 or len(title.split()) < 4 or title.lower().startswith(("correction", "corrigendum", "editorial")):
        return None
    authors = [(clean(a.family), clean(a.given)) for a in main.authors if a.family]
    if not authors or not main.journal or not main.year:
        return None
    abbrevs = [clean(a) for r in recs for a in r.journal_abbrevs if a]
    full = journal_name(next((r.journal for r in recs if r.source == "crossref" and r.journal), main.journal))
    abbrev = next((a for a in abbrevs if a.lower() != full.lower() and len(a) < len(full)), None)
    years = sorted({y for r in recs for y in (r.years or [r.year]) if y})
    return Work(recs, next((r.doi for r in recs if r.doi), None), next((r.pmid for r in recs if r.pmid), None),
                title, authors, full, abbrev, main.year, years,
                clean(main.volume) or None, clean(main.issue) or None, clean(main.pages) or None)


# --- writing a work out ---------------------------------------------------------------------


def initials(given: str) -> str:
    if re.fullmatch(r"[A-Z]{1,4}", given):
        return given
    return "".join(p[0].upper() for p in re.split(r"[\s.\-]+", given) if p)


def dotted(given: str) -> str:
    return " ".join(f"{c}." for c in initials(given))


def full_pages(p: str | None) -> str | None:
    """'576-83' -> '576-583' (Crossref/PubMed abbreviate page ranges; most styles don't)."""
    if not p:
        return None
    m = re.fullmatch(r"(\w*?)(\d+)-(\d+)", p)
    if m and len(m.group(3)) < len(m.group(2)):
        return f"{m.group(1)}{m.group(2)}-{m.group(2)[: len(m.group(2)) - len(m.group(3))]}{m.group(3)}"
    return p


def vancouver_pages(p: str | None) -> str | None:
    """'244-252' -> '244-52' (NLM drops repeated leading digits)."""
    p = full_pages(p)
    if not p or "-" not in p:
        return p
    a, b = p.split("-", 1)
    if a.isdigit() and b.isdigit() and len(a) == len(b):
        i = 0
        while i < len(a) - 1 and a[i] == b[i]:
            i += 1
        return f"{a}-{b[i:]}"
    return p


@dataclass
class Cite:
    """What one citation states (possibly altered from the work)."""

    authors: list[tuple[str, str]]
    title: str
    journal: str
    year: int
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    et_al: bool = False


def cite_of(w: Work, rng: random.Random, abbreviated: bool) -> Cite:
    journal = w.abbrev if (abbreviated and w.abbrev) else w.journal
    return Cite(list(w.authors), w.title, journal, w.year, w.volume, w.issue, full_pages(w.pages), w.doi)


def _names(c: Cite, fmt, sep: str = ", ", last: str = ", ", limit: int = 6, et_al: str = ", et al") -> str:
    people = c.authors
    cut = c.et_al or len(people) > limit
    shown = people[:3] if cut else people
    names = [fmt(i, f, g) for i, (f, g) in enumerate(shown)]
    if cut:
        return sep.join(names) + et_al
    if len(names) == 1:
        return names[0]
    return sep.join(names[:-1]) + last + names[-1]


def _end(title: str) -> str:
    return title if title[-1:] in "?!." else title + "."


def _nums(c: Cite, vfmt: str) -> str:
    if not c.volume:
        return ""
    return vfmt.format(v=c.volume, i=f"({c.issue})" if c.issue else "")


def _nlm_style(c: Cite, pages, doi_prefix: str) -> str:
    """Vancouver and AMA differ only in how pages are shortened and the DOI is prefixed."""
    names = _names(c, lambda i, f, g: f"{f} {initials(g)}", limit=6)
    s = f"{names}. {_end(c.title)} {c.journal}. {c.year}"
    if c.volume:
        s += f";{c.volume}{'(' + c.issue + ')' if c.issue else ''}"
        if c.pages:
            s += f":{pages(c.pages)}"
    s += "."
    if c.doi:
        s += f" {doi_prefix}{c.doi}"
    return s


def fmt_vancouver(c: Cite) -> str:
    return _nlm_style(c, vancouver_pages, "doi: ")


def fmt_ama(c: Cite) -> str:
    return _nlm_style(c, lambda p: p, "doi:")


def fmt_apa(c: Cite) -> str:
    names = _names(c, lambda i, f, g: f"{f}, {dotted(g)}", last=", & ", limit=20, et_al=", et al.")
    s = f"{names} ({c.year}). {_end(c.title)} {c.journal}"
    if c.volume:
        s += f", {c.volume}{'(' + c.issue + ')' if c.issue else ''}"
        if c.pages:
            s += f", {c.pages.replace('-', '–')}"
    s += "."
    if c.doi:
        s += f" https://doi.org/{c.doi}"
    return s


def fmt_harvard(c: Cite) -> str:
    names = _names(c, lambda i, f, g: f"{f}, {dotted(g).replace(' ', '')}", last=" and ", limit=3,
                   et_al=" et al.")
    s = f"{names} ({c.year}) '{c.title}', {c.journal}"
    if c.volume:
        s += f", {c.volume}{'(' + c.issue + ')' if c.issue else ''}"
        if c.pages:
            s += f", pp. {c.pages}"
    s += "."
    if c.doi:
        s += f" doi:{c.doi}."
    return s


def _chicago_name(i: int, f: str, g: str) -> str:
    given = g if not re.fullmatch(r"[A-Z]{1,4}", g) else dotted(g)
    return f"{f}, {given}" if i == 0 else f"{given} {f}"


def fmt_chicago(c: Cite) -> str:
    names = _names(c, _chicago_name, last=", and ", limit=10, et_al=", et al.")
    s = f'{names.rstrip(".")}. "{_end(c.title)}" {c.journal}'
    if c.volume:
        s += f" {c.volume}"
        if c.issue:
            s += f", no. {c.issue}"
    s += f" ({c.year})"
    if c.pages:
        s += f": {c.pages.replace('-', '–')}"
    s += "."
    if c.doi:
        s += f" https://doi.org/{c.doi}."
    return s


def fmt_blog(c: Cite, variant: int) -> str:
    """The hybrids of seed 002: 'Authors, (Year), "Title." Journal ...'."""
    if variant == 0:  # Bath R, Bucholz T, ... ., (2020), "Title." J Addict Med. 2020;14(3):244-252
        names = _names(c, lambda i, f, g: f"{f} {initials(g)}", limit=8, et_al=", et al")
        s = f'{names}., ({c.year}), "{_end(c.title)}" {c.journal}. {c.year}'
        if c.volume:
            s += f";{c.volume}{'(' + c.issue + ')' if c.issue else ''}"
            if c.pages:
                s += f":{c.pages}"
        return s
    if variant == 1:  # Kirsten E. Smith, Jeffrey D. Feldman, et al, (2023), "Title". Journal, Volume 14, 2023, 1174139.
        names = _names(c, lambda i, f, g: f"{g if not re.fullmatch(r'[A-Z]{1,4}', g) else dotted(g)} {f}",
                       limit=4, et_al=", et al")
        s = f'{names}, ({c.year}), "{c.title}". {c.journal}'
        if c.volume:
            s += f", Volume {c.volume}"
            if c.issue:
                s += f", Issue {c.issue}"
        s += f", {c.year}"
        if c.pages:
            s += f", {c.pages}"
        return s + "."
    # Eastlack, S.C., Cornett, E.M. & Kaye, A.D., (2020), "Title." Pain Ther 9, 55–69.
    names = _names(c, lambda i, f, g: f"{f}, {dotted(g).replace(' ', '')}", last=" & ", limit=5, et_al=" et al.")
    s = f'{names}, ({c.year}), "{_end(c.title)}" {c.journal}'
    if c.volume:
        s += f" {c.volume}"
        if c.pages:
            s += f", {c.pages.replace('-', '–')}"
    return s + "."


def render(c: Cite, style: str, rng: random.Random) -> tuple[str, str]:
    if style == "blog":
        v = rng.randrange(3)
        text = fmt_blog(c, v)
        if c.doi:
            text += rng.choice([f" https://doi.org/{c.doi}", f" DOI: {c.doi}", f" doi.org/{c.doi}"])
        return text, f"blog{v}"
    return {"vancouver": fmt_vancouver, "ama": fmt_ama, "apa": fmt_apa, "harvard": fmt_harvard,
            "chicago": fmt_chicago}[style](c), style


# --- noise and perturbations ------------------------------------------------------------------


def typo(title: str, rng: random.Random) -> str:
    words = title.split()
    long_ = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long_:
        return title
    i = rng.choice(long_)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
    return " ".join(words)


def add_noise(c: Cite, w: Work, rng: random.Random) -> list[str]:
    noise = []
    if c.issue and rng.random() < 0.3:
        c.issue = None
        noise.append("missing_issue")
    if len(c.authors) > 3 and rng.random() < 0.5:
        c.et_al = True
        noise.append("et_al")
    if len(w.title) >= 30 and rng.random() < 0.2:
        c.title = typo(c.title, rng)
        noise.append("title_typo")
    if rng.random() < 0.2:
        other = [y for y in w.years if y != w.year]
        c.year = other[0] if other else w.year + rng.choice((-1, 1))
        noise.append("online_first_year" if other else "year_off_by_one")
    if rng.random() < 0.15:
        c.title = c.title.lower().capitalize() if not c.title.isupper() else c.title.capitalize()
        noise.append("sentence_case_title")
    if w.title.isupper():
        c.title = c.title.capitalize()
    return noise


def other_title(title: str, rng: random.Random) -> str:
    """A clearly different title that keeps the opening words (a misremembered title)."""
    words = title.split()
    keep = words[: max(1, min(3, len(words) // 3))]
    for _ in range(20):
        new = " ".join(keep) + " " + rng.choice(OUTCOMES) + " in " + rng.choice(POPULATIONS)
        if fuzz.token_sort_ratio(new.lower(), title.lower()) < 60:
            return new[0].upper() + new[1:]
    return invented_title(rng)


def invented_title(rng: random.Random) -> str:
    exp = rng.choice(EXPOSURES)
    des = rng.choice(DESIGNS)
    t = rng.choice(TITLE_FORMS).format(exp=exp, exp_l=exp[0].lower() + exp[1:], out=rng.choice(OUTCOMES),
                                       pop=rng.choice(POPULATIONS), des=des, Des=des[0].upper() + des[1:])
    return t[0].upper() + t[1:]


def other_number(value: str, rng: random.Random) -> str | None:
    m = re.match(r"([A-Za-z]*)(\d+)", value)
    if not m:
        return None
    n = int(m.group(2))
    new = n + rng.choice([-1, 1]) * rng.randint(2, 9) if n > 10 else n + rng.randint(2, 9)
    return f"{m.group(1)}{max(new, 1)}"


def other_pages(pages: str, rng: random.Random) -> str | None:
    m = re.fullmatch(r"([A-Za-z]*)(\d+)(?:-([A-Za-z]*)(\d+))?", pages)
    if not m:
        return None
    a = int(m.group(2))
    shift = rng.randint(15, 400) if a > 20 else rng.randint(20, 90)
    na = a + shift
    if m.group(4):
        return f"{m.group(1)}{na}-{m.group(3)}{int(m.group(4)) + shift}"
    return f"{m.group(1)}{na}"


def perturb(c: Cite, w: Work, wrong: str, works: list[Work], names: list[str], rng: random.Random) -> str | None:
    """Change one detail of `c`; a description, or None if this work can't take that change."""
    if wrong == "year":
        choices = [y for y in range(w.year - 5, min(w.year + 5, 2026)) if all(abs(y - x) >= 2 for x in w.years)]
        c.year = rng.choice(choices)
        return f"year {w.year} -> {c.year}"
    if wrong == "journal":
        mine = {w.journal.lower(), (w.abbrev or "").lower()}
        pool = sorted({x.journal for x in works if x.journal.lower() not in mine
                       and fuzz.ratio(x.journal.lower(), w.journal.lower()) < 70})
        c.journal = rng.choice(pool)
        return f"journal -> {c.journal}"
    if wrong == "first_author":
        taken = {f.lower() for f, _ in w.authors}
        fam = rng.choice([n for n in names if n.lower() not in taken and fuzz.ratio(n.lower(), w.authors[0][0].lower()) < 60])
        c.authors[0] = (fam, rng.choice(["J", "M", "AK", "S", "R", "L", "DT", "K"]))
        return f"first author {w.authors[0][0]} -> {fam}"
    if wrong == "title":
        if not (w.volume and w.pages):
            return None
        c.title = other_title(w.title, rng)
        return "title changed"
    if wrong == "volume":
        v = other_number(w.volume or "", rng)
        if not v:
            return None
        c.volume = v
        return f"volume {w.volume} -> {v}"
    if wrong == "pages":
        p = other_pages(full_pages(w.pages) or "", rng) if w.pages else None
        if not p or not w.volume:
            return None
        c.pages = p
        return f"pages {w.pages} -> {p}"
    if wrong == "doi":
        pool = [x for x in works if x.doi and x.doi != w.doi and any(r.source == "crossref" for r in x.records)]
        other = rng.choice(pool)
        c.doi = other.doi
        return f"doi of another work ({other.doi})"
    return None


# --- fabricated works ---------------------------------------------------------------------------


def fake_person(names: list[str], rng: random.Random) -> tuple[str, str]:
    return rng.choice(names), rng.choice(["J", "M", "AK", "S", "RL", "L", "DT", "K", "H", "CE", "P", "N"])


def fabricated(works: list[Work], names: list[str], rng: random.Random, real_authors: bool) -> tuple[Cite, dict]:
    if real_authors:  # real authors (a real work's byline) with an invented paper in their own journal
        w = rng.choice(works)
        authors = list(w.authors[: rng.randint(1, 4)])
        journal = w.abbrev if (w.abbrev and rng.random() < 0.5) else w.journal
        year = w.year + rng.choice((-1, 0, 1, 2))
        based = {"authors_from": w.ident(), "journal_from": w.ident()}
    else:  # invented authors with real-looking names, in a real journal
        w = rng.choice(works)
        authors = [fake_person(names, rng) for _ in range(rng.randint(1, 5))]
        journal = w.abbrev if (w.abbrev and rng.random() < 0.5) else w.journal
        year = rng.randint(2012, 2024)
        based = {"journal_from": w.ident()}
    volume = str(rng.randint(3, 120))
    issue = str(rng.randint(1, 12)) if rng.random() < 0.6 else None
    first = rng.randint(12, 900)
    pages = f"{first}-{first + rng.randint(5, 14)}" if rng.random() < 0.7 else f"e{rng.randint(1000, 99999)}"
    doi = None
    if rng.random() < 0.3 and w.doi:
        prefix = w.doi.split("/", 1)[0]
        doi = f"{prefix}/{rng.choice(['j.', 's', 'journal.', ''])}{rng.randint(10**6, 10**8)}"
        based["doi"] = "invented, with the journal's real prefix"
    return Cite(authors, invented_title(rng), journal, min(year, 2025), volume, issue, pages, doi), based


# --- mentions and bios ------------------------------------------------------------------------


def study_word(title: str) -> str:
    t = title.lower()
    for k, v in STUDY_WORDS.items():
        if k in t:
            return v
    return "study"


def fold_name(name: str) -> str:
    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower())


def author_names(records_dir: Path) -> set[tuple[str, str]]:
    """(folded family name, first initial) of every author of every record the indexes hold."""
    corpus = Corpus().load_dir(records_dir)
    out = set()
    for r in corpus.pubmed_records() + corpus.crossref_records():
        for a in r.authors:
            out.add((fold_name(a.family), (a.given or "")[:1].upper()))
    return out


def mention_text(authors, year, journal, title, rng: random.Random, with_title: bool) -> str:
    fam = authors[0][0]
    who = f"{fam} and colleagues" if len(authors) > 1 else fam
    kind = study_word(title)
    claim = f"{rng.choice(MENTION_VERBS)} {rng.choice(MENTION_CLAIMS)}"
    if with_title:
        return f'A {year} {kind} by {who} in {journal}, "{title}", {claim}.'
    # no title, but what it was about, as articles describe a study: the main clause of its title
    topic = re.split(r"[:?]", title)[0].strip()
    topic = topic[0].lower() + topic[1:] if topic[1:2].islower() else topic
    return f"In a {year} {kind} on {topic}, published in {journal}, {who} {claim}."


def bio_text(person, year, journal, title, rng: random.Random) -> str:
    fam, given = person
    g = given if not re.fullmatch(r"[A-Z]{1,4}", given) else dotted(given)
    role = rng.choice(["a researcher", "a clinical scientist", "a physician and researcher", "an epidemiologist"])
    return (f'About the author: Dr. {g} {fam} is {role} whose work includes "{title}", '
            f"published in {journal} in {year}.")


# --- the corpus -----------------------------------------------------------------------------------


def build(records_dir: Path, seed: int) -> list[dict]:
    rng = random.Random(seed)
    works = load_works(records_dir)
    names = sorted({f for w in works for f, _ in w.authors if len(f) >= 4 and f.isalpha()})
    items: list[dict] = []

    def add(category, kind, text, style, verdict, fields, work, perturbation, noise=()):
        items.append({"category": category, "kind": kind, "section": "references" if kind == "reference" else "mentions",
                      "style": style, "text": text, "expected_verdict": verdict, "expected_fields": list(fields),
                      "work": work, "perturbation": perturbation, "noise": list(noise)})

    # real works: every work once, in a rotating style; a second rendering for most
    order = list(works)
    rng.shuffle(order)
    for n, w in enumerate(order + order[: int(len(order) * 0.4)]):
        style = STYLES[n % len(STYLES)]
        abbreviated = rng.random() < 0.5
        c = cite_of(w, rng, abbreviated)
        if rng.random() < 0.5:
            c.doi = None
        noise = add_noise(c, w, rng)
        text, st = render(c, style, rng)
        add("real", "reference", text, st, "verified", [], w.ident(),
            "none", noise + [("abbreviated" if abbreviated and w.abbrev else "full") + "_journal",
                             "doi" if c.doi else "no_doi"])

    # the same works with one detail wrong
    n = 0
    for wrong in WRONG:
        made, tries = 0, 0
        while made < 20 and tries < 200:
            tries += 1
            w = rng.choice(works)
            c = cite_of(w, rng, rng.random() < 0.4)
            if wrong != "doi" and rng.random() < 0.6:
                c.doi = None
            if wrong in ("doi", "first_author") and len(c.authors) > 3:
                c.et_al = rng.random() < 0.5
            what = perturb(c, w, wrong, works, names, rng)
            if what is None:
                continue
            style = STYLES[n % len(STYLES)]
            n += 1
            text, st = render(c, style, rng)
            add("mismatch", "reference", text, st, "mismatched", [wrong], w.ident(), what,
                ["doi" if c.doi else "no_doi"])
            made += 1

    # fabricated works
    for i in range(90):
        real_authors = i % 2 == 1
        c, based = fabricated(works, names, rng, real_authors)
        text, st = render(c, STYLES[i % len(STYLES)], rng)
        add("fabricated", "reference", text, st, "unfound", [], based,
            "real authors, invented paper" if real_authors else "invented authors, real journal",
            ["doi" if c.doi else "no_doi"])

    # narrative mentions and bios, real and invented
    for i in range(36):
        w = rng.choice(works)
        journal = w.abbrev if (w.abbrev and rng.random() < 0.3) else w.journal
        add("mention-real", "mention", mention_text(w.authors, w.year, journal, w.title, rng, i % 2 == 0),
            "narrative", "verified", [], w.ident(), "none")
    for i in range(36):
        c, based = fabricated(works, names, rng, i % 2 == 1)
        add("mention-invented", "mention", mention_text(c.authors, c.year, c.journal, c.title, rng, i % 2 == 0),
            "narrative", "unfound", [], based, "invented study")
    for i in range(20):
        w = rng.choice(works)
        add("bio-real", "bio", bio_text(w.authors[0], w.year, w.journal, w.title, rng), "bio", "verified", [],
            w.ident(), "none")
    # an invented paper in a bio: "mismatched" when the person publishes (works under that name:
    # the paper is what is wrong), "unfound" when the name has no trace either (issue 3's rules)
    people = author_names(records_dir)
    for i in range(20):
        c, based = fabricated(works, names, rng, i % 2 == 1)
        fam, given = c.authors[0]
        publishes = (fold_name(fam), given[:1].upper()) in people
        add("bio-invented", "bio", bio_text(c.authors[0], c.year, c.journal, c.title, rng), "bio",
            "mismatched" if publishes else "unfound", [], based,
            "invented paper by a publishing author" if publishes else "invented paper, no trace of the author")

    for i, it in enumerate(items):
        it["id"] = f"{it['category']}-{i:04d}"
    return [{"id": it.pop("id"), **it} for it in items]


README = """# fixtures/eval/ - labelled citation corpus (generated)

Written by `bench/make_eval.py --seed {seed}` (do not edit by hand; re-run the script).
Built only from the records in `fixtures/records/` (the 159 recorded PubMed articles, the
47 recorded Crossref works and the reconstructed seed works); nothing else is invented
except what the labels say is invented. `bench/accuracy.py` runs it through the pipeline.

`citations.jsonl`: one labelled citation per line.

| key | meaning |
|---|---|
| `id` | `<category>-<n>` |
| `category` | `real`, `mismatch`, `fabricated` (reference section); `mention-real`, `mention-invented`, `bio-real`, `bio-invented` (mentions section) |
| `kind` / `section` | `reference` (goes in a reference list) / `mention`, `bio` (go in running text); section `references` or `mentions` |
| `style` | `vancouver`, `ama`, `apa`, `harvard`, `chicago`, `blog0`-`blog2` (the hybrids of seed 002), `narrative`, `bio` |
| `text` | the citation as an article would print it |
| `expected_verdict` | `verified`, `mismatched` or `unfound` |
| `expected_fields` | for `mismatched`: the differing field (`year`, `journal`, `first_author`, `title`, `volume`, `pages`, `doi`) |
| `work` | the real work it derives from (`doi`, `pmid`, `title`), or for invented ones where the journal/authors came from |
| `perturbation` | the wrong detail (mismatch), or how it was invented |
| `noise` | harmless variation of a real citation: `missing_issue`, `et_al`, `title_typo`, `online_first_year`, `year_off_by_one`, `sentence_case_title`, `abbreviated_journal`/`full_journal`, `doi`/`no_doi` |

Counts (seed {seed}): {counts}.

Works used: journal articles with a title of 4+ words, at least one author, a journal and a
year ({nworks} works); preprints, datasets, proceedings, errata, corrections and one-word
editorials are left out. Real works are each written once in a rotating style plus a second
rendering for 40% of them. "Year off by one" and "online-first year" are accepted by design
(a work is citable by its online or print year). Mismatches change exactly one detail: the year
by 2 or more, the journal to another corpus journal, the first author to another surname, the
title (keeping its first words; only for works with volume and pages, so the work stays
identifiable), the volume, the pages, or the DOI to another corpus work's DOI.
Fabricated works: invented health-research titles either by real-looking authors (surnames from
the corpus, random initials) in a real journal, or by a real work's authors in their own journal;
30% carry an invented DOI under the journal's real prefix.
Bios naming an invented paper are labelled by issue 3's rules: `mismatched` when the person
publishes (some record has an author of that family name and first initial: the claimed paper
is what is wrong), `unfound` when the name has no trace either.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--records", default=str(ROOT / "fixtures" / "records"))
    ap.add_argument("--out", default=str(ROOT / "fixtures" / "eval"))
    a = ap.parse_args(argv)
    items = build(Path(a.records), a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "citations.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for it in items:
            fh.write(json.dumps(it, ensure_ascii=False, sort_keys=False) + "\n")
    counts: dict[str, int] = {}
    for it in items:
        counts[it["category"]] = counts.get(it["category"], 0) + 1
    nworks = len(load_works(Path(a.records)))
    (out / "README.md").write_text(README.format(seed=a.seed, nworks=nworks,
                                                 counts=", ".join(f"{k} {v}" for k, v in counts.items())),
                                   encoding="utf-8")
    print(f"wrote {len(items)} citations to {out / 'citations.jsonl'} ({', '.join(f'{k} {v}' for k, v in counts.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
