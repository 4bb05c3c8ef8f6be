"""A throwaway PostgreSQL cluster for tests and benches: initdb into a temporary folder, start
the server on a free 127.0.0.1 port (its unix socket in the same folder), stop and delete it.

initdb and postgres refuse to run as root: when this process is root, the server runs as an
unprivileged user (``nobody`` unless CITEAUDIT_PG_USER names another) through ``runuser``.
The binaries are found on PATH, else in /usr/lib/postgresql/*/bin; CITEAUDIT_PG_BIN names
their folder explicitly. ``pg_binaries()`` is None when there are none (tests then skip).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def pg_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None."""
    wanted = ("initdb", "pg_ctl", "postgres")
    candidates = []
    if os.environ.get("CITEAUDIT_PG_BIN"):
        candidates.append(os.environ["CITEAUDIT_PG_BIN"])
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if all(os.access(Path(folder) / name, os.X_OK) for name in wanted):
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """``with PgCluster() as pg: pg.url`` — one server; ``pg.new_database()`` for a fresh db."""

    def __init__(self, bin_dir: Path | None = None):
        self.bin = bin_dir or pg_binaries()
        if self.bin is None:
            raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found")
        self.port = _free_port()
        self.user = "citeaudit"
        self.dir = Path(tempfile.mkdtemp(prefix="citeaudit-pg-"))
        self.data = self.dir / "data"
        self.run_as = None
        if os.geteuid() == 0:
            self.run_as = os.environ.get("CITEAUDIT_PG_USER", "nobody")
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        os.chmod(self.dir, 0o700 if self.run_as is None else 0o755)
        self.started = False

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *cmd] if self.run_as else cmd

    def _run(self, *args: str) -> None:
        done = subprocess.run(self._cmd(*args), capture_output=True, text=True, cwd=self.dir)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-800:]}")

    def start(self) -> "PgCluster":
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options,
                  "-w", "-t", "60", "start")
        self.started = True
        return self

    @property
    def url(self) -> str:
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{name}"

    def new_database(self, name: str | None = None) -> str:
        """Create an empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def stop(self) -> None:
        if self.started:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "PgCluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
