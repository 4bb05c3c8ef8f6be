"""Verdicts for author bios from the evidence sources/authors.py gathered. Pure.

Per claim and for the bio: verified (publications on the claimed topic under that name;
the journal exists), mismatched (the person publishes, but not on what is claimed), unfound
(no trace: no work on the topic under any author of that name; a journal no index knows),
unchecked (degrees, institutions, and anything a failed source could not answer).
A common name is reported as a count of same-named authors, never as a match.
"""

from __future__ import annotations

from typing import Any

from citeaudit.models import MISMATCHED, UNCHECKED, UNFOUND, VERIFIED, Check, Citation

COMMON_NAME = 300  # PubMed works under "Family I" above which a topic hit may be a stranger
ORDER = {UNFOUND: 3, MISMATCHED: 2, VERIFIED: 1, UNCHECKED: 0}


def _topic_claim(topic: str, row: dict, name: str, total: int | None) -> dict[str, Any]:
    counts = {k: v for k, v in row.items() if v is not None}
    failed = [k for k, v in row.items() if v is None]
    shown = ", ".join(f"{k} {v}" for k, v in counts.items())
    if not counts:
        return {"claim": f"publishes on {topic}", "verdict": UNCHECKED, "detail": "the author searches failed"}
    hits = max(counts.values())
    if hits == 0 and failed:
        # no verdict from a partial answer: the source that failed may hold the works
        return {"claim": f"publishes on {topic}", "verdict": UNCHECKED, "counts": counts,
                "detail": f"no work on {topic} by an author named {name} in {shown}, but "
                          f"{' and '.join(failed)} could not be asked"}
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


def _paper_claim(p: dict, name: str) -> dict[str, Any]:
    where = ", ".join(str(x) for x in (p.get("journal"), p.get("year")) if x)
    claim = f"paper {p['title']!r}" + (f" ({where})" if where else "")
    detail = {VERIFIED: f"{name} is an author of {p['title']!r}: {p['reason']}",
              MISMATCHED: f"{p['title']!r} exists, with a detail wrong: {p['reason']}",
              UNFOUND: f"no paper {p['title']!r} by {name} ({p['reason']})",
              UNCHECKED: f"could not check {p['title']!r}: {p['reason']}"}[p["verdict"]]
    return {"claim": claim, "verdict": p["verdict"], "detail": detail, "kind": "paper"}


def publishes(ev: dict[str, Any]) -> int | None:
    """How many works the indexes hold under the bio's name (None: unknown, or too common to tell)."""
    totals = ev.get("name_total") or {}
    pubmed, named = totals.get("pubmed"), totals.get("crossref_named")
    if pubmed is not None and pubmed > COMMON_NAME:
        return None
    known = [n for n in (pubmed, named) if n is not None]
    return max(known) if known else None


def bio_claim_verdicts(c: Citation, ev: dict[str, Any]) -> list[dict[str, Any]]:
    name = ev.get("query_name") or c.extra.get("name", "")
    total = (ev.get("name_total") or {}).get("pubmed")
    out = [_paper_claim(p, name) for p in ev.get("papers") or []]
    out += [_topic_claim(t, row, name, total) for t, row in (ev.get("topics") or {}).items()]
    out += [dict(_journal_claim(j, row), kind="journal") for j, row in (ev.get("journals") or {}).items()]
    for d in c.extra.get("degrees", []):
        out.append({"claim": f"degree {d}", "verdict": UNCHECKED, "detail": "no bibliographic index can test a degree"})
    for inst in c.extra.get("institutions", []):
        out.append({"claim": f"institution {inst}", "verdict": UNCHECKED,
                    "detail": "affiliations are not checked"})
    return out


def evidence_sources(ev: dict[str, Any]) -> dict[str, str]:
    """Each service asked for the bio, "ok" or its first error ("nlm catalog" is PubMed's)."""
    status: dict[str, str] = {}
    for name in ("pubmed", "crossref"):
        if name in (ev.get("asked") or ()):
            status[name] = "ok"
    for error in ev.get("errors", []):
        what, _, detail = error.partition(": ")
        name = "pubmed" if what == "nlm catalog" else what
        if status.get(name, "ok") == "ok":
            status[name] = detail or error
    return status


def judge_bio(c: Citation, ev: dict[str, Any] | None, offline: bool = False) -> Check:
    if offline or ev is None or ev.get("offline"):
        return Check(UNCHECKED, "offline: author and journal searches need Crossref and PubMed")
    check = _judge_bio(c, ev)
    check.sources = evidence_sources(ev)
    return check


def _judge_bio(c: Citation, ev: dict[str, Any]) -> Check:
    claims = bio_claim_verdicts(c, ev)
    c.extra["claims_checked"] = claims
    notes = [f"{x['verdict']}: {x['claim']} — {x['detail']}" for x in claims]
    notes += [f"source error: {e}" for e in ev.get("errors", [])]
    testable = [x for x in claims if x["verdict"] != UNCHECKED]
    if not testable:
        counted = [x["detail"] for x in claims if x.get("counts")]
        why = "; ".join(counted or ev.get("errors", [])) or "no claim an index can test"
        return Check(UNCHECKED, f"could not check the bio: {why}", notes=notes)
    name = ev.get("query_name") or c.extra.get("name", "")
    fake_journal = [x for x in testable if x.get("kind") == "journal" and x["verdict"] == UNFOUND]
    unfound = [x for x in testable if x["verdict"] == UNFOUND]
    n = publishes(ev)
    if unfound and not fake_journal and n:
        # the person publishes, but not what the bio claims: mismatched, naming what is missing
        reason = f"{name} publishes ({n} work{'s' if n != 1 else ''} found under that name), but: " + "; ".join(x["detail"] for x in unfound)
        return Check(MISMATCHED, reason, notes=notes)
    worst = max(testable, key=lambda x: ORDER[x["verdict"]])
    verdict = worst["verdict"]
    chosen = fake_journal or [x for x in testable if x["verdict"] == verdict]
    reason = "; ".join(x["detail"] for x in chosen)
    if verdict == UNFOUND and not fake_journal:
        reason += f"; no trace of works by {name}" if n == 0 else ""
    return Check(verdict, reason, notes=notes)
