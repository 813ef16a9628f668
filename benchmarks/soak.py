"""Soak (not a test): hundreds of feeds and thousands of pages on 127.0.0.1 with random faults, crawled
again and again while a reader loop hits Datasette.

Twenty servers on 127.0.0.1-127.0.0.20 serve `--feeds` RSS feeds of `--pages` articles each. Every
response may be a fault, drawn afresh each crawl from the seed: a 5xx, a reset connection, a body that
drips slower than the deadline, a body cut short of its Content-Length, an oversized body, binary bytes,
or a megabyte of plain text. Feeds grow by one entry a crawl, so every crawl has new pages. Each crawl
is a real `claimwatch crawl` process; `claimwatch serve` runs throughout, read by a loop of JSON and
HTML requests.

It prints crashes (a crawl killed by a signal, a traceback, an exit code other than 0 or 1), errors by
kind, "database is locked" counts (crawl stderr and reader responses), the peak RSS of a crawl's
process tree, and articles lost (a healthy page the server sent in full that is not stored, or an
article count that fell) or duplicated (one text or one URL stored twice). The last line is JSON.
It exits 1 when any of those is not zero, so a script can gate on it.

    .venv/bin/python benchmarks/soak.py [--quick] [--feeds 300] [--pages 10] [--crawls 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.problems import count_by_kind, kind_of  # noqa: E402
from tests.serving import tree_rss  # noqa: E402

HOSTS = 20
MAX_PAGE_BYTES = 2_000_000
DEADLINE = 4.0
# Chance of each fault for a page (feeds get a third of it); the rest are healthy.
PAGE_FAULTS = {"5xx": 0.04, "reset": 0.03, "drip": 0.01, "truncated": 0.03, "oversized": 0.01, "binary": 0.02,
               "plain_megabyte": 0.003}
FEED_FAULTS = {"5xx": 0.02, "reset": 0.01, "truncated": 0.01, "binary": 0.005}


@dataclass
class Served:
    """What the servers sent: every fault by kind, and the pages sent whole and healthy."""

    faults: Counter = field(default_factory=Counter)
    healthy_pages: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FaultySite(BaseHTTPRequestHandler):
    """Feeds at /feed/N.xml, articles at /page/N/M; each response healthy or a fault drawn per crawl."""

    protocol_version = "HTTP/1.1"
    seed = 1
    round = 0
    pages = 10
    served = Served()

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self._send(404, b"", "text/plain")
            return
        is_feed = self.path.startswith("/feed/")
        fault = self._fault(FEED_FAULTS if is_feed else PAGE_FAULTS)
        with self.served.lock:
            self.served.faults[f"{'feed' if is_feed else 'page'} {fault}"] += 1
        body, content_type = (self._feed(), "application/rss+xml") if is_feed else (_article(self.path), "text/html")
        try:
            getattr(self, f"_send_{fault}")(body, content_type)
        except OSError:
            return
        if fault == "healthy" and not is_feed:
            with self.served.lock:
                self.served.healthy_pages.add(f"http://{self.headers['Host']}{self.path}")

    def _fault(self, chances: dict[str, float]) -> str:
        draw = random.Random(f"{self.seed}:{self.round}:{self.path}").random()
        for fault, chance in chances.items():
            if draw < chance:
                return fault
            draw -= chance
        return "healthy"

    def _feed(self) -> bytes:
        feed = self.path.rsplit("/", 1)[1].removesuffix(".xml")
        listed = min(self.pages, self.pages - 4 + self.round)
        items = "".join(f"<item><title>Story {feed}-{n}</title><link>http://{self.headers['Host']}/page/{feed}/{n}"
                        f"</link></item>" for n in range(listed))
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>{items}'
                "</channel></rss>").encode()

    def _send(self, status: int, body: bytes, content_type: str, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def _send_healthy(self, body: bytes, content_type: str) -> None:
        self._send(200, body, content_type)

    def _send_5xx(self, body: bytes, content_type: str) -> None:
        self._send(random.choice([500, 502, 503]), b"down for maintenance", "text/plain")

    def _send_reset(self, body: bytes, content_type: str) -> None:
        # SO_LINGER 0: closing sends a TCP reset instead of a clean end.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _send_drip(self, body: bytes, content_type: str) -> None:
        self.close_connection = True
        self._send(200, b"", content_type, length=len(body))
        for byte in body[: int(DEADLINE * 4)]:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.5)

    def _send_truncated(self, body: bytes, content_type: str) -> None:
        self.close_connection = True
        self._send(200, body[: len(body) // 2], content_type, length=len(body))

    def _send_oversized(self, body: bytes, content_type: str) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        chunk = body * (65_536 // len(body) + 1)
        for _ in range(MAX_PAGE_BYTES // len(chunk) + 2):
            self.wfile.write(chunk)

    def _send_binary(self, body: bytes, content_type: str) -> None:
        noise = random.Random(self.path).randbytes(50_000)
        self._send(200, noise, random.choice([content_type, "application/octet-stream", "text/plain"]))

    def _send_plain_megabyte(self, body: bytes, content_type: str) -> None:
        paragraph = _article_text(self.path) + "\n\n"
        self._send(200, (paragraph * (1_000_000 // len(paragraph) + 1)).encode(), "text/plain; charset=utf-8")

    def log_message(self, *args) -> None:
        pass


def _article_text(path: str) -> str:
    seed = int(hashlib.sha256(path.encode()).hexdigest()[:8], 16)
    return " ".join(
        f"Officials said {seed % 9000 + 10 + i} people were arrested in district {i} of {path}, up "
        f"{seed % 40 + i} percent on last year, according to the police." for i in range(4))


def _article(path: str) -> bytes:
    return (f"<html><head><title>Story {path}</title></head><body><article><h1>Story {path}</h1>"
            f"<p>{_article_text(path)}</p></article></body></html>").encode()


class QuietServer(ThreadingHTTPServer):
    """A threaded server that does not print the tracebacks of the connections its faults broke."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


