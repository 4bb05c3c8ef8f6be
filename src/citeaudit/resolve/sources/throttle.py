"""Staying inside a service's published limits, and retrying politely when told to wait.

A Pool lets at most `rate` requests start in any one second (a sliding window, like the
services count them) and keeps at most `concurrency` in flight. Pools of one service
may share a Gate (Crossref counts queries and DOI lookups against one concurrency
limit). All threads asking one service share its pools, so the limit holds however
many citations resolve at once. `call` retries transient failures (429, 5xx, timeouts,
dropped connections, truncated bodies) with backoff, honouring Retry-After, within a
bounded total time; then it raises SourceError.

A Batcher gathers items (PMIDs, ECitMatch lines) submitted by concurrently resolving
citations into one request of up to `size` items, sent when the pool can take it.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Callable, Hashable, Iterable, Iterator, Mapping, TypeVar

from citeaudit.resolve.sources.base import SourceError

T = TypeVar("T")

# seconds added to the rate window: a request may reach the server a little later than
# it left (habanero opens a new connection for each request: 20-90 ms), so `rate` requests
# are spread over 1 s + MARGIN and never land in one second
MARGIN = 0.1
# seconds a concurrency place stays taken after the answer arrived: the server frees
# its own count only after it has written the answer
SETTLE = 0.003


# how a request failed, for ServiceHealth: the service could not be reached at all (its name
# does not resolve, or nothing listens), or it took the request and said nothing in time
UNREACHABLE, SILENT = "unreachable", "silent"


class TransientError(Exception):
    """A failure worth retrying. `retry_after` is the server's own advice, in seconds.
    `kind`: UNREACHABLE, SILENT or None (the service answered, e.g. HTTP 503)."""

    def __init__(self, reason: str, retry_after: float | None = None, status: int | None = None,
                 headers: Mapping[str, str] | None = None, kind: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status
        self.headers = headers
        self.kind = kind


_DNS_TEXT = ("name or service not known", "temporary failure in name resolution", "nodename nor servname",
             "no address associated", "getaddrinfo failed", "name resolution")


def connect_failure(error: BaseException) -> str | None:
    """'name resolution failed' or 'connection refused' when `error` (or its cause) is one, else None."""
    import socket

    seen: set[int] = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, socket.gaierror):
            return "name resolution failed"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        text = str(e).lower()
        if any(t in text for t in _DNS_TEXT):
            return "name resolution failed"
        if "connection refused" in text:
            return "connection refused"
        e = e.__cause__ or e.__context__
    return None


# a service that has not answered yet in this run gets this many seconds per request, and is
# given up after SILENT_ATTEMPTS such requests time out: a black hole costs seconds, not minutes
FIRST_ANSWER_TIMEOUT = 3.0
SILENT_ATTEMPTS = 2
# until a service has answered once, a request still unanswered after this fraction of
# FIRST_ANSWER_TIMEOUT gets one twin (the same GET, once per service and run): the two
# silences then overlap, and a black hole is given up after 1.5 x the timeout, not 2 x
HEDGE_AFTER = 0.5
# a service that did answer is given up after this many requests in a row failed after their retries
FAILED_CALLS = 3


class ServiceDown(Exception):
    """Raised inside `call` when the service was given up for the run (no request sent)."""


class ServiceHealth:
    """Whether a service is worth asking for the rest of the run.

    The first failures decide: a name that does not resolve or a refused connection before
    the service ever answered gives it up at once; a service that never answered is given up
    after SILENT_ATTEMPTS requests got no answer within FIRST_ANSWER_TIMEOUT; a service that
    did answer is given up after FAILED_CALLS requests in a row failed after their retries
    (429/5xx included). Once given up, every request fails at once with the reason, so a run
    with no network or a silent server ends in seconds with its citations "unchecked".
    `on_down(health)` is called once, when the service is given up.
    """

    def __init__(self, name: str, label: str | None = None, first_answer_timeout: float = FIRST_ANSWER_TIMEOUT,
                 on_down: Callable[["ServiceHealth"], None] | None = None):
        self.name = name
        self.label = label or name
        self.first_answer_timeout = first_answer_timeout
        self.on_down = on_down
        self.answered = False
        self.down: str | None = None  # why it was given up
        self.gone = threading.Event()  # set when given up: requests still waiting are abandoned
        self._silent = 0
        self._failed_calls = 0
        self._hedged = False
        self._lock = threading.Lock()
        self.watchers: list[Callable[[], None]] = []  # woken when the service is given up (Gate)

    def claim_hedge(self) -> bool:
        """True once per run, while the service has not answered: who may send the twin request."""
        with self._lock:
            if self._hedged or self.answered or self.down is not None:
                return False
            self._hedged = True
            return True

    def check(self, what: str) -> None:
        if self.down is not None:
            raise ServiceDown(f"{what}: {self.label} {self.down}; not asked again in this run")

    def timeout(self, normal: float) -> float:
        """Seconds one request may wait for its answer."""
        return normal if self.answered else min(normal, self.first_answer_timeout)

    def answer(self) -> None:
        with self._lock:
            self.answered = True
            self._failed_calls = 0

    def attempt_failed(self, e: TransientError) -> None:
        with self._lock:
            if e.status is not None:
                self.answered = True  # an HTTP error is an answer: the service is there
            elif not self.answered and e.kind == UNREACHABLE:
                self._give_up(f"unreachable ({e.reason})")
            elif not self.answered and e.kind == SILENT:
                self._silent += 1
                if self._silent >= SILENT_ATTEMPTS:
                    self._give_up(f"not answering (no answer within {self.first_answer_timeout:g} s, "
                                  f"{self._silent} requests)")

    def call_failed(self, reason: str) -> None:
        with self._lock:
            self._failed_calls += 1
            if self._failed_calls >= FAILED_CALLS:
                self._give_up(f"failing ({self._failed_calls} requests in a row: {reason})")

    def _give_up(self, why: str) -> None:
        if self.down is not None:
            return
        self.down = why
        self.gone.set()
        for wake in list(self.watchers):
            wake()
        if self.on_down is not None:
            try:
                self.on_down(self)
            except Exception:  # a report callback must not break the run
                pass


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class Gate:
    """A concurrency limit that several pools of one service share."""

    def __init__(self, limit: int, health: "ServiceHealth | None" = None):
        self.limit = max(1, int(limit))
        self.health = health or ServiceHealth("service")
        self.in_flight = 0
        self.peak = 0
        self.cond = threading.Condition()
        self.waiting: dict["Pool", int] = {}  # pools with threads waiting for a place
        self.health.watchers.append(self._wake)

    def _wake(self) -> None:
        """The service was given up: whoever waits for a place stops waiting (and sends nothing)."""
        with self.cond:
            self.cond.notify_all()

    def _yields_to(self, pool: "Pool", now: float) -> bool:
        """Whether a slower pool (the scarcer rate) is waiting and could start now: it goes first."""
        return any(n > 0 and other.rate < pool.rate and other._wait_time(now) <= 0
                   for other, n in self.waiting.items() if other is not pool)


class Pool:
    """Rate and concurrency limit for one service pool (e.g. Crossref queries)."""

    def __init__(self, name: str, rate: float, concurrency: int = 1, gate: Gate | None = None):
        self.name = name
        self.gate = gate or Gate(concurrency)
        self.requests = 0
        self.throttled = 0  # 429s received
        self._paused_until = 0.0
        self._sent: deque[float] = deque()
        self.set_rate(rate)

    # --- limits -------------------------------------------------------------------

    @property
    def concurrency(self) -> int:
        return self.gate.limit

    def set_rate(self, rate: float) -> None:
        """`rate` requests per second: at most `burst` starts in any `window` seconds."""
        self.rate = max(0.01, float(rate))
        self.burst = max(1, int(self.rate))
        self.window = self.burst / self.rate + MARGIN

    def adopt_limits(self, headers: Mapping[str, str] | None) -> None:
        """Lower rate/concurrency to what the service says is in force.

        Crossref sends ``x-rate-limit-limit``, ``x-rate-limit-interval`` (``1s``) and
        ``x-concurrency-limit``; NCBI sends ``x-ratelimit-limit``. Limits are only ever
        lowered: a configured limit below the announced one is the user's choice.
        """
        if not headers:
            return
        get = headers.get
        try:
            limit = float(get("x-rate-limit-limit") or get("x-ratelimit-limit") or 0)
            interval = float(str(get("x-rate-limit-interval") or "1s").rstrip("s") or 1)
            concurrency = int(get("x-concurrency-limit") or 0)
        except ValueError:
            return
        with self.gate.cond:
            if limit > 0 and interval > 0 and limit / interval < self.rate:
                self.set_rate(limit / interval)
            if 0 < concurrency < self.gate.limit:
                self.gate.limit = concurrency

    # --- taking a place -------------------------------------------------------------

    def _wait_time(self, now: float) -> float:
        """Seconds until the rate allows another start (0: now)."""
        wait = self._paused_until - now
        while len(self._sent) > self.burst:
            self._sent.popleft()
        if len(self._sent) >= self.burst:
            wait = max(wait, self._sent[-self.burst] + self.window - now)
        return max(0.0, wait)

    def ready_in(self) -> float:
        """Seconds until a request could start, were a place free (0: now)."""
        with self.gate.cond:
            return self._wait_time(time.monotonic())

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the pool's in-flight places, starting no sooner than the rate allows."""
        gate = self.gate
        with gate.cond:
            gate.waiting[self] = gate.waiting.get(self, 0) + 1
            try:
                while True:
                    if gate.health.down is not None:  # given up while waiting: no place, no request
                        raise ServiceDown(f"{self.name}: {gate.health.label} {gate.health.down}")
                    now = time.monotonic()
                    wait = self._wait_time(now)
                    if wait <= 0 and gate.in_flight < gate.limit and not gate._yields_to(self, now):
                        break
                    gate.cond.wait(wait if wait > 0 else None)
            finally:
                gate.waiting[self] -= 1
            gate.in_flight += 1
            gate.peak = max(gate.peak, gate.in_flight)
            self._sent.append(now)
            self.requests += 1
        try:
            yield
        finally:
            time.sleep(SETTLE)
            with gate.cond:
                gate.in_flight -= 1
                gate.cond.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every request of the pool back for `seconds` (after a 429)."""
        with self.gate.cond:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


def backoff(attempt: int) -> float:
    return min(8.0, 0.5 * (2 ** attempt)) * (0.75 + random.random() / 2)


# a whole answer must arrive within this many times the per-read timeout: a server that
# drips one byte at a time never trips a read timeout, so the total is bounded separately
ANSWER_DEADLINE_FACTOR = 3.0


def answer_deadline(timeout: float) -> float:
    """Seconds one request may take from sending to the last byte of its answer."""
    return max(0.1, float(timeout)) * ANSWER_DEADLINE_FACTOR


def _in_thread(fn: Callable[[], T], name: str) -> tuple[threading.Event, dict[str, object]]:
    """Start `fn()` in a daemon thread: an event set when it ends, and a box that then holds
    its "value" or its "error" (for the caller to raise)."""
    box: dict[str, object] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the caller
            box["error"] = e
        finally:
            done.set()

    threading.Thread(target=target, name=name, daemon=True).start()
    return done, box


def run_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """`fn()` in a daemon thread; TransientError when no result within `seconds`.

    For clients whose requests cannot be bounded in total (habanero): the abandoned
    call may go on reading in the background but never holds up the audit or the exit.
    """
    done, box = _in_thread(fn, "citeaudit-request")
    if not done.wait(seconds):
        raise TransientError(f"no complete answer within {seconds:g} s (too slow)")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def _unless_gone(fn: Callable[[], T], health: ServiceHealth, what: str) -> T:
    """`fn()` in a daemon thread; ServiceDown as soon as the service is given up.

    While the service has never answered, the first request still waiting after HEDGE_AFTER x
    its first-answer timeout gets a twin (`_twin`): whichever answers first is the answer, and
    the twin's own silence counts towards giving the service up."""
    done, box = _in_thread(fn, "citeaudit-probe")
    hedge_at = time.monotonic() + HEDGE_AFTER * health.first_answer_timeout
    twin: tuple[threading.Event, dict[str, object]] | None = None
    while not done.wait(0.05):
        if health.gone.is_set():
            raise ServiceDown(f"{what}: {health.label} {health.down}; not asked again in this run")
        if twin is None and time.monotonic() >= hedge_at and health.claim_hedge():
            twin = _in_thread(lambda: _twin(fn, health), "citeaudit-twin")
        if twin is not None and twin[0].is_set() and "value" in twin[1]:
            return twin[1]["value"]  # type: ignore[return-value]
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def _twin(fn: Callable[[], T], health: ServiceHealth) -> T:
    """The twin request: its answer or failure is told to the service's health itself (the
    caller that started it may be gone by then)."""
    try:
        got = fn()
    except TransientError as e:
        health.attempt_failed(e)
        raise
    health.answer()
    return got


