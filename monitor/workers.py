"""Fetch stage: what runs in the worker threads — feed or page bytes in, small typed results out, no database."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from extractors.text import NotAnArticle, Page
from monitor.config import Defaults, FeedConfig
from monitor.feeds import FeedError, ParsedFeed, parse_feed
from monitor.fetch import Fetched, Fetcher, FetchError, is_local, read_local
from monitor.pipeline import page_from
from monitor.robots import RobotsCache
from monitor.sitemaps import looks_like_sitemap, read_sitemap

LOGGER = logging.getLogger(__name__)


@dataclass(eq=False)
class FeedJob:
    """A feed to fetch, with what the last crawl learnt; the main thread tracks its entries on it."""

    feed: FeedConfig
    feed_id: int
    url: str
    local: bool
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    defaults: Defaults = field(default_factory=Defaults)
    # Main-thread bookkeeping: validators are saved once no entry is pending and none failed temporarily.
    pending: int = 0
    blocked: bool = False
    validators: tuple[str | None, str | None, str] | None = None


@dataclass
class FeedResult:
    """A fetched feed: parsed entries, or a 304/unchanged body, or the error."""

    job: FeedJob
    outcome: str  # ok, warning, not_modified, unchanged, error
    fetched: Fetched | None = None
    parsed: ParsedFeed | None = None
    digest: str | None = None
    error: FetchError | FeedError | None = None
    elapsed: float = 0.0


@dataclass(eq=False)
class ArticleJob:
    """An article page to fetch, and every feed entry in this crawl that pointed at it."""

    url: str
    key: str  # canonical URL
    local: bool
    feeds: list[FeedJob] = field(default_factory=list)
    listed: tuple[str, str | None] = ("feed", None)  # where the entry was listed, and the date it gave
    done: bool = False
    article_id: int | None = None
    failure_kind: str | None = None
    aliases: list[str] = field(default_factory=list)  # keys of twins found in this crawl


@dataclass
class ArticleResult:
    """A fetched page turned into text, or why it could not be."""

    job: ArticleJob
    outcome: str  # ok, disallowed, error
    fetched: Fetched | None = None
    page: Page | None = None
    error: Exception | None = None
    elapsed: float = 0.0

    @property
    def error_kind(self) -> str | None:
        return getattr(self.error, "kind", "content") if self.error else None


def fetch_feed(job: FeedJob, fetcher: Fetcher) -> FeedResult:
    """Fetch and parse one feed; conditional on the last validators; never raises for a bad feed."""
    started = time.monotonic()
    try:
        fetched = _get_feed(job, fetcher)
        if fetched.not_modified:
            return FeedResult(job, "not_modified", fetched, elapsed=time.monotonic() - started)
        if _is_sitemap(job, fetched):
            parsed, digest = read_sitemap(fetched, lambda url: _get_sitemap(job, fetcher, url), job.defaults)
            if digest == job.content_hash:
                return FeedResult(job, "unchanged", fetched, digest=digest, elapsed=time.monotonic() - started)
        else:
            digest = hashlib.sha256(fetched.content).hexdigest()
            if digest == job.content_hash:
                return FeedResult(job, "unchanged", fetched, digest=digest, elapsed=time.monotonic() - started)
            parsed = parse_feed(fetched.content, fetched.final_url, fetched.headers)
    except (FetchError, FeedError) as error:
        return FeedResult(job, "error", error=error, elapsed=time.monotonic() - started)
    outcome = "warning" if parsed.warning else "ok"
    return FeedResult(job, outcome, fetched, parsed, digest, elapsed=time.monotonic() - started)


def fetch_article(job: ArticleJob, fetcher: Fetcher, robots: RobotsCache | None,
                  to_page: Callable[[Fetched], Page] = page_from) -> ArticleResult:
    """Fetch one article page (if robots.txt allows) and extract its text; never raises for a bad page.

    `to_page` turns the fetched bytes into text; the crawler may hand it to other processes.
    """
    started = time.monotonic()
    if robots is not None and not job.local:
        verdict = robots.check(job.url)
        if not verdict.allowed:
            error = FetchError(job.url, verdict.reason, kind="permanent")
            return ArticleResult(job, "disallowed", error=error, elapsed=time.monotonic() - started)
    try:
        fetched = _get_article(job, fetcher)
        page = to_page(fetched)
    except FetchError as error:
        return ArticleResult(job, "error", error=error, elapsed=time.monotonic() - started)
    except NotAnArticle as error:
        return ArticleResult(job, "error", fetched, error=error, elapsed=time.monotonic() - started)
    return ArticleResult(job, "ok", fetched, page, elapsed=time.monotonic() - started)


def _is_sitemap(job: FeedJob, fetched: Fetched) -> bool:
    return job.feed.type == "sitemap" or (job.feed.type == "auto" and looks_like_sitemap(fetched.content))


def _get_feed(job: FeedJob, fetcher: Fetcher) -> Fetched:
    if job.local:
        return read_local(job.url, max_bytes=fetcher.settings.max_bytes)
    return fetcher.get(job.url, etag=job.etag, last_modified=job.last_modified)


def _get_sitemap(job: FeedJob, fetcher: Fetcher, url: str) -> Fetched:
    # As for articles: only a sitemap the user listed as a local file may point at local files.
    if job.local and is_local(url):
        return read_local(url, max_bytes=fetcher.settings.max_bytes)
    return fetcher.get(url)


def _get_article(job: ArticleJob, fetcher: Fetcher) -> Fetched:
    # Only a feed the user listed as a local file may point at local files; a remote feed's
    # file:// entry goes to the fetcher, which refuses every scheme but http and https.
    if job.local and is_local(job.url):
        return read_local(job.url, max_bytes=fetcher.settings.max_bytes)
    return fetcher.get(job.url)
