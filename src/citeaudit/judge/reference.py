"""From what the sources answered to a verdict on one citation. Pure functions.

The rule that matters most: a citation is "unfound" only when every source that
applies answered and none had a fitting work. Any source failure turns a would-be
"unfound" into "unchecked", with the reason: a network error must never accuse an
author of fabricating a study.
"""

from __future__ import annotations

import re

from citeaudit.judge.link import OFFLINE_REASON as OFFLINE_LINK_REASON
from citeaudit.judge.link import link_verdict
from citeaudit.judge.match import Assessment, assess, group_works, title_similarity
from citeaudit.models import (
    MISMATCHED,
    UNCHECKED,
    UNFOUND,
    VERIFIED,
    Check,
    Citation,
    FieldComparison,
    Record,
    RecordUpdate,
    SourceAnswer,
)

GREY_REASON = "grey literature (agency page, press release or blog) with no identifier or link to check"
GREY_LINK_REASON = "grey literature: its link was not fetched (no web checker in this run)"


def _fmt(v) -> str:
    return "-" if v is None or v == "" else str(v)


def describe_differences(diffs: list[FieldComparison]) -> str:
    parts = []
    for d in diffs:
        text = f"{d.field}: stated {_fmt(d.stated)}, found {_fmt(d.found)}"
        if d.note:
            text += f" ({d.note})"
        parts.append(text)
    return "; ".join(parts)


# Crossref update types (normalised) / PubMed CommentsCorrections kinds -> the flag a report shows.
# The first three make Check.retracted true (see models.RETRACTION_NOTE_PREFIXES).
UPDATE_LABELS = {"retraction": "RETRACTED", "withdrawal": "WITHDRAWN", "removal": "REMOVED",
                 "partial_retraction": "PARTIALLY RETRACTED", "expression_of_concern": "EXPRESSION OF CONCERN"}
# PubMed publication types of a record that is itself a notice about another work
NOTICE_TYPES = {"retraction of publication": "retraction", "published erratum": "correction",
                "expression of concern": "expression of concern"}


def _notice_bits(u: RecordUpdate) -> list[str]:
    return [b for b in (u.doi and f"notice {u.doi}", u.pmid and f"notice PMID {u.pmid}",
                        u.date, u.source and f"source {u.source}") if b]


def record_notes(records: list[Record]) -> list[str]:
    """Retraction, correction and expression-of-concern flags of a matched work.

    From Crossref ``updated-by`` (with its source, e.g. retraction-watch) and PubMed
    CommentsCorrections (RetractionIn, ErratumIn...) on the work; PubMed's "Retracted
    Publication" type; and, when the cited item is itself a notice (Crossref ``update-to``,
    PubMed RetractionOf/ErratumFor or a "Retraction of Publication" type), what it is a notice of.
    """
    notes: list[str] = []
    seen: set[tuple] = set()
    for r in records:
        for u in r.updates:
            key = (u.type, u.doi or u.pmid)
            if key in seen:
                continue
            seen.add(key)
            what = UPDATE_LABELS.get(u.type, u.type.replace("_", " ").upper())
            bits = _notice_bits(u)
            notes.append(f"{what}: " + ", ".join(bits) if bits else what)
        if any(t.lower() == "retracted publication" for t in r.publication_types) and ("retraction", None) not in seen:
            if not any(n.startswith("RETRACTED") for n in notes):
                notes.append("RETRACTED: PubMed lists this work as a Retracted Publication")
                seen.add(("retraction", None))
    for r in records:
        for u in r.update_to:
            key = ("notice-of", u.type, u.doi or u.pmid)
            if key in seen:
                continue
            seen.add(key)
            target = ", ".join(b for b in (u.doi, u.pmid and f"PMID {u.pmid}") if b) or "another work"
            notes.append(f"NOTICE: the cited item is a {u.type.replace('_', ' ')} notice for {target}, not the study itself")
        for t in r.publication_types:
            kind = NOTICE_TYPES.get(t.lower())
            if kind and not any(k[0] == "notice-of" for k in seen):
                seen.add(("notice-of", kind, None))
                notes.append(f"NOTICE: the cited item is a {kind} notice (PubMed: {t}), not the study itself")
    return notes


