"""Verdicts of narrative citations: mentions, quotes (against the abstracts of the works they
repeat), bios and uncited claims. Pure: the answers and evidence are gathered beforehand."""

from __future__ import annotations

from typing import Any, Sequence

from citeaudit.judge.bio import judge_bio
from citeaudit.judge.mentions import judge_claim, judge_linked, judge_mention
from citeaudit.judge.quote import ABSENT, RANK, UNAVAILABLE, quote_status, work_abstracts
from citeaudit.models import UNCHECKED, AuditedCitation, Check, Citation, SourceAnswer

def _check_quote(i: int, c: Citation, items: list[AuditedCitation], answers: Sequence[list[SourceAnswer]]) -> Check:
    cands = [c.linked_to] if c.linked_to is not None else list(c.extra.get("link_candidates", []))
    quote = c.extra.get("quote", "")
    results = []
    for k in cands:
        status, score = quote_status(quote, work_abstracts(items[k].check, answers[k]))
        results.append((RANK[status], score, k, status))
    if not results:
        return Check(UNCHECKED, f"quotation attributed to {c.extra.get('attribution', '')[:80]!r} "
                                "with no reference to check it against",
                     notes=["quote: no source named precisely enough to find its abstract"])
    results.sort(reverse=True)
    rank, score, k, status = results[0]
    if c.linked_to is None:
        if rank <= RANK[ABSENT] and len(results) > 1:
            c.extra["quote_check"] = status
            return Check(UNCHECKED, f"{len(results)} reference-list entries could be the source of this quotation "
                                    "and none of their abstracts holds it",
                         notes=[f"quote: {status} (checked entries {', '.join(str(r[2] + 1) for r in results)})"])
        c.linked_to = k
    check = judge_linked(c, k, items[k].check)
    c.extra["quote_check"] = status
    note = {UNAVAILABLE: "quote: abstract unavailable, cannot compare",
            ABSENT: "quote: not found in the abstract (abstract available; it may be in the full text)"}.get(
        status, f"quote: found in the abstract ({status}, {score:.2f})")
    check.notes.insert(0, note)
    return check


def _note_quote(c: Citation, check: Check, answers: list[SourceAnswer]) -> None:
    """The quote of a quoted study, compared with the abstract of the work found for it."""
    if check.record is None:
        check.notes.insert(0, "quote: no work found to compare it with")
        return
    status, score = quote_status(c.extra["quote"], work_abstracts(check, answers))
    c.extra["quote_check"] = status
    check.notes.insert(0, {UNAVAILABLE: "quote: abstract unavailable, cannot compare",
                           ABSENT: "quote: not found in the abstract (abstract available; it may be in the full text)"}
                       .get(status, f"quote: found in the abstract ({status}, {score:.2f})"))


def judge_narrative(items: list[AuditedCitation], answers: Sequence[list[SourceAnswer]], offline: bool,
                    evidence: dict[int, dict[str, Any]] | None = None) -> list[AuditedCitation]:
    """Replace the generic verdicts of narrative citations with theirs (references first)."""
    evidence = evidence or {}
    for i, it in enumerate(items):
        c = it.citation
        if c.kind == "mention":
            it.check = (judge_linked(c, c.linked_to, items[c.linked_to].check) if c.linked_to is not None
                        else judge_mention(c, answers[i], offline))
            if c.extra.get("quote"):
                _note_quote(c, it.check, answers[i])
        elif c.kind == "reference" and c.linked_to is not None:  # 'Ibid.' or a short note
            it.check = judge_linked(c, c.linked_to, items[c.linked_to].check)
        elif c.kind == "claim":
            it.check = judge_claim(c)
        elif c.kind == "bio":
            it.check = judge_bio(c, evidence.get(i), offline)
    for i, it in enumerate(items):
        if it.citation.kind == "quote":
            it.check = _check_quote(i, it.citation, items, answers)
    return items
