"""Fetch: bytes from the network or the disk, sorted into success or a named kind of failure.

HTTP is done here, not by feedparser: conditional GET, redirects checked hop by hop, retries with
backoff and Retry-After, per-host politeness, a size cap and a deadline on every response. Every
connection goes to an address that monitor/safety.py has just resolved and checked.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import httpcore
import httpx

from monitor.config import FetchSettings
from monitor.politeness import HostLimiter
from monitor.safety import PinnedNetwork, Resolver, UnsafeURL, check_scheme, resolve
from monitor.urls import host_of

LOGGER = logging.getLogger(__name__)

MAX_BYTES = FetchSettings.max_bytes
_REDIRECTS = (301, 302, 303, 307, 308)
_PERMANENT_REDIRECTS = (301, 308)


class FailureKind(StrEnum):
    """Why a fetch or a page failed, which says whether trying again later may help."""

    TEMPORARY = "temporary"  # a timeout, a refused connection, HTTP 5xx or 429: the next crawl tries again
    PERMANENT = "permanent"  # HTTP 4xx, a bad redirect, robots.txt: trying again gives the same
    CONTENT = "content"  # fetched, but too large or not an article


class FetchError(Exception):
    """A fetch that failed; `kind` says whether trying again later may help."""

    def __init__(self, url: str, message: str, kind: FailureKind = FailureKind.PERMANENT, status: int | None = None,
                 retry_after: float | None = None, retryable: bool | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        # Temporary failures are retried at once unless the server would only repeat itself (a drip feed).
        self.retryable = kind == FailureKind.TEMPORARY if retryable is None else retryable


@dataclass(frozen=True)
class Fetched:
    """A successful response (or a 304): the body and what we need to know about it."""

    url: str
    final_url: str
    content: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    attempts: int = 1
    permanent_url: str | None = None  # where a 301/308 chain from `url` ends

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_local(source: str) -> bool:
    """True for file paths and file:// URLs."""
    return urlparse(source).scheme in ("", "file") or Path(source).exists()


def read_local(source: str, max_bytes: int = MAX_BYTES) -> Fetched:
    """Read a file path or file:// URL as if it had been fetched."""
    path = Path(unquote(urlparse(source).path)) if source.startswith("file://") else Path(source)
    if not path.is_file():
        raise FetchError(source, "no such file", kind=FailureKind.PERMANENT)
    if path.stat().st_size > max_bytes:
        raise FetchError(source, f"file is over the {max_bytes:,}-byte limit", kind=FailureKind.CONTENT)
    return Fetched(url=source, final_url=path.resolve().as_uri(), content=path.read_bytes())


