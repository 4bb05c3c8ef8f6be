"""The report as plain data: what JSON output prints and every other format renders."""

from __future__ import annotations

from typing import Any

from citeaudit.models import VERDICTS, Audit, AuditedCitation, Record


def matched_summary(record: Record | None) -> dict[str, Any] | None:
    return record.summary() if record is not None else None


def citation_entry(item: AuditedCitation, citation_id: int | None = None) -> dict[str, Any]:
    c, k = item.citation, item.check
    return {
        "id": citation_id,
        "kind": c.kind,
        "category": c.category,
        "text": c.text,
        "span": [c.start, c.end],
        "verdict": k.verdict,
        "reason": k.reason,
        "stated": c.fields.to_dict(),
        "matched": matched_summary(k.record),
        "differences": k.differences_dict(),
        "notes": list(k.notes) + ([c.note] if c.note else []),
        "score": k.score,
        "candidates": [r.summary() for r in k.candidates],
        "sources": dict(k.sources),
        "retracted": k.retracted,
        **({"linked_to": c.linked_to} if c.linked_to is not None else {}),
        **({"extra": c.extra} if c.extra else {}),
    }


def summarize(entries: list[dict[str, Any]]) -> dict[str, Any]:
    counts = {v: 0 for v in VERDICTS}
    by_kind: dict[str, dict[str, int]] = {}
    for e in entries:
        counts[e["verdict"]] = counts.get(e["verdict"], 0) + 1
        kind = by_kind.setdefault(e["kind"], {v: 0 for v in VERDICTS})
        kind[e["verdict"]] += 1
    return {"total": len(entries), **counts, "by_kind": by_kind,
            "retracted": sum(1 for e in entries if e.get("retracted"))}


def audit_to_dict(audit: Audit, citation_ids: list[int] | None = None, run: dict[str, Any] | None = None) -> dict[str, Any]:
    ids = citation_ids or [None] * len(audit.items)
    entries = [add_fix(citation_entry(it, cid)) for it, cid in zip(audit.items, ids)]
    for e in entries:  # `linked_to` is a position in this list; the id survives filtering (--problems)
        if e.get("linked_to") is not None and 0 <= e["linked_to"] < len(ids) and ids[e["linked_to"]] is not None:
            e["linked_to_id"] = ids[e["linked_to"]]
    d = audit.document
    from citeaudit.judge.credibility import credibility  # article credibility summary and headline

    cred = credibility(entries)
    return {
        "headline": cred["headline"],
        "article": {"source": d.source, "title": d.title, "kind": d.kind, "content_hash": d.content_hash,
                    **({"meta": d.meta} if d.meta else {})},
        "run": run or {"mode": "offline" if audit.offline else "online"},
        "summary": summarize(entries),
        "credibility": cred,
        "citations": entries,
    }


def apply_decisions(report: dict[str, Any], decisions: dict[int, dict[str, Any]],
                    withdrawn: dict[int, str] | None = None) -> dict[str, Any]:
    """Show editors' decisions in a report (in place; returned too): each accepted citation
    gets ``accepted`` (reason, when, by whom, the verdict it was accepted on), an acceptance
    withdrawn because the evidence changed becomes a note, and the summary counts them."""
    withdrawn = withdrawn or {}
    for e in report["citations"]:
        d = decisions.get(e.get("id"))
        if d is not None:
            e["accepted"] = {"reason": d["reason"], "at": d["accepted_at"], "by": d.get("accepted_by"),
                             "verdict": d["verdict"], "decision_id": d["id"]}
        elif e.get("id") in withdrawn:
            e["notes"] = [f"acceptance withdrawn: {withdrawn[e['id']]}", *(e.get("notes") or [])]
    report["summary"]["accepted"] = sum(1 for e in report["citations"] if e.get("accepted"))
    return report


def open_findings(report: dict[str, Any]) -> bool:
    """Whether something is mismatched or unfound and not accepted by an editor (exit code 1)."""
    return any(e["verdict"] in ("mismatched", "unfound") and not e.get("accepted") for e in report["citations"])


def add_fix(entry: dict[str, Any]) -> dict[str, Any]:
    """A mismatched reference-list entry gets ``fix``: the entry in the article's own wording
    with each wrong value replaced by the one found (``fix_fields`` rewritten; ``fix_unresolved``
    differing fields it could not rewrite). In place; returned too."""
    from citeaudit.judge.fix import suggest_fix

    if entry.get("verdict") != "mismatched" or entry.get("kind") != "reference" or not entry.get("differences"):
        return entry
    fix = suggest_fix(entry.get("text") or "", entry["differences"])
    if fix is not None:
        entry["fix"] = fix.text
        entry["fix_fields"] = fix.fields
        if fix.unresolved:
            entry["fix_unresolved"] = fix.unresolved
    return entry
