"""`citeaudit worker`: claim an article from the shared queue, audit it, store, move on.

Any number of workers, on any machine with the same database URL, drain one queue (see
store/queue.py for the claiming, leases and "done" in the run's own transaction). Each worker
builds its own sources, so each keeps Crossref's and PubMed's limits with its own rate pools:
the limits are per worker, which is per address when each machine runs one worker.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from citeaudit.config import Settings
from citeaudit.store.queue import Claim, LeaseLost, WorkQueue, worker_id


@dataclass
class WorkerStats:
    audited: int = 0
    failed: int = 0
    lost: int = 0
    findings: bool = False
    incomplete: bool = False
    sources: list[str] = field(default_factory=list)


class Heartbeat:
    """Renews a claim's lease every quarter lease while an article is audited (a thread)."""

    def __init__(self, queue: WorkQueue, claim: Claim, lease: float):
        self.queue, self.claim, self.lease = queue, claim, lease
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="citeaudit-lease", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(max(0.25, self.lease / 4)):
            try:
                if not self.queue.renew(self.claim, self.lease):
                    self.lost = True
                    return
            except Exception:  # a database hiccup: try again next beat; the lease may still hold
                continue

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def run_worker(settings: Settings, store, drain: bool = False, max_articles: int | None = None,
               say: Callable[[str], None] = lambda line: None,
               should_stop: Callable[[], bool] = lambda: False) -> WorkerStats:
    """Claim and audit articles until stopped; with ``drain``, until no row is queued or running
    (rows running under other workers' leases are waited for: if such a worker died, its
    article is claimed here once the lease expires)."""
    from citeaudit.commands.runner import AuditRunner, InputError

    queue = WorkQueue(store)
    me = worker_id()
    stats = WorkerStats()
    runner = AuditRunner(settings, store)  # its own sources: its own rate pools
    say(f"worker {me} on {store.path}")
    try:
        while not should_stop() and (max_articles is None or stats.audited + stats.failed < max_articles):
            claim = queue.claim(me, settings.queue_lease, settings.queue_max_attempts)
            if claim is None:
                if drain and not queue.pending():
                    break
                time.sleep(settings.queue_poll)
                continue
            runner.on_complete = {claim.source: queue.done_hook(claim)}
            try:
                with Heartbeat(queue, claim, settings.queue_lease):
                    [(_, result)] = runner.audit_many([claim.source])
            except LeaseLost as e:
                stats.lost += 1
                say(f"lost {claim.source}: {e}; its run is marked incomplete")
                continue
            except BaseException:
                queue.release(claim)  # stopping (Ctrl-C, a database error): another worker takes it
                raise
            finally:
                runner.on_complete = {}
            if isinstance(result, InputError):
                queue.fail(claim, str(result))
                stats.failed += 1
                say(f"failed {claim.source}: {result}")
                continue
            stats.audited += 1
            stats.sources.append(claim.source)
            stats.findings = stats.findings or result.has_findings
            stats.incomplete = stats.incomplete or bool(result.incomplete)
            summary = result.report.get("summary", {})
            say(f"audited {claim.source} (run {result.run_id}): " + ", ".join(
                f"{summary.get(v, 0)} {v}" for v in ("verified", "mismatched", "unfound", "unchecked")))
    finally:
        runner.close()
    return stats
