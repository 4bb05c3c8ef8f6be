"""Staying inside a service's published limits, and retrying politely when told to wait.

A Pool spaces requests to at most `rate` per second with at most `concurrency` in
flight; all threads asking one service share its pool. `call` retries transient
failures (429, 5xx, timeouts, dropped connections, truncated bodies) with backoff,
honouring Retry-After, within a bounded total time; then it raises SourceError.
"""

from __future__ import annotations

import random
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, Mapping, TypeVar

from .base import SourceError

T = TypeVar("T")

# a whisker of slack so that jitter on the wire never puts rate+1 requests in one second
_SLACK = 1.03


class TransientError(Exception):
    """A failure worth retrying. `retry_after` is the server's own advice, in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


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


class Pool:
    """Rate and concurrency limit for one service pool (e.g. Crossref queries)."""

    def __init__(self, name: str, rate: float, concurrency: int = 1):
        self.name = name
        self.rate = max(0.01, float(rate))
        self.concurrency = max(1, int(concurrency))
        self._sem = threading.Semaphore(self.concurrency)
        self._lock = threading.Lock()
        self._next = 0.0
        self.requests = 0
        self.throttled = 0  # 429s received

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the pool's in-flight places, starting no sooner than the rate allows."""
        self._sem.acquire()
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next)
                self._next = start + _SLACK / self.rate
                self.requests += 1
            if start > now:
                time.sleep(start - now)
            yield
        finally:
            self._sem.release()

    def pause(self, seconds: float) -> None:
        """Hold every request of the pool back for `seconds` (after a 429)."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)

    def adopt_limits(self, headers: Mapping[str, str]) -> None:
        """Lower the rate to what the service says is in force (x-rate-limit-* headers)."""
        try:
            limit = float(headers.get("x-rate-limit-limit", "") or 0)
            interval = float(str(headers.get("x-rate-limit-interval", "1s")).rstrip("s") or 1)
        except ValueError:
            return
        if limit > 0 and interval > 0 and limit / interval < self.rate:
            self.rate = limit / interval


def backoff(attempt: int) -> float:
    return min(8.0, 0.5 * (2 ** attempt)) * (0.75 + random.random() / 2)


def call(fn: Callable[[], T], pool: Pool, what: str, retries: int = 3, max_wait: float = 60.0) -> T:
    """Run `fn` inside the pool, retrying transient failures; SourceError when it gives up."""
    deadline = time.monotonic() + max_wait
    attempt = 0
    while True:
        try:
            with pool.slot():
                return fn()
        except TransientError as e:
            if e.status == 429:
                pool.throttled += 1
            wait = e.retry_after if e.retry_after is not None else backoff(attempt)
            remaining = deadline - time.monotonic()
            if attempt >= retries or wait > remaining:
                tries = attempt + 1
                raise SourceError(f"{what}: {e.reason} ({tries} attempt{'s' if tries > 1 else ''})") from None
            if e.status == 429:
                pool.pause(wait)
            time.sleep(wait)
            attempt += 1
