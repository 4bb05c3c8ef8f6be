"""Opening the database (SQLite, or PostgreSQL by URL): connection setup, transactions, migrations.

``--db`` / ``CITEAUDIT_DB`` is a path (SQLite), or a SQLAlchemy URL: ``sqlite:///PATH`` is the
same as the path, ``postgresql+psycopg://user:password@host:5432/dbname`` (``postgresql://``
means the same) a PostgreSQL database, migrated by the same Alembic revisions.

SQLite:

Every connection gets ``journal_mode=WAL``, ``busy_timeout=30000``,
``foreign_keys=ON`` and ``synchronous=NORMAL``. pysqlite's own implicit
transaction handling is switched off and replaced by an explicit ``BEGIN`` so
that DDL is transactional too; an engine made with :func:`immediate` starts its
transactions with ``BEGIN IMMEDIATE`` (take the write lock up front, so
concurrent writers wait on ``busy_timeout`` instead of failing mid-transaction).

The schema is created and changed only by the Alembic migrations in the
repository's top-level ``migrations/`` folder; :func:`open_engine` upgrades a
database to the newest revision before handing it out.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"
_BEGIN_OPTION = "citeaudit_begin"
_LOCKED_WAIT = 30.0  # seconds to keep retrying an open that finds the database locked
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PG_MIGRATION_LOCK = 0x63697465  # pg_advisory_xact_lock key: one migrating process at a time


@dataclass(frozen=True)
class Target:
    """Where the store lives: ``dialect`` "sqlite" (with ``path``) or "postgresql" (``url``).

    ``name`` is what messages show: the path, or the URL without its password.
    """

    dialect: str
    url: str
    path: Path | None
    name: str


def is_url(target: str | os.PathLike) -> bool:
    """Whether ``--db`` names a SQLAlchemy URL rather than a file."""
    return bool(_URL.match(os.fspath(target)))


def target_of(target: "str | os.PathLike | Target") -> Target:
    """Parse ``--db``: a path, ``sqlite:///PATH`` or a PostgreSQL URL (StoreError otherwise)."""
    if isinstance(target, Target):
        return target
    raw = os.fspath(target)
    if not is_url(raw):
        path = Path(raw).expanduser()
        return Target("sqlite", _url(path), path, str(path))
    try:
        url = make_url(raw)
    except ArgumentError:
        raise StoreError(f"cannot parse the database URL {raw.split('@')[-1]!r}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError("a sqlite:/// URL needs a file path, e.g. sqlite:///audit.db")
        path = Path(url.database).expanduser()
        return Target("sqlite", _url(path), path, str(path))
    if backend == "postgresql":
        if url.get_driver_name() in ("", "psycopg2"):  # the driver citeaudit installs is psycopg 3
            url = url.set(drivername="postgresql+psycopg")
        if not url.database:
            raise StoreError(f"{url.render_as_string(hide_password=True)}: the URL names no database")
        return Target("postgresql", url.render_as_string(hide_password=False), None,
                      url.render_as_string(hide_password=True))
    raise StoreError(f"unsupported database {backend!r}: use a file path, sqlite:///PATH or "
                     "postgresql+psycopg://USER:PASSWORD@HOST/DBNAME")


def display_name(target: "str | os.PathLike | Target") -> str:
    """The database as messages name it (a URL's password is never shown)."""
    try:
        return target_of(target).name
    except StoreError:
        return "the database"


class StoreError(Exception):
    """The database cannot be used: not a citeaudit database, unreadable, too new...

    ``kind`` says why, for the CLI's exit code: "damaged" (fails the integrity check),
    "foreign" (not a citeaudit database), "readonly" (cannot be written), "full" (the disk
    or the database's size limit is full) or "other".
    """

    def __init__(self, message: str, kind: str = "other"):
        super().__init__(message)
        self.kind = kind


def store_error(path: object, e: BaseException) -> StoreError:
    """A StoreError for an SQLite error met while using the database (one line, with its kind)."""
    text = " ".join(str(getattr(e, "orig", None) or e).split())  # PostgreSQL's messages span lines
    path = display_name(path) if isinstance(path, (str, os.PathLike, Target)) else path
    low = text.lower()
    if "full" in low:
        return StoreError(f"cannot write {path}: the disk (or the database's size limit) is full ({text})", "full")
    if "readonly" in low or "read-only" in low or "read only" in low:
        return StoreError(f"cannot write {path}: it is read-only ({text})", "readonly")
    if "connection" in low and ("refused" in low or "failed" in low or "timeout" in low or "could not" in low):
        return StoreError(f"cannot connect to {path}: {text}", "other")
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return StoreError(f"{path} is damaged ({text}); restore it from a backup "
                          "(sqlite3's .recover can save what is left)", "damaged")
    return StoreError(f"cannot use {path}: {text}", "other")


def create_sqlite_engine(url: str, foreign_keys: bool = True) -> Engine:
    """An engine for a SQLite ``url`` with the store's pragmas and explicit BEGIN.

    ``foreign_keys=False`` is for migrations, which may rebuild tables (SQLite
    cannot switch the pragma inside a transaction).
    """
    engine = create_engine(url, connect_args={"check_same_thread": False})
    pragmas = (
        "PRAGMA busy_timeout=30000",
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}",
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")

    return engine


def immediate(engine: Engine) -> Engine:
    """The same engine, but its transactions start with ``BEGIN IMMEDIATE`` (for writes)."""
    return engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})


