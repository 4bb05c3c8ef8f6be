"""Editors' decisions in the database (table `decisions`, view `accepted_citations`).

`accept` records that an editor has checked a citation by hand, on the evidence of its
latest check; `unaccept` withdraws it; `review` withdraws the acceptances whose evidence a
new check changed (judge/decision.py decides). Rows are never deleted: a withdrawn decision
keeps `revoked_at`, `revoked_by` ("editor" or "evidence") and `revoked_reason`.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import bindparam, insert, select, text, update

from citeaudit.judge.decision import evidence_change
from citeaudit.store.db import StoreError
from citeaudit.store.repo import now
from citeaudit.store.tables import CheckRow, Decision, RecordRow

EDITOR, EVIDENCE = "editor", "evidence"


def _standing_query():
    return (select(Decision, RecordRow.doi.label("record_doi"), RecordRow.pmid.label("record_pmid"))
            .outerjoin(RecordRow, RecordRow.id == Decision.record_id)
            .where(Decision.revoked_at.is_(None)))


def standing(store, citation_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """``{citation_id: decision}`` for the citations with a standing acceptance (all, or these)."""
    ids = None if citation_ids is None else sorted({int(c) for c in citation_ids if c is not None})
    out: dict[int, dict[str, Any]] = {}
    with store.engine.connect() as conn:
        if ids is None:
            rows = conn.execute(_standing_query()).all()
        else:
            rows = []
            for start in range(0, len(ids), 500):
                rows += conn.execute(_standing_query().where(Decision.citation_id.in_(ids[start:start + 500]))).all()
    for row in rows:
        d = dict(row._mapping)
        out[d["citation_id"]] = d
    return out


def withdrawn_by_evidence(store, citation_ids: Iterable[int]) -> dict[int, str]:
    """``{citation_id: why}`` for citations with no standing acceptance whose last acceptance
    was withdrawn because the evidence changed (reports say so)."""
    ids = sorted({int(c) for c in citation_ids if c is not None})
    out: dict[int, str] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            rows = conn.execute(select(Decision.citation_id, Decision.revoked_by, Decision.revoked_reason)
                                .where(Decision.citation_id.in_(ids[start:start + 500]))
                                .order_by(Decision.id)).all()
            for cid, by, why in rows:  # the newest decision of each citation decides
                out[cid] = why if by == EVIDENCE else ""
    return {cid: why.removeprefix("evidence changed: ") for cid, why in out.items() if why}


def accept(store, citation_id: int, reason: str, by: str | None = None) -> dict[str, Any]:
    """Accept a citation on the evidence of its latest check; returns the decision.

    A standing acceptance of the same citation is replaced (kept, revoked by the editor).
    Raises StoreError when there is no such citation or it was never checked.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise StoreError("an acceptance needs a reason (--reason TEXT)")
    with store._writer.begin() as conn:
        latest = conn.execute(text("SELECT check_id, verdict, record_id, retracted, record_retracted "
                                   "FROM latest_checks WHERE citation_id = :cid"), {"cid": citation_id}).first()
        if latest is None:
            exists = conn.execute(text("SELECT 1 FROM citations WHERE id = :cid"), {"cid": citation_id}).first()
            why = "it was never checked or is no longer in its article" if exists else "there is no such citation"
            raise StoreError(f"cannot accept citation {citation_id} in {store.path}: {why}")
        stamp = now()
        conn.execute(update(Decision).where(Decision.citation_id == citation_id, Decision.revoked_at.is_(None))
                     .values(revoked_at=stamp, revoked_by=EDITOR, revoked_reason="replaced by a new acceptance"))
        decision_id = conn.execute(insert(Decision).values(
            citation_id=citation_id, decision="accepted", reason=reason, accepted_at=stamp, accepted_by=by,
            check_id=latest.check_id, verdict=latest.verdict, record_id=latest.record_id,
            retracted=int(bool(latest.retracted or latest.record_retracted)))).inserted_primary_key[0]
    return {"id": decision_id, "citation_id": citation_id, "reason": reason, "accepted_at": stamp,
            "accepted_by": by, "check_id": latest.check_id, "verdict": latest.verdict}


def unaccept(store, citation_id: int, reason: str | None = None) -> dict[str, Any] | None:
    """Withdraw a citation's standing acceptance; returns it (None when there was none)."""
    decision = standing(store, [citation_id]).get(citation_id)
    if decision is None:
        return None
    with store._writer.begin() as conn:
        conn.execute(update(Decision).where(Decision.id == decision["id"]).values(
            revoked_at=now(), revoked_by=EDITOR, revoked_reason=reason or "withdrawn by the editor"))
    return decision


def review(store, check_ids: list[int]) -> dict[int, str]:
    """After new checks were saved: withdraw each standing acceptance whose evidence changed.

    Returns ``{citation_id: what changed}`` for the acceptances withdrawn.
    """
    if not check_ids:
        return {}
    with store.engine.connect() as conn:
        if conn.execute(select(Decision.id).where(Decision.revoked_at.is_(None)).limit(1)).first() is None:
            return {}  # no acceptance stands anywhere: nothing to review (the common case)
        checks = []
        for start in range(0, len(check_ids), 500):
            checks += conn.execute(
                select(CheckRow.id, CheckRow.citation_id, CheckRow.verdict, CheckRow.retracted,
                       CheckRow.inconclusive, CheckRow.record_id, RecordRow.doi, RecordRow.pmid,
                       RecordRow.retracted.label("record_retracted"))
                .outerjoin(RecordRow, RecordRow.id == CheckRow.record_id)
                .where(CheckRow.id.in_(check_ids[start:start + 500]))).all()
    decisions = standing(store, [k.citation_id for k in checks])
    withdrawn: dict[int, str] = {}
    for k in checks:
        decision = decisions.get(k.citation_id)
        if decision is None or k.id == decision.get("check_id"):
            continue
        record = {"id": k.record_id, "doi": k.doi, "pmid": k.pmid} if k.record_id is not None else None
        change = evidence_change(decision, k.verdict, record, bool(k.retracted or k.record_retracted),
                                 inconclusive=bool(k.inconclusive))
        if change:
            withdrawn[k.citation_id] = change
    if withdrawn:
        stamp = now()
        with store._writer.begin() as conn:
            conn.execute(update(Decision).where(Decision.id == bindparam("did")).values(
                revoked_at=stamp, revoked_by=EVIDENCE, revoked_reason=bindparam("why")),
                [{"did": decisions[cid]["id"], "why": f"evidence changed: {why}"} for cid, why in withdrawn.items()])
    return withdrawn
