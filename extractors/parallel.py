"""Extraction in worker processes: each loads the model once; the caller keeps the database."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from extractors.classifier import ClaimClassifier

_finder = None  # the worker process's own ClaimFinder


class ExtractionPool:
    """`workers` processes, each with its own loaded ClaimFinder, answering batches of texts in order."""

    def __init__(self, model: str, classifier: ClaimClassifier | None, shortcuts: bool, workers: int) -> None:
        self.workers = workers
        # spawn, not fork: the crawler forks from a process with fetch threads running.
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start, initargs=(model, classifier, shortcuts))

    def map(self, texts: list[str], countries: list[str | None]) -> list:
        """The Extraction of each text (with its site's country), in order; one slice per worker."""
        size = max(1, -(-len(texts) // self.workers))
        starts = range(0, len(texts), size)
        parts = self._pool.map(_extract, [texts[i:i + size] for i in starts], [countries[i:i + size] for i in starts])
        return [extraction for part in parts for extraction in part]

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


def _start(model: str, classifier: ClaimClassifier | None, shortcuts: bool) -> None:
    from extractors.claims import ClaimFinder

    global _finder
    _finder = ClaimFinder(model, classifier, shortcuts=shortcuts)


def _extract(texts: list[str], countries: list[str | None]) -> list:
    return list(_finder.find_many(texts, countries=countries))
