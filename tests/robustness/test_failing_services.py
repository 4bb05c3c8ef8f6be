"""Failing services: every fault ends as 'unchecked' with its reason, the run finishes, and
no citation whose work is in the fixture corpus is ever called 'unfound'.

Faults come from the loopback emulator (500/502/503, 429 with and without Retry-After,
truncated JSON/XML, a 200 carrying NCBI's HTML error page, a hang, a slow drip, a reset
connection), plus a refused connection and a domain that cannot resolve (.invalid).
Timeouts, retries and waits are set small so the whole module runs in about a minute.
"""

from __future__ import annotations

import socket
import threading

import pytest

from citeaudit.config import Settings
from citeaudit.emulate import Corpus, Emulator
from citeaudit.models import UNCHECKED, UNFOUND
from citeaudit.commands.runner import AuditRunner
from citeaudit.resolve.sources.base import SourceError
from citeaudit.resolve.sources import throttle
from citeaudit.store import Store

from .helpers import RECORDS, SEED_002, db_rows

EMULATED = ("500", "502", "503", "429", "429-no-retry-after", "malformed", "html-error", "hang", "drip", "reset")
# where a fault is injected: every service, Crossref only, E-utilities only
TARGETS = {"all": "/", "crossref": "/crossref", "eutils": "/eutils"}
WATCHDOG = 120  # seconds: a run that is not bounded in time fails instead of hanging CI


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """Backoff of 50 ms, 100 ms... instead of 0.5 s, 1 s...: same policy, faster suite."""
    monkeypatch.setattr(throttle, "backoff", lambda attempt: 0.05 * (2 ** attempt))


@pytest.fixture(scope="module")
def corpus():
    return Corpus().load_dir(RECORDS)


@pytest.fixture(scope="module")
def emu(corpus):
    # limits off, and announced as high (clients adopt announced limits)
    with Emulator(corpus, crossref_rate=1000, crossref_doi_rate=1000, crossref_concurrency=50, eutils_rate=1000,
                  eutils_concurrency=50, enforce_limits=False, hang_seconds=2.0, drip_interval=0.1) as e:
        yield e


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    """The seed article's reference list alone (its 12 entries: works in the corpus, grey
    literature), so that each faulty run makes few requests and the module stays fast."""
    lines = SEED_002.read_text(encoding="utf-8").splitlines()
    entries = [line for line in lines if line.strip().startswith("\u2022") and "(20" in line]
    assert len(entries) == 12
    path = tmp_path_factory.mktemp("article") / "refs.txt"
    path.write_text("Kratom for chronic back pain\n\nReferences\n\n" + "\n".join(entries) + "\n", encoding="utf-8")
    return path


def make_settings(db, crossref_url: str, eutils_url: str) -> Settings:
    return Settings(db_path=str(db), crossref_url=crossref_url, eutils_url=eutils_url, mailto="tests@example.org",
                    timeout=0.4, retries=1, max_wait=3.0, crossref_rate=100, crossref_doi_rate=100,
                    crossref_concurrency=8, pubmed_rate=100, pubmed_concurrency=8, check_links=False,
                    max_age_days=30)


def audit(db, crossref_url: str, eutils_url: str, article) -> dict:
    """Audit `article` in a thread with a watchdog; returns {"report", "run_status"}."""
    box: dict = {}

    def work() -> None:
        store = Store(db)
        runner = AuditRunner(make_settings(db, crossref_url, eutils_url), store)
        try:
            box["result"] = runner.audit(str(article))
        except BaseException as e:  # reported below
            box["error"] = e
        finally:
            runner.close()
            store.close()

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(WATCHDOG)
    assert not t.is_alive(), "the audit did not finish: total time is not bounded"
    if "error" in box:
        raise box["error"]
    result = box["result"]
    status = db_rows(db, "SELECT status FROM runs WHERE id = ?", (result.run_id,))[0][0]
    return {"report": result.report, "run_status": status}


def refs(report: dict) -> dict[str, dict]:
    return {" ".join(c["text"].split()): c for c in report["citations"] if c["kind"] == "reference"}


@pytest.fixture(scope="module")
def baseline(emu, tmp_path_factory, article):
    """The healthy audit; the works it finds (verified or mismatched) are the corpus works."""
    emu.clear_faults()
    out = audit(tmp_path_factory.mktemp("base") / "audit.db", emu.crossref_url, emu.eutils_url, article)
    assert out["run_status"] == "complete"
    found = {t: c for t, c in refs(out["report"]).items() if c["verdict"] in ("verified", "mismatched")}
    assert len(found) >= 7, [c["verdict"] for c in refs(out["report"]).values()]
    return {t: c["verdict"] for t, c in refs(out["report"]).items()}, set(found)


