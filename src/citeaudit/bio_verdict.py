"""Verdicts for author bios from the evidence sources/authors.py gathered. Pure.

Per claim and for the bio: verified (publications on the claimed topic under that name;
the journal exists), mismatched (the person publishes, but not on what is claimed), unfound
(no trace: no work on the topic under any author of that name; a journal no index knows),
unchecked (degrees, institutions, and anything a failed source could not answer).
A common name is reported as a count of same-named authors, never as a match.
"""

from __future__ import annotations

from typing import Any

from .models import MISMATCHED, UNCHECKED, UNFOUND, VERIFIED, Check, Citation

COMMON_NAME = 300  # PubMed works under "Family I" above which a topic hit may be a stranger
ORDER = {UNFOUND: 3, MISMATCHED: 2, VERIFIED: 1, UNCHECKED: 0}


def _topic_claim(topic: str, row: dict, name: str, total: int | None) -> dict[str, Any]:
    counts = {k: v for k, v in row.items() if v is not None}
    shown = ", ".join(f"{k} {v}" for k, v in counts.items())
    if not counts:
        return {"claim": f"publishes on {topic}", "verdict": UNCHECKED, "detail": "the author searches failed"}
    hits = max(counts.values())
    if hits > 0:
        if total is not None and total > COMMON_NAME:
            return {"claim": f"publishes on {topic}", "verdict": UNCHECKED, "counts": counts,
                    "detail": f"{hits} works on {topic} by authors named {name} ({shown}); a common name "
                              f"({total} PubMed works), so they may be other people"}
        return {"claim": f"publishes on {topic}", "verdict": VERIFIED, "counts": counts,
                "detail": f"{hits} works on {topic} by an author named {name} ({shown})"}
    if total and total <= COMMON_NAME:
        return {"claim": f"publishes on {topic}", "verdict": MISMATCHED, "counts": counts,
                "detail": f"{name} has {total} PubMed works, none on {topic}"}
    return {"claim": f"publishes on {topic}", "verdict": UNFOUND, "counts": counts,
            "detail": f"no work on {topic} by any author named {name} ({shown})"}


def _journal_claim(journal: str, row: dict) -> dict[str, Any]:
    known = [v for v in row.values() if v is not None]
    if any(known):
        where = " and ".join(k for k, v in row.items() if v)
        return {"claim": f"journal {journal}", "verdict": VERIFIED, "detail": f"a known journal ({where})"}
    if known and len(known) == len(row):
        return {"claim": f"journal {journal}", "verdict": UNFOUND,
                "detail": f"{journal!r} is not a known journal (not in Crossref journals or the NLM catalog)"}
    return {"claim": f"journal {journal}", "verdict": UNCHECKED, "detail": "the journal look-ups failed"}


def bio_claim_verdicts(c: Citation, ev: dict[str, Any]) -> list[dict[str, Any]]:
    name = ev.get("query_name") or c.extra.get("name", "")
    total = (ev.get("name_total") or {}).get("pubmed")
    out = [_topic_claim(t, row, name, total) for t, row in (ev.get("topics") or {}).items()]
    out += [_journal_claim(j, row) for j, row in (ev.get("journals") or {}).items()]
    for d in c.extra.get("degrees", []):
        out.append({"claim": f"degree {d}", "verdict": UNCHECKED, "detail": "no bibliographic index can test a degree"})
    for inst in c.extra.get("institutions", []):
        out.append({"claim": f"institution {inst}", "verdict": UNCHECKED,
                    "detail": "affiliations are not checked"})
    return out


def judge_bio(c: Citation, ev: dict[str, Any] | None, offline: bool = False) -> Check:
    if offline or ev is None or ev.get("offline"):
        return Check(UNCHECKED, "offline: author and journal searches need Crossref and PubMed")
    claims = bio_claim_verdicts(c, ev)
    c.extra["claims_checked"] = claims
    notes = [f"{x['verdict']}: {x['claim']} — {x['detail']}" for x in claims]
    notes += [f"source error: {e}" for e in ev.get("errors", [])]
    testable = [x for x in claims if x["verdict"] != UNCHECKED]
    if not testable:
        counted = [x["detail"] for x in claims if x.get("counts")]
        why = "; ".join(counted or ev.get("errors", [])) or "no claim an index can test"
        return Check(UNCHECKED, f"could not check the bio: {why}", notes=notes)
    worst = max(testable, key=lambda x: ORDER[x["verdict"]])
    verdict = worst["verdict"]
    reason = "; ".join(x["detail"] for x in testable if x["verdict"] == verdict)
    return Check(verdict, reason, notes=notes)
