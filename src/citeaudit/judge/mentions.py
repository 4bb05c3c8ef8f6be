"""Verdicts for narrative mentions, quotes (their link and abstract check) and uncited claims.
Pure functions over what the sources answered.

Mention: verified when a work in the stated journal (and year, authors) on the mention's
topic exists; mismatched when the topic clearly exists but in another journal or year,
naming the nearest real work; unfound when nothing fits; unchecked when a source failed
or the audit is offline. Several equally fitting works: verified, candidates listed.
"""

from __future__ import annotations

from citeaudit.extract.mentions import specific_enough
from citeaudit.extract.prose import overlap
from citeaudit.judge.match import compare_year, family_matches, group_works, journal_matches, journal_names
from citeaudit.normalize import journal_key
from citeaudit.judge.reference import judge
from citeaudit.models import (MISMATCHED, UNCHECKED, UNFOUND, VERIFIED, Check, Citation, FieldComparison, Record,
                     SourceAnswer)

CLAIM_REASON = "research claimed without a source"
STRONG_TOPIC = 0.5  # share of a mention's topic words a work must have to be 'the same topic'
NEAREST_TOPIC = 0.6  # ... to be named as the real work a wrong journal/year/author points at
SUPPORT_TOPIC = 0.34  # ... when named authors and the journal or year already agree
TITLE_ONLY_TOPIC = 0.25  # ... when the work has no abstract and its title holds the mention's subject


def _status(answers: list[SourceAnswer]) -> dict[str, str]:
    return {a.source: ("ok" if a.ok else (a.error or "failed")) for a in answers if a.applicable}


def _show(r: Record) -> str:
    return f"{r.title!r} ({r.journal or '?'}, {r.year or '?'})"


def _words(c: Citation) -> list[str]:
    """The mention's topic words (anchor and terms; population words are too common to count)."""
    anchor = c.extra.get("anchor")
    return list(dict.fromkeys(w for w in ([anchor] if anchor else []) + list(c.extra.get("terms", [])) if w))


def _fit(c: Citation, work: list[Record]) -> dict:
    f = c.fields
    words = _words(c)
    titles = " ".join(r.title or "" for r in work)
    text = titles + " " + " ".join(r.abstract or "" for r in work)
    hits = overlap(words, text)
    share = len(hits) / len(words) if words else 0.0
    journal = None if not f.journal else any(_journal_fits(f.journal, r) for r in work)
    year = None if not f.year else any(compare_year(f.year, r).agrees for r in work)
    people = [a for r in work for a in r.authors]
    author = None
    if f.authors and people:
        # 'Smith et al.' / 'Smith and colleagues' name the first author; a co-author of that name is
        # not a confirmation (another paper of theirs may be meant), only 'led by' names any author
        first = any(r.authors and family_matches(p.family, r.authors[0].family) for p in f.authors[:1] for r in work)
        anywhere = any(family_matches(p.family, a.family) for p in f.authors[:1] for a in people)
        author = True if first or (anywhere and c.extra.get("led_by")) else (None if anywhere else False)
    anchor = c.extra.get("anchor")
    return {"work": work, "share": share, "hits": len(hits), "in_title": bool(overlap(words, titles)),
            "anchor": bool(anchor and overlap([anchor], text)),
            "abstract": any(r.abstract for r in work), "journal": journal, "year": year, "author": author}


def _journal_fits(stated: str, r: Record) -> bool:
    """The stated journal, or the parent title of a journal's section ('American journal of
    physiology' for 'American journal of physiology. Heart and circulatory physiology')."""
    if journal_matches(stated, r)[0]:
        return True
    key = journal_key(stated)
    return len(stated.split()) >= 3 and any(
        journal_key(n).startswith(key + " ") for n in journal_names(r))


def _where(c: Citation) -> str:
    f = c.fields
    return ", ".join(p for p in (f.authors and f"{f.authors[0].family} et al.", f.journal,
                                 str(f.year) if f.year else None) if p)


def _supported(c: Citation, x: dict) -> bool:
    """Every stated detail agrees and enough of the topic is there for this work to be the study."""
    f = c.fields
    if x["journal"] is False or x["year"] is False or x["author"] is False:
        return False
    a, j, y = x["author"] is True, x["journal"] is True, x["year"] is True
    n = len(_words(c))
    need = STRONG_TOPIC
    if a and (j or y):
        need = SUPPORT_TOPIC  # named authors in that journal / year: the topic only has to fit
    elif a or j:
        need = STRONG_TOPIC
    elif y:
        need = NEAREST_TOPIC if n >= 3 else 2.0  # a year alone: only a close topic match
    else:
        return False
    if f.authors and x["author"] is None and not (j and y):
        need = max(need, STRONG_TOPIC)
    min_hits = min(2, n)
    if n == 0 and a and j or (n > 0 and x["share"] >= need and x["hits"] >= min_hits):
        return True
    if (a or j) and not x["abstract"] and x["anchor"] and n > 0 and x["share"] >= TITLE_ONLY_TOPIC:
        # only a title to read (no abstract): the mention's main subject in it is as much as can be seen
        return WEAK
    return False


WEAK = "weak"  # supported by the title alone (no abstract), on the mention's main subject only


def _title_only_doubt(c: Citation, x: dict) -> str | None:
    """Why a title-only fit cannot verify this mention: it states a year (so one work is meant)
    or a population the title does not name, and the title has none of the described finding."""
    f = c.fields
    if c.extra.get("bracketed"):
        return None  # '(Smith et al., 2023)' backs the writer's own sentence: it does not describe the study
    titles = " ".join(r.title or "" for r in x["work"])
    others = [w for w in _words(c) if w != c.extra.get("anchor")]
    pop = [p for p in c.extra.get("population", []) if not overlap([p], titles)]
    if not (f.year or pop) or not others or overlap(others, titles):
        return None
    missing = others
    return ("its abstract is unavailable and its title says nothing of "
            + ", ".join(missing[:4] + pop[:2]))


