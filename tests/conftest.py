"""Shared test fixtures: the fixture corpus, a loopback emulator of Crossref and
E-utilities over it, and settings/env pointing citeaudit at that emulator."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from citeaudit.config import load_settings
from citeaudit.emulate import Corpus, Emulator

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
ARTICLES = FIXTURES / "articles"
SEED_002 = ARTICLES / "002_kratom_back_pain.txt"


@pytest.fixture
def corpus() -> Corpus:
    return Corpus().load_dir(FIXTURES / "records")


@pytest.fixture
def emulator(corpus):
    """A fresh emulator (no rate limits, no latency) over the fixture corpus."""
    with Emulator(corpus, enforce_limits=False) as emu:
        yield emu


@pytest.fixture
def service_env(emulator, monkeypatch, tmp_path):
    """Environment pointing citeaudit at the emulator, with short timeouts and a temp db."""
    env = {
        "CITEAUDIT_CROSSREF_URL": emulator.crossref_url,
        "CITEAUDIT_EUTILS_URL": emulator.eutils_url,
        "CITEAUDIT_MAILTO": "tests@example.org",
        "CITEAUDIT_TIMEOUT": "5",
        "CITEAUDIT_RETRIES": "1",
        "CITEAUDIT_MAX_WAIT": "5",
        "CITEAUDIT_DB": str(tmp_path / "audit.db"),
        # cited links are not fetched (they point at real sites); tests/test_web.py turns it on
        "CITEAUDIT_CHECK_LINKS": "0",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


@pytest.fixture
def settings(service_env):
    return load_settings()


@pytest.fixture
def audit_text(settings, tmp_path):
    """Audit a text as `citeaudit run` does (against the emulator); returns the audited items."""
    from citeaudit.commands.runner import AuditRunner
    from citeaudit.store import Store

    def run(text: str, name: str = "article.txt"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        store = Store(settings.db_path)
        runner = AuditRunner(settings, store)
        try:
            return runner.audit(str(path)).audit.items
        finally:
            runner.close()
            store.close()

    return run


# --- no test reaches past loopback ------------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(sock: socket.socket, address) -> None:
    """Refuse (and remember) a connection to anything but a loopback address."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        host = str(address[0]).split("%", 1)[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            _escapes.append(host)
            raise ConnectionRefusedError(f"test guard: connecting to {host} is not allowed in tests")


_escapes: list[str] = []


@pytest.fixture(autouse=True)
def loopback_guard(monkeypatch):
    """Every test: a connect() to a non-loopback address is refused and fails the test."""
    def connect(sock, address):
        _loopback_only(sock, address)
        return _real_connect(sock, address)

    def connect_ex(sock, address):
        _loopback_only(sock, address)
        return _real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    _escapes.clear()
    yield _escapes
    assert not _escapes, f"a test tried to connect outside loopback: {_escapes}"


# --- a throwaway PostgreSQL server (tests/pg.py) ------------------------------------------------


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL server for the session (initdb in a temporary folder, stopped at the end);
    skips when the machine has no server binaries or no psycopg."""
    from pg import PgCluster, pg_binaries

    if pg_binaries() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl, postgres): install postgresql "
                    "(.ci/run does) or set CITEAUDIT_PG_BIN")
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[postgres]'")
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh, empty PostgreSQL database on the session's server: its SQLAlchemy URL."""
    return pg_cluster.new_database()


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Run a test on each store backend: "sqlite" and "postgresql"."""
    return request.param


@pytest.fixture
def db_target(backend, request, tmp_path) -> str:
    """The database of a test parametrised over ``backend``: a file path or a fresh PostgreSQL URL."""
    if backend == "sqlite":
        return str(tmp_path / "audit.db")
    return request.getfixturevalue("pg_url")
