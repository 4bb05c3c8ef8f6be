#!/usr/bin/env python
"""Throughput of citeaudit at the services' rate limits, offline.

Starts the loopback emulator of Crossref and E-utilities (src/citeaudit/emulate) over
fixtures/records with the polite-pool limits enforced (Crossref 3 queries/s + 10 DOI
lookups/s, 3 requests at a time; E-utilities 3/s) and a latency per request (default
150 ms), builds articles from the corpus records (Vancouver and APA entries), and
prints one line per workload:

  a  one article with 50 references
  b  200 articles of 20 references, half of them shared between articles
  c  `reverify` of 10,000 stored citations whose records are fresh (no network at all)
  d  the 50-reference article through a naive checker (plain httpx, one request at a
     time, no batching, no concurrency), side by side with (a)

Columns: requests sent by pool, requests per citation, wall time, the floor (for each
pool requests / rate; the largest), wall / floor, peak memory, 429s received.
Each workload runs in a child process so that its peak memory (ru_maxrss) is its own.

    .venv/bin/python bench/throughput.py [--latency 0.15] [--only a,b,c,d] [--seed 5]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from citeaudit.emulate import Corpus, Emulator  # noqa: E402

RATES = {"crossref-query": 3.0, "crossref-doi": 10.0, "eutils": 3.0}
CONCURRENCY = {"crossref": 3, "eutils": 3}
MAILTO = "bench@example.org"


# --- articles from the corpus ------------------------------------------------------------


def usable_works(corpus: Corpus) -> tuple[list, list]:
    """(Crossref-only works, PubMed works) with title, authors, journal, year, volume, pages."""
    def ok(r):
        return bool(r.title and r.authors and r.journal and r.year and r.volume and r.pages
                    and all(p.family for p in r.authors[:6]))

    pubmed = [r for r in corpus.pubmed_records() if ok(r)]
    pm_dois = {r.doi.lower() for r in pubmed if r.doi}
    crossref = [r for r in corpus.crossref_records() if ok(r) and (r.doi or "").lower() not in pm_dois]
    key = lambda r: r.doi or r.pmid or r.title  # noqa: E731
    return sorted(crossref, key=key), sorted(pubmed, key=key)


def _initials(given: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s.\-]+", given or "") if w and w[0].isalpha()).upper()


def vancouver(r) -> str:
    names = [f"{p.family} {_initials(p.given)}".strip() for p in r.authors]
    authors = ", ".join(names[:6]) + (", et al" if len(names) > 6 else "")
    journal = html.unescape(r.journal_abbrevs[-1] if r.journal_abbrevs else r.journal).replace(".", "")
    issue = f"({r.issue})" if r.issue else ""
    return f"{authors}. {r.title.rstrip('.')}. {journal}. {r.year};{r.volume}{issue}:{r.pages}."


def apa(r) -> str:
    def one(p):
        ini = " ".join(f"{i}." for i in _initials(p.given))
        return f"{p.family}, {ini}".strip().rstrip(",")
    names = [one(p) for p in r.authors]
    if len(names) == 1:
        authors = names[0]
    elif len(names) <= 20:
        authors = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        authors = ", ".join(names[:19]) + ", ... " + names[-1]
    issue = f"({r.issue})" if r.issue else ""
    doi = f" https://doi.org/{r.doi}" if r.doi else ""
    return f"{authors} ({r.year}). {r.title.rstrip('.')}. {html.unescape(r.journal)}, {r.volume}{issue}, {r.pages}.{doi}"


def article(title: str, entries: list[str]) -> str:
    body = ("This page was generated for a benchmark. Its reference list follows; "
            "the entries were written from the records of the benchmark corpus.\n\n")
    refs = "\n".join(f"{i}. {e}" for i, e in enumerate(entries, 1))
    return f"{title}\n\n{body * 3}References\n\n{refs}\n"


def fifty_references(corpus: Corpus, rng: random.Random) -> list[str]:
    """50 distinct works, 20 Crossref-only and 30 in PubMed, alternating APA and Vancouver."""
    crossref, pubmed = usable_works(corpus)
    works = rng.sample(crossref, 20) + rng.sample(pubmed, 30)
    rng.shuffle(works)
    return [(apa if i % 2 == 0 else vancouver)(r) for i, r in enumerate(works)]


def batch_articles(corpus: Corpus, rng: random.Random, n_articles: int = 200, per: int = 20) -> list[list[str]]:
    """Articles of `per` references; half of each list comes from a set shared by every article
    (same entry text everywhere), half is drawn from the whole corpus with repetition in the
    article's own style (APA or Vancouver)."""
    crossref, pubmed = usable_works(corpus)
    works = crossref + pubmed
    shared_works = rng.sample(works, 40)
    shared = [(apa if i % 2 == 0 else vancouver)(r) for i, r in enumerate(shared_works)]
    out = []
    for a in range(n_articles):
        style = apa if a % 2 == 0 else vancouver
        own = [style(r) for r in rng.sample(works, per - per // 2)]
        entries = rng.sample(shared, per // 2) + own
        rng.shuffle(entries)
        out.append(entries)
    return out


# --- the workloads (run in a child process) ------------------------------------------------


def _settings(urls: dict, db: str):
    from citeaudit.config import Settings

    return Settings(db_path=db, crossref_url=urls["crossref"], eutils_url=urls["eutils"], mailto=MAILTO,
                    crossref_rate=RATES["crossref-query"], crossref_doi_rate=RATES["crossref-doi"],
                    crossref_concurrency=CONCURRENCY["crossref"], pubmed_rate=RATES["eutils"],
                    pubmed_concurrency=CONCURRENCY["eutils"], timeout=20.0, retries=3, max_wait=60.0,
                    check_links=False)  # offline benchmark: never fetch cited web pages


def _runner(urls: dict, db: str):
    from citeaudit.commands.runner import AuditRunner
    from citeaudit.resolve.sources.crossref import CrossrefSource
    from citeaudit.resolve.sources.pubmed import PubMedSource
    from citeaudit.store import Store

    settings = _settings(urls, db)
    store = Store(db)
    return AuditRunner(settings, store, sources=[CrossrefSource(settings), PubMedSource(settings)])


def work_articles(urls: dict, articles: list[list[str]], tmp: Path) -> dict:
    paths = []
    for i, entries in enumerate(articles):
        p = tmp / f"article-{i:03d}.txt"
        p.write_text(article(f"Benchmark article {i}", entries), encoding="utf-8")
        paths.append(str(p))
    runner = _runner(urls, str(tmp / "audit.db"))
    t0 = time.perf_counter()
    results = runner.audit_many(paths)
    wall = time.perf_counter() - t0
    runner.close()
    verdicts: dict[str, int] = {}
    citations = 0
    for _, r in results:
        if isinstance(r, Exception):
            raise SystemExit(f"bench: {r}")
        citations += len(r.audit.items)
        for it in r.audit.items:
            verdicts[it.check.verdict] = verdicts.get(it.check.verdict, 0) + 1
    return {"wall": wall, "citations": citations, "verdicts": verdicts}


def work_naive(urls: dict, entries: list[str], tmp: Path) -> dict:
    """One request at a time: DOI lookup when the entry has a DOI, else a bibliographic query;
    PubMed (esearch on the title, then efetch) when Crossref has nothing. Spaced to stay
    inside each pool's rate, so it gets no 429 either."""
    import httpx

    from citeaudit.ingest.document import document_from_text
    from citeaudit.extract.citations import extract_citations

    doc = document_from_text(article("Benchmark article", entries), str(tmp / "naive.txt"), "text")
    citations = extract_citations(doc)
    last: dict[str, float] = {}

    def get(client, pool: str, url: str, **params):
        gap = 1.0 / RATES[pool] + 0.04
        wait = last.get(pool, -1e9) + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        last[pool] = time.monotonic()
        return client.get(url, params=params)

    found = 0
    t0 = time.perf_counter()
    with httpx.Client(timeout=20.0, headers={"User-Agent": f"naive (mailto:{MAILTO})"}) as client:
        for c in citations:
            f = c.fields
            if f.doi:
                r = get(client, "crossref-doi", f"{urls['crossref']}/works/{f.doi}")
                hit = r.status_code == 200
            else:
                r = get(client, "crossref-query", f"{urls['crossref']}/works",
                        **{"query.bibliographic": c.text[:300], "rows": 5, "mailto": MAILTO})
                items = r.json()["message"]["items"] if r.status_code == 200 else []
                hit = bool(items) and items[0].get("score", 0) >= 60
            if not hit and f.title:
                words = [w for w in re.findall(r"[A-Za-z]{4,}", f.title)][:6]
                r = get(client, "eutils", f"{urls['eutils']}/esearch.fcgi", db="pubmed",
                        term=" AND ".join(f"{w}[ti]" for w in words), retmax=3, tool="naive", email=MAILTO)
                ids = re.findall(r"<Id>(\d+)</Id>", r.text)
                if ids:
                    get(client, "eutils", f"{urls['eutils']}/efetch.fcgi", db="pubmed", id=ids[0], retmode="xml",
                        tool="naive", email=MAILTO)
                    hit = True
            found += hit
    return {"wall": time.perf_counter() - t0, "citations": len(citations), "verdicts": {"found": found}}


def work_reverify(urls: dict, n_articles: int, per: int, corpus_dir: str, tmp: Path) -> dict:
    """10,000 stored citations whose records are fresh: what an earlier run left (built here
    against a second, unlimited emulator, not timed), then timed: the command's own path,
    `reverify.select_citations` and `reverify.reverify(..., max_age_days=30)` (what
    `citeaudit reverify --older-than 0 --max-age-days 30` runs once it holds the lock),
    with the sources `citeaudit` builds, pointed at the bench's emulator. That emulator
    counts every request that leaves: the parent fails the bench if there is any."""
    from citeaudit import __version__
    from citeaudit.models import Citation, Document, Fields
    from citeaudit.judge.audit import judge_all
    from citeaudit.resolve.resolver import Resolver
    from citeaudit.commands.reverify import reverify, select_citations
    from citeaudit.commands.runner import build_sources
    from citeaudit.resolve.sources.crossref import CrossrefSource
    from citeaudit.resolve.sources.pubmed import PubMedSource
    from citeaudit.store import Store

    corpus = Corpus().load_dir(corpus_dir)
    store = Store(str(tmp / "audit.db"))
    rng = random.Random(7)
    crossref_works, pubmed_works = usable_works(corpus)
    works = crossref_works + pubmed_works
    # the earlier run: every article's citations, resolved against an unlimited emulator
    with Emulator(corpus, enforce_limits=False) as earlier:
        settings = _settings({"crossref": earlier.crossref_url, "eutils": earlier.eutils_url}, str(tmp / "audit.db"))
        settings = settings.with_(crossref_rate=1000.0, crossref_doi_rate=1000.0, pubmed_rate=1000.0,
                                  crossref_concurrency=8, pubmed_concurrency=8)
        sources = [CrossrefSource(settings), PubMedSource(settings)]
        resolver = Resolver(sources, store=store)
        for a in range(n_articles):
            article_id = store.upsert_article(Document(source=str(tmp / f"stored-{a:04d}.txt"), text="",
                                                      content_hash=f"h{a}"))
            run_id = store.start_run(article_id, "online", __version__, f"h{a}")
            cits = []
            for i, r in enumerate(rng.sample(works, per)):
                f = Fields(authors=r.authors[:6], et_al=len(r.authors) > 6, year=r.year, title=r.title,
                           journal=r.journal, volume=r.volume, issue=r.issue, pages=r.pages,
                           doi=r.doi if r.source == "crossref" else None)
                cits.append(Citation(kind="reference", text=apa(r), start=i * 400, end=i * 400 + 300, fields=f))
            ids = store.save_citations(article_id, cits)
            judged = judge_all(cits, resolver.resolve(cits), offline=False)
            store.save_checks(run_id, [(cid, it.check) for cid, it in zip(ids, judged)])
            store.finish_run(run_id, "complete")
        for s in sources:
            s.close()

    # timed: what `citeaudit reverify --older-than 0 --max-age-days 30` does once it holds the lock
    settings = _settings(urls, str(tmp / "audit.db"))
    sources = build_sources(settings, store)
    t0, c0 = time.perf_counter(), time.process_time()
    rows = select_citations(store, older_than_days=0)
    result = reverify(store, sources, rows, max_age_days=30.0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    for s in sources:
        s.close()
    new_checks = store.latest_checks()
    assert result.checked == len(rows) == n_articles * per, (result.checked, len(rows))
    assert len(result.runs) == n_articles and all(r["run_id"] in set(result.runs) for r in new_checks)
    verdicts: dict[str, int] = {}
    for r in new_checks:
        verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    store.close()
    return {"wall": wall, "cpu": cpu, "citations": result.checked, "verdicts": verdicts,
            "changed": len(result.transitions)}


def child(args) -> None:
    urls = json.loads(args.urls)
    spec = json.loads(args.spec)
    with tempfile.TemporaryDirectory(prefix="citeaudit-bench-") as tmp:
        kind = spec["kind"]
        if kind == "articles":
            out = work_articles(urls, spec["articles"], Path(tmp))
        elif kind == "naive":
            out = work_naive(urls, spec["entries"], Path(tmp))
        else:
            out = work_reverify(urls, spec["n_articles"], spec["per"], spec["corpus_dir"], Path(tmp))
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


# --- the parent: emulator, workloads, report ---------------------------------------------------


def run_workload(emu: Emulator, urls: dict, spec: dict) -> dict:
    time.sleep(1.2)  # the previous workload's requests leave the services' one-second windows
    emu.reset_stats()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", "--urls", json.dumps(urls), "--spec", f"@{f.name}"],
                              capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if proc.returncode != 0:
        raise SystemExit(f"bench: workload {spec['kind']} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    stats = emu.stats
    out["requests"] = {p: stats[p]["requests"] for p in RATES}
    out["429"] = sum(stats[p]["429"] for p in stats)
    out["other"] = stats["other"]["requests"]
    doi_paths = Counter(path for _, pool, path in emu.log if pool == "crossref-doi")
    out["repeated_doi"] = sum(n - 1 for n in doi_paths.values())  # the same DOI asked again
    out["floor"] = max(out["requests"][p] / RATES[p] for p in RATES)
    return out


def line(name: str, r: dict) -> str:
    req = r["requests"]
    total = sum(req.values())
    per = total / r["citations"] if r["citations"] else 0.0
    ratio = f"{r['wall'] / r['floor']:.2f}" if r["floor"] else "-"
    rate = f"  {r['citations'] / r['wall']:,.0f} citations/s" if not total else ""
    return (f"{name:<34} requests query={req['crossref-query']:<4} doi={req['crossref-doi']:<4} "
            f"eutils={req['eutils']:<4} per-citation={per:.2f}  wall={r['wall']:.2f}s  floor={r['floor']:.2f}s  "
            f"wall/floor={ratio}  peak-mem={r['maxrss_mb']:.0f}MB  429s={r['429']}  "
            f"repeated-DOI-lookups={r['repeated_doi']}{rate}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--latency", type=float, default=0.15, help="seconds added to every request (default 0.15)")
    ap.add_argument("--only", default="a,b,c,d", help="workloads to run, e.g. a,d")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--urls", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        if args.spec.startswith("@"):
            args.spec = Path(args.spec[1:]).read_text()
        child(args)
        return
    only = set(args.only.split(","))
    corpus_dir = ROOT / "fixtures" / "records"
    corpus = Corpus().load_dir(corpus_dir)
    rng = random.Random(args.seed)
    fifty = fifty_references(corpus, rng)
    batch = batch_articles(corpus, rng)
    emu = Emulator(corpus, latency=args.latency, crossref_rate=RATES["crossref-query"],
                   crossref_doi_rate=RATES["crossref-doi"], crossref_concurrency=CONCURRENCY["crossref"],
                   eutils_rate=RATES["eutils"], eutils_concurrency=CONCURRENCY["eutils"], enforce_limits=True)
    print(f"citeaudit throughput bench: emulator latency {args.latency * 1000:.0f} ms, limits enforced "
          f"(Crossref 3 queries/s + 10 DOI lookups/s, 3 at a time; E-utilities 3/s), "
          f"corpus {len(corpus)} records, python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    results = {}
    with emu:
        urls = {"crossref": emu.crossref_url, "eutils": emu.eutils_url}
        if "a" in only:
            results["a"] = run_workload(emu, urls, {"kind": "articles", "articles": [fifty]})
            print(line("a) 1 article x 50 refs", results["a"]), flush=True)
        if "b" in only:
            results["b"] = run_workload(emu, urls, {"kind": "articles", "articles": batch})
            distinct = len({e for a in batch for e in a})
            print(line(f"b) 200 articles x 20 refs", results["b"])
                  + f"  ({distinct} distinct entries of {sum(map(len, batch))})", flush=True)
        if "c" in only:
            results["c"] = run_workload(emu, urls, {"kind": "reverify", "n_articles": 500, "per": 20,
                                                    "corpus_dir": str(corpus_dir)})
            print(line("c) reverify 10,000 fresh citations", results["c"]), flush=True)
            c = results["c"]  # CPU time: what the wall figure would be on an idle machine (one busy core)
            print(f"  c: cpu={c['cpu']:.2f}s ({c['citations'] / c['cpu']:,.0f} citations per CPU-second), "
                  f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
            sent = sum(results["c"]["requests"].values()) + results["c"]["other"]
            if sent:
                raise SystemExit(f"bench: reverify of fresh records sent {sent} requests to the emulator (expected none)")
        if "d" in only:
            results["d"] = run_workload(emu, urls, {"kind": "naive", "entries": fifty})
            print(line("d) naive, same 50 refs", results["d"]), flush=True)
    if "a" in results and "d" in results:
        a, d = results["a"], results["d"]
        print(f"citeaudit vs naive on the 50-reference article: {d['wall'] / a['wall']:.1f}x faster "
              f"({a['wall']:.2f}s vs {d['wall']:.2f}s)")
    for k, r in results.items():
        print(f"  {k}: verdicts {json.dumps(r['verdicts'], sort_keys=True)}"
              + (f"; {r['other']} requests outside the pools" if r["other"] else ""))


if __name__ == "__main__":
    main()
