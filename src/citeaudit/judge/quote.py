"""Is a quotation in the abstract of the work it is attributed to? Pure functions.

verbatim / near-verbatim (rapidfuzz partial_ratio >= 90) / paraphrase (most of its content
words present) / not in the abstract (abstract available) / abstract unavailable. The
result is a note on the quote: a quote missing from an abstract is not a fabrication (it may
be in the full text), so it never makes a verdict "unfound" by itself.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

from citeaudit.extract.prose import content_words, overlap
from citeaudit.judge.match import same_work
from citeaudit.models import Check, Record, SourceAnswer

VERBATIM, NEAR, PARAPHRASE, ABSENT, UNAVAILABLE = (
    "verbatim", "near-verbatim", "paraphrase", "not in the abstract", "abstract unavailable")
RANK = {VERBATIM: 4, NEAR: 3, PARAPHRASE: 2, ABSENT: 1, UNAVAILABLE: 0}


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower()
    s = re.sub(r"<[^>]+>", " ", s)  # JATS tags in Crossref abstracts
    s = s.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    s = re.sub(r"[\u2010-\u2015\-]", "-", s)
    s = re.sub(r"[^\w%'\- ]+", " ", s)
    return " ".join(s.split())


def quote_status(quote: str, abstracts: list[str]) -> tuple[str, float]:
    """(status, score 0..1) of a quote against the abstracts of one work."""
    texts = [a for a in abstracts if a and a.strip()]
    if not texts:
        return UNAVAILABLE, 0.0
    q = _norm(quote)
    best = (ABSENT, 0.0)
    for a in texts:
        n = _norm(a)
        if q and q in n:
            return VERBATIM, 1.0
        score = fuzz.partial_ratio(q, n) / 100 if len(q) <= len(n) else fuzz.ratio(q, n) / 100
        if score >= 0.90:
            best = max(best, (NEAR, score), key=lambda x: (RANK[x[0]], x[1]))
            continue
        words = content_words(quote)
        share = len(overlap(words, a)) / len(words) if words else 0.0
        if share >= 0.7 and len(words) >= 4:
            best = max(best, (PARAPHRASE, share), key=lambda x: (RANK[x[0]], x[1]))
        else:
            best = max(best, (ABSENT, max(score, share)), key=lambda x: (RANK[x[0]], x[1]))
    return best


def work_abstracts(check: Check, answers: list[SourceAnswer]) -> list[str]:
    """Abstracts of the work a reference was matched to, from every source's records."""
    if check.record is None:
        return []
    records: list[Record] = [check.record]
    for a in answers:
        records += [r for r in a.records if same_work(r, check.record)]
        records += [r for r in a.by_identifier.values() if r is not None and same_work(r, check.record)]
    return list(dict.fromkeys(r.abstract for r in records if r.abstract))
