"""Benchmark: trafilatura alone vs the naive full parse vs claimwatch's pipeline, with dev-set F1 beside speed.

Usage: python benchmarks/pipeline.py [--pages DIR] [--gold GLOB] [--workers N] [--model NAME]

All three runs happen in this one process (the model is loaded once, before any timing). Prints a
table, then one JSON object as the last line. Numbers are measurements, never assertions.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.database import open_database  # noqa: E402
from extractors.claims import ClaimFinder  # noqa: E402
from extractors.nlp import load_nlp  # noqa: E402
from extractors.text import NotAnArticle, Page, extract_page  # noqa: E402
from monitor.config import DEFAULT_MODEL, Config, Defaults  # noqa: E402
from monitor.crawl import Crawler  # noqa: E402
from monitor.executor import Executor, LocalExecutor, ProcessExecutor  # noqa: E402
from monitor.extraction import PageWork  # noqa: E402

SHARED = ROOT.parent / "shared"


def main() -> None:
    args = _parse_args()
    pages = sorted(Path(args.pages).glob("*.html"))
    htmls = {page.stem: page.read_text(encoding="utf-8", errors="replace") for page in pages}
    nlp = load_nlp(args.model, fast=False)
    naive, fast = ClaimFinder(args.model, shortcuts=False), ClaimFinder(args.model, shortcuts=True)

    trafilatura_s, texts = _timed(lambda: _extract_texts(htmls))
    tokens = sum(len(nlp.make_doc(text)) for text in texts.values())
    naive_s, _ = _timed(lambda: [naive.find(text) for text in _extract_texts(htmls).values()])
    claimwatch_s, _ = _timed(lambda: _ingest(pages, LocalExecutor(fast)))
    pool = ProcessExecutor(args.model, args.workers)  # the workers load their model before timing
    for _ in range(args.workers):
        pool.submit([PageWork("warm-up", page=Page(text="Warm-up: 3 said."))])
    list(pool.finished(wait=True))
    workers_s, _ = _timed(lambda: _ingest(pages, pool))
    pool.close()

    f1_naive, f1_fast = (_dev_f1(finder, args.gold, htmls) for finder in (naive, fast))
    result = {
        "pages": len(pages), "tokens": tokens,
        "trafilatura_s": round(trafilatura_s, 2), "naive_s": round(naive_s, 2),
        "claimwatch_s": round(claimwatch_s, 2), "claimwatch_workers_s": round(workers_s, 2),
        "workers": args.workers,
        "claimwatch_vs_trafilatura": round(claimwatch_s / trafilatura_s, 2),
        "naive_vs_claimwatch": round(naive_s / claimwatch_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "dev_f1_naive": f1_naive, "dev_f1_claimwatch": f1_fast,
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "machine": f"{_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    _print_table(result)
    print(json.dumps(result))


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
                platform.processor() or platform.machine())


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default=str(SHARED / "corpus" / "html"), help="folder of .html pages")
    parser.add_argument("--gold", default=str(SHARED / "eval" / "gold" / "dev-*.jsonl"), help="gold files (glob)")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2), help="processes for the extra line")
    parser.add_argument("--model", default=os.environ.get("CLAIMWATCH_MODEL", DEFAULT_MODEL))
    return parser.parse_args()


def _timed(work: Callable) -> tuple[float, object]:
    started = time.perf_counter()
    value = work()
    return time.perf_counter() - started, value


def _extract_texts(htmls: dict[str, str]) -> dict[str, str]:
    texts = {}
    for name, html in htmls.items():
        try:
            texts[name] = extract_page(html).text
        except NotAnArticle:
            continue
    return texts


def _ingest(pages: list[Path], executor: Executor) -> None:
    """What `claimwatch ingest` does (read, trafilatura, claims, SQLite), reusing a loaded model."""
    with tempfile.TemporaryDirectory() as scratch:
        config = Config(path=Path(scratch) / "feeds.yaml", defaults=Defaults(extract_workers=executor.workers))
        db = open_database(Path(scratch) / "bench.db")
        summary = Crawler(db, config, executor).run([], [page.resolve().as_uri() for page in pages])
        if summary.errors:
            raise RuntimeError(f"ingest failed: {summary.errors[:3]}")


def _dev_f1(finder: ClaimFinder, gold_glob: str, htmls: dict[str, str]) -> float | None:
    scorer = _load_scorer()
    gold_files = sorted(glob.glob(gold_glob))
    if scorer is None or not gold_files:
        return None
    gold, meta = scorer.load_gold(gold_files)
    predictions = {}
    for doc in meta:
        if doc in htmls:
            result = finder.find(extract_page(htmls[doc]).text)
            predictions[doc] = [claim.to_record() for claim in result.claims]
    return scorer.score(gold, meta, predictions)["f1"]


def _load_scorer():
    path = SHARED / "eval" / "score.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("claimwatch_scorer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _print_table(r: dict) -> None:
    rows = [
        ("(a) trafilatura alone", r["trafilatura_s"]),
        ("(b) naive: full parse of everything", r["naive_s"]),
        ("(c) claimwatch into SQLite", r["claimwatch_s"]),
        (f"(c) claimwatch, {r['workers']} workers", r["claimwatch_workers_s"]),
    ]
    print(f"{r['pages']} pages, {r['tokens']:,} tokens; {r['machine']}")
    print(f"{'run':40} {'seconds':>8} {'pages/s':>8} {'tokens/s':>9}")
    for name, seconds in rows:
        print(f"{name:40} {seconds:8.2f} {r['pages'] / seconds:8.1f} {r['tokens'] / seconds:9,.0f}")
    print(f"(c)/(a) = {r['claimwatch_vs_trafilatura']}  (aim: 3 or less)   "
          f"(b)/(c) = {r['naive_vs_claimwatch']}  (aim: 2 or more)")
    print(f"dev F1: naive {r['dev_f1_naive']}, claimwatch {r['dev_f1_claimwatch']};  peak RSS {r['peak_rss_mb']} MB "
          f"(each worker process {r['worker_peak_rss_mb']} MB)")


if __name__ == "__main__":
    main()
