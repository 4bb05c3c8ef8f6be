"""The shared work queue and `citeaudit worker` (issue 13), on SQLite and on a throwaway
PostgreSQL server: queue add/status, draining, leases of dead workers, exactly one complete
run per article; and on PostgreSQL three worker processes against the emulator, one of them
SIGKILLed mid-article, the queue still drained with each article audited exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.store import Store
from citeaudit.store.queue import LeaseLost, WorkQueue

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted(p for p in (ROOT / "fixtures/articles").glob("00*.txt"))
runner = CliRunner()


def cli(db, *args):
    return runner.invoke(app, ["--db", str(db), *args])


def rows(db, query, **params):
    with Store(db) as store, store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query), params)]


def test_add_status_and_drain(db_target, service_env):
    first = cli(db_target, "queue", "add", *map(str, ARTICLES[:3]))
    assert first.exit_code == 0, first.output
    assert "queued 3 articles" in first.output
    again = cli(db_target, "queue", "add", str(ARTICLES[0]), str(ARTICLES[3]))
    assert "queued 1 article " in again.output and "(1 already waiting)" in again.output
    status = cli(db_target, "queue", "status", "--format", "json")
    assert json.loads(status.stdout)["counts"] == {"queued": 4, "running": 0, "done": 0, "failed": 0}

    worked = cli(db_target, "worker", "--drain")
    assert worked.exit_code in (0, 1), worked.output  # 1: the seed articles have findings
    assert "worker done: 4 audited, 0 failed" in worked.output
    assert json.loads(cli(db_target, "queue", "status", "--format", "json").stdout)["counts"] == {
        "queued": 0, "running": 0, "done": 4, "failed": 0}
    # each article exactly one complete run, and it is the run the queue row names
    runs = rows(db_target, "SELECT a.source, COUNT(*) FROM runs r JOIN articles a ON a.id = r.article_id "
                           "WHERE r.status = 'complete' GROUP BY a.source ORDER BY a.source")
    assert runs == [(str(p), 1) for p in ARTICLES[:4]]
    linked = rows(db_target, "SELECT COUNT(*) FROM queue q JOIN runs r ON r.id = q.run_id "
                             "JOIN articles a ON a.id = r.article_id AND a.source = q.source "
                             "WHERE q.status = 'done' AND r.status = 'complete'")
    assert linked == [(4,)]
    # a drained queue: a second worker has nothing to do and says so
    idle = cli(db_target, "worker", "--drain")
    assert idle.exit_code == 0 and "worker done: 0 audited" in idle.output
    # done rows are never claimed again; adding the article again queues a new audit
    assert "queued 1 article " in cli(db_target, "queue", "add", str(ARTICLES[0])).output


def test_unreadable_article_fails_with_its_reason(db_target, service_env, tmp_path):
    gone = tmp_path / "gone.txt"
    gone.write_text("An article.\n")
    assert cli(db_target, "queue", "add", str(gone)).exit_code == 0
    gone.unlink()
    worked = cli(db_target, "worker", "--drain")
    assert worked.exit_code == 2 and "worker done: 0 audited, 1 failed" in worked.output
    status = cli(db_target, "queue", "status")
    assert "0 queued, 0 running, 0 done, 1 failed" in status.output
    assert f"failed  {gone}" in status.output


def test_queue_add_errors_are_one_line(db_target, tmp_path):
    missing = cli(db_target, "queue", "add", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2 and missing.output.count("\n") == 1 and "no such file" in missing.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli(db_target, "queue", "add", str(empty)).exit_code == 2


def test_expired_lease_is_claimed_again_and_the_late_worker_cannot_finish(db_target):
    with Store(db_target) as store:
        queue = WorkQueue(store)
        assert queue.add(["/a.txt", "/b.txt"]) == (2, 0)
        a = queue.claim("hostA:1:x", lease=1)
        b = queue.claim("hostB:2:y", lease=60)
        assert (a.source, b.source) == ("/a.txt", "/b.txt")
        assert queue.claim("hostC:3:z", lease=60) is None  # both held
        time.sleep(2.1)  # A's lease (1 s, to the second) has expired: A is taken for dead
        c = queue.claim("hostC:3:z", lease=60)
        assert (c.id, c.source, c.attempts) == (a.id, "/a.txt", 2)
        assert not queue.renew(a, 60)  # A comes back: the row is no longer its
        article = store.upsert_article(_doc("/a.txt"))
        late = store.start_run(article, "online", "0", "h")
        with pytest.raises(LeaseLost):
            store.finish_run(late, "complete", then=queue.done_hook(a))
        # the late worker's run is not complete (rolled back with the queue update)
        assert rows(db_target, "SELECT status FROM runs WHERE id = :id", id=late) == [("running",)]
        mine = store.start_run(article, "online", "0", "h")
        store.finish_run(mine, "complete", then=queue.done_hook(c))
        assert rows(db_target, "SELECT status, run_id, claimed_by FROM queue WHERE id = :id", id=a.id) == [
            ("done", mine, "hostC:3:z")]
        assert queue.pending()  # b still running
        queue.release(b)
        assert queue.counts() == {"queued": 1, "running": 0, "done": 1, "failed": 0}


def test_an_article_whose_worker_always_dies_becomes_failed(db_target):
    with Store(db_target) as store:
        queue = WorkQueue(store)
        queue.add(["/killer.txt", "/next.txt"])
        for attempt in range(2):
            claim = queue.claim(f"h:{attempt}:n", lease=1, max_attempts=2)
            assert claim.source == "/killer.txt"
            time.sleep(2.1)
        nxt = queue.claim("h:9:n", lease=60, max_attempts=2)
        assert nxt.source == "/next.txt"
        [failed] = queue.rows("failed")
        assert failed["source"] == "/killer.txt" and "never finished" in failed["error"]


def test_a_dead_workers_run_is_marked_incomplete_when_its_article_is_reclaimed(db_target):
    with Store(db_target) as store:
        queue = WorkQueue(store)
        queue.add(["/a.txt"])
        dead = queue.claim("otherhost:4242:n", lease=1)
        article = store.upsert_article(_doc("/a.txt"))
        run = store.start_run(article, "online", "0", "h")
        with store.engine.begin() as conn:  # as that worker on that machine wrote it
            conn.execute(text("UPDATE runs SET host = 'otherhost', pid = 4242 WHERE id = :id"), {"id": run})
        assert store.mark_stale_runs_incomplete() == 0  # another machine's pid: not ours to judge
        time.sleep(2.1)
        assert queue.claim("here:1:n", lease=60).id == dead.id
        assert rows(db_target, "SELECT status FROM runs WHERE id = :id", id=run) == [("incomplete",)]


def _doc(source):
    from citeaudit.models import Document

    return Document(source=source, text="x", title="t", content_hash="h")


# --- several worker processes on PostgreSQL, one SIGKILLed -------------------------------------------


def _worker(env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from citeaudit.cli import main; main()", "worker", "--drain"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_three_workers_one_killed_each_article_audited_once(pg_url, corpus, tmp_path):
    from citeaudit.emulate import Emulator

    # copies of the seed articles under distinct names: 12 articles of 6 kinds
    sources = []
    for i in range(12):
        src = ARTICLES[i % len(ARTICLES)]
        path = tmp_path / f"{i:02d}_{src.name}"
        path.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
        sources.append(str(path))
    with Emulator(corpus, latency=0.05, enforce_limits=False) as emu:
        env = dict(os.environ, CITEAUDIT_DB=pg_url, CITEAUDIT_CROSSREF_URL=emu.crossref_url,
                   CITEAUDIT_EUTILS_URL=emu.eutils_url, CITEAUDIT_MAILTO="tests@example.org",
                   CITEAUDIT_TIMEOUT="5", CITEAUDIT_RETRIES="1", CITEAUDIT_CHECK_LINKS="0",
                   CITEAUDIT_QUEUE_LEASE="2", CITEAUDIT_QUEUE_POLL="0.2",
                   PYTHONPATH=os.pathsep.join(sys.path))
        assert cli(pg_url, "queue", "add", *sources).exit_code == 0
        workers = [_worker(env) for _ in range(3)]
        victim = workers[0]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill the first worker while it holds an article
            held = rows(pg_url, "SELECT COUNT(*) FROM queue WHERE status = 'running' AND claimed_by LIKE :me",
                        me=f"%:{victim.pid}:%")
            if held[0][0]:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the first worker never claimed an article")
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        outputs = [w.communicate(timeout=240) for w in workers[1:]]
        # 0/1: audited (1: findings); 3: a service was slow to answer on a loaded machine (still done)
        assert {w.returncode for w in workers[1:]} <= {0, 1, 3}, outputs

    counts = rows(pg_url, "SELECT status, COUNT(*) FROM queue GROUP BY status")
    assert counts == [("done", 12)]
    complete = rows(pg_url, "SELECT a.source, COUNT(*) FROM runs r JOIN articles a ON a.id = r.article_id "
                            "WHERE r.status = 'complete' GROUP BY a.source ORDER BY a.source")
    assert complete == [(s, 1) for s in sorted(sources)]
    # the killed worker's run (if it had started one) is incomplete, never complete
    assert rows(pg_url, "SELECT COUNT(*) FROM runs WHERE status = 'running'") == [(0,)]
    assert rows(pg_url, "SELECT COUNT(*) FROM runs WHERE pid = :pid AND status = 'complete'", pid=victim.pid) == [(0,)]
    # no lost or duplicated checks: every present citation has exactly one check in a complete run
    per_citation = rows(pg_url, "SELECT c.id, COUNT(k.id) FROM citations c JOIN runs r ON r.article_id = c.article_id "
                                "AND r.status = 'complete' LEFT JOIN checks k ON k.citation_id = c.id "
                                "AND k.run_id = r.id WHERE c.present = 1 GROUP BY c.id")
    assert per_citation and {n for _, n in per_citation} == {1}


# --- the rest of the CLI on a PostgreSQL URL -----------------------------------------------------


def test_reverify_lock_is_a_server_advisory_lock(pg_url):
    from citeaudit.commands.lock import LockBusy, ReverifyLock, ServerLock

    Store(pg_url).close()
    with ReverifyLock(pg_url) as held:
        assert isinstance(held, ServerLock)
        with pytest.raises(LockBusy, match="another reverify is running"):
            ReverifyLock(pg_url, wait=0).acquire()
    with ReverifyLock(pg_url, wait=0):  # released with its connection: free again
        pass


def test_database_urls_and_their_errors(pg_url, tmp_path):
    from citeaudit.commands.schedule import make_plan

    up = cli(pg_url, "db", "upgrade")
    assert up.exit_code == 0 and "schema at revision 0007" in up.output
    sqlite_url = f"sqlite:///{tmp_path / 'via-url.db'}"
    assert cli(sqlite_url, "db", "upgrade").exit_code == 0 and (tmp_path / "via-url.db").is_file()
    for bad, message in (("mysql://u@h/db", "unsupported database 'mysql'"),
                         ("postgresql+psycopg://u:s3cret@127.0.0.1:1/none", "cannot connect to")):
        r = cli(bad, "queue", "status")
        assert r.exit_code == 2 and message in r.stderr, r.output
        assert len(r.stderr.strip().splitlines()) == 1 and "s3cret" not in r.stderr
    assert make_plan(pg_url).db == pg_url  # schedule passes a URL as it is
