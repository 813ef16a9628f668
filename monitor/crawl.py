"""Crawl: feeds and pages fetched in parallel (workers.py), claims found and stored here, in the main thread.

The main thread owns the database and the spaCy model: it reads each finished fetch, queues the
feed's new entries, batches page texts through `ClaimFinder.find_many`, and stores each article
in one transaction. A crawl killed at any point leaves whole articles only; the next one redoes
what is missing, because a feed's validators are saved only after all its entries are handled.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlite_utils

from db import crawling, store
from extractors.claims import EXTRACTOR_VERSION, ClaimFinder, Extraction
from extractors.text import NotAnArticle, Page
from monitor.config import Config, FeedConfig, resolve_feed_url
from monitor.dates import parse_date
from monitor.feeds import FeedEntry
from monitor.fetch import Fetched, Fetcher, FetchSettings, is_local
from monitor.lock import exclusive
from monitor.pipeline import article_row, page_from
from monitor.politeness import HostQueue
from monitor.progress import Progress
from monitor.robots import RobotsCache
from monitor.urls import canonical_url, host_of
from monitor.workers import ArticleJob, ArticleResult, FeedJob, FeedResult, fetch_article, fetch_feed

LOGGER = logging.getLogger(__name__)

PAGE_SUFFIXES = (".html", ".htm", ".txt")
EXTRACT_BATCH = 16


@dataclass
class CrawlSummary:
    """What one crawl or ingest did, for the closing summary and the crawl_runs row."""

    run_id: int
    feeds_total: int = 0
    feeds_failed: int = 0
    feeds_unchanged: int = 0
    feeds_skipped: int = 0
    entries_seen: int = 0
    articles_new: int = 0
    claims_new: int = 0
    entries_too_old: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"feeds_total": self.feeds_total, "feeds_failed": self.feeds_failed,
                "entries_seen": self.entries_seen, "articles_new": self.articles_new,
                "claims_new": self.claims_new, "errors": len(self.errors)}


class Crawler:
    """Runs feeds and pages through fetch → text → claims → store against one database."""

    def __init__(self, db: sqlite_utils.Database, config: Config, finder: ClaimFinder,
                 progress: Progress | None = None) -> None:
        self.db = db
        self.config = config
        self.finder = finder
        self.settings = FetchSettings.from_defaults(config.defaults)
        self.progress = progress or Progress()
        self.summary = CrawlSummary(run_id=store.start_run(db))
        self._jobs: dict[str, ArticleJob] = {}
        self._ready: list[ArticleResult] = []
        self._queue: HostQueue | None = None

    def crawl(self) -> CrawlSummary:
        """Crawl every enabled feed once."""
        return self.run(self.config.enabled_feeds, [])

    def run(self, feeds: list[FeedConfig], pages: list[str]) -> CrawlSummary:
        """Fetch `feeds` and their new entries, plus standalone `pages` (paths or URLs), then store them."""
        with Fetcher(self.settings) as fetcher, ThreadPoolExecutor(self.settings.workers) as pool, \
                _text_processes(self.config.defaults.extract_workers) as self._to_page:
            self._fetcher = fetcher
            self._robots = RobotsCache(fetcher, self.settings.user_agent) if self.config.defaults.obey_robots else None
            self._queue = HostQueue(pool, self.settings.per_host_concurrency)
            try:
                self._drain(feeds, pages)
            except BaseException:
                self._queue.cancel()
                store.finish_run(self.db, self.summary.run_id, self.summary.counts(), status="interrupted")
                raise
            finally:
                self.progress.close()
        return self.finish()

    def finish(self) -> CrawlSummary:
        """Close the crawl_runs row and return the summary."""
        store.finish_run(self.db, self.summary.run_id, self.summary.counts())
        return self.summary

    def _drain(self, feeds: list[FeedConfig], pages: list[str]) -> None:
        for feed in feeds:
            self._start_feed(feed)
        for page in pages:
            self.summary.entries_seen += 1
            self._add_entry(None, page)
        for future in self._queue.completed():
            result = future.result()
            if isinstance(result, FeedResult):
                self._handle_feed(result)
            else:
                self._handle_article(result)
            if len(self._ready) >= EXTRACT_BATCH * self.config.defaults.extract_workers:
                self._extract_ready()
        self._extract_ready()

    # Feeds

    def _start_feed(self, feed: FeedConfig) -> None:
        self.summary.feeds_total += 1
        state = crawling.feed_state(self.db, feed.name)
        with self.db.atomic():
            feed_id = store.upsert_feed(self.db, feed.name, feed.url, feed.tags, feed.enabled)
        if state and state["url"] != feed.url:
            crawling.forget_feed_http_state(self.db, feed_id)
            state = None
        if crawling.is_backing_off(state):
            self.summary.feeds_skipped += 1
            LOGGER.warning("feed %s skipped: %d failures in a row, next try after %s", feed.name,
                           state["failures"], state["retry_after"])
            return
        url = resolve_feed_url(self.config, feed)
        local = is_local(url)
        if not local and state and state["moved_to"]:
            url = state["moved_to"]
        job = FeedJob(feed, feed_id, url, local, *(state[k] if state else None
                                                   for k in ("etag", "last_modified", "content_hash")),
                      defaults=self.config.defaults)
        self.progress.plan()
        self._queue.submit(host_of(url), fetch_feed, job, self._fetcher)

    def _handle_feed(self, result: FeedResult) -> None:
        job = result.job
        self.progress.finished(job.feed.name, result.outcome)
        self._log_fetch(job.feed_id, "feed", job.url, result)
        if result.error is not None:
            self._feed_failed(job, result.error)
            return
        fetched = result.fetched
        warning = result.parsed.warning if result.parsed else None
        title = result.parsed.title if result.parsed else None
        crawling.record_feed_success(self.db, job.feed_id, "warning" if warning else "ok", warning, title,
                                     fetched.permanent_url)
        if fetched.permanent_url:
            LOGGER.warning("feed %s moved permanently to %s; update feeds.yaml", job.feed.name, fetched.permanent_url)
        if result.parsed is None:
            self.summary.feeds_unchanged += 1
            return
        job.validators = self._validators(result)
        for entry in self._within_bounds(job, result.parsed.entries):
            self.summary.entries_seen += 1
            self._add_entry(job, entry.link, (entry.listed_in, entry.published))
        self._maybe_finish_feed(job)

    @staticmethod
    def _validators(result: FeedResult) -> tuple[str | None, str | None, str | None]:
        if result.parsed.kind == "sitemap":
            # A sitemap index's own validators say nothing of the sitemaps it lists; only the digest of
            # every file walked does.
            return None, None, result.digest
        return result.fetched.headers.get("etag"), result.fetched.headers.get("last-modified"), result.digest

    def _within_bounds(self, job: FeedJob, entries: list[FeedEntry]) -> list[FeedEntry]:
        """Entries inside the feed's date bound (judged by the entry's date when it has one), at most the cap."""
        since = self.config.since_for(job.feed)
        kept = [entry for entry in entries if not (since and entry.published and parse_date(entry.published) < since)]
        if len(kept) < len(entries):
            self.summary.entries_too_old += len(entries) - len(kept)
            LOGGER.info("feed %s: %d entries dated before %s not fetched", job.feed.name,
                        len(entries) - len(kept), since.date())
        return kept[: self.config.defaults.max_articles_per_feed]

    def _feed_failed(self, job: FeedJob, error: Exception) -> None:
        self.summary.feeds_failed += 1
        self.summary.errors.append(f"feed {job.feed.name}: {error}")
        retry_after = crawling.record_feed_failure(self.db, job.feed_id, str(error),
                                                   self.config.defaults.failure_backoff_hours,
                                                   getattr(error, "retry_after", None))
        LOGGER.warning("feed %s failed (next try after %s): %s", job.feed.name, retry_after, error)

    def _maybe_finish_feed(self, job: FeedJob) -> None:
        if job.pending == 0 and job.validators is not None and not job.blocked:
            crawling.save_feed_validators(self.db, job.feed_id, *job.validators)
            job.validators = None

    # Articles

    def _add_entry(self, feed: FeedJob | None, link: str, listed: tuple[str, str | None] = ("feed", None)) -> None:
        """Queue a page unless it is stored or queued already; `feed` is None for ingested files.

        `listed` is where the entry was listed ("feed" or "sitemap") and the date it gave there.
        """
        feeds = [feed] if feed else []
        key = canonical_url(link)
        job = self._jobs.get(key)
        if job is None:
            known = store.find_article(self.db, link, key)
            if known is not None:
                self._link(known, feeds)
            else:
                self._queue_article(ArticleJob(link, key, feed.local if feed else is_local(link), feeds, listed=listed))
        elif not job.done:
            job.feeds.extend(feeds)
            for waiting in feeds:
                waiting.pending += 1
        elif job.article_id is not None:
            self._link(job.article_id, feeds)
        elif feed is not None and job.failure_kind == "temporary":
            feed.blocked = True

    def _queue_article(self, job: ArticleJob) -> None:
        for feed in job.feeds:
            feed.pending += 1
        self._jobs[job.key] = job
        self.progress.plan()
        self._queue.submit(host_of(job.url), fetch_article, job, self._fetcher, self._robots, self._to_page)

    def _handle_article(self, result: ArticleResult) -> None:
        job = result.job
        if result.error is None and (reason := self._wrong_language(result.page)):
            result.outcome, result.error = "skipped", NotAnArticle(reason)
        self.progress.finished(job.url, result.outcome)
        feed_id = job.feeds[0].feed_id if job.feeds else None
        self._log_fetch(feed_id, "article", job.url, result)
        if result.error is not None:
            self.summary.errors.append(f"page {job.url}: {result.error}")
            LOGGER.warning("page %s %s: %s", job.url, result.outcome, result.error)
            self._article_done(job, None, result.error_kind)
            return
        page = replace(result.page, canonical_url=canonical_url(result.page.canonical_url or result.fetched.final_url))
        result.page = page
        digest = store.text_hash(page.text)
        twin = store.find_article(self.db, job.url, job.key, page.canonical_url) or store.find_article_by_hash(
            self.db, digest) or self._buffered_twin(page.canonical_url, digest)
        if isinstance(twin, ArticleResult):
            twin.job.feeds.extend(job.feeds)
            twin.job.aliases.append(job.key)
            job.feeds, job.done = [], True
        elif twin is not None:
            job.aliases.append(job.key)
            self._article_done(job, twin)
        else:
            self._ready.append(result)

    def _wrong_language(self, page: Page) -> str | None:
        """Why the page is skipped for its language (decided from its text), or None."""
        # The spaCy model reads one language; an article in another would give nonsense claims.
        wanted, found = self.config.defaults.language.lower(), (page.language or "").lower()
        if not found or found.startswith(wanted):
            return None
        return f"written in '{found}', not '{wanted}'; skipped"

    def _buffered_twin(self, key: str | None, digest: str) -> ArticleResult | None:
        for waiting in self._ready:
            if waiting.page.canonical_url == key or store.text_hash(waiting.page.text) == digest:
                return waiting
        return None

    def _extract_ready(self) -> None:
        ready, self._ready = self._ready, []
        # A paywalled teaser is stored without claims: its opening figures lack the story's context.
        for result in [r for r in ready if r.page.is_teaser]:
            self._store(result, Extraction())
        ready = [r for r in ready if not r.page.is_teaser]
        for result, extraction in zip(ready, self._extract([r.page for r in ready]), strict=True):
            if isinstance(extraction, Exception):
                self.summary.errors.append(f"page {result.job.url}: extraction failed: {extraction}")
                self._article_done(result.job, None, "content")
            else:
                self._store(result, extraction)

    def _extract(self, pages: list[Page]) -> list[Extraction | Exception]:
        try:
            return list(self.finder.find_many([p.text for p in pages], batch_size=EXTRACT_BATCH,
                                              countries=[p.country for p in pages]))
        except Exception:  # one hostile page must not stop an unattended crawl
            LOGGER.exception("batch extraction failed; retrying the %d pages one by one", len(pages))
        return [self._extract_one(page) for page in pages]

    def _extract_one(self, page: Page) -> Extraction | Exception:
        try:
            return self.finder.find(page.text, page.country)
        except Exception as error:  # recorded as this page's error, the crawl goes on
            return error

    def _store(self, result: ArticleResult, extraction: Extraction) -> None:
        job, fetched = result.job, result.fetched
        claims = [claim.to_record() for claim in extraction.claims]
        archive = {"url": job.url, "final_url": fetched.final_url, "headers": fetched.headers,
                   "content": fetched.content}
        quotes = [quote.to_record() for quote in extraction.quotes]
        article_id = store.save_article(
            self.db, article_row(job.key, result.page, job.listed), claims, quotes,
            job.feeds[0].feed_id if job.feeds else None, EXTRACTOR_VERSION, page=archive)
        self.summary.articles_new += 1
        self.summary.claims_new += len(claims)
        self._article_done(job, article_id)

    def _article_done(self, job: ArticleJob, article_id: int | None, failure_kind: str | None = None) -> None:
        job.done, job.article_id, job.failure_kind = True, article_id, failure_kind
        if article_id is not None:
            self._link(article_id, job.feeds, job.aliases)
        for feed in job.feeds:
            feed.pending -= 1
            feed.blocked |= failure_kind == "temporary"
            self._maybe_finish_feed(feed)

    def _link(self, article_id: int, feeds: list[FeedJob], aliases: Sequence[str] = ()) -> None:
        with self.db.atomic():
            for feed in feeds:
                store.link_article_to_feed(self.db, article_id, feed.feed_id)
            for url in aliases:
                store.add_article_url(self.db, article_id, url)

    def _log_fetch(self, feed_id: int | None, target: str, url: str, result: FeedResult | ArticleResult) -> None:
        fetched, error = result.fetched, result.error
        store.record_fetch(
            self.db, run_id=self.summary.run_id, feed_id=feed_id, target=target, url=url, outcome=result.outcome,
            status=getattr(error, "status", None) if fetched is None else fetched.status,
            size=None if fetched is None else len(fetched.content), duration=result.elapsed,
            error=str(error) if error else getattr(result, "parsed", None) and result.parsed.warning,
            attempts=None if fetched is None else fetched.attempts,
        )


def run_crawl(config: Config, db_path: Path, progress: Progress | None = None,
              finder: ClaimFinder | None = None) -> CrawlSummary:
    """Crawl every enabled feed in `config` into the database at `db_path`, holding the crawl lock.

    Args:
        finder: a loaded ClaimFinder to reuse; by default the model in `config` is loaded.

    Raises:
        AlreadyRunning: another crawl holds the lock.
    """
    with exclusive(db_path):
        db = store.open_database(db_path)
        crawling.close_interrupted_runs(db)
        if finder is not None:
            return Crawler(db, config, finder, progress).crawl()
        finder = ClaimFinder(config.defaults.model, workers=config.defaults.extract_workers)
        try:
            return Crawler(db, config, finder, progress).crawl()
        finally:
            finder.close()


@contextmanager
def _text_processes(workers: int) -> Iterator[Callable[[Fetched], Page]]:
    """Where fetched pages become text: in the fetch thread, or, with several workers, in other processes.

    trafilatura holds the interpreter lock, so in the fetch threads it caps a crawl at one core.
    """
    if workers <= 1:
        yield page_from
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield functools.partial(_page_in, pool)


def _page_in(pool: ProcessPoolExecutor, fetched: Fetched) -> Page:
    return pool.submit(page_from, fetched).result()


def ingest_folder(folder: Path, db_path: Path, config: Config) -> CrawlSummary:
    """Load a folder of saved pages (.html, .htm, .txt) through the same pipeline as a crawl."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and p.is_file())
    pages = [path.resolve().as_uri() for path in paths]
    with exclusive(db_path):
        db = store.open_database(db_path)
        finder = ClaimFinder(config.defaults.model, workers=config.defaults.extract_workers)
        try:
            return Crawler(db, config, finder).run([], pages)
        finally:
            finder.close()