def call(fn: Callable[[], T], pool: Pool, what: str, retries: int = 3, max_wait: float = 60.0) -> T:
    """Run `fn` inside the pool, retrying transient failures; SourceError when it gives up.

    The service's ServiceHealth (on the pool's gate) is told of every answer and failure; once
    it has given the service up, `call` raises at once without sending anything."""
    health = pool.gate.health
    deadline = time.monotonic() + max_wait
    attempt = 0
    while True:
        try:
            health.check(what)
            with pool.slot():
                health.check(what)
                # until the service has answered once, a request still waiting when it is given
                # up (by another request's failure) is abandoned at once, not waited for
                got = fn() if health.answered else _unless_gone(fn, health, what)
            health.answer()
            return got
        except ServiceDown:
            raise SourceError(f"{what}: {health.label} {health.down}; not asked again in this run") from None
        except TransientError as e:
            health.attempt_failed(e)
            if e.status == 429:
                pool.throttled += 1
                pool.adopt_limits(e.headers)
            wait = e.retry_after if e.retry_after is not None else backoff(attempt)
            if e.kind == SILENT and not health.answered:
                wait = 0.0  # the wait was the silence itself: the second probe goes at once
            remaining = deadline - time.monotonic()
            if attempt >= retries or wait > remaining or health.down is not None:
                tries = attempt + 1
                if health.down is None:
                    health.call_failed(e.reason)
                if health.down is not None:
                    raise SourceError(f"{what}: {health.label} {health.down}") from e
                raise SourceError(f"{what}: {e.reason} ({tries} attempt{'s' if tries > 1 else ''})") from e
            if e.status == 429:
                pool.pause(wait)
            time.sleep(wait)
            attempt += 1


