"""Whether an editor's acceptance still stands after a new check (pure, no I/O).

An acceptance (`citeaudit accept`) was given on some evidence: a verdict, a matched work and
whether that work was retracted. It stands while a new conclusive check says the same; it
lapses when the verdict changes, another work is matched, or the work becomes retracted. A
failed attempt (a service down) says nothing, so it never touches an acceptance.
"""

from __future__ import annotations

from typing import Any


def evidence_change(accepted: dict[str, Any], verdict: str, record: dict[str, Any] | None,
                    retracted: bool, inconclusive: bool = False) -> str | None:
    """What changed since the acceptance (one short phrase), or None when it still stands.

    ``accepted``: the decision's ``verdict``, ``retracted`` and its matched record's ``id``,
    ``doi`` and ``pmid`` (as ``record_id``, ``record_doi``, ``record_pmid``); ``record``: the
    new check's matched record (``id``, ``doi``, ``pmid``) or None.
    """
    if inconclusive:
        return None
    changes = []
    if retracted and not accepted.get("retracted"):
        changes.append("the work is now retracted")
    if verdict != accepted.get("verdict"):
        changes.append(f"verdict {accepted.get('verdict')} -> {verdict}")
    if not _same_work(accepted, record):
        changes.append("another work was found" if record else "no work is matched any more")
    return "; ".join(changes) or None


def _same_work(accepted: dict[str, Any], record: dict[str, Any] | None) -> bool:
    before = accepted.get("record_id")
    if record is None or before is None:
        return record is None and before is None
    if record.get("id") == before:
        return True
    for key in ("doi", "pmid"):  # the same work from the other source
        old, new = accepted.get(f"record_{key}"), record.get(key)
        if old and new and str(old).lower() == str(new).lower():
            return True
    return False
