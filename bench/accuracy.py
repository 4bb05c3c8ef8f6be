#!/usr/bin/env python3
"""Verdict accuracy of the whole pipeline on the labelled corpus fixtures/eval/citations.jsonl.

Each citation is embedded in an article (reference entries in reference-list articles of
a few entries each, mentions and bios in running text), and every article goes through
`citeaudit run`'s path (AuditRunner: ingest, extract, resolve, verdict, store) against the
loopback emulator serving fixtures/records (limits off, no latency). Extracted citations
are mapped back to corpus items by their span.

    python bench/accuracy.py                  # figures
    python bench/accuracy.py --show-errors    # and every citation that went wrong
    python bench/accuracy.py --json           # machine-readable
    python bench/accuracy.py --limit 40       # a quick slice

Reference citations are scored in one block (the published figures); narrative mentions
and bios in another, since their extraction is separate work.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from citeaudit.emulate import Corpus  # noqa: E402
from harness import fast_emulator, runner_on  # noqa: E402
from citeaudit.models import MISMATCHED, UNCHECKED, UNFOUND, VERIFIED  # noqa: E402

CORPUS = ROOT / "fixtures" / "eval" / "citations.jsonl"
RECORDS = ROOT / "fixtures" / "records"
MISSED = "not extracted"
EXPECTED = (VERIFIED, MISMATCHED, UNFOUND)
REPORTED = (VERIFIED, MISMATCHED, UNFOUND, UNCHECKED, MISSED)
PER_ARTICLE = 8
MARKERS = ("• ", "{n}. ", "[{n}] ", "- ", "")

FILLER = [
    "Interest in this topic has grown quickly, and readers often ask what the research actually says.",
    "We looked at the published evidence and summarise it below, with the sources we relied on.",
    "As always, talk to your doctor before changing any treatment.",
    "Results differ between studies, and many of them are small.",
]


@dataclass
class Placed:
    item: int  # index into the corpus list
    start: int
    end: int


@dataclass
class Article:
    name: str
    text: str
    placed: list[Placed] = field(default_factory=list)


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sample(items: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """About n items spread evenly over the corpus (so every category is represented)."""
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(k * step)] for k in range(n)]


def build_articles(items: list[dict[str, Any]], seed: int = 8, per_article: int = PER_ARTICLE) -> list[Article]:
    """Reference items in reference-list articles; mentions and bios in running text."""
    rng = random.Random(seed)
    refs = [i for i, it in enumerate(items) if it["kind"] == "reference"]
    prose = [i for i, it in enumerate(items) if it["kind"] != "reference"]
    rng.shuffle(refs)
    articles: list[Article] = []
    for a, start in enumerate(range(0, len(refs), per_article)):
        chunk = refs[start:start + per_article]
        marker = MARKERS[a % len(MARKERS)]
        text = f"What the research says, part {a + 1}\n\n" + "\n\n".join(rng.sample(FILLER, 2)) + "\n\nReferences\n\n"
        art = Article(f"refs-{a:03d}.txt", "")
        for n, i in enumerate(chunk, 1):
            prefix = marker.format(n=n)
            s = len(text) + len(prefix)
            text += prefix + items[i]["text"]
            art.placed.append(Placed(i, s, s + len(items[i]["text"])))
            text += "\n\n" if not marker else "\n"
        art.text = text
        articles.append(art)
    for a, start in enumerate(range(0, len(prose), 4)):
        chunk = prose[start:start + 4]
        text = f"Notes on the evidence, part {a + 1}\n\n{FILLER[a % len(FILLER)]}\n\n"
        art = Article(f"prose-{a:03d}.txt", "")
        for i in chunk:
            s = len(text)
            text += items[i]["text"]
            art.placed.append(Placed(i, s, s + len(items[i]["text"])))
            text += "\n\n" + rng.choice(FILLER) + "\n\n"
        art.text = text
        articles.append(art)
    return articles


def _outcome(placed: Placed, audit_items) -> dict[str, Any]:
    """The reported verdict for one placed item: the extracted citation overlapping it most."""
    best, overlap = None, 0
    for it in audit_items:
        o = min(it.citation.end, placed.end) - max(it.citation.start, placed.start)
        if o > overlap:
            best, overlap = it, o
    if best is None:
        return {"reported": MISSED, "fields": [], "reason": "no citation extracted from this text"}
    chk = best.check
    return {"reported": chk.verdict, "fields": [d.field for d in chk.differences], "reason": chk.reason,
            "parsed": best.citation.fields.to_dict(), "kind": best.citation.kind,
            "record": (chk.record.doi or chk.record.pmid or chk.record.title) if chk.record else None}


def run_eval(items: list[dict[str, Any]], records_dir: Path = RECORDS, seed: int = 8) -> list[dict[str, Any]]:
    """Run every item through the pipeline; one outcome dict per item (same order)."""
    outcomes: list[dict[str, Any] | None] = [None] * len(items)
    articles = build_articles(items, seed)
    corpus = Corpus().load_dir(records_dir)
    with tempfile.TemporaryDirectory(prefix="citeaudit-eval-") as tmp, fast_emulator(corpus) as emu, \
            runner_on(emu, Path(tmp) / "eval.db") as runner:
        for art in articles:
            path = Path(tmp) / art.name
            path.write_text(art.text, encoding="utf-8")
            result = runner.audit(str(path))
            assert result.audit.document.text == art.text, "ingest changed the article text"
            for p in art.placed:
                outcomes[p.item] = _outcome(p, result.audit.items)
    return [o or {"reported": MISSED, "fields": []} for o in outcomes]


# --- scoring -----------------------------------------------------------------------------------


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def score(items: list[dict[str, Any]], outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """Confusion matrix and rates for one set of items."""
    matrix = {e: {r: 0 for r in REPORTED} for e in EXPECTED}
    for it, out in zip(items, outcomes):
        matrix[it["expected_verdict"]][out["reported"]] += 1
    per_verdict = {}
    for v in EXPECTED:
        tp = matrix[v][v]
        predicted = sum(matrix[e][v] for e in EXPECTED)
        actual = sum(matrix[v].values())
        per_verdict[v] = {"precision": _rate(tp, predicted), "recall": _rate(tp, actual), "n": actual}
    pairs = list(zip(items, outcomes))
    real = [o for it, o in pairs if it["expected_verdict"] == VERIFIED]
    wrong = [o for it, o in pairs if it["expected_verdict"] != VERIFIED]
    fabricated = [o for it, o in pairs if it["expected_verdict"] == UNFOUND]
    mism = [(it, o) for it, o in pairs if it["expected_verdict"] == MISMATCHED]
    caught = [(it, o) for it, o in mism if o["reported"] == MISMATCHED]
    named = [1 for it, o in caught if set(it["expected_fields"]) <= set(o["fields"])]
    exact = [1 for it, o in caught if set(it["expected_fields"]) == set(o["fields"])]
    return {
        "n": len(items),
        "matrix": matrix,
        "per_verdict": per_verdict,
        "accuracy": _rate(sum(matrix[v][v] for v in EXPECTED), len(items)),
        "real_called_unfound": _rate(sum(o["reported"] == UNFOUND for o in real), len(real)),
        "real_not_extracted": _rate(sum(o["reported"] == MISSED for o in real), len(real)),
        "wrong_or_fabricated_called_verified": _rate(sum(o["reported"] == VERIFIED for o in wrong), len(wrong)),
        "fabricated_called_verified": _rate(sum(o["reported"] == VERIFIED for o in fabricated), len(fabricated)),
        "mismatched_recall": _rate(len(caught), len(mism)),
        "field_named_correctly": _rate(len(named), len(caught)),
        "fields_exact": _rate(len(exact), len(caught)),
    }


def evaluate(items: list[dict[str, Any]], outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    refs = [(it, o) for it, o in zip(items, outcomes) if it["section"] == "references"]
    prose = [(it, o) for it, o in zip(items, outcomes) if it["section"] != "references"]
    res = {"references": score([a for a, _ in refs], [b for _, b in refs])}
    if prose:
        res["mentions"] = score([a for a, _ in prose], [b for _, b in prose])
    errors = []
    for it, o in zip(items, outcomes):
        ok = o["reported"] == it["expected_verdict"] and (
            it["expected_verdict"] != MISMATCHED or set(it["expected_fields"]) <= set(o["fields"]))
        if not ok:
            errors.append({"id": it["id"], "category": it["category"], "style": it["style"],
                           "expected": it["expected_verdict"], "expected_fields": it["expected_fields"],
                           "reported": o["reported"], "reported_fields": o["fields"], "text": it["text"],
                           "perturbation": it["perturbation"], "reason": o.get("reason"),
                           "parsed": o.get("parsed")})
    res["errors"] = errors
    return res


# --- printing ------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "   -" if x is None else f"{100 * x:5.1f}%"


def format_block(title: str, s: dict[str, Any]) -> str:
    lines = [f"== {title}: {s['n']} citations ==", ""]
    head = f"{'expected / reported':<22}" + "".join(f"{r:>15}" for r in REPORTED) + f"{'total':>8}"
    lines.append(head)
    for e in EXPECTED:
        row = s["matrix"][e]
        lines.append(f"{e:<22}" + "".join(f"{row[r]:>15}" for r in REPORTED) + f"{sum(row.values()):>8}")
    lines += ["", f"{'verdict':<12}{'precision':>10}{'recall':>10}{'n':>6}"]
    for v, pv in s["per_verdict"].items():
        lines.append(f"{v:<12}{_pct(pv['precision']):>10}{_pct(pv['recall']):>10}{pv['n']:>6}")
    lines += [
        "",
        f"accuracy (verdict)                       {_pct(s['accuracy'])}",
        f"real works called unfound                {_pct(s['real_called_unfound'])}   (target <= 1%)",
        f"real works not extracted                 {_pct(s['real_not_extracted'])}",
        f"wrong or fabricated called verified      {_pct(s['wrong_or_fabricated_called_verified'])}",
        f"fabricated called verified               {_pct(s['fabricated_called_verified'])}   (target <= 2%)",
        f"mismatched recall                        {_pct(s['mismatched_recall'])}   (target >= 90%)",
        f"  differing field named correctly        {_pct(s['field_named_correctly'])}   (target >= 90%)",
        f"  reported fields exactly the expected   {_pct(s['fields_exact'])}",
    ]
    return "\n".join(lines)


def format_report(res: dict[str, Any], show_errors: bool = False, verbose: bool = False) -> str:
    out = [format_block("reference entries", res["references"])]
    if "mentions" in res:
        out.append(format_block("narrative mentions and bios (scored separately)", res["mentions"]))
    errs = res["errors"]
    n_ref = sum(e["category"] in ("real", "mismatch", "fabricated") for e in errs)
    out.append(f"error cases: {len(errs)} ({n_ref} reference entries, {len(errs) - n_ref} mentions/bios)"
               + ("" if show_errors else "; --show-errors lists them"))
    if show_errors:
        for e in errs:
            fields = f" {e['expected_fields']}->{e['reported_fields']}" if e["expected"] == MISMATCHED or e["reported_fields"] else ""
            out.append(f"- {e['id']} [{e['style']}] expected {e['expected']}, reported {e['reported']}{fields}"
                       f" ({e['perturbation']})\n    {e['text']}\n    reason: {e['reason']}"
                       + (f"\n    parsed: {e['parsed']}" if verbose and e.get("parsed") else ""))
    return "\n\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Verdict accuracy on the labelled corpus, against the emulator.")
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--records", default=str(RECORDS))
    ap.add_argument("--limit", type=int, default=None, help="only the first N citations")
    ap.add_argument("--section", choices=("references", "mentions", "all"), default="all")
    ap.add_argument("--show-errors", action="store_true", help="list every citation judged wrongly")
    ap.add_argument("--json", action="store_true", help="print the figures (and errors) as JSON")
    ap.add_argument("--only", default=None, help="comma-separated ids (or id prefixes) to run")
    ap.add_argument("--verbose", action="store_true", help="with --show-errors: the parsed fields too")
    a = ap.parse_args(argv)
    try:
        items = load_corpus(Path(a.corpus))
    except (OSError, ValueError) as e:
        print(f"accuracy: error: cannot read {a.corpus}: {e}", file=sys.stderr)
        return 2
    if a.section != "all":
        items = [it for it in items if it["section"] == a.section]
    if a.only:
        wanted = [w.strip() for w in a.only.split(",") if w.strip()]
        items = [it for it in items if any(it["id"].startswith(w) for w in wanted)]
    if a.limit:
        items = sample(items, a.limit)
    outcomes = run_eval(items, Path(a.records))
    res = evaluate(items, outcomes)
    if a.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_report(res, a.show_errors, a.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
