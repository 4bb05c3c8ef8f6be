#!/usr/bin/env python3
"""How good is the suggested fix (`fix:` / JSON `fix`) of a mismatched reference?

Takes the reference entries of the labelled corpus (fixtures/eval/citations.jsonl) that
state exactly one detail wrong (140: year, journal, first author, title, volume, pages or a
DOI of another work), audits them as bench/accuracy.py does (every article through `citeaudit
run`'s path, against the loopback emulator serving fixtures/records), then audits each
suggested fix in the same way and counts how many come back verified.

    python bench/fix.py
    python bench/fix.py --show 10      # and some fixes that did not verify
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import RECORDS, build_articles, load_corpus  # noqa: E402
from citeaudit.emulate import Corpus  # noqa: E402
from harness import fast_emulator, runner_on  # noqa: E402


def audit_entries(items: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """The report entry (as `--format json` prints it) of each item, in order."""
    out: list[dict[str, Any] | None] = [None] * len(items)
    corpus = Corpus().load_dir(RECORDS)
    with tempfile.TemporaryDirectory(prefix="citeaudit-fix-") as tmp, fast_emulator(corpus) as emu, \
            runner_on(emu, Path(tmp) / "fix.db") as runner:
        for art in build_articles(items):
            path = Path(tmp) / art.name
            path.write_text(art.text, encoding="utf-8")
            entries = runner.audit(str(path)).report["citations"]
            for p in art.placed:
                best = max(entries, default=None,
                           key=lambda e: min(e["span"][1], p.end) - max(e["span"][0], p.start))
                if best is not None and min(best["span"][1], p.end) > max(best["span"][0], p.start):
                    out[p.item] = best
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print N fixes that did not verify")
    args = ap.parse_args(argv)
    items = [it for it in load_corpus() if it["kind"] == "reference" and it["expected_verdict"] == "mismatched"]
    first = audit_entries(items)
    fixed = [(it, e) for it, e in zip(items, first) if e and e["verdict"] == "mismatched" and e.get("fix")]
    complete = [x for x in fixed if not x[1].get("fix_unresolved")]
    second = audit_entries([{**it, "text": e["fix"]} for it, e in fixed])
    verdicts = Counter(e["verdict"] if e else "not extracted" for e in second)
    by_field: dict[str, Counter] = {}
    for (it, e), again in zip(fixed, second):
        by_field.setdefault(",".join(e["fix_fields"]), Counter())[again["verdict"] if again else "not extracted"] += 1
    n = len(items)
    mismatched = sum(1 for e in first if e and e["verdict"] == "mismatched")
    print(f"one-detail-wrong reference entries: {n}; called mismatched: {mismatched}")
    print(f"with a suggested fix: {len(fixed)} ({len(fixed) / max(mismatched, 1):.1%} of the mismatched); "
          f"complete (every differing field rewritten): {len(complete)}")
    print(f"fixes audited again: {dict(verdicts)}; verified {verdicts['verified']}/{len(fixed)} "
          f"({verdicts['verified'] / max(len(fixed), 1):.1%})")
    for fields, counts in sorted(by_field.items()):
        print(f"  {fields:<20} {dict(counts)}")
    shown = 0
    for (it, e), again in zip(fixed, second):
        if shown < args.show and (again is None or again["verdict"] != "verified"):
            shown += 1
            print(f"\n{it['id']} {it['perturbation']}\n  stated: {it['text']}\n  fix:    {e['fix']}\n"
                  f"  again:  {again and again['verdict']}: {again and again['reason']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
