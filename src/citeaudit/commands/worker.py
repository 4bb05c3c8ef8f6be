"""`citeaudit worker`: claim an article from the shared queue, audit it, store, move on.

Any number of workers, on any machine with the same database URL, drain one queue (see
store/queue.py for the claiming, leases and "done" in the run's own transaction). Each worker
builds its own sources, so each keeps Crossref's and PubMed's limits with its own rate pools:
the limits are per worker, which is per address when each machine runs one worker.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
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


class Heartbeat:
    """Renews the leases of a worker's claims every quarter lease while it audits (a thread)."""

    def __init__(self, queue: WorkQueue, claims: list[Claim], lease: float):
        self.queue, self.claims, self.lease = queue, claims, lease
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="citeaudit-lease", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(max(0.25, self.lease / 4)):
            for claim in self.claims:
                try:
                    if not self.queue.renew(claim, self.lease):
                        self.lost = True  # done already, or taken by another worker: finish says which
                except Exception:  # a database hiccup: try again next beat; the lease may still hold
                    continue

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def run_worker(settings: Settings, store, drain: bool = False, max_articles: int | None = None,
               batch: int | None = None, say: Callable[[str], None] = lambda line: None,
               should_stop: Callable[[], bool] = lambda: False) -> WorkerStats:
    """Claim and audit articles until stopped; with ``drain``, until no row is queued or running
    (rows running under other workers' leases are waited for: if such a worker died, its
    article is claimed here once the lease expires).

    Up to ``batch`` articles (CITEAUDIT_QUEUE_BATCH) are claimed at a time and resolved in one
    stream, as `run` does with several articles: the services' answers for one article arrive
    while another waits for its own. Each is marked done as soon as its run completes.
    """
    from citeaudit.commands.runner import AuditRunner, InputError

    queue = WorkQueue(store)
    me = worker_id()
    stats = WorkerStats()
    batch = max(1, batch or settings.queue_batch)
    runner = AuditRunner(settings, store)  # its own sources: its own rate pools
    say(f"worker {me} on {store.path}")
    try:
        while not should_stop():
            room = batch if max_articles is None else min(batch, max_articles - stats.audited - stats.failed)
            if room <= 0:
                break
            claims: list[Claim] = []
            while len(claims) < room:
                claim = queue.claim(me, settings.queue_lease, settings.queue_max_attempts)
                if claim is None:
                    break
                claims.append(claim)
            if not claims:
                if drain and not queue.pending():
                    break
                time.sleep(settings.queue_poll)
                continue
            runner.on_complete = {c.source: queue.done_hook(c) for c in claims}
            try:
                with Heartbeat(queue, claims, settings.queue_lease):
                    results = runner.audit_many([c.source for c in claims])
            except LeaseLost as e:
                stats.lost += 1
                say(f"lost {e}; its run is marked incomplete")
                for claim in claims:  # the rest of the batch goes back (rows already done stay done)
                    queue.release(claim)
                continue
            except BaseException:
                for claim in claims:  # stopping (Ctrl-C, a database error): other workers take them
                    try:
                        queue.release(claim)
                    except Exception:
                        pass
                raise
            finally:
                runner.on_complete = {}
            by_source = dict(results)
            for claim in claims:
                result = by_source[claim.source]
                if isinstance(result, InputError):
                    queue.fail(claim, str(result))
                    stats.failed += 1
                    say(f"failed {claim.source}: {result}")
                    continue
                stats.audited += 1
                stats.findings = stats.findings or result.has_findings
                stats.incomplete = stats.incomplete or bool(result.incomplete)
                summary = result.report.get("summary", {})
                say(f"audited {claim.source} (run {result.run_id}): " + ", ".join(
                    f"{summary.get(v, 0)} {v}" for v in ("verified", "mismatched", "unfound", "unchecked")))
    finally:
        runner.close()
    return stats