def alembic_config(path: "str | Path | Target") -> Config:
    """An Alembic config for the database at ``path`` (or URL), independent of cwd and alembic.ini."""
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise StoreError(f"citeaudit's migrations folder is missing: expected {MIGRATIONS_DIR}")
    config = Config()
    # Config values go through configparser interpolation: escape '%'.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("sqlalchemy.url", target_of(path).url.replace("%", "%%"))
    return config


def upgrade(path: "str | Path | Target", revision: str = "head") -> None:
    """Migrate the database at ``path`` (created if absent) to ``revision``.

    SQLite: runs in one ``BEGIN IMMEDIATE`` transaction with foreign keys off, checks
    foreign keys before committing, and raises StoreError on anything that is
    not a citeaudit database. PostgreSQL: one transaction holding an advisory lock (two
    processes upgrading one database take turns); the database itself must exist.
    """
    target = target_of(path)
    if target.dialect == "postgresql":
        return _upgrade_server(target, revision)
    path = _prepare(target.path)
    deadline = time.monotonic() + _LOCKED_WAIT
    while True:
        try:
            return _upgrade_once(path, revision)
        except OperationalError as e:
            # two processes creating one fresh database: switching it to WAL and the first
            # BEGIN IMMEDIATE can answer "locked" without waiting on busy_timeout; try again
            if "locked" not in str(e.orig).lower() and "busy" not in str(e.orig).lower():
                raise _open_error(path, e) from None
            if time.monotonic() > deadline:
                raise _open_error(path, e) from None
            time.sleep(0.05 + random.random() * 0.2)


def _upgrade_once(path: Path, revision: str) -> None:
    config = alembic_config(path)
    engine = create_sqlite_engine(_url(path), foreign_keys=False)
    try:
        with immediate(engine).begin() as conn:
            _ensure_ours(conn, path)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            _check_foreign_keys(conn, path)
    except CommandError as e:
        raise StoreError(f"cannot migrate {path} (made by a newer citeaudit?): {e}") from None
    except OperationalError:
        raise
    except DBAPIError as e:
        raise _open_error(path, e) from None
    finally:
        engine.dispose()


