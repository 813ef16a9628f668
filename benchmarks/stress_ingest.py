"""Stress (not a test): the real `claimwatch ingest` of a folder of pages, run again and again with 1 and
with 2 extraction workers, watching for the native crashes of issue 14.

Each run is a `claimwatch ingest PAGES --db FRESH.db --workers N` process started from an empty
folder (so no feeds.yaml: the built-in defaults). A run crashed natively if a signal ended it (a
negative exit code) or its output names one ("Segmentation fault", "double free", "Fatal Python
error", a glibc malloc abort). For each run it records the exit code, the wall time, the peak RSS of
the process tree (sampled every 0.2 s from /proc, pool workers included), the articles stored and
the status of its crawl_runs row. Every run must store the same number of articles and leave no run
`running`. Only the .html pages are copied: the corpus keeps each page's reference text beside it as
.txt. Prints a line a run, a summary per worker count, and, last, one JSON object; exits 1 when a
run crashed, disagreed or left its run open.

    .venv/bin/python benchmarks/stress_ingest.py ../shared/corpus/html [--runs 10] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.cluster import copy_pages  # noqa: E402
from db.database import open_database, stats  # noqa: E402
from tests.serving import tree_rss  # noqa: E402

CLAIMWATCH = ROOT / ".venv/bin/claimwatch"
# What glibc and CPython print when the process dies under them; a signal shows as a negative exit code.
NATIVE_CRASH_MARKS = ("Segmentation fault", "double free", "Fatal Python error", "malloc(): ", "free(): ",
                      "corrupted size")


@dataclass
class IngestRun:
    """One `claimwatch ingest` process: how it ended, what it used and what it stored."""

    workers: int
    number: int
    returncode: int
    seconds: float
    peak_rss_mb: int
    articles: int
    run_status: str | None  # the crawl_runs row's status: finished, failed, or running if left open
    load: float  # 1-minute load average just before the run: how shared the machine was
    crash_marks: list[str]

    @property
    def crashed(self) -> bool:
        return self.returncode < 0 or bool(self.crash_marks)

    def line(self) -> str:
        return (f"workers {self.workers}  run {self.number:2d}  exit {self.returncode:3d}  {self.seconds:6.1f} s  "
                f"peak RSS {self.peak_rss_mb:5d} MB  {self.articles:4d} articles  run {self.run_status}  "
                f"load {self.load:4.1f}{'  NATIVE CRASH: ' + ', '.join(self.crash_marks) if self.crashed else ''}")


def ingest_once(pages: Path, scratch: Path, workers: int, number: int) -> IngestRun:
    """Run one ingest into a fresh database; print the tail of its output if it crashed or failed."""
    db_path, log_path = scratch / f"w{workers}-{number}.db", scratch / f"w{workers}-{number}.log"
    load, started, peak = os.getloadavg()[0], time.monotonic(), 0
    command = [str(CLAIMWATCH), "ingest", str(pages), "--db", str(db_path), "--workers", str(workers)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=scratch)
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.2)
    seconds, output = time.monotonic() - started, log_path.read_text(errors="replace")
    articles, status = _stored(db_path)
    run = IngestRun(workers, number, process.returncode, round(seconds, 1), round(peak / 2**20), articles, status,
                    round(load, 2), [mark for mark in NATIVE_CRASH_MARKS if mark in output])
    if run.crashed or run.returncode != 0:
        print(output[-3000:], file=sys.stderr)
    return run


def _stored(db_path: Path) -> tuple[int, str | None]:
    """Articles in the database and the status of its one crawl run (None if the run never started)."""
    if not db_path.exists():
        return 0, None
    totals = stats(open_database(db_path))
    return totals["articles"], (totals["last_run"] or {}).get("status")


def summarise(runs: list[IngestRun]) -> dict:
    """Per worker count: runs, crashes, exit codes, times, peak RSS and the article counts seen."""
    summary = {}
    for workers in sorted({run.workers for run in runs}):
        mine = [run for run in runs if run.workers == workers]
        seconds = sorted(run.seconds for run in mine)
        summary[workers] = {
            "runs": len(mine), "native_crashes": sum(run.crashed for run in mine),
            "exit_codes": sorted({run.returncode for run in mine}),
            "seconds_median": round(seconds[len(seconds) // 2], 1), "seconds_max": round(seconds[-1], 1),
            "peak_rss_mb": max(run.peak_rss_mb for run in mine),
            "articles": sorted({run.articles for run in mine}),
            "left_running": sum(run.run_status != "finished" for run in mine),
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path, help="folder of saved pages (e.g. ../shared/corpus/html)")
    parser.add_argument("--runs", type=int, default=10, help="ingests per worker count")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to run")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="claimwatch-stress-") as folder:
        scratch = Path(folder)
        pages = copy_pages(args.pages, scratch / "pages")
        print(f"{pages} pages from {args.pages}; {os.cpu_count()} cores; {args.runs} runs each with "
              f"{' and '.join(map(str, args.workers))} worker(s)", flush=True)
        for workers in args.workers:
            for number in range(1, args.runs + 1):
                runs.append(ingest_once(scratch / "pages", scratch, workers, number))
                print(runs[-1].line(), flush=True)
    summary = summarise(runs)
    for workers, figures in summary.items():
        print(f"workers {workers}: " + ", ".join(f"{name} {value}" for name, value in figures.items()))
    same_count = len({run.articles for run in runs}) == 1
    ok = same_count and not any(run.crashed or run.run_status != "finished" for run in runs)
    print(f"same article count in every run: {same_count}; {'ok' if ok else 'FAILED'}")
    print(json.dumps({"pages": pages, "cores": os.cpu_count(), "date": date.today().isoformat(),
                      "python": platform.python_version(), "ok": ok, "same_article_count": same_count,
                      "by_workers": summary, "runs": [asdict(run) for run in runs]}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
