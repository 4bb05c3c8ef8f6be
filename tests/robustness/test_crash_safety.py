"""Crash safety with real processes: a run killed by SIGINT or SIGKILL at several points
leaves audit.db consistent (integrity_check ok), the killed run marked incomplete, earlier
runs intact, and `citeaudit run` again completes; two processes writing one db both succeed.

The emulator answers with latency so that a run is mid-flight when it is killed.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

import pytest

from citeaudit.emulate import Corpus, Emulator

from .helpers import RECORDS, SEED_002, assert_no_traceback, cli_cmd, cli_env, db_rows, integrity_ok, run_cli

FIXTURE_ARTICLES = SEED_002.parent


@pytest.fixture(scope="module")
def emu():
    corpus = Corpus().load_dir(RECORDS)
    with Emulator(corpus, latency=0.4, crossref_rate=1000, crossref_doi_rate=1000, crossref_concurrency=50,
                  eutils_rate=1000, eutils_concurrency=50, enforce_limits=False) as e:
        yield e


def env_for(emu, db) -> dict[str, str]:
    return cli_env(CITEAUDIT_CROSSREF_URL=emu.crossref_url, CITEAUDIT_EUTILS_URL=emu.eutils_url,
                   CITEAUDIT_DB=str(db), CITEAUDIT_CHECK_LINKS="0", CITEAUDIT_TIMEOUT="5", CITEAUDIT_MAX_WAIT="5")


def runs(db) -> list[tuple]:
    return db_rows(db, "SELECT id, status, article_id FROM runs ORDER BY id")


def checks_of(db, run_id: int) -> list[tuple]:
    return db_rows(db, "SELECT citation_id, verdict, reason FROM checks WHERE run_id = ? ORDER BY id", (run_id,))


def wait_for_running_run(db, proc, limit: float = 60) -> None:
    """Block until the subprocess has a 'running' run row in the db (or has exited)."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if db.exists():
            try:
                if db_rows(db, "SELECT 1 FROM runs WHERE status = 'running'"):
                    return
            except Exception:  # the schema may not exist yet
                pass
        time.sleep(0.05)
    raise AssertionError("the run never started")


@pytest.fixture(scope="module")
def earlier_template(emu, tmp_path_factory):
    db = tmp_path_factory.mktemp("earlier") / "audit.db"
    p = run_cli("run", str(FIXTURE_ARTICLES / "003_kratom_dopamine.txt"), "--format", "json", env=env_for(emu, db))
    assert p.returncode in (0, 1), p.stderr
    return db


@pytest.fixture
def earlier(earlier_template, tmp_path):
    """A database with one complete earlier run (of another article) to keep intact."""
    db = tmp_path / "audit.db"
    for suffix in ("", "-wal", "-shm"):
        src = earlier_template.with_name(earlier_template.name + suffix)
        if src.exists():
            shutil.copy(src, db.with_name(db.name + suffix))
    (run_id, status, _), = runs(db)
    assert status == "complete"
    return db, run_id, checks_of(db, run_id)


def assert_consistent_and_resumable(emu, db, earlier_run: int, earlier_checks: list[tuple]) -> None:
    assert integrity_ok(db)
    # the next open marks a run whose process is gone as incomplete; the rerun completes
    p = run_cli("run", str(SEED_002), "--format", "json", env=env_for(emu, db))
    assert_no_traceback(p)
    assert p.returncode in (0, 1), p.stderr
    assert integrity_ok(db)
    rows = runs(db)
    assert rows[0][:2] == (earlier_run, "complete")
    assert checks_of(db, earlier_run) == earlier_checks  # earlier run untouched
    assert rows[-1][1] == "complete"
    assert checks_of(db, rows[-1][0])  # the rerun stored its verdicts
    killed = rows[1:-1]
    assert killed and all(status == "incomplete" for _, status, _ in killed), rows
    assert not db_rows(db, "SELECT 1 FROM runs WHERE status = 'running'")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("delay", [0.0, 0.5, 1.2])
def test_run_killed_mid_flight(emu, earlier, sig, delay):
    db, earlier_run, earlier_checks = earlier
    proc = subprocess.Popen(cli_cmd("run", str(SEED_002), "--format", "json"), env=env_for(emu, db),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_running_run(db, proc)
        time.sleep(delay)
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if sig == signal.SIGINT:
        assert "Traceback" not in err, err[-3000:]
        if proc.returncode == 130:
            assert "interrupted" in err
            # the interrupted run marked itself incomplete on the way out
            assert runs(db)[-1][1] == "incomplete"
        else:  # it finished before the signal arrived
            assert proc.returncode in (0, 1)
    else:  # killed, or it finished before the signal arrived
        assert proc.returncode in (-signal.SIGKILL, 0, 1)
    if runs(db)[-1][1] == "complete":  # finished before the signal: nothing was killed
        pytest.skip("the run finished before the signal")
    assert_consistent_and_resumable(emu, db, earlier_run, earlier_checks)


@pytest.mark.parametrize("after", [0.05, 0.3, 0.8])
def test_sigkill_while_opening_or_migrating(emu, tmp_path, after):
    """Killed while the database is being created and migrated: the next run still works."""
    db = tmp_path / "audit.db"
    proc = subprocess.Popen(cli_cmd("run", str(SEED_002)), env=env_for(emu, db),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    proc.kill()
    proc.wait()
    p = run_cli("run", str(SEED_002), "--format", "json", env=env_for(emu, db))
    assert_no_traceback(p)
    assert p.returncode in (0, 1), p.stderr
    assert integrity_ok(db)
    statuses = [s for _, s, _ in runs(db)]
    assert statuses[-1] == "complete" and "running" not in statuses


def test_two_processes_write_one_database_at_once(emu, tmp_path):
    db = tmp_path / "audit.db"
    articles = [SEED_002, FIXTURE_ARTICLES / "004_kratom_guide.txt"]
    procs = [subprocess.Popen(cli_cmd("run", str(a), "--format", "json"), env=env_for(emu, db),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for a in articles]
    results = [p.communicate(timeout=180) for p in procs]
    for p, (_out, err) in zip(procs, results):
        assert "Traceback" not in err, err[-3000:]
        assert p.returncode in (0, 1), err
    assert integrity_ok(db)
    rows = runs(db)
    assert len(rows) == 2 and all(status == "complete" for _, status, _ in rows)
    assert len({article for _, _, article in rows}) == 2
    for run_id, _, _ in rows:
        assert checks_of(db, run_id)