def start_servers() -> list[str]:
    bases = []
    for index in range(1, HOSTS + 1):
        server = QuietServer((f"127.0.0.{index}", 0), FaultySite)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(f"http://127.0.0.{index}:{server.server_address[1]}")
    return bases


def write_feeds(path: Path, bases: list[str], feeds: int) -> None:
    config = {
        "defaults": {"allow_private_hosts": True, "per_host_delay": 0.001, "per_host_concurrency": 2, "workers": 16,
                     "timeout": 2.0, "connect_timeout": 2.0, "deadline": DEADLINE, "max_attempts": 2,
                     "backoff": 0.05, "max_page_bytes": MAX_PAGE_BYTES, "max_articles_per_feed": 50},
        "feeds": [{"name": f"feed-{n}", "url": f"{bases[n % len(bases)]}/feed/{n}.xml"} for n in range(feeds)],
    }
    path.write_text(yaml.safe_dump(config))


class Reader(threading.Thread):
    """Reads Datasette's JSON and HTML pages in a loop; counts answers, failures and "database is locked"."""

    PATHS = ("/{db}/articles.json?_size=20&_sort_desc=id", "/{db}/claims.json?_size=50", "/{db}/claims",
             "/{db}/articles?_search=police", "/{db}.json")

    def __init__(self, base: str, database: str) -> None:
        super().__init__(daemon=True)
        self.base, self.database = base, database
        self.requests, self.failures, self.locked = 0, Counter(), 0
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                for path in self.PATHS:
                    self._read(client, path.format(db=self.database))

    def _read(self, client: httpx.Client, path: str) -> None:
        self.requests += 1
        try:
            response = client.get(path)
        except httpx.HTTPError as error:
            self.failures[type(error).__name__] += 1
            return
        if "database is locked" in response.text:
            self.locked += 1
        if response.status_code != 200:
            self.failures[f"HTTP {response.status_code}"] += 1




@dataclass
class CrawlRun:
    """One crawl process: how it ended and what it used."""

    seconds: float
    returncode: int
    peak_rss: int
    stderr: str

    @property
    def crashed(self) -> bool:
        return self.returncode < 0 or self.returncode not in (0, 1) or "Traceback" in self.stderr \
            or "double free" in self.stderr or "Segmentation" in self.stderr


def crawl(feeds: Path, db: Path, log: Path) -> CrawlRun:
    started, peak = time.monotonic(), 0
    with log.open("w") as stderr:
        command = [str(ROOT / ".venv/bin/claimwatch"), "crawl", "--feeds", str(feeds), "--db", str(db)]
        process = subprocess.Popen(command, stdout=stderr, stderr=subprocess.STDOUT, cwd=ROOT)
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.2)
    return CrawlRun(time.monotonic() - started, process.returncode, peak, log.read_text(errors="replace"))


