"""Where the CPU-bound stages run (fetched bytes → Page, texts → Extractions): this process, or one pool of processes.

The crawl, `ingest` and `reprocess` hand both stages to an Executor and keep the database in the
main process. `extract_workers: N` (feeds.yaml) starts one pool of N spawned processes, each
loading the model once (about 300 MB) and doing both jobs; 1 runs everything here. A later
backend (a Dask cluster) is one more class with these methods.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

from extractors.claims import ClaimFinder, Extraction
from extractors.text import FetchedBytes, Page, page_from


class Finder(Protocol):
    """What an executor needs of a ClaimFinder (a benchmark's stand-in has it too)."""

    def find(self, text: str, country: str | None = None) -> Extraction: ...

    def find_many(self, texts: Iterable[str], batch_size: int = 16,
                  countries: Iterable[str | None] | None = None) -> Iterator[Extraction]: ...


class Executor(Protocol):
    """Runs the two CPU-bound stages; `page` is called from fetch threads, `extract` from the main thread."""

    workers: int

    def page(self, fetched: FetchedBytes) -> Page: ...

    def extract(self, texts: list[str], countries: list[str | None], batch_size: int = 16) -> list[Extraction]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """Both stages in this process: pages in the calling fetch thread, claims with a loaded finder."""

    workers = 1

    def __init__(self, finder: Finder) -> None:
        self.finder = finder

    def page(self, fetched: FetchedBytes) -> Page:
        return page_from(fetched)

    def extract(self, texts: list[str], countries: list[str | None], batch_size: int = 16) -> list[Extraction]:
        return list(self.finder.find_many(texts, batch_size=batch_size, countries=countries))

    def close(self) -> None:
        """Nothing to stop: the finder belongs to the caller."""


class ProcessExecutor:
    """One pool of `workers` spawned processes, each with its own loaded ClaimFinder, doing both stages."""

    def __init__(self, model: str, workers: int, shortcuts: bool = True) -> None:
        self.workers = workers
        # spawn, not fork: the crawler forks from a process with fetch threads running.
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start, initargs=(model, shortcuts))

    def page(self, fetched: FetchedBytes) -> Page:
        # trafilatura holds the interpreter lock: in the fetch threads it would cap a crawl at one core.
        return self._pool.submit(page_from, fetched).result()

    def extract(self, texts: list[str], countries: list[str | None], batch_size: int = 16) -> list[Extraction]:
        """The Extraction of each text, in order; the texts are cut into one slice per worker."""
        size = max(1, -(-len(texts) // self.workers))
        starts = range(0, len(texts), size)
        parts = self._pool.map(_extract, [texts[i:i + size] for i in starts],
                               [countries[i:i + size] for i in starts], [batch_size] * len(starts))
        return [extraction for part in parts for extraction in part]

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


def open_executor(model: str, workers: int) -> Executor:
    """The executor `extract_workers: workers` asks for: this process for 1, else one pool of `workers`."""
    if workers <= 1:
        return LocalExecutor(ClaimFinder(model))
    return ProcessExecutor(model, workers)


_finder: ClaimFinder | None = None  # the worker process's own, loaded once by _start


def _start(model: str, shortcuts: bool) -> None:
    global _finder
    _finder = ClaimFinder(model, shortcuts=shortcuts)


def _extract(texts: list[str], countries: list[str | None], batch_size: int) -> list[Extraction]:
    return list(_finder.find_many(texts, batch_size=batch_size, countries=countries))
