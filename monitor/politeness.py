"""Politeness: every request waits for its host's slot, so no site sees more than a few requests at once."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from functools import partial
from typing import Any

LOGGER = logging.getLogger(__name__)


class _Host:
    """One host's state: a semaphore for the concurrency cap and the earliest time the next request may start."""

    def __init__(self, concurrency: int) -> None:
        self.slots = threading.BoundedSemaphore(concurrency)
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.delay = 0.0


class HostLimiter:
    """Per-host concurrency cap and minimum delay between request starts, shared by all worker threads."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.concurrency = concurrency
        self.delay = delay
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def set_delay(self, host: str, delay: float) -> None:
        """Ask for a longer delay on one host (robots.txt Crawl-delay); never shorter than the default."""
        self._host(host).delay = max(self.delay, delay)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of `host`'s request slots, starting no sooner than its delay allows."""
        state = self._host(host)
        with state.slots:
            time.sleep(self._reserve_start(state))
            yield

    def _reserve_start(self, state: _Host) -> float:
        with state.lock:
            now = time.monotonic()
            start = max(now, state.next_start)
            state.next_start = start + max(self.delay, state.delay)
            return start - now

    def _host(self, host: str) -> _Host:
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = _Host(self.concurrency)
            return self._hosts[host]


class HostQueue:
    """Jobs waiting per host, handed to the worker pool only while their host has fewer than `cap` in flight.

    Without it a feed's twenty articles would take every worker, each waiting for the same host's
    slot, while other hosts sat idle.
    """

    def __init__(self, pool: Executor, cap: int) -> None:
        self.pool = pool
        self.cap = cap
        self._waiting: dict[str, deque[Callable[[], Any]]] = {}
        self._in_flight: dict[Future, str] = {}
        self._running: Counter[str] = Counter()

    def submit(self, host: str, function: Callable[..., Any], *args: Any) -> None:
        """Queue `function(*args)` to run in the pool when `host` has a free slot."""
        self._waiting.setdefault(host, deque()).append(partial(function, *args))
        self._fill()

    def completed(self) -> Iterator[Future]:
        """Futures as they finish, until nothing is queued or running (jobs may be added meanwhile)."""
        while self._in_flight:
            done, _ = wait(list(self._in_flight), return_when=FIRST_COMPLETED)
            for future in done:
                self._running[self._in_flight.pop(future)] -= 1
            self._fill()
            yield from done

    def cancel(self) -> None:
        """Drop every queued job and cancel those not yet started."""
        self._waiting.clear()
        for future in self._in_flight:
            future.cancel()

    def _fill(self) -> None:
        for host, jobs in list(self._waiting.items()):
            while jobs and self._running[host] < self.cap:
                self._in_flight[self.pool.submit(jobs.popleft())] = host
                self._running[host] += 1
            if not jobs:
                del self._waiting[host]
