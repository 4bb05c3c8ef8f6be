"""Resolution at the services' limits, against the loopback emulator with its limits enforced:
no 429s, no more than `rate` requests in any second, efetch/ECitMatch batched, identical
references across articles asked about once, progress output only on a terminal.
No timed assertions: only counts of requests and their spacing as the emulator logged them."""

from __future__ import annotations

import io
import math
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.config import Settings
from citeaudit.emulate import Corpus, Emulator
from citeaudit.models import Citation, Fields
from citeaudit.resolve.resolver import Resolver
from citeaudit.commands.runner import AuditRunner
from citeaudit.resolve.sources.crossref import CrossrefSource
from citeaudit.resolve.sources.pubmed import PubMedSource
from citeaudit.resolve.sources.throttle import Batcher, Gate, Pool
from citeaudit.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# small limits so the tests stay short; the client is configured with the same ones
RATES = {"crossref-query": 4.0, "crossref-doi": 8.0, "eutils": 4.0}
CONCURRENCY = 2


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus().load_dir(FIXTURES / "records")


@pytest.fixture
def limited(corpus):
    with Emulator(corpus, latency=0.02, crossref_rate=RATES["crossref-query"], crossref_doi_rate=RATES["crossref-doi"],
                  crossref_concurrency=CONCURRENCY, eutils_rate=RATES["eutils"], eutils_concurrency=CONCURRENCY,
                  enforce_limits=True) as emu:
        yield emu


def settings_for(emu: Emulator, tmp_path: Path) -> Settings:
    return Settings(db_path=str(tmp_path / "audit.db"), crossref_url=emu.crossref_url, eutils_url=emu.eutils_url,
                    mailto="tests@example.org", timeout=10, retries=0, max_wait=10,
                    crossref_rate=RATES["crossref-query"], crossref_doi_rate=RATES["crossref-doi"],
                    crossref_concurrency=CONCURRENCY, pubmed_rate=RATES["eutils"], pubmed_concurrency=CONCURRENCY)


def vancouver(r) -> str:
    authors = ", ".join(f"{p.family} {''.join(w[0] for w in p.given.replace('.', ' ').split())}".strip()
                        for p in r.authors[:6]) + (", et al" if len(r.authors) > 6 else "")
    journal = (r.journal_abbrevs[-1] if r.journal_abbrevs else r.journal).replace(".", "")
    return f"{authors}. {r.title.rstrip('.')}. {journal}. {r.year};{r.volume}:{r.pages}."


def apa(r) -> str:
    authors = ", ".join(f"{p.family}, {' '.join(w[0] + '.' for w in p.given.replace('.', ' ').split())}".rstrip(", ")
                        for p in r.authors[:6]) + (", et al." if len(r.authors) > 6 else "")
    doi = f" https://doi.org/{r.doi}" if r.doi else ""
    return f"{authors} ({r.year}). {r.title.rstrip('.')}. {r.journal}, {r.volume}, {r.pages}.{doi}"


def usable(records):
    return [r for r in records if r.title and r.authors and r.journal and r.year and r.volume and r.pages
            and all(p.family for p in r.authors[:6]) and "&" not in r.journal and "(" not in r.journal]


def references(corpus: Corpus, n_crossref: int, n_pubmed: int) -> list[str]:
    pm = usable(corpus.pubmed_records())
    pm_dois = {r.doi for r in pm if r.doi}
    cr = [r for r in usable(corpus.crossref_records()) if r.doi and r.doi not in pm_dois]
    works = sorted(cr, key=lambda r: r.doi)[:n_crossref] + sorted(pm, key=lambda r: r.pmid)[:n_pubmed]
    return [(apa if i % 2 else vancouver)(r) for i, r in enumerate(works)]


def article(entries: list[str]) -> str:
    return "A benchmark page\n\nIts reference list follows.\n\nReferences\n\n" + \
        "\n".join(f"{i}. {e}" for i, e in enumerate(entries, 1)) + "\n"


def runner_for(emu: Emulator, tmp_path: Path) -> AuditRunner:
    settings = settings_for(emu, tmp_path)
    return AuditRunner(settings, Store(settings.db_path),
                       sources=[CrossrefSource(settings), PubMedSource(settings)])


