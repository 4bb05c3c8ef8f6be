"""Opening the SQLite database: connection pragmas, transactions and migrations.

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

import random
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DBAPIError, OperationalError

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"
_BEGIN_OPTION = "citeaudit_begin"
_LOCKED_WAIT = 30.0  # seconds to keep retrying an open that finds the database locked


class StoreError(Exception):
    """The database cannot be used: not a citeaudit database, unreadable, too new..."""


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


def alembic_config(path: str | Path) -> Config:
    """An Alembic config for the database at ``path``, independent of cwd and alembic.ini."""
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise StoreError(f"citeaudit's migrations folder is missing: expected {MIGRATIONS_DIR}")
    config = Config()
    # Config values go through configparser interpolation: escape '%'.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("sqlalchemy.url", _url(path).replace("%", "%%"))
    return config


def upgrade(path: str | Path, revision: str = "head") -> None:
    """Migrate the database at ``path`` (created if absent) to ``revision``.

    Runs in one ``BEGIN IMMEDIATE`` transaction with foreign keys off, checks
    foreign keys before committing, and raises StoreError on anything that is
    not a citeaudit database.
    """
    path = _prepare(path)
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


def open_engine(path: str | Path) -> Engine:
    """An engine for the database at ``path``, created and upgraded to the newest schema."""
    upgrade(path)
    return create_sqlite_engine(_url(_prepare(path)))


def current_revision(path: str | Path) -> str | None:
    """The schema revision of the database at ``path``; None if absent or empty."""
    path = Path(path)
    if not path.exists():
        return None
    _check_header(path)
    engine = create_sqlite_engine(_url(path))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except DBAPIError as e:
        raise _open_error(path, e) from None
    finally:
        engine.dispose()


def _open_error(path: Path, e: DBAPIError) -> StoreError:
    """A readable error for a failed open: locked/unreadable, or not a database at all."""
    if isinstance(e, OperationalError):
        return StoreError(f"cannot open {path}: {e.orig}")
    return StoreError(f"{path} is not a citeaudit database: {e.orig}")


def _url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


def _prepare(path: str | Path) -> Path:
    """Absolute path, parent directory created, header checked if the file exists."""
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise StoreError(f"{path} is not a citeaudit database: it is a directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_header(path)
    return path


def _check_header(path: Path) -> None:
    """Refuse a non-empty file that does not start with the SQLite header."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        head = f.read(len(SQLITE_HEADER))
    if head != SQLITE_HEADER:
        raise StoreError(f"{path} is not a citeaudit database: not an SQLite file")


def _ensure_ours(conn, path: Path) -> None:
    """Refuse an SQLite database that has tables but was never migrated by citeaudit."""
    tables = set(inspect(conn).get_table_names())
    if tables and "alembic_version" not in tables:
        found = ", ".join(sorted(tables)[:5])
        raise StoreError(f"{path} is not a citeaudit database: it holds other tables ({found})")


def _check_foreign_keys(conn, path: Path) -> None:
    """Fail the migration (rolling it back) if it left dangling foreign keys."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StoreError(f"migrating {path} broke {len(broken)} foreign key(s), e.g. {tuple(broken[0])}")
