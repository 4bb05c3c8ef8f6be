"""One reverify at a time per database: an exclusive ``flock`` on ``<db>.reverify.lock``
(a PostgreSQL database: a session advisory lock on the server, held by one connection).

The kernel releases the lock when the holder exits, however it exits, so a crashed
reverify never leaves a stale lock behind. The file keeps the holder's pid for the
"busy" message; it is left in place (deleting it would race with the next locker).
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Callable

POLL_SECONDS = 0.2


class LockBusy(Exception):
    """Another process holds the lock (message names the lock file and, if known, its pid)."""


def lock_path(db_path: str | os.PathLike) -> Path:
    return Path(f"{os.fspath(db_path)}.reverify.lock")


REVERIFY_LOCK_KEY = 0x72657665  # pg advisory lock key of `reverify`


def ReverifyLock(db_path: str | os.PathLike, wait: float = 0.0,
                 on_wait: Callable[[int | None], None] | None = None):
    """``with ReverifyLock(db, wait=30): ...`` — raises LockBusy if not acquired in ``wait`` seconds."""
    from citeaudit.store.db import is_url, target_of

    if is_url(db_path):
        target = target_of(db_path)
        if target.dialect == "postgresql":
            return ServerLock(target, wait=wait, on_wait=on_wait)
        db_path = target.path
    return FileLock(db_path, wait=wait, on_wait=on_wait)


class ServerLock:
    """The advisory lock ``REVERIFY_LOCK_KEY`` on a PostgreSQL server: the server releases it
    when the holder's connection ends, however the holder exits."""

    def __init__(self, target, wait: float = 0.0, on_wait: Callable[[int | None], None] | None = None):
        self.target = target
        self.wait = max(0.0, wait)
        self.on_wait = on_wait
        self._engine = None
        self._conn = None

    def acquire(self) -> None:
        from sqlalchemy.exc import DBAPIError

        from citeaudit.store.db import create_server_engine

        self._engine = create_server_engine(self.target)
        deadline = time.monotonic() + self.wait
        told = False
        try:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            while not self._conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({REVERIFY_LOCK_KEY})").scalar():
                if time.monotonic() >= deadline:
                    self.release()
                    waited = f" after waiting {self.wait:g}s" if self.wait else ""
                    raise LockBusy(f"another reverify is running on this database{waited}; "
                                   f"advisory lock {REVERIFY_LOCK_KEY} on {self.target.name}")
                if not told and self.on_wait is not None:
                    self.on_wait(None)
                    told = True
                time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        except DBAPIError as e:
            self.release()
            raise LockBusy(f"cannot take the reverify lock on {self.target.name}: "
                           f"{' '.join(str(e.orig).split())}") from None

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()  # ends the session: the server drops its advisory locks
            except Exception:
                pass
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> "ServerLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class FileLock:
    """An exclusive flock on ``<db>.reverify.lock``."""

    def __init__(self, db_path: str | os.PathLike, wait: float = 0.0,
                 on_wait: Callable[[int | None], None] | None = None):
        self.path = lock_path(db_path)
        self.wait = max(0.0, wait)
        self.on_wait = on_wait  # called once, with the holder's pid, when it has to wait
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise LockBusy(f"cannot open lock file {self.path}: {e.strerror}") from None
        deadline = time.monotonic() + self.wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_pid(fd)
                    os.close(fd)
                    who = f" (pid {holder})" if holder else ""
                    waited = f" after waiting {self.wait:g}s" if self.wait else ""
                    raise LockBusy(f"another reverify is running on this database{who}{waited}; "
                                   f"lock file {self.path}") from None
                if not told and self.on_wait is not None:
                    self.on_wait(_read_pid(fd))
                    told = True
                time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
