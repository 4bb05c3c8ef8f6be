#!/usr/bin/env python3
"""Reference matching on public strings we did not write: does each reference find its own work?

Data: the Crossref reference-matching evaluation set (refmatch-dev, see
../shared/benchdata/README.md): the same 1,463 real works rendered by citeproc in 8 styles
(``strings.jsonl``: style, ref_string, doi) and the works as Crossref messages
(``records.json``). Every string is a correct citation of a real work, so the only right
outcome is "verified" with the string's own DOI.

The loopback emulator (limits off, no latency) serves the project's fixture records
(fixtures/records, as distractors, the only PubMed side) plus every work of records.json on
the Crossref side. The same works (same DOIs, same order) are taken in every style; per
style, chunks of 25 strings become plain-text articles (title line, filler paragraph,
"References" heading, one entry per line; list markers renumbered 1..25 as a real list
would, keeping the style's spacing), and the style's articles go through `citeaudit run`'s
path (AuditRunner.audit_many: ingest, extract, resolve, judge, store) with a fresh database
and reset request counters. Extracted citations are mapped back to the placed strings by
character-span overlap.

    python bench/refmatch.py --data ../shared/benchdata/refmatch-dev               # 150 works per style
    python bench/refmatch.py --data ../shared/benchdata/refmatch-dev --all         # all 1,463 x 8
    python bench/refmatch.py --data DIR --style ieee,apa --per-style 60 --show-errors 5
    python bench/refmatch.py --data DIR --json
    python bench/refmatch.py --data DIR --blank-lines   # entries a blank line apart (isolates entry splitting)

Columns per style (verified .. not extracted partition n):
  right work    the check's record DOI equals the truth DOI (case-insensitive), any verdict
  verified      verified, right work
  mismatched    mismatched, right work (false alarms: every string is a correct citation)
  wrong work    verified or mismatched with another record (wrong DOI, or a record without one)
  unfound / unchecked / not extracted (no extracted citation overlaps the string)
  req/ref       Crossref + E-utilities requests / n, then split: crossref query (/works?..., /journals),
                crossref doi (/works/{doi}), eutils
Targets, in every style: right work >= 99%, unfound <= 0.3%, mismatched <= 1% (a verified or
mismatched verdict on another work counts under "wrong work", and against right work, not here).
Also printed: how many strings share their extracted citation with a neighbour (merged entries).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from citeaudit.ingest.document import clean_text  # noqa: E402
from citeaudit.emulate import Corpus, Emulator  # noqa: E402
from harness import fast_emulator, runner_on  # noqa: E402
from citeaudit.models import MISMATCHED, UNCHECKED, UNFOUND, VERIFIED  # noqa: E402

RECORDS = ROOT / "fixtures" / "records"
PER_ARTICLE = 25
MISSED = "not extracted"
WRONG = "wrong work"
OUTCOMES = (VERIFIED, MISMATCHED, WRONG, UNFOUND, UNCHECKED, MISSED)
POOLS = ("crossref-query", "crossref-doi", "eutils")
TARGETS = {"right": (">=", 0.99), UNFOUND: ("<=", 0.003), MISMATCHED: ("<=", 0.01)}
# the list marker of item 1 at the start of a string: "(1) ", "1 ", "[1] ", "[1]"
MARKER = re.compile(r"^(?:\((?P<paren>1)\)|\[(?P<bracket>1)\]|(?P<bare>1)(?= ))(?P<space> ?)")

FILLER = [
    "Interest in this topic has grown quickly, and readers often ask what the research actually says.",
    "We looked at the published evidence and summarise it below, with the sources we relied on.",
    "Results differ between studies, and many of them are small.",
]


@dataclass
class Placed:
    index: int  # position of the work in the sample
    start: int
    end: int
    entry: str  # the string as placed in the article (list marker renumbered)


@dataclass
class Article:
    name: str
    text: str = ""
    placed: list[Placed] = field(default_factory=list)


# --- data -----------------------------------------------------------------------------------


def load_data(data: Path) -> tuple[dict[str, dict[str, str]], list[dict[str, Any]], list[str]]:
    """({style: {doi (lower-case): ref_string}}, Crossref messages, DOIs in file order)."""
    strings: dict[str, dict[str, str]] = defaultdict(dict)
    order: dict[str, None] = {}
    with open(data / "strings.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                doi = row["doi"].strip().lower()
                strings[row["style"]][doi] = row["ref_string"]
                order.setdefault(doi)
    records = json.loads((data / "records.json").read_text(encoding="utf-8"))
    return dict(strings), records, list(order)


def choose_works(strings: dict[str, dict[str, str]], dois: list[str], n: int | None, seed: int) -> list[str]:
    """n DOIs (all if None) present in every style, in a seeded random order."""
    common = [d for d in dois if all(d in by_doi for by_doi in strings.values())]
    rng = random.Random(seed)
    return rng.sample(common, len(common) if n is None else min(n, len(common)))


def renumber(ref: str, k: int) -> str:
    """The string with its item-1 list marker replaced by item k's, same brackets and spacing."""
    m = MARKER.match(ref)
    if not m:
        return ref
    if m.group("paren"):
        marker = f"({k})"
    elif m.group("bracket"):
        marker = f"[{k}]"
    else:
        marker = str(k)
    return marker + m.group("space") + ref[m.end():]


