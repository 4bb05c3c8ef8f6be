#!/usr/bin/env python
"""Workers draining one queue (issue 13): 1, 2 and 4 `citeaudit worker --drain` processes on
one PostgreSQL database, and 1 worker on SQLite for comparison, against the loopback emulator.

Starts a throwaway PostgreSQL server (tests/pg.py: initdb in a temporary folder, as `nobody`
when run as root) and the emulator over fixtures/records (latency per request, default 50
ms), builds N articles (default 500) of 4 references each from the corpus records
(Vancouver and APA, as bench/throughput.py writes them), queues them with `citeaudit queue
add` and times the workers until the queue is drained.

Rate limits: the emulator announces Crossref's polite-pool and E-utilities' limits (3 queries/s,
10 DOI lookups/s, 3 E-utilities requests/s) and each worker keeps to them with its own rate
pools, as workers on separate machines (separate addresses) would; the emulator does not
enforce them across workers (all run on 127.0.0.1 here). So with the default `--limits polite`
a worker is bound by the limits and N workers scale until the CPUs run out; `--limits lifted`
announces 1000/s everywhere, so that the figures measure citeaudit and the database alone.

The --kill run (default: 4 workers on PostgreSQL, run once more after the plain runs) SIGKILLs a random worker at
three random moments (10-30 %, 35-55 % and 60-80 % of the articles done) and a new worker is
started in its place, as a supervisor would; the killed worker's article is claimed again when
its lease (CITEAUDIT_QUEUE_LEASE, 5 s here) expires.

After every run the database is checked: every queue row done, every article exactly one
complete run, every citation of an article exactly one check in that run (nothing lost,
nothing duplicated), no run left 'running'. Prints one line per run: wall time, articles/s,
peak memory (ru_maxrss) of each worker process ("k": killed), kills, and the checks; for the
kill run, how many articles each victim held when it was killed and how many were claimed again.

    .venv/bin/python bench/workers.py [--articles 500] [--workers 1,2,4] [--latency 0.05] [--seed 13]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import text  # noqa: E402

from citeaudit.emulate import Corpus, Emulator  # noqa: E402
from citeaudit.store import Store  # noqa: E402
from pg import PgCluster  # noqa: E402  (tests/pg.py)
from throughput import apa, article, usable_works, vancouver  # noqa: E402

LEASE = 5
KILL_WINDOWS = ((0.10, 0.30), (0.35, 0.55), (0.60, 0.80))


def write_articles(folder: Path, n: int, per: int, seed: int) -> list[str]:
    corpus = Corpus().load_dir(ROOT / "fixtures/records")
    crossref, pubmed = usable_works(corpus)
    works = crossref + pubmed
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        style = apa if i % 2 == 0 else vancouver
        entries = [style(r) for r in rng.sample(works, per)]
        path = folder / f"article_{i:04d}.txt"
        path.write_text(article(f"Benchmark article {i}", entries), encoding="utf-8")
        paths.append(str(path))
    return paths


class Worker:
    """One `citeaudit worker --drain` process; its rusage is collected when it exits."""

    def __init__(self, env: dict[str, str]):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from citeaudit.cli import main; main()", "worker", "--drain", "--quiet"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.peak_kb = 0
        self.status: int | None = None
        self.killed = False
        self._thread = threading.Thread(target=self._reap, daemon=True)
        self._thread.start()

    def _reap(self) -> None:
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.peak_kb = usage.ru_maxrss
        self.status = os.waitstatus_to_exitcode(status)
        self.proc.returncode = self.status

    def alive(self) -> bool:
        return self.status is None

    def kill(self) -> None:
        self.killed = True
        os.kill(self.proc.pid, signal.SIGKILL)

    def join(self) -> None:
        self._thread.join()


def done_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM queue WHERE status = 'done'")).scalar_one()


def held_by(store: Store, pid: int) -> int:
    """Articles a worker process holds right now (claimed by it, not done)."""
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM queue WHERE status = 'running' AND claimed_by LIKE :me"),
                            {"me": f"%:{pid}:%"}).scalar_one()


def verify(store: Store, n: int) -> str:
    """The database after a run: 'ok', or what is wrong."""
    q = {
        "queue not done": "SELECT COUNT(*) FROM queue WHERE status <> 'done'",
        "articles without exactly one complete run": (
            "SELECT COUNT(*) FROM (SELECT a.id FROM articles a LEFT JOIN runs r ON r.article_id = a.id "
            "AND r.status = 'complete' GROUP BY a.id HAVING COUNT(r.id) <> 1) x"),
        "runs left running": "SELECT COUNT(*) FROM runs WHERE status = 'running'",
        "citations without exactly one check in their complete run": (
            "SELECT COUNT(*) FROM (SELECT c.id FROM citations c JOIN runs r ON r.article_id = c.article_id "
            "AND r.status = 'complete' LEFT JOIN checks k ON k.citation_id = c.id AND k.run_id = r.id "
            "WHERE c.present = 1 GROUP BY c.id HAVING COUNT(k.id) <> 1) x"),
    }
    with store.engine.connect() as conn:
        problems = {name: conn.execute(text(sql)).scalar_one() for name, sql in q.items()}
        articles = conn.execute(text("SELECT COUNT(*) FROM articles")).scalar_one()
        citations = conn.execute(text("SELECT COUNT(*) FROM citations WHERE present = 1")).scalar_one()
        incomplete = conn.execute(text("SELECT COUNT(*) FROM runs WHERE status = 'incomplete'")).scalar_one()
    bad = [f"{v} {k}" for k, v in problems.items() if v]
    if articles != n:
        bad.append(f"{articles} articles stored, {n} queued")
    return ("ok" if not bad else "; ".join(bad)) + f" ({citations} citations, {incomplete} incomplete runs)"


def one_run(label: str, db: str, paths: list[str], workers: int, kills: int, base_env: dict[str, str],
            rng: random.Random) -> None:
    env = dict(base_env, CITEAUDIT_DB=db)
    added = subprocess.run([sys.executable, "-c", "from citeaudit.cli import main; main()", "queue", "add", *paths],
                           env=env, capture_output=True, text=True)
    if added.returncode != 0:
        raise SystemExit(f"queue add failed: {added.stderr.strip()}")
    store = Store(db)
    n = len(paths)
    moments = [rng.uniform(lo, hi) for lo, hi in KILL_WINDOWS[:kills]]
    start = time.monotonic()
    pool = [Worker(env) for _ in range(workers)]
    everyone = list(pool)
    killed = 0
    held: list[int] = []  # articles each victim held (claimed, not done) just before its SIGKILL
    while any(w.alive() for w in pool):
        if moments and done_count(store) >= moments[0] * n:
            moments.pop(0)
            live = [w for w in pool if w.alive()]
            if live:
                victim = rng.choice(live)
                held.append(held_by(store, victim.proc.pid))
                victim.kill()
                killed += 1
                pool.remove(victim)
                fresh = Worker(env)
                pool.append(fresh)
                everyone.append(fresh)
        time.sleep(0.05)
    wall = time.monotonic() - start
    for w in everyone:
        w.join()
    failed = [w for w in everyone if not w.killed and w.status not in (0, 1, 3)]
    errors = "; ".join((w.proc.stderr.read() or b"").decode(errors="replace").strip()[-300:] for w in failed)
    peaks = ", ".join(f"{w.peak_kb / 1024:.0f}" + ("k" if w.killed else "") for w in everyone)
    result = verify(store, n)
    with store.engine.connect() as conn:
        reclaimed = conn.execute(text("SELECT COUNT(*) FROM queue WHERE attempts > 1")).scalar_one()
    store.close()
    kills_note = f"  killed holding {held} articles, {reclaimed} claimed again" if killed else ""
    print(f"{label:<11} {workers:>7} {killed:>5} {n:>8} {wall:>8.1f} {n / wall:>10.2f}  "
          f"peak MB per worker [{peaks}]  check: {result}{kills_note}"
          + (f"  WORKER ERRORS: {errors}" if failed else ""), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--references", type=int, default=4, help="references per article")
    parser.add_argument("--workers", default="1,2,4", help="PostgreSQL runs: worker counts")
    parser.add_argument("--kill", type=int, default=4,
                        help="one more PostgreSQL run with this many workers and 3 SIGKILLs (0: none)")
    parser.add_argument("--latency", type=float, default=0.05, help="emulator latency per request, seconds")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--limits", choices=("polite", "lifted"), default="polite",
                        help="rate limits the emulator announces (each worker keeps to them on its own)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite comparison run")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="citeaudit-workers-") as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        paths = write_articles(folder, args.articles, args.references, args.seed)
        corpus = Corpus().load_dir(ROOT / "fixtures/records")
        lifted = {"crossref_rate": 1000.0, "crossref_doi_rate": 1000.0, "eutils_rate": 1000.0,
                  "crossref_concurrency": 8, "eutils_concurrency": 8} if args.limits == "lifted" else {}
        with Emulator(corpus, latency=args.latency, enforce_limits=False, **lifted) as emu, PgCluster() as pg:
            emu._server.handle_error = lambda *a: None  # a SIGKILLed worker's connections reset: expected
            env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), CITEAUDIT_CROSSREF_URL=emu.crossref_url,
                       CITEAUDIT_EUTILS_URL=emu.eutils_url, CITEAUDIT_MAILTO="bench@example.org",
                       CITEAUDIT_CHECK_LINKS="0", CITEAUDIT_TIMEOUT="10", CITEAUDIT_RETRIES="2",
                       CITEAUDIT_QUEUE_LEASE=str(LEASE), CITEAUDIT_QUEUE_POLL="0.2")
            print(f"{args.articles} articles of {args.references} references, emulator latency "
                  f"{args.latency * 1000:.0f} ms, rate limits {args.limits} (per worker), lease {LEASE} s, "
                  f"{os.cpu_count()} CPUs",
                  flush=True)
            print(f"{'backend':<11} {'workers':>7} {'kills':>5} {'articles':>8} {'wall s':>8} {'articles/s':>10}",
                  flush=True)
            for n in [int(x) for x in args.workers.split(",") if x]:
                one_run("postgresql", pg.new_database(f"bench_{n}"), paths, n, 0, env, rng)
            if args.kill:
                one_run("postgresql", pg.new_database("bench_kill"), paths, args.kill, 3, env, rng)
            if not args.no_sqlite:
                one_run("sqlite", str(Path(tmp) / "audit.db"), paths, 1, 0, env, rng)


if __name__ == "__main__":
    main()
