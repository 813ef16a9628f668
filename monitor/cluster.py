"""Scale-out: extraction batches on a Dask cluster; fetching, politeness and the one database writer stay here.

The main process connects to a scheduler (`tcp://HOST:8786`) or starts a LocalCluster (`local:N`),
registers a worker plugin that loads the model once per worker, submits batches with `retries`, and
hands back each batch's analyses as it finishes. A worker that dies costs its batch: the scheduler
runs it again elsewhere. Dask (and the model) are imported only when a cluster is used, so claimwatch
works without Dask, and the CLI can name this module's error without loading either.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster, as_completed

    from monitor.extraction import Analysis, PageWork

LOGGER = logging.getLogger(__name__)

RETRIES = 2                # a batch whose task raises is tried this many more times, on any worker
WORKER_WAIT = 60.0         # seconds to wait for the first worker to join the scheduler
CONNECT_TIMEOUT = "10s"


class ClusterUnavailable(RuntimeError):
    """The Dask cluster cannot be used: Dask is not installed, or the scheduler or its workers cannot be reached."""


class DaskExecutor:
    """Batches run as Dask tasks; results come back as tasks finish (`as_completed`), each batch once."""

    def __init__(self, client: Client, model: str, cluster: LocalCluster | None = None) -> None:
        from distributed import as_completed

        from monitor.dask_worker import FinderPlugin

        self.client = client
        self._cluster = cluster
        self._plugin = FinderPlugin(model)
        self._register()
        self.workers = sum(client.nthreads().values())
        # Enough tasks queued that no worker waits, few enough that a big reprocess fits in memory.
        self._limit = 4 * self.workers + 4
        self._completed: as_completed = as_completed()
        self._works: dict[Future, list[PageWork]] = {}
        self._done: deque[list[Analysis]] = deque()
        LOGGER.info("extracting on %s: %d worker threads", client.scheduler.address, self.workers)

    @classmethod
    def connect(cls, scheduler: str, model: str) -> DaskExecutor:
        """Join the scheduler at `scheduler` (tcp://HOST:PORT), or start `local:N` worker processes here.

        Raises:
            ClusterUnavailable: Dask is not installed, the scheduler does not answer, no worker joins,
                or a worker cannot load the extractor.
        """
        distributed = _import_distributed()
        cluster = None
        if scheduler.startswith("local:"):
            # One thread a worker: spaCy and trafilatura hold the interpreter lock, so threads would share one core.
            cluster = distributed.LocalCluster(n_workers=int(scheduler.split(":")[1]), threads_per_worker=1,
                                               processes=True)
        try:
            client = distributed.Client(cluster or scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as error:
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {scheduler}: {error}") from error
        try:
            _wait_for_a_worker(client, scheduler)
            return cls(client, model, cluster)
        except BaseException:
            client.close()
            if cluster is not None:
                cluster.close()
            raise

    @property
    def idle(self) -> bool:
        return sum(not future.done() for future in self._works) < self.workers

    def submit(self, works: list[PageWork]) -> None:
        from monitor.dask_worker import analyse_on_worker
        from monitor.extraction import tasks_of

        for task in tasks_of(works):
            if self._completed.count() >= self._limit:
                self._collect(next(self._completed))
            future = self.client.submit(analyse_on_worker, task, self._plugin.name, retries=RETRIES, pure=False)
            self._works[future] = task
            self._completed.add(future)

    def finished(self, wait: bool = False) -> Iterator[list[Analysis]]:
        for future in self._completed.next_batch(block=False):
            self._collect(future)
        while self._done or (wait and not self._completed.is_empty()):
            if not self._done:
                self._collect(next(self._completed))
            yield self._done.popleft()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def _collect(self, future: Future) -> None:
        from monitor.extraction import Analysis

        works = self._works.pop(future)
        try:
            self._done.append(future.result())
        except Exception as error:  # retries spent, or the batch killed worker after worker: its pages fail
            LOGGER.error("batch of %d pages lost on the cluster: %s", len(works), error)
            self._done.append([Analysis(work.key, error=f"lost on the cluster: {error}", stage="lost")
                               for work in works])
        future.release()

    def _register(self) -> None:
        try:
            self.client.register_plugin(self._plugin)
        except Exception as error:
            raise ClusterUnavailable(
                f"a Dask worker cannot load claimwatch's extractor ({type(error).__name__}: {error}); every "
                "worker needs the same claimwatch package and spaCy model installed (docs/scaling.md)") from error


def _wait_for_a_worker(client: Client, scheduler: str) -> None:
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except TimeoutError as error:
        raise ClusterUnavailable(f"no Dask worker joined the scheduler at {scheduler} within {WORKER_WAIT:.0f} s: "
                                 f"start one with `dask worker {scheduler} --nthreads 1`") from error


def _import_distributed():
    try:
        import distributed
    except ImportError as error:
        raise ClusterUnavailable("a Dask scheduler needs Dask distributed, which is not installed: "
                                 "pip install 'claimwatch[cluster]'") from error
    return distributed