def create_server_engine(target: Target) -> Engine:
    """An engine for a PostgreSQL database (connections checked before use: servers restart)."""
    return create_engine(target.url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def _upgrade_server(target: Target, revision: str) -> None:
    config = alembic_config(target)
    engine = create_server_engine(target)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            _ensure_ours(conn, target.name)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except CommandError as e:
        raise StoreError(f"cannot migrate {target.name} (made by a newer citeaudit?): {e}") from None
    except DBAPIError as e:
        raise store_error(target, e) from None
    finally:
        engine.dispose()


def open_engine(path: "str | Path | Target") -> Engine:
    """An engine for the database at ``path``, created and upgraded to the newest schema."""
    target = target_of(path)
    upgrade(target)
    if target.dialect == "postgresql":
        return create_server_engine(target)
    return create_sqlite_engine(_url(_prepare(target.path)))


def exists(path: "str | Path | Target") -> bool:
    """Whether the database is there to read: a file for SQLite; a server database is
    taken to exist (opening it says otherwise)."""
    target = target_of(path)
    return target.dialect != "sqlite" or target.path.is_file()


def current_revision(path: "str | Path | Target") -> str | None:
    """The schema revision of the database at ``path``; None if absent or empty."""
    target = target_of(path)
    if target.dialect == "postgresql":
        engine, on_error = create_server_engine(target), lambda e: store_error(target, e)
    else:
        if not target.path.exists():
            return None
        _check_header(target.path)
        engine, on_error = create_sqlite_engine(_url(target.path)), lambda e: _open_error(target.path, e)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except DBAPIError as e:
        raise on_error(e) from None
    finally:
        engine.dispose()


def _open_error(path: Path, e: DBAPIError) -> StoreError:
    """A readable error for a failed open: locked/unreadable, or not a database at all."""
    known = store_error(path, e)
    if known.kind != "other":
        return known
    if isinstance(e, OperationalError):
        return StoreError(f"cannot open {path}: {e.orig}")
    return StoreError(f"{path} is not a citeaudit database: {e.orig}", "foreign")


def _url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


def _prepare(path: str | Path) -> Path:
    """Absolute path, parent directory created, header checked if the file exists."""
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise StoreError(f"{path} is not a citeaudit database: it is a directory", "foreign")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create {path}: {e.strerror or e}", "readonly") from None
    _check_header(path)
    _check_existing(path)
    return path


def _check_header(path: Path) -> None:
    """Refuse a non-empty file that does not start with the SQLite header."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        head = f.read(len(SQLITE_HEADER))
    if head != SQLITE_HEADER:
        raise StoreError(f"{path} is not a citeaudit database: not an SQLite file", "foreign")


def _check_existing(path: Path) -> None:
    """Before anything is written to an existing database: it must be writable, citeaudit's,
    and pass SQLite's quick integrity check. Read with a bare connection (no pragmas), so a
    refused file is left exactly as it was (another application's database is not switched
    to WAL; a damaged one gets no new run)."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        where = path if not os.access(path, os.W_OK) else path.parent
        raise StoreError(f"cannot write {path}: {where} is read-only", "readonly")
    try:
        con = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    except sqlite3.Error as e:
        raise store_error(path, e) from None
    try:
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "alembic_version" not in tables:
            found = ", ".join(sorted(tables)[:5])
            raise StoreError(f"{path} is not a citeaudit database: it holds other tables ({found})", "foreign")
        problems = [row[0] for row in con.execute("PRAGMA quick_check(1)")]
        if problems != ["ok"]:
            first = " ".join(str(problems[0]).replace("*** in database main ***", "").split())[:120]
            raise StoreError(f"{path} is damaged (integrity check: {first}); "
                             "restore it from a backup (sqlite3's .recover can save what is left)", "damaged")
    except sqlite3.Error as e:
        raise store_error(path, e) from None
    finally:
        con.close()


def _ensure_ours(conn, path: "Path | str") -> None:
    """Refuse a database that has tables but was never migrated by citeaudit."""
    tables = set(inspect(conn).get_table_names())
    if tables and "alembic_version" not in tables:
        found = ", ".join(sorted(tables)[:5])
        raise StoreError(f"{path} is not a citeaudit database: it holds other tables ({found})", "foreign")


def _check_foreign_keys(conn, path: Path) -> None:
    """Fail the migration (rolling it back) if it left dangling foreign keys."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StoreError(f"migrating {path} broke {len(broken)} foreign key(s), e.g. {tuple(broken[0])}")
