"""When a service fails during an online run: look in the stored records before leaving a
citation unchecked.

A citation left unchecked because Crossref or PubMed could not be asked is resolved again
from the records already in audit.db (records fetched by earlier runs and `records load`),
through the same lookups and full-text search `--offline` uses (sources/local.py). Its
stored answer is *added* to what the services said, so the failure stays on record: the
verdict is verified or mismatched only when a stored record fits, and otherwise stays
unchecked, never unfound (judge/reference.py refuses "unfound" while a source failed).
A verdict reached this way says so in its reason: "from a stored record of D".
"""

from __future__ import annotations

from typing import Sequence

from citeaudit.models import AuditedCitation, Citation, Record, SourceAnswer

NAMES = {"crossref": "Crossref", "pubmed": "PubMed"}
STORED = "stored"  # the answers' source name (check.sources), beside the failed services'


def wanted(items: Sequence[AuditedCitation], answers: Sequence[list[SourceAnswer]]) -> list[int]:
    """Indices of citations left unchecked by a failed service that were searched (bios, quotes
    and claims are not looked up by themselves; linked mentions follow their reference)."""
    return [i for i, (it, a) in enumerate(zip(items, answers))
            if it.check.inconclusive and a and any(x.applicable and not x.ok for x in a)]


def stored_answers(store, citations: Sequence[Citation]) -> list[SourceAnswer]:
    """One SourceAnswer per citation from the stored records (no network)."""
    from citeaudit.resolve.resolver import Resolver
    from citeaudit.resolve.sources.local import LocalSource

    resolver = Resolver([LocalSource(store)], store=None, max_age_days=None)
    out = []
    for answers in resolver.resolve(list(citations)):
        local = next((a for a in answers if a.source == "local"), None)
        if local is None or not local.ok:
            out.append(SourceAnswer(STORED, applicable=False))
            continue
        out.append(SourceAnswer(STORED, records=list(local.records), by_identifier=dict(local.by_identifier)))
    return out


def with_stored(answers: Sequence[list[SourceAnswer]], indices: Sequence[int],
                stored: Sequence[SourceAnswer]) -> list[list[SourceAnswer]]:
    """The answers with each stored answer added to its citation's (pure)."""
    out = [list(a) for a in answers]
    for i, s in zip(indices, stored):
        out[i] = out[i] + [s]
    return out


def stored_records(stored: Sequence[SourceAnswer]) -> list[Record]:
    out = []
    for s in stored:
        out += s.records + [r for r in s.by_identifier.values() if r is not None]
    return out


def note_stored(items: Sequence[AuditedCitation], records: Sequence[Record], dates: dict[str, str]) -> int:
    """Say in the reason of every conclusive verdict that rests on one of ``records`` (the
    stored answers) that it does, with the record's date; returns how many (pure)."""
    ids = {id(r) for r in records}
    n = 0
    for it in items:
        c = it.check
        if c.inconclusive or c.record is None or id(c.record) not in ids or "from a stored record" in c.reason:
            continue
        failed = " and ".join(NAMES.get(name, name) for name in sorted(c.failed_sources)) or "a service"
        when = (dates.get(c.record.key) or "an earlier run")[:10]
        c.reason += f" (from a stored record of {when}: {failed} could not be asked)"
        n += 1
    return n
