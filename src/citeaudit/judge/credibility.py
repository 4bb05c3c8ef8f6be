"""Article credibility summary: counts by kind and verdict, the bio verdict, uncited claims,
and a one-line plain-language headline. Pure, over the report's citation entries."""

from __future__ import annotations

from typing import Any

from citeaudit.models import VERDICTS

SEVERITY = {"unfound": 3, "mismatched": 2, "verified": 1, "unchecked": 0}


def credibility(entries: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind: dict[str, dict[str, int]] = {}
    for e in entries:
        by_kind.setdefault(e["kind"], {v: 0 for v in VERDICTS})[e["verdict"]] += 1
    # distinct sources: a quote or mention repeating a reference-list entry is counted once
    counted = [e for e in entries if e["kind"] in ("reference", "mention") and e.get("linked_to") is None
               and e["category"] == "scholarly"]
    works = {v: sum(1 for e in counted if e["verdict"] == v) for v in VERDICTS}
    loose_quotes = sum(1 for e in entries if e["kind"] == "quote" and e.get("linked_to") is None)
    bios = [e for e in entries if e["kind"] == "bio"]
    bio = max((e["verdict"] for e in bios), key=lambda v: SEVERITY[v], default=None)
    claims = [e["text"] for e in entries if e["kind"] == "claim"]
    resolvable = len(counted)
    out = {"by_kind": by_kind, "sources": works, "resolvable": resolvable, "bio": bio,
           "bio_names": [e.get("extra", {}).get("name") for e in bios],
           "uncited_claims": len(claims), "uncited_claim_texts": claims, "unsourced_quotes": loose_quotes}
    out["headline"] = headline(out)
    return out


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def headline(c: dict[str, Any]) -> str:
    s = c["sources"]
    parts = []
    if c["resolvable"] == 0:
        parts.append("No checkable scholarly source")
    else:
        bits = [f"{s['verified']} verified"]
        if s["mismatched"]:
            bits.append(f"{s['mismatched']} with wrong details")
        if s["unfound"]:
            bits.append(f"{s['unfound']} not found anywhere (possibly fabricated)")
        if s["unchecked"]:
            bits.append(f"{s['unchecked']} could not be checked")
        parts.append(f"{_n(c['resolvable'], 'scholarly source')}: " + ", ".join(bits))
    if c["uncited_claims"]:
        parts.append(f"{_n(c['uncited_claims'], 'research claim')} with no source")
    if c.get("unsourced_quotes"):
        parts.append(f"{_n(c['unsourced_quotes'], 'quotation')} of an unnamed source")
    if c["bio"] == "unfound":
        parts.append("author bio claims with no trace in PubMed or Crossref")
    elif c["bio"] == "mismatched":
        parts.append("author bio overstates the author's publications")
    elif c["bio"] == "verified":
        parts.append("author bio checks out")
    return "; ".join(parts) + "."
