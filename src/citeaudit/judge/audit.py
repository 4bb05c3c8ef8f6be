"""Verdicts for every citation of an article, given what the sources answered. Pure."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from citeaudit.judge.narrative import judge_narrative
from citeaudit.judge.reference import judge
from citeaudit.models import AuditedCitation, Check, Citation, SourceAnswer


def judge_all(citations: Sequence[Citation], answers: Sequence[list[SourceAnswer]], offline: bool,
              evidence: dict | None = None, memo: dict | None = None) -> list[AuditedCitation]:
    """Verdicts for every citation. `memo` (shared across the articles of one resolver pass)
    judges a citation once when the same entry, with the same answers, appears again."""
    memo = {} if memo is None else memo
    items = []
    for c, a in zip(citations, answers):
        key = (c.kind, c.category, c.text, repr(c.fields), tuple(id(x) for x in a))
        if key not in memo:
            memo[key] = (judge(c, a, offline=offline), a)  # `a` kept: its ids stay unique
        items.append(AuditedCitation(c, _copy_check(memo[key][0])))
    return judge_narrative(items, answers, offline, evidence)


def _copy_check(c: Check) -> Check:
    return replace(c, comparisons=list(c.comparisons), differences=list(c.differences),
                   candidates=list(c.candidates), notes=list(c.notes), sources=dict(c.sources))