def build_articles(style: str, refs: list[str], per_article: int = PER_ARTICLE, gap: str = "\n") -> list[Article]:
    """Chunks of `per_article` strings, each chunk one plain-text reference-list article
    (entries separated by `gap`: one per line by default)."""
    articles = []
    for a, start in enumerate(range(0, len(refs), per_article)):
        art = Article(f"{style}-{a:03d}.txt")
        filler = f"{FILLER[a % len(FILLER)]} {FILLER[(a + 1) % len(FILLER)]}"
        text = f"What the research says, part {a + 1}\n\n{filler}\n\nReferences\n\n"
        for k, ref in enumerate(refs[start:start + per_article], 1):
            # control characters (one string carries C1 bytes of mojibake) are dropped at ingest,
            # as in any article: place the string as ingest will keep it, so spans still map
            entry = clean_text(renumber(ref, k))
            art.placed.append(Placed(start + k - 1, len(text), len(text) + len(entry), entry))
            text += entry + gap
        art.text = text
        articles.append(art)
    return articles


# --- running --------------------------------------------------------------------------------


def _overlap(start: int, end: int, placed: Placed) -> int:
    return min(end, placed.end) - max(start, placed.start)


def _outcome(placed: Placed, truth: str, audit_items, article: Article) -> dict[str, Any]:
    """The outcome for one placed string: the extracted citation overlapping it most."""
    best, overlap = None, 0
    for it in audit_items:
        o = _overlap(it.citation.start, it.citation.end, placed)
        if o > overlap:
            best, overlap = it, o
    if best is None:
        return {"outcome": MISSED, "verdict": None, "right": False, "record_doi": None, "spans": 0,
                "reason": "no citation extracted from this text", "parsed": None}
    chk = best.check
    record_doi = ((chk.record.doi or "").lower() or None) if chk.record else None
    right = record_doi == truth
    outcome = chk.verdict
    if chk.verdict in (VERIFIED, MISMATCHED) and not right:
        outcome = WRONG
    # how many placed strings that citation covers: > 1 when the extractor merged neighbouring entries
    spans = sum(_overlap(best.citation.start, best.citation.end, p) > 0 for p in article.placed)
    return {"outcome": outcome, "verdict": chk.verdict, "right": right, "record_doi": record_doi, "spans": spans,
            "record": (chk.record.pmid or chk.record.title) if chk.record and not record_doi else None,
            "reason": chk.reason, "fields": [d.field for d in chk.differences],
            "parsed": best.citation.fields.to_dict(), "extracted": best.citation.text}


def run_style(emu: Emulator, style: str, refs: list[str], truths: list[str], tmp: Path,
              gap: str = "\n") -> tuple[list[dict], dict]:
    """Audit one style's articles in one runner (fresh database); outcomes in sample order, stats."""
    articles = build_articles(style, refs, gap=gap)
    paths = []
    for art in articles:
        path = tmp / art.name
        path.write_text(art.text, encoding="utf-8")
        paths.append(str(path))
    outcomes: list[dict | None] = [None] * len(refs)
    emu.reset_stats()
    t0 = time.perf_counter()
    with runner_on(emu, tmp / f"{style}.db") as runner:
        results = runner.audit_many(paths)
    seconds = time.perf_counter() - t0
    stats = emu.stats
    for art, (_, result) in zip(articles, results):
        if isinstance(result, Exception):
            raise result
        assert result.audit.document.text == art.text, "ingest changed the article text"
        for p in art.placed:
            outcomes[p.index] = {"entry": p.entry, **_outcome(p, truths[p.index], result.audit.items, art)}
    requests = {pool: stats[pool]["requests"] for pool in POOLS}
    errors_429 = sum(stats[pool]["429"] for pool in POOLS)
    assert all(o is not None for o in outcomes), "a placed string was not scored"
    return outcomes, {"requests": requests, "429": errors_429, "seconds": seconds}