def assert_nobody_wrongly_accused(report: dict, corpus_works: set[str]) -> list[dict]:
    got = refs(report)
    assert corpus_works <= set(got)
    for text in corpus_works:
        assert got[text]["verdict"] != UNFOUND, (text, got[text]["reason"])
    assert all(c["verdict"] != UNFOUND for c in report["citations"]), "a fault produced 'unfound'"
    return [got[t] for t in corpus_works]


# every fault on every service; a sample of faults on one service while the other answers
# (the case where one source says "nothing" and the other could not be asked)
PERSISTENT = [(f, "all") for f in EMULATED] + [
    ("429", "crossref"), ("malformed", "crossref"), ("drip", "crossref"), ("html-error", "crossref"),
    ("429-no-retry-after", "eutils"), ("malformed", "eutils"), ("html-error", "eutils"), ("hang", "eutils"),
]


@pytest.mark.parametrize("fault,target", PERSISTENT)
def test_persistent_fault_never_becomes_unfound(emu, tmp_path, article, baseline, fault, target):
    _, corpus_works = baseline
    emu.clear_faults()
    emu.set_fault(TARGETS[target], fault)
    try:
        out = audit(tmp_path / "audit.db", emu.crossref_url, emu.eutils_url, article)
    finally:
        emu.clear_faults()
    assert out["run_status"] == "complete"
    works = assert_nobody_wrongly_accused(out["report"], corpus_works)
    if target == "all":  # nothing could be asked: every corpus work is unchecked, with the reason
        for c in works:
            assert c["verdict"] == UNCHECKED, c
            assert c["reason"].startswith("could not check"), c["reason"]
            assert "crossref" in c["reason"] and "pubmed" in c["reason"]
            assert any(v != "ok" for v in c["sources"].values())


@pytest.mark.parametrize("fault", EMULATED)
def test_transient_fault_is_retried_and_the_audit_is_unchanged(emu, tmp_path, article, baseline, fault):
    """One failed request per service: the retry succeeds and every verdict is as healthy."""
    verdicts, _ = baseline
    emu.clear_faults()
    emu.set_fault("/crossref", fault, count=1)
    emu.set_fault("/eutils", fault, count=1)
    try:
        out = audit(tmp_path / "audit.db", emu.crossref_url, emu.eutils_url, article)
    finally:
        emu.clear_faults()
    got = {t: c["verdict"] for t, c in refs(out["report"]).items()}
    assert got == verdicts


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


UNREACHABLE = {
    "connection-refused": lambda: f"http://127.0.0.1:{_closed_port()}",
    "dns-failure": lambda: "http://nonexistent.invalid",
}


@pytest.mark.parametrize("kind", sorted(UNREACHABLE))
@pytest.mark.parametrize("which", ["both", "crossref", "eutils"])
def test_unreachable_service(emu, tmp_path, article, baseline, kind, which):
    _, corpus_works = baseline
    emu.clear_faults()
    bad = UNREACHABLE[kind]()
    crossref_url = bad + "/crossref" if which in ("both", "crossref") else emu.crossref_url
    eutils_url = bad + "/eutils" if which in ("both", "eutils") else emu.eutils_url
    out = audit(tmp_path / "audit.db", crossref_url, eutils_url, article)
    assert out["run_status"] == "complete"
    works = assert_nobody_wrongly_accused(out["report"], corpus_works)
    if which == "both":
        for c in works:
            assert c["verdict"] == UNCHECKED and "could not" in c["reason"], c["reason"]


def test_stored_records_are_not_cached_from_a_failed_run(emu, tmp_path, article, baseline):
    """After a run where everything failed, a healthy run finds the works again (failures
    are not remembered as 'not found')."""
    verdicts, _ = baseline
    db = tmp_path / "audit.db"
    emu.set_fault("/", "503")
    try:
        audit(db, emu.crossref_url, emu.eutils_url, article)
    finally:
        emu.clear_faults()
    out = audit(db, emu.crossref_url, emu.eutils_url, article)
    assert {t: c["verdict"] for t, c in refs(out["report"]).items()} == verdicts


# --- the retry policy itself (no network) -----------------------------------------------


def test_retries_back_off_and_stay_within_max_wait(monkeypatch):
    sleeps: list[float] = []
    # record the retry waits (the pool's own few-ms settling sleeps are not waits)
    monkeypatch.setattr(throttle.time, "sleep", lambda s: sleeps.append(s) if s >= 0.05 else None)
    pool = throttle.Pool("test", rate=1000, concurrency=1)
    calls = []

    def failing():
        calls.append(1)
        raise throttle.TransientError("HTTP 503", status=503)

    with pytest.raises(SourceError, match=r"HTTP 503 \(4 attempts\)"):
        throttle.call(failing, pool, "svc", retries=3, max_wait=60)
    assert len(calls) == 4 and len(sleeps) == 3
    assert sleeps[0] < sleeps[1] < sleeps[2]  # exponential backoff (jitter stays within x0.75..x1.25)


