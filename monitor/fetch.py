"""Fetch: bytes from the network or the disk, sorted into success or a named kind of failure."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

LOGGER = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "claimwatch/0.1 (+https://github.com/claimwatch/claimwatch)"
MAX_BYTES = 10_000_000


class FetchError(Exception):
    """A fetch that failed; `kind` says whether trying again later may help."""

    def __init__(self, url: str, message: str, kind: str = "permanent", status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message
        self.kind = kind  # "temporary", "permanent" or "content"
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """A successful response: the body and what we need to know about it."""

    url: str
    final_url: str
    content: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def is_local(source: str) -> bool:
    """True for file paths and file:// URLs."""
    return urlparse(source).scheme in ("", "file") or Path(source).exists()


def read_local(source: str, max_bytes: int = MAX_BYTES) -> Fetched:
    """Read a file path or file:// URL as if it had been fetched."""
    path = Path(unquote(urlparse(source).path)) if source.startswith("file://") else Path(source)
    if not path.is_file():
        raise FetchError(source, "no such file", kind="permanent")
    if path.stat().st_size > max_bytes:
        raise FetchError(source, f"file is over the {max_bytes:,}-byte limit", kind="content")
    return Fetched(url=source, final_url=path.resolve().as_uri(), content=path.read_bytes())


def fetch_url(url: str, user_agent: str = DEFAULT_USER_AGENT, timeout: float = 20.0,
              max_bytes: int = MAX_BYTES) -> Fetched:
    """GET one URL over http(s), refusing bodies over `max_bytes`."""
    started = time.monotonic()
    try:
        client = httpx.Client(follow_redirects=True, timeout=timeout, headers={"User-Agent": user_agent})
        with client, client.stream("GET", url) as response:
            body = _read_capped(url, response, max_bytes)
    except httpx.TimeoutException as error:
        raise FetchError(url, f"timed out ({error.__class__.__name__})", kind="temporary") from error
    except httpx.HTTPError as error:
        raise FetchError(url, f"could not connect: {error}", kind="temporary") from error
    if response.status_code >= 400:
        kind = "temporary" if response.status_code >= 500 or response.status_code == 429 else "permanent"
        raise FetchError(url, f"HTTP {response.status_code}", kind=kind, status=response.status_code)
    return Fetched(url=url, final_url=str(response.url), content=body, status=response.status_code,
                   headers={k.lower(): v for k, v in response.headers.items()},
                   elapsed=time.monotonic() - started)


def fetch(source: str, **options) -> Fetched:
    """Fetch a URL, or read a local file when `source` is a path or file:// URL."""
    if is_local(source):
        return read_local(source, max_bytes=options.get("max_bytes", MAX_BYTES))
    if urlparse(source).scheme not in ("http", "https"):
        raise FetchError(source, "only http, https and local files can be fetched", kind="permanent")
    return fetch_url(source, **options)


def _read_capped(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(url, f"response is over the {max_bytes:,}-byte limit", kind="content")
        chunks.append(chunk)
    return b"".join(chunks)