def start_datasette(db: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([str(ROOT / ".venv/bin/claimwatch"), "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("claimwatch serve did not start")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def audit(db: Path, healthy: set[str]) -> dict:
    """Articles stored, lost and duplicated, and every failed fetch counted by kind."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        urls = {row[0] for row in connection.execute("SELECT url FROM articles UNION SELECT url FROM article_urls")}
        articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        twice_text = connection.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM articles GROUP BY text_hash HAVING n > 1)"
        ).fetchone()[0]
        twice_url = connection.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM articles GROUP BY url HAVING n > 1)"
        ).fetchone()[0]
        errors = connection.execute("SELECT target, error FROM fetch_events WHERE error IS NOT NULL "
                                    "AND outcome NOT IN ('ok', 'warning')").fetchall()
    return {"articles": articles, "lost": len(healthy - urls), "lost_examples": sorted(healthy - urls)[:5],
            "duplicated": twice_text + twice_url,
            "errors_by_kind": count_by_kind([kind_of(target, error) for target, error in errors])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--pages", type=int, default=10, help="articles per feed (3,000 pages by default)")
    parser.add_argument("--crawls", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="60 feeds of 10 pages: a smaller run for a busy machine")
    args = parser.parse_args()
    feeds_count = 60 if args.quick else args.feeds
    FaultySite.seed, FaultySite.pages = args.seed, args.pages
    bases = start_servers()
    with tempfile.TemporaryDirectory(prefix="claimwatch-soak-") as folder:
        folder = Path(folder)
        feeds, db = folder / "feeds.yaml", folder / "soak.db"
        write_feeds(feeds, bases, feeds_count)
        subprocess.run([sys.executable, "-c", f"from db.database import open_database; open_database({str(db)!r})"],
                       cwd=ROOT, check=True)
        port = free_port()
        datasette = start_datasette(db, port)
        reader = Reader(f"http://127.0.0.1:{port}", db.stem)
        reader.start()
        runs, counts = [], []
        try:
            for round_number in range(args.crawls):
                FaultySite.round = round_number
                run = crawl(feeds, db, folder / f"crawl-{round_number}.log")
                runs.append(run)
                counts.append(audit(db, set())["articles"])
                print(f"crawl {round_number + 1}: {run.seconds:.0f} s, exit {run.returncode}, "
                      f"peak RSS {run.peak_rss / 2**20:.0f} MB, {counts[-1]:,} articles", flush=True)
                if run.crashed:
                    print(run.stderr[-3000:], file=sys.stderr)
        finally:
            reader.stop.set()
            reader.join(timeout=60)
            datasette.terminate()
            datasette.wait(timeout=30)
        figures = report(args, feeds_count, runs, counts, reader, audit(db, FaultySite.served.healthy_pages))
    sys.exit(1 if failed(figures) else 0)


def failed(figures: dict) -> bool:
    """Whether the soak found what it exists to catch: a crash, a lock, a lost or doubled article."""
    return bool(figures["crashes"] or figures["database_locked"] or figures["articles_lost"]
                or figures["articles_duplicated"] or figures["reader_failures"])


def report(args: argparse.Namespace, feeds: int, runs: list[CrawlRun], counts: list[int], reader: Reader,
           found: dict) -> dict:
    fell = sum(1 for before, after in itertools.pairwise(counts) if after < before)
    figures = {
        "feeds": feeds, "pages": feeds * args.pages, "crawls": len(runs), "seed": args.seed,
        "crashes": sum(run.crashed for run in runs),
        "exit_codes": [run.returncode for run in runs],
        "crawl_seconds": [round(run.seconds) for run in runs],
        "peak_rss_mb": round(max(run.peak_rss for run in runs) / 2**20),
        "database_locked": sum(run.stderr.count("database is locked") for run in runs) + reader.locked,
        "reader_requests": reader.requests, "reader_failures": dict(reader.failures),
        "faults_served": dict(sorted(FaultySite.served.faults.items())),
        "articles": found["articles"], "articles_lost": found["lost"] + fell,
        "articles_duplicated": found["duplicated"],
        "errors_by_kind": found["errors_by_kind"],
    }
    for name, value in figures.items():
        print(f"{name:20} {value}")
    if found["lost_examples"]:
        print(f"{'lost, for example':20} {found['lost_examples']}")
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
