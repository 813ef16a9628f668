"""Crawl jobs: a feed or article to fetch, its run in a worker thread, and its state through one crawl.

`fetch_feed` and `fetch_article` run in the fetch threads (bytes in, small typed results out, no
database). The main thread (`monitor/crawl.py`) then moves each job along with the methods here:
a feed's validators are saved only once none of its entries is pending and none failed for a
reason that may pass, so a crawl killed at any point is redone by the next.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from enum import StrEnum

from extractors.text import Page
from monitor.config import Defaults, FeedConfig
from monitor.feeds import FeedError, ParsedFeed, parse_feed
from monitor.fetch import FailureKind, Fetched, Fetcher, FetchError, is_local, read_local
from monitor.robots import RobotsCache
from monitor.sitemaps import looks_like_sitemap, read_sitemap

LOGGER = logging.getLogger(__name__)


class Outcome(StrEnum):
    """How one fetch ended, as fetch_events.outcome and the progress line show it."""

    OK = "ok"
    WARNING = "warning"  # a feed parsed with a problem (named in the error column)
    NOT_MODIFIED = "not_modified"  # a feed answered 304
    UNCHANGED = "unchanged"  # a feed whose body hashes as last time
    DISALLOWED = "disallowed"  # robots.txt refused the page
    SKIPPED = "skipped"  # a page fetched but not in the crawl's language
    ERROR = "error"


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

    def wait_for(self) -> None:
        """One more of this feed's entries is being fetched."""
        self.pending += 1

    def entry_done(self, failure_kind: FailureKind | None) -> None:
        """One of its entries is handled; a temporary failure keeps the validators from being saved."""
        self.pending -= 1
        self.blocked |= failure_kind == FailureKind.TEMPORARY

    def validators_to_save(self) -> tuple[str | None, str | None, str] | None:
        """The validators, once (and only once) every entry is handled and none failed temporarily."""
        if self.pending or self.blocked or self.validators is None:
            return None
        validators, self.validators = self.validators, None
        return validators


@dataclass
class FeedResult:
    """A fetched feed: parsed entries, or a 304/unchanged body, or the error."""

    job: FeedJob
    outcome: Outcome  # ok, warning, not_modified, unchanged or error
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
    failure_kind: FailureKind | None = None
    aliases: list[str] = field(default_factory=list)  # keys of twins found in this crawl

    def add_feeds(self, feeds: list[FeedJob]) -> None:
        """More feeds listed this page; each waits for it."""
        self.feeds.extend(feeds)
        for feed in feeds:
            feed.wait_for()

    def finish(self, article_id: int | None, failure_kind: FailureKind | None = None) -> None:
        """Stored as `article_id`, or failed (`article_id` None) for `failure_kind`; its feeds stop waiting."""
        self.done, self.article_id, self.failure_kind = True, article_id, failure_kind
        for feed in self.feeds:
            feed.entry_done(failure_kind)


@dataclass
class ArticleResult:
    """A fetched page and, once its batch is analysed, its text; or why it has none."""

    job: ArticleJob
    outcome: Outcome  # ok, disallowed, skipped or error
    fetched: Fetched | None = None
    page: Page | None = None
    error: Exception | None = None
    elapsed: float = 0.0

    @property
    def error_kind(self) -> FailureKind | None:
        return getattr(self.error, "kind", FailureKind.CONTENT) if self.error else None


def fetch_feed(job: FeedJob, fetcher: Fetcher) -> FeedResult:
    """Fetch and parse one feed; conditional on the last validators; never raises for a bad feed."""
    started = time.monotonic()
    try:
        fetched = _get_feed(job, fetcher)
        if fetched.not_modified:
            return FeedResult(job, Outcome.NOT_MODIFIED, fetched, elapsed=time.monotonic() - started)
        if _is_sitemap(job, fetched):
            parsed, digest = read_sitemap(fetched, lambda url: _get_sitemap(job, fetcher, url), job.defaults)
            if digest == job.content_hash:
                return FeedResult(job, Outcome.UNCHANGED, fetched, digest=digest, elapsed=time.monotonic() - started)
        else:
            digest = hashlib.sha256(fetched.content).hexdigest()
            if digest == job.content_hash:
                return FeedResult(job, Outcome.UNCHANGED, fetched, digest=digest, elapsed=time.monotonic() - started)
            parsed = parse_feed(fetched.content, fetched.final_url, fetched.headers)
    except (FetchError, FeedError) as error:
        return FeedResult(job, Outcome.ERROR, error=error, elapsed=time.monotonic() - started)
    outcome = Outcome.WARNING if parsed.warning else Outcome.OK
    return FeedResult(job, outcome, fetched, parsed, digest, elapsed=time.monotonic() - started)


def fetch_article(job: ArticleJob, fetcher: Fetcher, robots: RobotsCache | None) -> ArticleResult:
    """Fetch one article page, if robots.txt allows; never raises for a bad page.

    Its bytes become text and claims later, in batches, wherever the crawl's executor runs them.
    """
    started = time.monotonic()
    if robots is not None and not job.local:
        verdict = robots.check(job.url)
        if not verdict.allowed:
            error = FetchError(job.url, verdict.reason, kind=FailureKind.PERMANENT)
            return ArticleResult(job, Outcome.DISALLOWED, error=error, elapsed=time.monotonic() - started)
    try:
        fetched = _get_article(job, fetcher)
    except FetchError as error:
        return ArticleResult(job, Outcome.ERROR, error=error, elapsed=time.monotonic() - started)
    return ArticleResult(job, Outcome.OK, fetched, elapsed=time.monotonic() - started)


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
