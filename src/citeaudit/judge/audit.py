"""Verdicts for every citation of an article, given what the sources answered. Pure."""

from __future__ import annotations

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
        # the stated fields are compared on a hit (==), not hashed: repr of a dataclass is slow
        key = (c.kind, c.category, c.text, c.extra.get("entry") is True, tuple(id(x) for x in a))
        same = memo.setdefault(key, [])
        check = next((chk for fields, chk, _ in same if fields == c.fields), None)
        if check is None:
            check = judge(c, a, offline=offline)
            same.append((c.fields, check, a))  # `a` kept: its ids stay unique
        items.append(AuditedCitation(c, _copy_check(check)))
    return judge_narrative(items, answers, offline, evidence)


def _copy_check(c: Check) -> Check:
    """A copy whose lists can be changed alone (the constructor: dataclasses.replace is slow)."""
    return Check(c.verdict, c.reason, c.record, c.score, list(c.comparisons), list(c.differences),
                 list(c.candidates), list(c.notes), dict(c.sources))