def test_retry_after_is_honoured_but_not_beyond_max_wait(monkeypatch):
    sleeps: list[float] = []
    # record the retry waits (the pool's own few-ms settling sleeps are not waits)
    monkeypatch.setattr(throttle.time, "sleep", lambda s: sleeps.append(s) if s >= 0.05 else None)
    pool = throttle.Pool("test", rate=1000, concurrency=1)
    answers = iter([throttle.TransientError("HTTP 429", retry_after=2.0, status=429)])

    def once():
        e = next(answers, None)
        if e:
            raise e
        return "ok"

    assert throttle.call(once, pool, "svc", retries=3, max_wait=60) == "ok"
    assert sleeps == [2.0] and pool.throttled == 1

    def far_future():
        raise throttle.TransientError("HTTP 429", retry_after=3600.0, status=429)

    sleeps.clear()
    with pytest.raises(SourceError, match="HTTP 429"):
        throttle.call(far_future, pool, "svc", retries=3, max_wait=5)
    assert sleeps == []  # gave up at once instead of sleeping an hour


def test_run_with_deadline_gives_up_on_a_slow_call():
    release = threading.Event()
    with pytest.raises(throttle.TransientError, match="too slow"):
        throttle.run_with_deadline(lambda: release.wait(10), 0.2)
    release.set()
    assert throttle.run_with_deadline(lambda: 42, 5) == 42
    with pytest.raises(KeyError):
        throttle.run_with_deadline(lambda: {}["x"], 5)


def _silent_call(release: threading.Event, timeout: float, sent: list):
    """A request to a service that never answers: it times out after `timeout` (SILENT)."""
    def fn():
        sent.append(threading.current_thread().name)
        if not release.wait(timeout):
            raise throttle.TransientError(f"no answer within {timeout:g} s", kind=throttle.SILENT)
        return "late answer"
    return fn


def test_a_silent_service_gets_one_twin_request_and_is_given_up_after_it():
    """Before any answer, the request still waiting at half its timeout gets one twin; the two
    silences overlap, so the service is given up when the twin's timeout ends."""
    health = throttle.ServiceHealth("svc", "Svc", first_answer_timeout=0.4)
    pool = throttle.Pool("svc", rate=1000, concurrency=3, gate=throttle.Gate(3, health))
    release, sent = threading.Event(), []
    with pytest.raises(SourceError, match="Svc not answering"):
        throttle.call(_silent_call(release, 0.4, sent), pool, "svc search", retries=3, max_wait=60)
    assert health.down is not None
    assert sorted(n.split("-")[1] for n in sent) == ["probe", "probe", "twin"]  # first, its twin, the retry
    before = len(sent)
    with pytest.raises(SourceError, match="not asked again in this run"):
        throttle.call(_silent_call(release, 0.4, sent), pool, "svc search")
    assert len(sent) == before  # nothing sent once given up
    release.set()


def test_the_twin_answer_is_the_answer():
    health = throttle.ServiceHealth("svc", "Svc", first_answer_timeout=0.4)
    pool = throttle.Pool("svc", rate=1000, concurrency=3, gate=throttle.Gate(3, health))
    first = threading.Event()
    calls = []

    def fn():
        calls.append(1)
        if len(calls) == 1:
            first.wait(5)  # the first request hangs; its twin answers
            raise throttle.TransientError("no answer", kind=throttle.SILENT)
        return "from the twin"

    assert throttle.call(fn, pool, "svc search") == "from the twin"
    assert health.answered and health.down is None and len(calls) == 2
    first.set()


def test_a_request_waiting_for_its_turn_sends_nothing_once_the_service_is_given_up():
    """Requests queued behind the rate limit are released, unsent, the moment the service is
    given up (not paced out one by one)."""
    health = throttle.ServiceHealth("svc", "Svc", first_answer_timeout=0.4)
    # one start per 10 s: the queued request cannot start before the service is given up
    pool = throttle.Pool("svc", rate=0.1, concurrency=3, gate=throttle.Gate(3, health))
    release, sent = threading.Event(), []
    errors: list[str] = []

    def queued():
        try:
            throttle.call(lambda: sent.append("queued") or "x", pool, "svc lookup")
        except SourceError as e:
            errors.append(str(e))

    holder = threading.Thread(target=lambda: pytest.raises(
        SourceError, throttle.call, _silent_call(release, 0.4, sent), pool, "svc search"))
    holder.start()
    while not sent:  # the one start allowed went to a silent request
        threading.Event().wait(0.01)
    waiter = threading.Thread(target=queued)
    waiter.start()
    holder.join(5)
    waiter.join(5)
    assert not waiter.is_alive() and health.down is not None
    assert "queued" not in sent and errors and "not asked again in this run" in errors[0]
    release.set()
