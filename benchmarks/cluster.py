"""Benchmark (not a test): articles per second over a folder of saved pages, here and on a Dask LocalCluster.

Four runs over the same pages, each into a fresh SQLite file through the real `ingest` path:
(1) the local executor (model in this process); (2) a LocalCluster of 1 worker process and
(3) of 2, each with one thread, started by `--scheduler local:N`'s own code; (4) `reprocess --all`
on the 2-worker cluster, from the pages archived by (3), with no network. Each line gives the
steady throughput (cluster running, model loaded) and, beside it, the start-up that a one-off
run also pays: the cluster's overhead. The load average before each run says how shared the
machine was. Prints a table; the last line is one JSON object. Asserts nothing about time.

    .venv/bin/python benchmarks/cluster.py ../shared/corpus/html [--workers 1 2]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from extractors.claims import ClaimFinder
from monitor.config import DEFAULT_MODEL, Config, Defaults
from monitor.crawl import ingest_folder
from monitor.executor import Executor, LocalExecutor, open_executor
from monitor.reprocess import reprocess


@dataclass
class Run:
    """One measured run: what it stored, how long it took, its start-up, and the CPU it used."""

    name: str
    articles: int
    claims: int
    seconds: float
    startup: float
    cpu: float  # CPU seconds of this process and the workers during the run: the load does not inflate it
    load: float  # 1-minute load average just before the run

    @property
    def per_second(self) -> float:
        return self.articles / self.seconds

    @property
    def per_second_with_startup(self) -> float:
        return self.articles / (self.seconds + self.startup)

    def line(self) -> str:
        return (f"{self.name:28} {self.articles:4d} articles {self.claims:5d} claims {self.seconds:7.1f} s "
                f"{self.per_second:6.2f}/s   start-up {self.startup:5.1f} s → {self.per_second_with_startup:5.2f}/s "
                f"  CPU {1000 * self.cpu / self.articles:4.0f} ms/article   load {self.load:4.1f}")


def measure(name: str, work: Callable[[], tuple[int, int]], cpu_clock: Callable[[], float], startup: float) -> Run:
    """Time `work` (which returns articles and claims) by the wall clock and by `cpu_clock`."""
    load, cpu = os.getloadavg()[0], cpu_clock()
    started = time.perf_counter()
    articles, claims = work()
    return Run(name, articles, claims, time.perf_counter() - started, startup, cpu_clock() - cpu, load)


def ingest(folder: Path, db_path: Path, executor: Executor) -> tuple[int, int]:
    config = Config(path=db_path.parent / "feeds.yaml", defaults=Defaults(model=DEFAULT_MODEL))
    summary = ingest_folder(folder, db_path, config, executor=executor)
    return summary.articles_new, summary.claims_new


def reprocess_all(db_path: Path, executor: Executor) -> tuple[int, int]:
    summary = reprocess(db_path, DEFAULT_MODEL, everything=True, executor=executor)
    return summary.articles, summary.claims["kept"] + summary.claims["added"]


def here(folder: Path, scratch: Path) -> Run:
    started = time.perf_counter()
    executor = LocalExecutor(ClaimFinder(DEFAULT_MODEL))
    startup = time.perf_counter() - started
    return measure("local executor", lambda: ingest(folder, scratch / "local.db", executor), time.process_time,
                   startup)


def on_cluster(folder: Path, scratch: Path, workers: int, with_reprocess: bool) -> list[Run]:
    started = time.perf_counter()
    executor = open_executor(DEFAULT_MODEL, scheduler=f"local:{workers}")
    startup = time.perf_counter() - started

    def cpu_clock() -> float:
        return time.process_time() + sum(executor.client.run(time.process_time).values())

    db_path = scratch / f"cluster-{workers}.db"
    try:
        runs = [measure(f"LocalCluster {workers} worker(s)", lambda: ingest(folder, db_path, executor), cpu_clock,
                        startup)]
        if with_reprocess:
            runs.append(measure(f"reprocess on {workers} worker(s)", lambda: reprocess_all(db_path, executor),
                                cpu_clock, startup))
    finally:
        executor.close()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=Path, help="folder of saved .html pages (e.g. ../shared/corpus/html)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="LocalCluster sizes to time")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        pages = copy_pages(args.pages, scratch / "pages")
        print(f"{pages} pages from {args.pages}; {os.cpu_count()} cores")
        runs = [here(scratch / "pages", scratch)]
        print(runs[0].line(), flush=True)
        for workers in args.workers:
            for run in on_cluster(scratch / "pages", scratch, workers, with_reprocess=workers == max(args.workers)):
                runs.append(run)
                print(run.line(), flush=True)
    by_name = {run.name: run for run in runs}
    one, two = by_name.get("LocalCluster 1 worker(s)"), by_name.get("LocalCluster 2 worker(s)")
    scaling = two.per_second / one.per_second if one and two else None
    if scaling is not None:
        print(f"2 workers / 1 worker: {scaling:.2f}x; cluster overhead at 1 worker: "
              f"{one.per_second / runs[0].per_second:.2f}x the local executor's throughput")
    print(json.dumps({"pages": pages, "cores": os.cpu_count(), "scaling_2_over_1": scaling and round(scaling, 3),
                      "runs": [{"name": r.name, "articles": r.articles, "claims": r.claims,
                                "seconds": round(r.seconds, 2), "articles_per_second": round(r.per_second, 3),
                                "startup_seconds": round(r.startup, 2), "cpu_seconds": round(r.cpu, 2),
                                "articles_per_second_with_startup": round(r.per_second_with_startup, 3),
                                "load_before": round(r.load, 2)} for r in runs]}))


def copy_pages(source: Path, folder: Path) -> int:
    """The HTML pages alone: the corpus keeps each page's reference text beside it as .txt, which is no page."""
    folder.mkdir()
    for path in sorted(source.glob("*.htm*")):
        shutil.copy(path, folder / path.name)
    return len(list(folder.iterdir()))


if __name__ == "__main__":
    main()
