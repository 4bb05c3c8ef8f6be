#!/usr/bin/env python3
"""Real-world page sweep: mentions, quotes, notes, bios, claims and grey literature in pages written
the way the web writes them (fixtures/realworld/: a WordPress-style page with superscript footnotes
and an author box, a Markdown listicle with inline links and an APA "Sources" list, news prose with no
reference list, a mixed-style reading list, agency and press-release references).

Each page goes through `citeaudit run`'s path (AuditRunner: ingest, extract, resolve, verdict, store)
against the loopback emulator serving fixtures/records (limits off, no latency). Each labelled passage
(fixtures/realworld/labels.json) names a piece of the page's text and what a careful fact-checker
expects there: the kind and verdict of the citation covering it, whether it is linked to the entry it
repeats, or that nothing of some kind is extracted there.

    python bench/realworld.py                  # per-class figures
    python bench/realworld.py --show-errors    # and every passage judged wrongly
    python bench/realworld.py --json           # machine-readable
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from citeaudit.emulate import Corpus  # noqa: E402
from harness import fast_emulator, runner_on  # noqa: E402

SWEEP = ROOT / "fixtures" / "realworld"
RECORDS = ROOT / "fixtures" / "records"
CLASSES = ("reference", "grey", "note", "link", "mention", "quote", "bio", "byline", "claim")


def load_labels(sweep: Path = SWEEP) -> list[dict[str, Any]]:
    with open(sweep / "labels.json", encoding="utf-8") as fh:
        return json.load(fh)["passages"]


def _as_list(x: Any) -> list[Any] | None:
    return None if x is None else (list(x) if isinstance(x, (list, tuple)) else [x])


def judge_passage(label: dict[str, Any], text: str, items: list[Any]) -> dict[str, Any]:
    """What was reported for one labelled passage, and whether it is what the label expects."""
    pos = text.find(label["find"])
    if pos < 0:
        return {"ok": False, "reported": "text not found in the ingested page"}
    end = pos + len(label["find"])
    over = [it for it in items if it.citation.start < end and pos < it.citation.end]
    if label.get("absent"):
        bad = [it for it in over if it.citation.kind in label["absent"]]
        return {"ok": not bad, "reported": ", ".join(f"{it.citation.kind} {it.check.verdict}" for it in bad)
                or "nothing"}
    kinds = _as_list(label.get("kind"))
    cands = [it for it in over if kinds is None or it.citation.kind in kinds]
    if not cands:
        return {"ok": False, "reported": "not extracted",
                "got": [f"{it.citation.kind} {it.check.verdict}" for it in over]}
    want = label.get("record_has")
    if want:
        fitting = [it for it in cands if it.check.record and want.lower() in (it.check.record.title or "").lower()]
        cands = fitting or cands
    best = max(cands, key=lambda it: (min(it.citation.end, end) - max(it.citation.start, pos),
                                      -(it.citation.end - it.citation.start)))
    chk = best.check
    allowed = _as_list(label.get("verdict")) or []
    ok = chk.verdict in allowed
    if want and ok and chk.verdict != "unchecked":
        ok = bool(chk.record and want.lower() in (chk.record.title or "").lower())
    if label.get("linked") and best.citation.linked_to is None:
        ok = False
    return {"ok": ok, "reported": f"{best.citation.kind} {chk.verdict}"
            + (" linked" if best.citation.linked_to is not None else ""),
            "reason": chk.reason, "record": (chk.record.title if chk.record else None)}


def run_sweep(sweep: Path = SWEEP, records_dir: Path = RECORDS) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    labels = load_labels(sweep)
    pages = sorted({lab["page"] for lab in labels})
    out: list[tuple[dict[str, Any], dict[str, Any]]] = []
    corpus = Corpus().load_dir(records_dir)
    with tempfile.TemporaryDirectory(prefix="citeaudit-realworld-") as tmp, fast_emulator(corpus) as emu, \
            runner_on(emu, Path(tmp) / "sweep.db") as runner:
        for page in pages:
            result = runner.audit(str(sweep / page))
            text, items = result.audit.document.text, result.audit.items
            for lab in labels:
                if lab["page"] == page:
                    out.append((lab, judge_passage(lab, text, items)))
    return out


def figures(results: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    per: dict[str, dict[str, int]] = {}
    for lab, res in results:
        c = per.setdefault(lab["class"], {"n": 0, "right": 0})
        c["n"] += 1
        c["right"] += bool(res["ok"])
    grey_unfound = sum(1 for lab, res in results if lab["class"] == "grey" and res["reported"].endswith("unfound"))
    real_unfound = sum(1 for lab, res in results
                       if "unfound" not in (_as_list(lab.get("verdict")) or ["unfound"])
                       and res["reported"].split(" linked")[0].endswith("unfound"))
    return {"n": len(results), "right": sum(bool(r["ok"]) for _, r in results),
            "per_class": {k: per[k] for k in CLASSES if k in per},
            "grey_called_unfound": grey_unfound, "real_called_unfound": real_unfound,
            "errors": [{"id": lab["id"], "class": lab["class"], "find": lab["find"],
                        "expected": lab.get("verdict") or f"no {'/'.join(lab['absent'])}", **res}
                       for lab, res in results if not res["ok"]]}


def format_figures(f: dict[str, Any], show_errors: bool = False) -> str:
    lines = [f"real-world sweep: {f['right']}/{f['n']} passages right ({100 * f['right'] / f['n']:.0f}%)", "",
             f"{'class':<12}{'right':>8}{'n':>5}"]
    for k, c in f["per_class"].items():
        lines.append(f"{k:<12}{c['right']:>8}{c['n']:>5}")
    lines += ["", f"grey literature called unfound: {f['grey_called_unfound']}",
              f"real work (or not-fabricated passage) called unfound: {f['real_called_unfound']}"]
    if show_errors:
        lines.append("")
        for e in f["errors"]:
            lines.append(f"- {e['id']} [{e['class']}] expected {e['expected']}, reported {e['reported']}"
                         f"\n    {e['find']}" + (f"\n    reason: {e['reason']}" if e.get("reason") else "")
                         + (f"\n    others here: {e['got']}" if e.get("got") else ""))
    else:
        lines.append(f"wrong: {', '.join(e['id'] for e in f['errors']) or 'none'}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Real-world page sweep against the emulator.")
    ap.add_argument("--sweep", default=str(SWEEP))
    ap.add_argument("--records", default=str(RECORDS))
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    try:
        results = run_sweep(Path(a.sweep), Path(a.records))
    except (OSError, ValueError) as e:
        print(f"realworld: error: {e}", file=sys.stderr)
        return 2
    f = figures(results)
    if a.json:
        print(json.dumps(f, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_figures(f, a.show_errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