def judge_mention(c: Citation, answers: list[SourceAnswer], offline: bool = False) -> Check:
    if c.fields.title:
        check = judge(c, answers, offline=offline)  # a quoted title: judged like a reference entry
        if check.verdict != UNFOUND:
            return check
        alt = _judge_described(c, answers, offline)
        return alt if alt.verdict == VERIFIED else check
    return _judge_described(c, answers, offline)


def _judge_described(c: Citation, answers: list[SourceAnswer], offline: bool) -> Check:
    status = _status(answers)
    records = [r for a in answers for r in a.records]
    fits = [_fit(c, w) for w in group_works(records)]
    f = c.fields
    for x in fits:
        x["support"] = _supported(c, x)
    ok = sorted((x for x in fits if x["support"]),
                key=lambda x: (x["support"] == WEAK, -(x["author"] is True) - (x["journal"] is True)
                               - (x["year"] is True), -x["share"]))
    doubt = _title_only_doubt(c, ok[0]) if ok and ok[0]["support"] == WEAK else None
    if doubt:
        rec = _primary(ok[0]["work"])
        return Check(UNCHECKED, f"could not identify the study: {_show(rec)} in {_where(c) or 'the stated source'} "
                                f"is on {c.extra.get('anchor')}, but {doubt}", sources=_status(answers),
                     candidates=[_primary(x["work"]) for x in ok[:4]])
    if ok:
        best = ok[0]
        rec = _primary(best["work"])
        reason = f"a work in {_where(c) or 'the stated source'} on {c.extra.get('anchor')} exists: {_show(rec)}"
        notes = []
        if len(ok) > 1:
            notes.append(f"{len(ok)} works fit this mention"
                         + ("" if f.year else " (no year is given)") + "; candidates listed")
        if c.extra.get("institution"):
            notes.append(f"institution {c.extra['institution']!r} not checked (records carry no affiliations)")
        return Check(VERIFIED, reason, record=rec, score=round(best["share"], 3), sources=status, notes=notes,
                     candidates=[_primary(x["work"]) for x in ok[1:6]])
    failed = [f"{a.source}: {a.error or 'failed'}" for a in answers if a.applicable and not a.ok]
    if failed:
        return Check(UNCHECKED, "could not check: " + "; ".join(failed), sources=status)
    if offline:
        return Check(UNCHECKED, "offline: no stored record fits this mention; run online to check", sources=status)
    if not any(a.applicable for a in answers):
        return Check(UNCHECKED, "nothing specific enough to search for", sources=status)
    n = len(_words(c))
    strong = sorted((x for x in fits if n >= 2 and x["share"] >= NEAREST_TOPIC and x["hits"] >= 2 and x["in_title"]),
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
        if diffs:
            return Check(MISMATCHED, f"no work fits as stated; the nearest real work on this topic is {_show(rec)}",
                         record=rec, score=round(near["share"], 3), differences=diffs, sources=status,
                         candidates=[_primary(x["work"]) for x in strong[1:4]])
    if not specific_enough(c):
        return Check(UNCHECKED, "too vague to check: no title, author or journal is named, and a year with a "
                                "topic cannot rule a study out", sources=status,
                     candidates=[_primary(x["work"]) for x in sorted(fits, key=lambda x: -x["share"])[:3]])
    searched = ", ".join(s for s, v in status.items() if v == "ok") or "no source"
    where = _where(c)
    if c.extra.get("bracketed") == "names" and not (f.journal or f.title):
        # '(Grinspoon, 2019)' with no reference list: as likely a book, report or web page as a paper
        return Check(UNCHECKED, f"could not identify the work cited as ({where}): no scholarly work by that name "
                                f"and year on this topic in {searched}, and with no reference list it may be a "
                                "book, report or web page", sources=status,
                     candidates=[_primary(x["work"]) for x in sorted(fits, key=lambda x: -x["share"])[:3]])
    reason = f"no work {('by/in ' + where + ' ') if where else ''}on this topic in {searched}"
    same_place = [x for x in fits if x["author"] is not False and x["journal"] is not False and x["year"] is not False
                  and (x["author"] or x["journal"])]
    if same_place:
        near = max(same_place, key=lambda x: x["share"])
        reason += f"; {where} has {_show(_primary(near['work']))}, on another topic"
    return Check(UNFOUND, reason, sources=status,
                 candidates=[_primary(x["work"]) for x in sorted(fits, key=lambda x: -x["share"])[:3]])


def _primary(records: list[Record]) -> Record:
    return max(records, key=lambda r: (bool(r.doi) + bool(r.pmid), bool(r.abstract), r.source == "crossref"))


def judge_claim(c: Citation) -> Check:
    return Check(UNCHECKED, CLAIM_REASON, notes=[f"uncited: {c.extra.get('phrase', '')}".strip()])


def judge_linked(c: Citation, ref_index: int, ref_check: Check) -> Check:
    """A mention or quote repeating a reference-list entry shares that entry's verdict."""
    return Check(ref_check.verdict, f"repeats reference-list entry #{ref_index + 1}: {ref_check.reason}",
                 record=ref_check.record, score=ref_check.score, differences=list(ref_check.differences),
                 sources=dict(ref_check.sources), notes=[f"counted with reference #{ref_index + 1}"])
