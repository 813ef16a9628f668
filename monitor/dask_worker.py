"""What runs on each Dask worker: a plugin that loads the model once, and the batch task that uses it.

Imported only where Dask distributed is installed (the `cluster` extra); every worker needs this
package and the spaCy model installed, as the main process has them.
"""

from __future__ import annotations

import logging

from distributed import Worker, WorkerPlugin, get_worker

from extractors.claims import EXTRACTOR_VERSION, ClaimFinder
from monitor.extraction import Analysis, PageWork, analyse_batch

LOGGER = logging.getLogger(__name__)


class WrongExtractor(RuntimeError):
    """A worker runs another claimwatch extractor than the main process, so its claims would differ."""


class FinderPlugin(WorkerPlugin):
    """Loads the claim pipeline (spaCy model, rules and classifier) once on each worker, new ones too."""

    # A second run against the same long-lived cluster reuses the loaded model instead of reloading it.
    idempotent = True

    def __init__(self, model: str, version: str = EXTRACTOR_VERSION) -> None:
        self.model = model
        self.version = version
        self.name = f"claimwatch-finder-{version}-{model}"
        self.finder: ClaimFinder | None = None

    def setup(self, worker: Worker) -> None:
        if self.version != EXTRACTOR_VERSION:
            raise WrongExtractor(f"worker {worker.address} runs claimwatch extractor {EXTRACTOR_VERSION}, the main "
                                 f"process {self.version}: install the same claimwatch on every machine")
        self.finder = ClaimFinder(self.model)
        _stop_profiler(worker)
        LOGGER.info("worker %s loaded %s", worker.address, self.model)

    def teardown(self, worker: Worker) -> None:
        self.finder = None


def _stop_profiler(worker: Worker) -> None:
    """Stop the worker's statistical profiler, which samples the task thread's stack every 10 ms.

    On spaCy's and the rules' deep Python stacks the sampling cost a worker about 40% of its CPU
    (benchmarks/cluster.py: 1 worker 83 s against 59 s over the corpus), for a dashboard panel
    claimwatch does not need.
    """
    for name in ("profile", "profile-cycle"):
        callback = worker.periodic_callbacks.pop(name, None)
        if callback is not None:
            callback.stop()


def analyse_on_worker(works: list[PageWork], plugin_name: str) -> list[Analysis]:
    """The Dask task: one batch analysed with this worker's loaded ClaimFinder."""
    plugin = get_worker().plugins[plugin_name]
    return analyse_batch(plugin.finder, works)