# --- scoring --------------------------------------------------------------------------------


def score(outcomes: list[dict], requests: dict[str, int], seconds: float) -> dict[str, Any]:
    n = len(outcomes)
    counts = {o: sum(x["outcome"] == o for x in outcomes) for o in OUTCOMES}
    total = sum(requests.values())
    res: dict[str, Any] = {
        "n": n,
        "right": sum(x["right"] for x in outcomes),
        **counts,
        "merged": sum(x.get("spans", 0) > 1 for x in outcomes),
        "requests": requests,
        "requests_per_ref": round(total / n, 3) if n else None,
        "per_ref": {pool: round(requests[pool] / n, 3) if n else None for pool in POOLS},
        "seconds": round(seconds, 1),
    }
    res["rates"] = {k: round(res[k] / n, 4) if n else None for k in ("right", *OUTCOMES)}
    res["targets"] = {k: _meets(res["rates"][k], op, bound) for k, (op, bound) in TARGETS.items()}
    res["pass"] = all(res["targets"].values())
    return res


def _meets(rate: float | None, op: str, bound: float) -> bool:
    if rate is None:
        return False
    return rate >= bound if op == ">=" else rate <= bound


def failures(outcomes: list[dict], truths: list[str], k: int) -> list[dict]:
    """Up to k strings not verified with their own work, taken round-robin over the kinds of failure."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for out, truth in zip(outcomes, truths):
        if not (out["outcome"] == VERIFIED and out["right"]):
            by_kind[out["outcome"]].append({"truth": truth, **out})
    picked: list[dict] = []
    queues = [by_kind[o] for o in OUTCOMES if by_kind.get(o)]
    while len(picked) < k and any(queues):
        for q in queues:
            if q and len(picked) < k:
                picked.append(q.pop(0))
    return picked


# --- printing -------------------------------------------------------------------------------


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:6.1f}%" if d else "      -"


CELLS = ((VERIFIED, "verified", 10), (MISMATCHED, "mismatch", 10), (WRONG, "wrong wk", 10),
         (UNFOUND, "unfound", 9), (UNCHECKED, "unchkd", 8), (MISSED, "not extr", 10))
HEAD = (f"{'style':<30}{'n':>6}{'right work':>15}" + "".join(f"{h:>{w}}" for _, h, w in CELLS)
        + f"{'req/ref':>9}{'query':>7}{'doi':>7}{'eutils':>7}{'secs':>7}")


def format_row(name: str, s: dict[str, Any]) -> str:
    n = s["n"]
    return (f"{name:<30}{n:>6}{s['right']:>8}{_pct(s['right'], n)}"
            + "".join(f"{s[k]:>{w}}" for k, _, w in CELLS)
            + f"{s['requests_per_ref']:>9.2f}" + "".join(f"{s['per_ref'][p]:>7.2f}" for p in POOLS)
            + f"{s['seconds']:>7.1f}")


def _clip(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


def format_report(res: dict[str, Any]) -> str:
    lines = [f"refmatch: {res['works']} works x {len(res['styles'])} styles, {PER_ARTICLE} references per article"
             f" (seed {res['seed']}, entries separated by {'a blank line' if res['blank_lines'] else 'a newline'})",
             "", HEAD]
    for style, s in res["styles"].items():
        lines.append(format_row(style, s))
    lines.append(format_row("total", res["total"]))
    lines += ["", "strings whose extracted citation also covers another string (merged entries): "
              + ", ".join(f"{style} {s['merged']}" for style, s in res["styles"].items())]
    lines += ["", "targets: right work >= 99%, unfound <= 0.3%, mismatched <= 1%"]
    for style, s in res["styles"].items():
        miss = [k for k, ok in s["targets"].items() if not ok]
        lines.append(f"  {style:<30}{'PASS' if s['pass'] else 'FAIL'}   right work {_pct(s['right'], s['n'])},"
                     f" unfound {_pct(s[UNFOUND], s['n'])}, mismatched {_pct(s[MISMATCHED], s['n'])}"
                     + (f"   (fails: {', '.join('right work' if k == 'right' else k for k in miss)})" if miss else ""))
    n429 = sum(s["429"] for s in res["styles"].values())
    if n429:
        lines.append(f"\nwarning: {n429} requests answered 429")
    if res.get("errors"):
        for style, errs in res["errors"].items():
            if not errs:
                continue
            lines += ["", f"-- {style}: {len(errs)} failing strings shown"]
            for e in errs:
                rec = e["record_doi"] or e.get("record") or "-"
                fields = f" {e['fields']}" if e.get("fields") else ""
                merged = (f"\n    extracted citation covers {e['spans']} strings: {_clip(e['extracted'])}"
                          if e["spans"] > 1 else "")
                lines.append(f"- {e['outcome']} (verdict {e['verdict']}){fields}: record {rec}, truth {e['truth']}\n"
                             f"    {_clip(e['entry'], 400)}\n    reason: {e['reason']}\n"
                             f"    parsed: {_clip(str(e['parsed']), 400)}{merged}")
    lines += ["", f"elapsed {res['elapsed']:.1f} s"]
    return "\n".join(lines) + "\n"


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Reference matching on the refmatch-dev strings, against the emulator.")
    ap.add_argument("--data", required=True, help="the refmatch-dev directory (strings.jsonl, records.json)")
    ap.add_argument("--per-style", type=int, default=150, help="works per style (the same works in every style)")
    ap.add_argument("--all", action="store_true", help="every work (1,463 per style)")
    ap.add_argument("--style", default=None, help="comma-separated style names (default: all eight)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show-errors", type=int, nargs="?", const=10, default=0, metavar="K",
                    help="list up to K failing strings per style (default 10)")
    ap.add_argument("--json", action="store_true", help="print the figures (and errors) as JSON")
    ap.add_argument("--blank-lines", action="store_true",
                    help="a blank line between entries (diagnostic: separates entry splitting from matching)")
    a = ap.parse_args(argv)

    data = Path(a.data)
    try:
        strings, records, dois = load_data(data)
    except (OSError, ValueError, KeyError) as e:
        print(f"refmatch: error: cannot read {data}: {e}", file=sys.stderr)
        return 2
    styles = sorted(strings)
    if a.style:
        wanted = [s.strip() for s in a.style.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in strings]
        if unknown:
            print(f"refmatch: error: unknown style(s) {', '.join(unknown)}; known: {', '.join(styles)}",
                  file=sys.stderr)
            return 2
        styles = wanted
    works = choose_works(strings, dois, None if a.all else a.per_style, a.seed)

    t0 = time.perf_counter()
    corpus = Corpus().load_dir(RECORDS)
    for message in records:
        corpus.add_crossref(message)
    res: dict[str, Any] = {"works": len(works), "seed": a.seed, "blank_lines": a.blank_lines, "styles": {},
                           "errors": {}}
    every: list[dict] = []
    requests_all = {p: 0 for p in POOLS}
    seconds_all = 0.0
    with tempfile.TemporaryDirectory(prefix="citeaudit-refmatch-") as tmpdir, \
            fast_emulator(corpus) as emu:
        for style in styles:
            refs = [strings[style][d] for d in works]
            tmp = Path(tmpdir) / style
            tmp.mkdir()
            outcomes, run = run_style(emu, style, refs, works, tmp, "\n\n" if a.blank_lines else "\n")
            s = score(outcomes, run["requests"], run["seconds"])
            s["429"] = run["429"]
            res["styles"][style] = s
            if a.show_errors:
                res["errors"][style] = failures(outcomes, works, a.show_errors)
            every += outcomes
            for p in POOLS:
                requests_all[p] += run["requests"][p]
            seconds_all += run["seconds"]
            if not a.json:
                print(f"  {style}: done in {run['seconds']:.1f} s", file=sys.stderr)
    res["total"] = score(every, requests_all, seconds_all)
    res["pass"] = all(s["pass"] for s in res["styles"].values())
    res["elapsed"] = round(time.perf_counter() - t0, 1)
    if not a.show_errors:
        del res["errors"]
    if a.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_report(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