def most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def test_pools_stay_inside_rate_and_concurrency(limited, corpus, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(article(references(corpus, 8, 12)), encoding="utf-8")
    runner = runner_for(limited, tmp_path)
    [(_, result)] = runner.audit_many([str(path)])
    runner.close()
    stats = limited.stats
    assert all(stats[p]["429"] == 0 for p in stats), stats
    by_pool: dict[str, list[float]] = {}
    for t, pool, _ in limited.log:
        by_pool.setdefault(pool, []).append(t)
    assert set(by_pool) <= set(RATES)
    for pool, times in by_pool.items():
        assert most_in_one_second(times) <= RATES[pool], pool
    verdicts = Counter(it.check.verdict for it in result.audit.items)
    assert verdicts["verified"] >= 18 and verdicts["unchecked"] == 0
    # a citation costs at most a request and a half
    assert sum(stats[p]["requests"] for p in RATES) <= 1.5 * len(result.audit.items)


def test_crossref_pools_share_one_concurrency_limit(tmp_path):
    settings = Settings(crossref_concurrency=3, crossref_rate=3, crossref_doi_rate=10)
    source = CrossrefSource(settings)
    assert source.query_pool.gate is source.doi_pool.gate and source.doi_pool.concurrency == 3
    source.close()


def test_limits_announced_in_headers_lower_the_pool(corpus, tmp_path):
    # Crossref is reached through habanero's public client, which does not show response
    # headers: its pools keep the configured limits
    with Emulator(corpus, crossref_rate=2, crossref_concurrency=1, enforce_limits=False) as emu:
        settings = settings_for(emu, tmp_path).with_(crossref_rate=2.0, crossref_concurrency=1)
        source = CrossrefSource(settings)
        source.search(Citation("reference", "x", 0, 1, Fields(title="Early warning signals", year=2013)))
        source.close()
    assert source.query_pool.rate == 2.0 and source.query_pool.concurrency == 1
    # E-utilities answers through our own httpx client, and NCBI's announced limit lowers the pool
    pool = Pool("eutils", 10.0, 3)
    pool.adopt_limits({"x-ratelimit-limit": "3"})
    assert pool.rate == 3.0
    pool.adopt_limits({"x-ratelimit-limit": "20"})  # never raised above the configured limit
    assert pool.rate == 3.0


def test_efetch_batches_up_to_200_ids(limited, corpus, tmp_path):
    real = sorted(r.pmid for r in corpus.pubmed_records())
    pmids = real + [str(99_000_000 + i) for i in range(230 - len(real))]  # not in PubMed: answer None
    citations = [Citation("reference", f"PMID {p}", i, i + 1, Fields(pmid=p)) for i, p in enumerate(pmids)]
    source = PubMedSource(settings_for(limited, tmp_path))
    answers = Resolver([source], store=None).resolve(citations)
    source.close()
    paths = Counter(path for _, _, path in limited.log)
    assert paths == {"/eutils/efetch.fcgi": math.ceil(230 / 200)}
    found = [a[0].by_identifier[f"pmid:{p}"] for a, p in zip(answers, pmids)]
    assert sum(r is not None for r in found) == len(real)
    assert all(r.pmid == p for r, p in zip(found, pmids) if r is not None)


def test_ecitmatch_lines_of_all_citations_go_in_one_request(limited, corpus, tmp_path):
    works = [r for r in sorted(usable(corpus.pubmed_records()), key=lambda r: r.pmid)
             if corpus.ecitmatch(r.journal, r.year, r.volume, r.first_page, r.authors[0].family) == r.pmid][:30]
    assert len(works) == 30
    citations = [Citation("reference", r.title, i, i + 1, Fields(
        authors=r.authors[:1], title=r.title, journal=r.journal, year=r.year, volume=r.volume, pages=r.pages))
        for i, r in enumerate(works)]
    source = PubMedSource(settings_for(limited, tmp_path))
    answers = Resolver([source], store=None).resolve(citations)
    source.close()
    paths = Counter(path for _, _, path in limited.log)
    assert paths == {"/eutils/ecitmatch.cgi": 1, "/eutils/efetch.fcgi": 1}, paths
    assert all(any(r.pmid == w.pmid for r in a[0].records) for a, w in zip(answers, works))


BATCHED = ("/eutils/ecitmatch.cgi", "/eutils/efetch.fcgi")


def test_shared_references_across_articles_are_fetched_once(limited, corpus, tmp_path):
    entries = references(corpus, 4, 4)
    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_text(article(entries), encoding="utf-8")
    runner = runner_for(limited, one)
    [(_, first)] = runner.audit_many([str(one / "a.txt")])
    runner.close()
    alone = Counter(path for _, _, path in limited.log)
    verdicts = Counter(it.check.verdict for it in first.audit.items)
    assert verdicts["verified"] >= 6

    time.sleep(1.1)  # the first run's requests leave the emulator's one-second windows
    limited.reset_stats()
    many = tmp_path / "many"
    many.mkdir()
    for i in range(5):  # the same references, in another order in each article
        (many / f"{i}.txt").write_text(article(entries[i:] + entries[:i]), encoding="utf-8")
    runner = runner_for(limited, many)
    results = runner.audit_many(runner.expand_inputs([str(many)]))
    runner.close()
    together = Counter(path for _, _, path in limited.log)
    # every DOI and every search is asked once, however many articles cite it
    unbatched = {p: n for p, n in together.items() if p not in BATCHED}
    assert unbatched == {p: n for p, n in alone.items() if p not in BATCHED}, (together, alone)
    assert all(n == 1 for path, n in together.items() if path.startswith("/crossref/works/"))
    # batched endpoints (ECitMatch, efetch) may leave in one or two requests, depending on
    # whether the later articles' citations were read before the pool could send the batch
    assert all(1 <= together[p] <= 2 * alone[p] for p in BATCHED if alone[p]), (together, alone)
    assert len(results) == 5
    for _, r in results:
        assert Counter(it.check.verdict for it in r.audit.items) == verdicts
    with Store(many / "audit.db") as store:
        assert len(store.latest_checks()) == 5 * 8


def test_stored_records_are_reused_without_requests(limited, corpus, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(article(references(corpus, 3, 3)), encoding="utf-8")
    runner = runner_for(limited, tmp_path)
    runner.audit_many([str(path)])
    runner.close()
    limited.reset_stats()
    runner = runner_for(limited, tmp_path)  # a later run on the same database
    [(_, result)] = runner.audit_many([str(path)])
    runner.close()
    assert sum(s["requests"] for s in limited.stats.values()) == 0
    assert Counter(it.check.verdict for it in result.audit.items)["verified"] >= 5


def test_batcher_gathers_items_and_shares_failures():
    calls = []

    def fn(items):
        calls.append(list(items))
        if "bad" in items:
            raise ValueError("boom")
        return {i: i.upper() for i in items}

    b = Batcher(fn, size=3, linger=0.05)
    futures = [b.submit([x]) for x in "abcde"]
    assert [f.result()[x] for f, x in zip(futures, "abcde")] == list("ABCDE")
    assert sorted(len(c) for c in calls) == [2, 3]
    with pytest.raises(ValueError):
        b.get(["bad"])
    b.close()


def test_gate_gives_the_slower_pool_first_place():
    gate = Gate(1)
    fast, slow = Pool("doi", 10.0, gate=gate), Pool("query", 3.0, gate=gate)
    gate.waiting[slow] = 1
    assert gate._yields_to(fast, 0.0) and not gate._yields_to(slow, 0.0)


def test_no_progress_output_when_not_a_terminal(limited, corpus, tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text(article(references(corpus, 2, 2)), encoding="utf-8")
    settings = settings_for(limited, tmp_path)
    for k, v in {"CITEAUDIT_CROSSREF_URL": settings.crossref_url, "CITEAUDIT_EUTILS_URL": settings.eutils_url,
                 "CITEAUDIT_MAILTO": "tests@example.org", "CITEAUDIT_CROSSREF_RATE": "4",
                 "CITEAUDIT_CROSSREF_DOI_RATE": "8", "CITEAUDIT_CROSSREF_CONCURRENCY": "2",
                 "CITEAUDIT_PUBMED_RATE": "4"}.items():
        monkeypatch.setenv(k, v)
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "cli.db"), "run", str(path), str(path),
                                      "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert "citeaudit [" not in result.stderr and "\r" not in result.stderr
    assert limited.stats["crossref-query"]["429"] == 0
