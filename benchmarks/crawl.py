"""Benchmark (not a test): a parallel crawl of 200 feeds x 20 articles against a serial one, over local servers.

Twenty HTTP servers on 127.0.0.1-127.0.0.20 stand for twenty sites; each adds 50 ms latency per
request. Two comparisons, each serial run measured on a slice of the feeds and scaled up:
(1) the fetch stage alone (real Fetcher, host queue, page text in `--extract-workers` processes
and storage; claim finding stubbed out), which the concurrency design controls; (2) the whole
crawl, with `--extract-workers` processes finding claims, which is bounded by CPU. Prints ratios;
asserts nothing about time.

    .venv/bin/python benchmarks/crawl.py [--feeds 200] [--articles 20] [--serial-feeds 10] [--extract-workers N]
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from extractors.claims import ClaimFinder, Extraction
from monitor.config import DEFAULT_MODEL, load_config
from monitor.crawl import run_crawl
from monitor.executor import Executor, LocalExecutor, ProcessExecutor

LATENCY = 0.05
HOSTS = 20


class Site(BaseHTTPRequestHandler):
    """Feeds at /feed/N.xml and articles at /feed/N/M, generated, after LATENCY seconds."""

    articles = 20

    def do_GET(self) -> None:
        time.sleep(LATENCY)
        parts = self.path.strip("/").split("/")
        if self.path == "/robots.txt":
            self._send(404, b"", "text/plain")
        elif len(parts) == 2 and parts[1].endswith(".xml"):
            self._send(200, self._feed(parts[1][:-4]), "application/rss+xml")
        else:
            self._send(200, _article(self.path), "text/html; charset=utf-8")

    def _feed(self, feed: str) -> bytes:
        host = self.headers["Host"]
        items = "".join(f"<item><title>{feed}-{n}</title><link>http://{host}/feed/{feed}/{n}</link></item>"
                        for n in range(self.articles))
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{feed}</title>{items}</channel></rss>'.encode()

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _article(path: str) -> bytes:
    seed = sum(map(ord, path))
    text = " ".join(
        f"Officials said {seed % 900 + 10 + i} people were arrested in district {i} of {path}, "
        f"up {seed % 40 + i} percent on last year, according to the police." for i in range(4))
    return f"<html><head><title>{path}</title></head><body><article><p>{text}</p></article></body></html>".encode()


def start_servers() -> list[str]:
    bases = []
    for index in range(1, HOSTS + 1):
        server = ThreadingHTTPServer((f"127.0.0.{index}", 0), Site)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(f"http://127.0.0.{index}:{server.server_address[1]}")
    return bases


class NoClaims:
    """Stands in for ClaimFinder to time the fetch stage alone."""

    def find(self, text: str, country: str | None = None) -> Extraction:
        return Extraction()

    def find_many(self, texts: list[str], batch_size: int = 16, countries: list | None = None) -> list[Extraction]:
        return [Extraction() for _ in texts]


def crawl(folder: Path, bases: list[str], feeds: int, executor: Executor, **defaults) -> float:
    path = folder / "feeds.yaml"
    document = {"defaults": {"allow_private_hosts": True, "per_host_delay": 0.001, "max_articles_per_feed": 100,
                             **defaults},
                "feeds": [{"name": f"feed-{n}", "url": f"{bases[n % len(bases)]}/feed/{n}.xml"} for n in range(feeds)]}
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    started = time.perf_counter()
    summary = run_crawl(load_config(path), folder / "bench.db", executor=executor)
    elapsed = time.perf_counter() - started
    print(f"  {feeds} feeds: {summary.articles_new} articles, {summary.claims_new} claims, "
          f"{len(summary.errors)} errors in {elapsed:.1f} s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--serial-feeds", type=int, default=10)
    parser.add_argument("--extract-workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    Site.articles = args.articles
    bases = start_servers()
    print("(1) fetch stage alone (claim finding stubbed out)")
    fetch_serial, fetch_parallel = compare(bases, args, LocalExecutor(NoClaims()), LocalExecutor(NoClaims()))
    print(f"(2) whole crawl, {args.extract_workers} extraction processes in the parallel run")
    serial = LocalExecutor(ClaimFinder(DEFAULT_MODEL))
    parallel = ProcessExecutor(DEFAULT_MODEL, args.extract_workers)
    try:
        crawl_serial, crawl_parallel = compare(bases, args, serial, parallel)
    finally:
        parallel.close()
    requests = args.feeds * (args.articles + 1)
    articles = args.feeds * args.articles
    per_article = (crawl_serial - fetch_serial) / articles
    print(f"requests {requests}, latency {LATENCY * 1000:.0f} ms each: latency alone, serially, is "
          f"{requests * LATENCY:.0f} s")
    print(f"(1) fetch stage: serial {fetch_serial:.1f} s, parallel {fetch_parallel:.1f} s: "
          f"{fetch_serial / fetch_parallel:.1f}x faster")
    print(f"(2) whole crawl: serial {crawl_serial:.1f} s, parallel {crawl_parallel:.1f} s: "
          f"{crawl_serial / crawl_parallel:.1f}x faster")
    print(f"CPU floor: claim finding takes {per_article * 1000:.0f} ms an article x {articles} articles / "
          f"{os.cpu_count()} cores = {per_article * articles / (os.cpu_count() or 1):.0f} s, "
          f"so the whole crawl cannot beat {crawl_serial / (per_article * articles / (os.cpu_count() or 1)):.1f}x")


def compare(bases: list[str], args: argparse.Namespace, serial_executor: Executor,
            parallel_executor: Executor) -> tuple[float, float]:
    """Serial time (scaled up from `--serial-feeds`) and parallel time over all the feeds."""
    with tempfile.TemporaryDirectory() as serial_dir, tempfile.TemporaryDirectory() as parallel_dir:
        print(f"  serial (1 worker) on {args.serial_feeds} feeds:")
        serial = crawl(Path(serial_dir), bases, args.serial_feeds, serial_executor, workers=1, per_host_concurrency=1)
        print(f"  parallel (64 workers, 4 per host, {HOSTS} hosts) on {args.feeds} feeds:")
        parallel = crawl(Path(parallel_dir), bases, args.feeds, parallel_executor, workers=64,
                         per_host_concurrency=4, extract_workers=parallel_executor.workers)
    return serial * args.feeds / args.serial_feeds, parallel


if __name__ == "__main__":
    main()
