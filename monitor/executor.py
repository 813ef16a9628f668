"""Where the CPU-bound stages run (fetched bytes → Page → Extraction): this process, one pool, or a Dask cluster.

The crawl, `ingest` and `reprocess` hand batches of pages (extraction.PageWork) to an Executor and
store each batch's analyses, as it finishes, in the main process: the one database writer.
Fetching, politeness and the database never leave the main process. `extract_workers: N`
(feeds.yaml) starts one pool of N spawned processes, each loading the model once (about 300 MB)
and doing both stages; 1 runs everything here; `scheduler:` sends the batches to Dask (cluster.py).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Protocol

from extractors.claims import ClaimFinder, Extraction
from monitor.cluster import DaskExecutor
from monitor.config import check_scheduler
from monitor.extraction import Analysis, PageWork, analyse_batch, tasks_of

LOGGER = logging.getLogger(__name__)


class Finder(Protocol):
    """What an executor needs of a ClaimFinder (a benchmark's stand-in has it too)."""

    def find(self, text: str, country: str | None = None) -> Extraction: ...

    def find_many(self, texts: Iterable[str], batch_size: int = 16,
                  countries: Iterable[str | None] | None = None) -> Iterator[Extraction]: ...


class Executor(Protocol):
    """Runs batches of page work somewhere and gives back their analyses as batches finish."""

    workers: int

    @property
    def idle(self) -> bool:
        """True when a batch sent now would start at once (so a part-filled one need not wait)."""

    def submit(self, works: list[PageWork]) -> None:
        """Queue one batch; may wait for an earlier batch to finish, to bound the work in flight."""

    def finished(self, wait: bool = False) -> Iterator[list[Analysis]]:
        """The analyses of finished work, each once, in the pieces it ran as (a batch, or a pool's tasks of it):
        those done now, or (wait) every one queued."""

    def close(self) -> None:
        """Stop the processes or leave the cluster; batches not yet collected are dropped."""


def open_executor(model: str, workers: int = 1, scheduler: str = "") -> Executor:
    """The executor the settings ask for: Dask when `scheduler` is set, else this process for 1, else one pool.

    Raises:
        ClusterUnavailable: `scheduler` is set but Dask is not installed or cannot be reached.
    """
    if scheduler:
        return DaskExecutor.connect(check_scheduler(scheduler), model)
    if workers <= 1:
        return LocalExecutor(ClaimFinder(model))
    return ProcessExecutor(model, workers)


class LocalExecutor:
    """Every batch analysed at once, in this process, with a loaded finder."""

    workers = 1
    idle = True  # it analyses each batch as it is sent

    def __init__(self, finder: Finder) -> None:
        self.finder = finder
        self._done: deque[list[Analysis]] = deque()

    def submit(self, works: list[PageWork]) -> None:
        self._done.append(analyse_batch(self.finder, works))

    def finished(self, wait: bool = False) -> Iterator[list[Analysis]]:
        while self._done:
            yield self._done.popleft()

    def close(self) -> None:
        """Nothing to stop: the finder belongs to the caller."""
        self._done.clear()


class ProcessExecutor:
    """One pool of `workers` spawned processes, each with its own loaded ClaimFinder, doing both stages.

    Each batch runs as tasks of a few pages (extraction.TASK_PAGES), each stored as it finishes.
    """

    def __init__(self, model: str, workers: int, shortcuts: bool = True) -> None:
        self.workers = workers
        self._limit = 4 * workers  # tasks in flight
        # spawn, not fork: the crawler forks from a process with fetch threads running.
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start, initargs=(model, shortcuts))
        self._running: dict[Future, list[PageWork]] = {}
        self._done: deque[list[Analysis]] = deque()

    @property
    def idle(self) -> bool:
        return sum(not future.done() for future in self._running) < self.workers

    def submit(self, works: list[PageWork]) -> None:
        for task in tasks_of(works):
            if len(self._running) >= self._limit:
                self._collect(_first_done(self._running))
            self._running[self._pool.submit(_analyse, task)] = task

    def finished(self, wait: bool = False) -> Iterator[list[Analysis]]:
        self._collect({future for future in self._running if future.done()})
        while self._done or (wait and self._running):
            if not self._done:
                self._collect(_first_done(self._running))
            yield self._done.popleft()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def _collect(self, done: Iterable[Future]) -> None:
        for future in done:
            works = self._running.pop(future)
            try:
                self._done.append(future.result())
            except Exception as error:  # a pool process died (BrokenProcessPool): its batch fails, named
                self._done.append([Analysis(work.key, error=f"extraction process failed: {error}", stage="lost")
                                   for work in works])


def _first_done(futures: Iterable[Future]) -> set[Future]:
    return wait(futures, return_when=FIRST_COMPLETED).done


_finder: ClaimFinder | None = None  # a pool process's own, loaded once by _start


def _start(model: str, shortcuts: bool) -> None:
    global _finder
    _finder = ClaimFinder(model, shortcuts=shortcuts)


def _analyse(works: list[PageWork]) -> list[Analysis]:
    return analyse_batch(_finder, works)