def _primary(records: list[Record]) -> Record:
    """The record to show for a work: the one carrying the most identifiers."""
    return max(records, key=lambda r: (bool(r.doi) + bool(r.pmid), r.source == "crossref"))


def _source_status(answers: list[SourceAnswer]) -> dict[str, str]:
    return {a.source: ("ok" if a.ok else (a.error or "failed")) for a in answers if a.applicable}


def _identifier_note(citation: Citation, answers: list[SourceAnswer], best: list[Record] | None) -> FieldComparison | None:
    """A stated DOI/PMID that does not resolve, or resolves to another work."""
    f = citation.fields
    for kind, value in (("doi", f.doi), ("pmid", f.pmid)):
        if not value:
            continue
        looked = [a for a in answers if a.ok and kind + ":" + value.lower() in a.by_identifier]
        if not looked:
            continue
        targets = [a.by_identifier[kind + ":" + value.lower()] for a in looked]
        found = [t for t in targets if t is not None]
        if best is not None and any(t.key in {b.key for b in best} for t in found):
            return None
        # the matched work's own record carries the identifier: one registry lacking it
        # (a DOI registered outside Crossref, a record not yet indexed) is no difference
        if best is not None and any((getattr(r, kind) or "").lower() == value.lower() for r in best):
            return None
        right = next((getattr(r, kind) for r in (best or []) if getattr(r, kind)), None)
        if right is not None and str(right).lower() == value.lower():
            return None  # the fitting work carries this identifier; one source just does not have it
        if not found:
            return FieldComparison(kind, value, right, False, note=f"the stated {kind.upper()} does not exist")
        other = found[0]
        return FieldComparison(kind, value, right, False,
                               note=f"the stated {kind.upper()} leads to another work: {other.title!r}")
    return None


def reference_text(citation: Citation) -> str | None:
    """The whole string a reference-list entry was parsed from: what candidates are validated
    against. None for anything else (mentions, bios, links, a bio's named paper, bare
    identifiers): those are not bibliographic strings."""
    text = citation.text or ""
    # extra.entry is set by the reference-list extractor; a citation built by hand, or stored
    # before the flag existed, is judged on its parsed fields as before
    if citation.kind != "reference" or citation.extra.get("entry") is not True or len(text.strip()) < 20:
        return None
    return text


# a parsed "title" that ends in the source's volume and page ('smith, jones, Some Journal 37, 416'):
# the parse did not find where the title ends, so what the entry states is not known
_SOURCE_IN_TITLE_RE = re.compile(r"\d{1,5},\s?[A-Za-z]{0,3}\d{1,6}$")


def scholarly_shaped(f) -> bool:
    """The entry states enough to be looked for: authors with a venue or title, or a title with a year."""
    if f.title and not f.journal and not f.authors and _SOURCE_IN_TITLE_RE.search(f.title):
        return False
    return bool((f.authors and (f.journal or f.title)) or (f.title and (f.year or f.journal)) or
                (f.journal and f.volume and f.pages))


def _fit(x: Assessment) -> tuple:
    """Best fitting work first: most stated fields confirmed net of differences, then fewest
    differences. A preprint without journal or pages cannot confirm a stated journal, volume
    and pages, so the version of record they point to wins even when one detail differs."""
    agreeing = sum(1 for c in x.comparisons if c.agrees)
    string = -x.evidence.score() if x.evidence is not None else 0.0
    return (-(agreeing - len(x.differences)), len(x.differences), string, -x.score)


