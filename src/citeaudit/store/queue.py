"""The shared work queue: the ``queue`` table (migration 0005), read and written by
`citeaudit queue add|status` and `citeaudit worker`.

Claiming: in one transaction, the oldest row that is queued, or running with an expired lease
(its worker died), is selected and set running for this worker with a fresh lease. On
PostgreSQL the select is ``FOR UPDATE SKIP LOCKED``: workers on any machine claim different
rows without waiting on each other. On SQLite the transaction is ``BEGIN IMMEDIATE``: one
writer at a time, so a select-then-update is atomic.

Leases are timestamps of the database's own clock (machines' clocks may differ). A worker
renews its lease while it audits (:meth:`WorkQueue.renew`); the row becomes 'done' in the very
transaction that marks its run complete, and only while this worker still holds it
(:meth:`WorkQueue.done_hook`), so an article is never recorded as audited twice: a worker
that lost its lease has its run marked incomplete instead. A 'done' row is never claimed.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from sqlalchemy import text

from citeaudit.store.repo import HOST, now

# the database's clock, as the store's timestamps are written (ISO-8601 UTC to the second)
_NOW = {
    "sqlite": "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
    "postgresql": "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
}
_LEASE = {
    "sqlite": "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+' || CAST(:lease AS INTEGER) || ' seconds')",
    "postgresql": "to_char((clock_timestamp() + make_interval(secs => :lease)) AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
}
CLAIMABLE = "(status = 'queued' OR (status = 'running' AND lease_until < {now}))"


class LeaseLost(Exception):
    """The worker no longer holds the row (its lease expired and another worker claimed it)."""


@dataclass(frozen=True)
class Claim:
    id: int
    source: str
    kind: str
    attempts: int
    worker: str


def worker_id() -> str:
    """This worker's name in ``claimed_by``: host, pid and a nonce (pids are reused)."""
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class WorkQueue:
    """The queue of one store (``store.engine``; writes through its writer engine)."""

    def __init__(self, store: Any):
        self.store = store
        self.dialect = store.engine.dialect.name
        self.now = _NOW[self.dialect]
        self.lease = _LEASE[self.dialect]

    # --- adding and looking -------------------------------------------------------------

    def add(self, sources: Iterable[str], kind: str = "audit") -> tuple[int, int]:
        """Queue articles (normalised sources); returns (added, already waiting)."""
        added = waiting = 0
        statement = text(
            "INSERT INTO queue (source, kind, status, added_at, attempts) "
            "VALUES (:source, :kind, 'queued', :now, 0) "
            "ON CONFLICT (kind, source) WHERE status IN ('queued', 'running') DO NOTHING")
        stamp = now()
        with self.store._writer.begin() as conn:
            for source in dict.fromkeys(sources):
                if conn.execute(statement, {"source": source, "kind": kind, "now": stamp}).rowcount:
                    added += 1
                else:
                    waiting += 1
        return added, waiting

    def counts(self) -> dict[str, int]:
        """Rows per status (every status present, 0 when none)."""
        with self.store.engine.connect() as conn:
            found = dict(conn.execute(text("SELECT status, COUNT(*) FROM queue GROUP BY status")).all())
        return {status: int(found.get(status, 0)) for status in ("queued", "running", "done", "failed")}

    def rows(self, status: str, limit: int = 20) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(
                "SELECT id, source, kind, claimed_by, claimed_at, lease_until, attempts, finished_at, run_id, error "
                "FROM queue WHERE status = :status ORDER BY id LIMIT :limit"), {"status": status, "limit": limit})]

    def pending(self) -> bool:
        """Whether any row is queued or running (a drained queue has none)."""
        with self.store.engine.connect() as conn:
            return conn.execute(text(
                "SELECT 1 FROM queue WHERE status IN ('queued', 'running') LIMIT 1")).first() is not None

    # --- a worker's side ----------------------------------------------------------------

    def claim(self, worker: str, lease: float, max_attempts: int = 3, kind: str = "audit") -> Claim | None:
        """The next article for ``worker`` (None when nothing is claimable now).

        A row already claimed ``max_attempts`` times whose worker died again is set 'failed'
        instead (an article that kills every worker must not stop the queue).
        """
        lock = " FOR UPDATE SKIP LOCKED" if self.dialect == "postgresql" else ""
        pick = text(f"SELECT id, source, kind, status, claimed_by, attempts FROM queue "
                    f"WHERE kind = :kind AND {CLAIMABLE.format(now=self.now)} ORDER BY id LIMIT 1{lock}")
        while True:
            with self.store._writer.begin() as conn:
                row = conn.execute(pick, {"kind": kind}).first()
                if row is None:
                    return None
                if row.status == "running":  # its worker died: its run was left 'running'
                    self._abandon_runs(conn, row.claimed_by, row.source)
                if row.attempts >= max_attempts:
                    conn.execute(text(
                        f"UPDATE queue SET status = 'failed', finished_at = {self.now}, lease_until = NULL, "
                        "error = :error WHERE id = :id"),
                        {"id": row.id, "error": f"claimed {row.attempts} times and never finished "
                                                "(its worker died each time)"})
                    continue
                conn.execute(text(
                    f"UPDATE queue SET status = 'running', claimed_by = :worker, claimed_at = {self.now}, "
                    f"lease_until = {self.lease}, attempts = attempts + 1 WHERE id = :id"),
                    {"worker": worker, "lease": float(lease), "id": row.id})
                return Claim(row.id, row.source, row.kind, row.attempts + 1, worker)

    def _abandon_runs(self, conn: Any, claimed_by: str | None, source: str) -> None:
        """Mark 'incomplete' the runs a dead worker left 'running' on this article (any machine)."""
        host, _, rest = (claimed_by or "").partition(":")
        pid = rest.partition(":")[0]
        if not host or not pid.isdigit():
            return
        conn.execute(text(
            "UPDATE runs SET status = 'incomplete', finished_at = :now WHERE status = 'running' "
            "AND host = :host AND pid = :pid AND article_id IN (SELECT id FROM articles WHERE source = :source)"),
            {"now": now(), "host": host, "pid": int(pid), "source": source})

    def renew(self, claim: Claim, lease: float) -> bool:
        """Extend the lease; False when the row is no longer this worker's."""
        with self.store._writer.begin() as conn:
            return bool(conn.execute(text(
                f"UPDATE queue SET lease_until = {self.lease} "
                "WHERE id = :id AND claimed_by = :worker AND status = 'running'"),
                {"lease": float(lease), "id": claim.id, "worker": claim.worker}).rowcount)

    def done_hook(self, claim: Claim) -> Callable[[Any, int], None]:
        """For Store.finish_run(..., then=...): mark the row done in the run's own transaction;
        raises LeaseLost (rolling back, so the run is not complete) if the row is not ours."""
        def mark_done(conn: Any, run_id: int) -> None:
            updated = conn.execute(text(
                f"UPDATE queue SET status = 'done', finished_at = {self.now}, run_id = :run, lease_until = NULL "
                "WHERE id = :id AND claimed_by = :worker AND status = 'running'"),
                {"run": run_id, "id": claim.id, "worker": claim.worker}).rowcount
            if not updated:
                raise LeaseLost(f"{claim.source}: the lease expired and another worker claimed it")
        return mark_done

    def fail(self, claim: Claim, error: str) -> None:
        """The article cannot be audited (unreadable input): 'failed', with the reason."""
        with self.store._writer.begin() as conn:
            conn.execute(text(
                f"UPDATE queue SET status = 'failed', finished_at = {self.now}, lease_until = NULL, error = :error "
                "WHERE id = :id AND claimed_by = :worker AND status = 'running'"),
                {"error": error[:2000], "id": claim.id, "worker": claim.worker})

    def release(self, claim: Claim) -> None:
        """Give the row back (the worker is stopping): queued again, for any worker."""
        with self.store._writer.begin() as conn:
            conn.execute(text(
                "UPDATE queue SET status = 'queued', claimed_by = NULL, lease_until = NULL, attempts = attempts - 1 "
                "WHERE id = :id AND claimed_by = :worker AND status = 'running'"),
                {"id": claim.id, "worker": claim.worker})


__all__ = ["Claim", "LeaseLost", "WorkQueue", "worker_id"]