class Fetcher:
    """One HTTP client shared by all worker threads, with the host limiter every request passes through."""

    def __init__(self, settings: FetchSettings, resolver: Resolver = resolve,
                 network: httpcore.NetworkBackend | None = None) -> None:
        self.settings = settings
        self.limiter = HostLimiter(settings.per_host_concurrency, settings.per_host_delay)
        self._network = PinnedNetwork(settings.allow_private_hosts, resolver, network)
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._clients_lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._clients_lock:
            for client in self._clients:
                client.close()
            self._clients.clear()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET `url` over http(s), retrying temporary failures; a 304 comes back as `not_modified`.

        Args:
            url: an http or https URL.
            etag, last_modified: validators from the last fetch, sent as If-None-Match (preferred)
                or If-Modified-Since.

        Raises:
            FetchError: the last failure, with its kind, status and any Retry-After.
        """
        started = time.monotonic()
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                fetched = self._follow(url, _conditional_headers(etag, last_modified))
                return replace(fetched, elapsed=time.monotonic() - started, attempts=attempt)
            except FetchError as error:
                wait = self._retry_wait(error, attempt)
                if wait is None:
                    raise
                LOGGER.info("retrying %s in %.2f s after: %s", url, wait, error.reason)
                time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _retry_wait(self, error: FetchError, attempt: int) -> float | None:
        if not error.retryable or attempt >= self.settings.max_attempts:
            return None
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.settings.max_retry_after else None
        ceiling = self.settings.backoff * 2 ** (attempt - 1)
        # Half fixed, half random: spreads retries from many workers without ever retrying at once.
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _follow(self, url: str, headers: dict[str, str]) -> Fetched:
        seen, current, permanent = {url}, url, None
        for _ in range(self.settings.max_redirects + 1):
            status, response_headers, body = self._request(current, headers)
            if status not in _REDIRECTS:
                return Fetched(url=url, final_url=current, content=body, status=status,
                               headers=response_headers, permanent_url=permanent)
            target = _redirect_target(current, status, response_headers)
            if target in seen:
                raise FetchError(url, f"redirect loop at {target}", kind=FailureKind.PERMANENT, status=status)
            if status in _PERMANENT_REDIRECTS and (permanent or current) == current:
                permanent = target
            seen.add(target)
            current = target
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects", kind=FailureKind.PERMANENT)

    def _request(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        try:
            check_scheme(url)
        except UnsafeURL as error:
            raise FetchError(url, str(error), kind=FailureKind.PERMANENT) from error
        with self.limiter.slot(host_of(url)):
            started = time.monotonic()
            try:
                with self._client().stream("GET", url, headers=headers) as response:
                    _raise_for_status(url, response)
                    body = b"" if response.status_code in (304, *_REDIRECTS) else self._read(url, response, started)
                    return response.status_code, {k.lower(): v for k, v in response.headers.items()}, body
            except UnsafeURL as error:
                raise FetchError(url, str(error), kind="permanent") from error
            except httpx.TimeoutException as error:
                raise FetchError(url, f"timed out ({error.__class__.__name__})", kind=FailureKind.TEMPORARY) from error
            except httpx.HTTPError as error:
                raise FetchError(url, f"could not connect: {error}", kind=FailureKind.TEMPORARY) from error

    def _read(self, url: str, response: httpx.Response, started: float) -> bytes:
        limit, deadline = self.settings.max_bytes, self.settings.deadline
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"response is over the {limit:,}-byte limit ({int(declared):,} declared)",
                             kind=FailureKind.CONTENT)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(url, f"response is over the {limit:,}-byte limit", kind=FailureKind.CONTENT)
            if time.monotonic() - started > deadline:
                raise FetchError(url, f"response took over the {deadline:g} s deadline ({size:,} bytes read)",
                                 kind=FailureKind.TEMPORARY, retryable=False)
            chunks.append(chunk)
        return b"".join(chunks)

    def _client(self) -> httpx.Client:
        # One client per worker thread: httpx clients are not documented as safe to share across threads.
        client = getattr(self._local, "client", None)
        if client is None:
            client = httpx.Client(
                transport=_PinnedTransport(self._network),
                follow_redirects=False, headers={"User-Agent": self.settings.user_agent},
                timeout=httpx.Timeout(self.settings.read_timeout, connect=self.settings.connect_timeout),
            )
            self._local.client = client
            with self._clients_lock:
                self._clients.append(client)
        return client


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport, over a connection pool whose sockets go only to checked addresses."""

    def __init__(self, network: PinnedNetwork) -> None:
        super().__init__()
        # httpx has no public way yet to choose httpcore's network backend (encode/httpx#3180);
        # the limits are httpx's defaults.
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=network,
                                             max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


def fetch(source: str, settings: FetchSettings | None = None, allow_local: bool = True) -> Fetched:
    """Fetch one URL, or read a local file when `source` is a path or file:// URL (if `allow_local`)."""
    settings = settings or FetchSettings()
    if allow_local and is_local(source):
        return read_local(source, max_bytes=settings.max_bytes)
    with Fetcher(settings) as fetcher:
        return fetcher.get(source)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _raise_for_status(url: str, response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    kind = FailureKind.TEMPORARY if status >= 500 or status == 429 else FailureKind.PERMANENT
    suffix = f" (Retry-After {retry_after:g} s)" if retry_after is not None else ""
    raise FetchError(url, f"HTTP {status}{suffix}", kind=kind, status=status, retry_after=retry_after)


def _redirect_target(url: str, status: int, headers: dict[str, str]) -> str:
    location = headers.get("location")
    if not location:
        raise FetchError(url, f"HTTP {status} redirect without a Location header", kind=FailureKind.PERMANENT,
                         status=status)
    return urljoin(url, location.strip())


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    if etag:
        return {"If-None-Match": etag}
    if last_modified:
        return {"If-Modified-Since": last_modified}
    return {}