def judge(citation: Citation, answers: list[SourceAnswer], offline: bool = False) -> Check:
    """The verdict on one citation given every source's answer."""
    status = _source_status(answers)
    f = citation.fields
    if citation.category == "grey" and not (f.doi or f.pmid):
        link = next((a for a in answers if a.source == "web"), None)
        if link is not None:  # a cited link / grey entry with a URL, fetched by sources/web.py
            return link_verdict(citation, getattr(link, "page", None), ok=link.ok, error=link.error)
        if f.url:
            return Check(UNCHECKED, OFFLINE_LINK_REASON if offline else GREY_LINK_REASON, sources=status)
        return Check(UNCHECKED, GREY_REASON, sources=status)

    records: list[Record] = []
    for a in answers:
        records += a.records
        records += [r for r in a.by_identifier.values() if r is not None]
    works = group_works(records)
    text = reference_text(citation)
    assessed = [assess(f, w, text) for w in works]
    accepted = sorted((x for x in assessed if x.accepted), key=_fit)

    if accepted:
        return _verdict_for_match(citation, answers, accepted, status)

    failed = [f"{a.source}: {a.error or 'failed'}" for a in answers if a.applicable and not a.ok]
    nearest = max(assessed, key=lambda x: x.score, default=None)
    if failed:
        return Check(UNCHECKED, "could not check: " + "; ".join(failed), sources=status,
                     candidates=[x.record for x in assessed[:3]])
    if offline:
        return Check(UNCHECKED, "offline: no stored record matches; run online to check", sources=status,
                     candidates=[x.record for x in assessed[:3]])
    if not any(a.applicable for a in answers):
        return Check(UNCHECKED, "nothing to search with: no title, authors or identifier could be read",
                     sources=status)
    id_diff = _identifier_note(citation, answers, None)
    if id_diff is not None and id_diff.note and "leads to another work" in id_diff.note:
        target = next(r for a in answers for r in a.by_identifier.values() if r is not None)
        return Check(MISMATCHED, f"{id_diff.field}: {id_diff.note}; nothing else fits the entry",
                     record=target, differences=[id_diff], sources=status)
    near = [x for x in assessed if x.evidence is not None and x.evidence.near()]
    if near:
        near.sort(key=lambda x: -x.evidence.score())
        shown = "; ".join(f"{x.record.title or '-'!r} ({x.record.year})" for x in near[:3])
        return Check(UNCHECKED, f"could not identify the work: {len(near)} candidate(s) come close but do not "
                                f"match the entry; nearest: {shown}", sources=status,
                     candidates=[x.record for x in near[:3]])
    if text is not None and not scholarly_shaped(f):
        return Check(UNCHECKED, "could not identify the work: too little of the entry could be read "
                                "(authors with a venue, or a title with a year) to call it missing",
                     sources=status, candidates=[x.record for x in assessed[:3]])
    searched = ", ".join(s for s, v in status.items() if v == "ok") or "no source"
    reason = f"no work in {searched} matches"
    if id_diff is not None:
        reason += f"; {id_diff.note}"
    if nearest is not None and nearest.record.title and citation.fields.title and \
            title_similarity(citation.fields.title, nearest.record.title) >= 0.5:
        reason += f"; nearest: {nearest.record.title!r} ({nearest.record.year})"
    return Check(UNFOUND, reason, score=nearest.score if nearest else 0.0, sources=status,
                 candidates=[x.record for x in sorted(assessed, key=lambda x: -x.score)[:3]])


def _verdict_for_match(citation: Citation, answers: list[SourceAnswer], accepted: list[Assessment],
                       status: dict[str, str]) -> Check:
    best = accepted[0]
    diffs = list(best.differences)
    if not any(d.field in ("doi", "pmid") for d in diffs):
        id_diff = _identifier_note(citation, answers, best.records)
        if id_diff is not None:
            diffs.append(id_diff)
    record = _primary(best.records)
    notes = record_notes(best.records)
    others = [x.record for x in accepted[1:4]]
    exact_rivals = [x for x in accepted[1:] if not x.differences and not best.differences]
    if exact_rivals:
        notes.append(f"{1 + len(exact_rivals)} works fit this citation equally; the first is shown")
    ids = ", ".join(filter(None, [record.doi and f"doi:{record.doi}",
                                  *(f"pmid:{r.pmid}" for r in best.records if r.pmid)][:2]))
    where = f"{' + '.join(sorted({r.source for r in best.records}))} record {ids}".strip()
    if diffs:
        return Check(MISMATCHED, describe_differences(diffs), record=record, score=best.score,
                     comparisons=best.comparisons, differences=diffs, candidates=others, notes=notes,
                     sources=status)
    agreeing = ", ".join(c.field for c in best.comparisons if c.agrees)
    return Check(VERIFIED, f"matches {where} ({agreeing} agree)", record=record, score=best.score,
                 comparisons=best.comparisons, candidates=others, notes=notes, sources=status)