class Batcher:
    """Gather items from many threads into requests of at most `size` items.

    ``submit(items)`` returns a Future of ``{item: result}`` for those items. A batch
    leaves when `linger` seconds have passed since its first item and `pool` (if given)
    could start a request, or at once when it is full; items keep gathering while the
    pool is busy, so a rate-limited service gets few, full requests. `fn` gets a list
    of distinct items and returns a mapping; if it raises, every caller of that batch
    gets the exception.
    """

    def __init__(self, fn: Callable[[list], Mapping], size: int = 200, linger: float = 0.02,
                 pool: Pool | None = None, name: str = "batcher"):
        self.fn = fn
        self.size = size
        self.linger = linger
        self.pool = pool
        self.name = name
        self.batches = 0
        self._cond = threading.Condition()
        self._pending: dict[Hashable, list[Future]] = {}
        self._first = 0.0
        self._closed = False
        self._thread: threading.Thread | None = None

    def submit(self, items: Iterable[Hashable]) -> "Future[dict]":
        items = list(dict.fromkeys(items))
        out: Future = Future()
        if not items:
            out.set_result({})
            return out
        parts: list[Future] = []
        with self._cond:
            if self._closed:
                raise RuntimeError(f"{self.name} is closed")
            if not self._pending:
                self._first = time.monotonic()
            for item in items:
                f: Future = Future()
                self._pending.setdefault(item, []).append(f)
                parts.append(f)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()
            self._cond.notify_all()
        _gather(items, parts, out)
        return out

    def get(self, items: Iterable[Hashable]) -> dict:
        return self.submit(items).result()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending and self._closed:
                    return
                while len(self._pending) < self.size and not self._closed:
                    wait = self._first + self.linger - time.monotonic()
                    if self.pool is not None:
                        wait = max(wait, self.pool.ready_in())
                    if wait <= 0:
                        break
                    self._cond.wait(wait)
                keys = list(self._pending)[: self.size]
                batch = {k: self._pending.pop(k) for k in keys}
                self._first = time.monotonic()
            self.batches += 1
            before = self.pool.requests if self.pool is not None else 0
            threading.Thread(target=self._send, args=(batch,), name=f"{self.name}-send", daemon=True).start()
            if self.pool is not None:  # let the batch take its place before timing the next one
                until = time.monotonic() + 0.05
                while self.pool.requests == before and time.monotonic() < until:
                    time.sleep(0.001)

    def _send(self, batch: dict[Hashable, list[Future]]) -> None:
        try:
            got = self.fn(list(batch))
        except BaseException as e:  # every waiter hears about it
            for fs in batch.values():
                for f in fs:
                    f.set_exception(e)
            return
        for k, fs in batch.items():
            for f in fs:
                f.set_result(got.get(k))


def _gather(items: list, parts: list[Future], out: Future) -> None:
    """Resolve `out` with {item: result} once every part is done (first error wins)."""
    lock = threading.Lock()
    remaining = [len(parts)]

    def done(_f: Future) -> None:
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if not last or out.done():
            return
        for f in parts:
            if f.exception() is not None:
                out.set_exception(f.exception())
                return
        out.set_result({i: f.result() for i, f in zip(items, parts)})

    for f in parts:
        f.add_done_callback(done)
