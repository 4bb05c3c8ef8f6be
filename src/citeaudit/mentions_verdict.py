"""Verdicts for narrative mentions, quotes (their link and abstract check) and uncited claims.
Pure functions over what the sources answered.

Mention: verified when a work in the stated journal (and year, authors) on the mention's
topic exists; mismatched when the topic clearly exists but in another journal or year,
naming the nearest real work; unfound when nothing fits; unchecked when a source failed
or the audit is offline. Several equally fitting works: verified, candidates listed.
"""

from __future__ import annotations

from .extract.prose import overlap
from .match import compare_year, family_matches, group_works, journal_matches
from .models import (MISMATCHED, UNCHECKED, UNFOUND, VERIFIED, Check, Citation, FieldComparison, Record,
                     SourceAnswer)

CLAIM_REASON = "research claimed without a source"
STRONG_TOPIC = 0.5  # share of a mention's other topic words a work must have to be 'the same topic'


def _status(answers: list[SourceAnswer]) -> dict[str, str]:
    return {a.source: ("ok" if a.ok else (a.error or "failed")) for a in answers if a.applicable}


def _text(records: list[Record]) -> str:
    return " ".join(f"{r.title or ''} {r.abstract or ''}" for r in records)


def _show(r: Record) -> str:
    return f"{r.title!r} ({r.journal or '?'}, {r.year or '?'})"


def _fit(c: Citation, work: list[Record]) -> dict:
    f = c.fields
    anchor = c.extra.get("anchor")
    terms = list(c.extra.get("terms", [])) + list(c.extra.get("population", []))
    text = _text(work)
    on_anchor = bool(anchor and overlap([anchor], text))
    share = len(overlap(terms, text)) / len(terms) if terms else 0.0
    has_abstract = any(r.abstract for r in work)
    journal = None if not f.journal else any(journal_matches(f.journal, r)[0] for r in work)
    year = None if not f.year else any(compare_year(f.year, r).agrees for r in work)
    author = None if not f.authors else any(family_matches(f.authors[0].family, a.family)
                                            for r in work for a in r.authors)
    return {"work": work, "anchor": on_anchor, "share": share, "abstract": has_abstract,
            "journal": journal, "year": year, "author": author}


def judge_mention(c: Citation, answers: list[SourceAnswer], offline: bool = False) -> Check:
    status = _status(answers)
    records = [r for a in answers for r in a.records]
    fits = [_fit(c, w) for w in group_works(records)]
    f = c.fields
    topical = [x for x in fits if x["anchor"] and (x["share"] >= 0.15 or not x["abstract"])]
    stated_ok = [x for x in topical if x["journal"] is not False and x["year"] is not False
                 and x["author"] is not False and (f.journal or f.authors or f.year)]
    # a year alone is too weak to call a topic match 'the study': ask for journal or authors too
    if not (f.journal or f.authors):
        stated_ok = [x for x in stated_ok if x["share"] >= STRONG_TOPIC]
    stated_ok.sort(key=lambda x: -x["share"])
    if stated_ok:
        best = stated_ok[0]
        rec = _primary(best["work"])
        where = ", ".join(p for p in (f.journal, str(f.year) if f.year else None,
                                      f.authors and f"{f.authors[0].family} et al.") if p)
        reason = f"a work in {where} on {c.extra.get('anchor')} exists: {_show(rec)}"
        notes = []
        if len(stated_ok) > 1:
            notes.append(f"{len(stated_ok)} works fit this mention"
                         + ("" if f.year else " (no year is given)") + "; candidates listed")
        if c.extra.get("institution"):
            notes.append(f"institution {c.extra['institution']!r} not checked (records carry no affiliations)")
        return Check(VERIFIED, reason, record=rec, score=round(best["share"], 3), sources=status, notes=notes,
                     candidates=[_primary(x["work"]) for x in stated_ok[1:6]])
    failed = [f"{a.source}: {a.error or 'failed'}" for a in answers if a.applicable and not a.ok]
    if failed:
        return Check(UNCHECKED, "could not check: " + "; ".join(failed), sources=status)
    if offline:
        return Check(UNCHECKED, "offline: no stored record fits this mention; run online to check", sources=status)
    if not any(a.applicable for a in answers):
        return Check(UNCHECKED, "nothing specific enough to search for", sources=status)
    strong = sorted((x for x in topical if x["share"] >= STRONG_TOPIC and len(c.extra.get("terms", [])) >= 2),
                    key=lambda x: -x["share"])
    if strong:
        near = strong[0]
        rec = _primary(near["work"])
        diffs = []
        if near["journal"] is False:
            diffs.append(FieldComparison("journal", f.journal, rec.journal, False))
        if near["year"] is False:
            diffs.append(FieldComparison("year", f.year, rec.year, False))
        if near["author"] is False:
            diffs.append(FieldComparison("first_author", f.authors[0].family,
                                         rec.authors[0].family if rec.authors else None, False))
        return Check(MISMATCHED, f"no work fits as stated; the nearest real work on this topic is {_show(rec)}",
                     record=rec, score=round(near["share"], 3), differences=diffs, sources=status,
                     candidates=[_primary(x["work"]) for x in strong[1:4]])
    searched = ", ".join(s for s, v in status.items() if v == "ok") or "no source"
    where = ", ".join(p for p in (f.journal, str(f.year) if f.year else None) if p)
    return Check(UNFOUND, f"no work {('in ' + where + ' ') if where else ''}on this topic in {searched}",
                 sources=status, candidates=[_primary(x["work"]) for x in sorted(topical, key=lambda x: -x["share"])[:3]])


def _primary(records: list[Record]) -> Record:
    return max(records, key=lambda r: (bool(r.doi) + bool(r.pmid), bool(r.abstract), r.source == "crossref"))


def judge_claim(c: Citation) -> Check:
    return Check(UNCHECKED, CLAIM_REASON, notes=[f"uncited: {c.extra.get('phrase', '')}".strip()])


def judge_linked(c: Citation, ref_index: int, ref_check: Check) -> Check:
    """A mention or quote repeating a reference-list entry shares that entry's verdict."""
    return Check(ref_check.verdict, f"repeats reference-list entry #{ref_index + 1}: {ref_check.reason}",
                 record=ref_check.record, score=ref_check.score, differences=list(ref_check.differences),
                 sources=dict(ref_check.sources), notes=[f"counted with reference #{ref_index + 1}"])
