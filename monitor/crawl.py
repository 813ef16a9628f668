"""The crawl pipeline: feeds and pages fetched in parallel (jobs.py), text and claims found (executor.py), stored here.

The main thread owns the database: it reads each finished fetch, queues the feed's new entries,
hands fetched pages to the executor in batches (this process, a pool, or a Dask cluster), and
stores each batch that comes back in one transaction. A crawl killed at any point leaves whole
batches only; the next one redoes what is missing, because a feed's validators are saved only
after all its entries are handled (see `FeedJob`). Fetching, and so robots.txt, per-host limits
and the address checks, stays in this process whatever the executor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from db import articles, crawling
from db.articles import ArchivedPage, ArticleRecord
from db.crawling import FetchRecord
from db.database import open_database, transaction
from extractors.claims import EXTRACTOR_VERSION, Extraction
from extractors.text import NotAnArticle, Page
from monitor.config import Config, FeedConfig, resolve_feed_url
from monitor.dates import choose_published, parse_date
from monitor.executor import Executor, open_executor
from monitor.extraction import Analysis, PageWork
from monitor.feeds import FeedEntry
from monitor.fetch import FailureKind, Fetcher, is_local
from monitor.folders import saved_pages
from monitor.jobs import ArticleJob, ArticleResult, FeedJob, FeedResult, Outcome, fetch_article, fetch_feed
from monitor.lock import exclusive
from monitor.politeness import HostQueue
from monitor.problems import kind_of
from monitor.progress import Progress
from monitor.robots import RobotsCache
from monitor.urls import canonical_url, host_of, with_canonical_url

LOGGER = logging.getLogger(__name__)

# A page refused for its content or for good (a 404, robots.txt) will most likely fail again the same way:
# it waits this many times longer than one that may pass (a timeout, a 5xx).
LASTING_FAILURE_WAIT = 24


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
    pages_skipped: int = 0  # pages not fetched: they failed lately and wait out their back-off
    errors: list[str] = field(default_factory=list)
    error_kinds: list[str] = field(default_factory=list)  # one per error, as monitor.problems names it

    def add_error(self, target: str, message: str, error: BaseException | str) -> None:
        """Record one error of a feed or page (`target`), with its kind for the grouped summary."""
        self.errors.append(message)
        self.error_kinds.append(kind_of(target, error))

    def counts(self) -> dict[str, int]:
        return {"feeds_total": self.feeds_total, "feeds_failed": self.feeds_failed,
                "entries_seen": self.entries_seen, "articles_new": self.articles_new,
                "claims_new": self.claims_new, "errors": len(self.errors)}


class Crawler:
    """Runs feeds and pages through fetch → text → claims → store against one database.

    `executor` turns batches of fetched bytes into text and claims (in this process, a pool or a cluster).
    """

    def __init__(self, db: sqlite_utils.Database, config: Config, executor: Executor,
                 progress: Progress | None = None) -> None:
        self.db = db
        self.config = config
        self.executor = executor
        self.settings = config.defaults.fetch
        self.progress = progress or Progress()
        self.summary = CrawlSummary(run_id=crawling.start_run(db))
        self._jobs: dict[str, ArticleJob] = {}
        self._batch: list[PageWork] = []
        self._analysing: dict[str, ArticleResult] = {}  # fetched pages sent to the executor, by job key
        self._queue: HostQueue | None = None

    def crawl(self) -> CrawlSummary:
        """Crawl every enabled feed once."""
        return self.run(self.config.enabled_feeds, [])

    def run(self, feeds: list[FeedConfig], pages: list[str]) -> CrawlSummary:
        """Fetch `feeds` and their new entries, plus standalone `pages` (paths or URLs), then store them."""
        with Fetcher(self.settings) as fetcher, ThreadPoolExecutor(self.settings.workers) as pool:
            self._fetcher = fetcher
            self._robots = RobotsCache(fetcher, self.settings.user_agent) if self.config.defaults.obey_robots else None
            self._queue = HostQueue(pool, self.settings.per_host_concurrency)
            try:
                self._drain(feeds, pages)
            except BaseException:
                self._queue.cancel()
                crawling.finish_run(self.db, self.summary.run_id, self.summary.counts(), status="interrupted")
                raise
            finally:
                self.progress.close()
        return self.finish()

    def finish(self) -> CrawlSummary:
        """Close the crawl_runs row and return the summary."""
        crawling.finish_run(self.db, self.summary.run_id, self.summary.counts())
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
                self._handle_fetched(result)
            self._store_finished()
        self._send_batch()
        self._store_finished(wait=True)

    # Feeds

    def _start_feed(self, feed: FeedConfig) -> None:
        self.summary.feeds_total += 1
        state = crawling.feed_state(self.db, feed.name)
        feed_id = crawling.upsert_feed(self.db, feed.name, feed.url, feed.tags, feed.enabled)
        if state and state["url"] != feed.url:
            crawling.forget_feed_http_state(self.db, feed_id)
            state = None
        if crawling.is_backing_off(state):
            self.summary.feeds_skipped += 1
            LOGGER.info("feed %s skipped: %d failures in a row, next try after %s", feed.name,
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
        crawling.record_feed_success(self.db, job.feed_id, Outcome.WARNING if warning else Outcome.OK, warning, title,
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
        self.summary.add_error("feed", f"feed {job.feed.name}: {error}", error)
        retry_after = crawling.record_feed_failure(self.db, job.feed_id, str(error),
                                                   self.config.defaults.failure_backoff_hours,
                                                   getattr(error, "retry_after", None))
        LOGGER.info("feed %s failed (next try after %s): %s", job.feed.name, retry_after, error)

    def _maybe_finish_feed(self, job: FeedJob) -> None:
        if (validators := job.validators_to_save()) is not None:
            crawling.save_feed_validators(self.db, job.feed_id, *validators)

    # Articles

    def _add_entry(self, feed: FeedJob | None, link: str, listed: tuple[str, str | None] = ("feed", None)) -> None:
        """Queue a page unless it is stored or queued already; `feed` is None for ingested files.

        `listed` is where the entry was listed ("feed" or "sitemap") and the date it gave there.
        """
        feeds = [feed] if feed else []
        key = canonical_url(link)
        job = self._jobs.get(key)
        if job is None:
            known = articles.find_article(self.db, link, key)
            if known is not None:
                self._link(known, feeds)
            elif not self._backing_off(feed, key):
                self._queue_article(ArticleJob(link, key, feed.local if feed else is_local(link), feeds, listed=listed))
        elif not job.done:
            job.add_feeds(feeds)
        elif job.article_id is not None:
            self._link(job.article_id, feeds)
        elif feed is not None and job.failure_kind == FailureKind.TEMPORARY:
            feed.blocked = True

    def _backing_off(self, feed: FeedJob | None, key: str) -> bool:
        """True, counted and logged, while the page waits out the back-off of its recent failures."""
        failure = crawling.page_failure(self.db, key)
        if not crawling.is_backing_off(failure):
            return False
        self.summary.pages_skipped += 1
        if feed is not None and failure["kind"] == FailureKind.TEMPORARY:
            feed.blocked = True  # so the next crawl reads the feed again and meets the page once its wait is over
        LOGGER.info("page %s skipped: %d failures in a row (%s), next try after %s", key, failure["failures"],
                    failure["reason"], failure["retry_after"])
        return True

    def _queue_article(self, job: ArticleJob) -> None:
        for feed in job.feeds:
            feed.wait_for()
        self._jobs[job.key] = job
        self.progress.plan()
        self._queue.submit(host_of(job.url), fetch_article, job, self._fetcher, self._robots)

    def _handle_fetched(self, result: ArticleResult) -> None:
        if result.error is not None:
            with transaction(self.db):  # its fetch_events row and its page_failures row land together
                self._handle_article(result)
            return
        self._analysing[result.job.key] = result
        self._batch.append(PageWork(result.job.key, result.fetched, max_text_chars=self.config.defaults.max_text_chars))
        # A part-filled batch goes at once to an idle executor: a slow crawl's pages need not wait for a full one.
        if len(self._batch) >= self.config.defaults.extract_batch or self.executor.idle:
            self._send_batch()

    def _send_batch(self) -> None:
        if self._batch:
            batch, self._batch = self._batch, []
            self.executor.submit(batch)

    def _store_finished(self, wait: bool = False) -> None:
        """Store the batches the executor has finished (`wait`: all of them), one transaction each."""
        for analyses in self.executor.finished(wait):
            with transaction(self.db):
                for analysis in analyses:
                    self._handle_analysis(self._analysing.pop(analysis.key), analysis)

    def _handle_analysis(self, result: ArticleResult, analysis: Analysis) -> None:
        result.page = analysis.page
        if analysis.stage == "text":
            result.outcome, result.error = Outcome.ERROR, NotAnArticle(analysis.error)
        self._handle_article(result, analysis)

    def _handle_article(self, result: ArticleResult, analysis: Analysis | None = None) -> None:
        job = result.job
        if result.error is None and result.page is not None and (reason := self._wrong_language(result.page)):
            result.outcome, result.error = Outcome.SKIPPED, NotAnArticle(reason)
        self.progress.finished(job.url, result.outcome)
        feed_id = job.feeds[0].feed_id if job.feeds else None
        self._log_fetch(feed_id, "article", job.url, result)
        if result.error is not None:
            self.summary.add_error("page", f"page {job.url}: {result.error}", result.error)
            LOGGER.info("page %s %s: %s", job.url, result.outcome, result.error)
            self._page_failed(job, result.error_kind, result.error)
            return
        if analysis.extraction is None:
            self.summary.add_error("page", f"page {job.url}: {analysis.error}", analysis.error or "error")
            # A batch lost with its workers may pass: the feed is read again next time, so the page is retried.
            kind = FailureKind.TEMPORARY if analysis.stage == "lost" else FailureKind.CONTENT
            self._page_failed(job, kind, analysis.error or "error")
            return
        page = result.page = with_canonical_url(result.page, result.fetched.final_url)
        twin = articles.find_article(self.db, job.url, job.key, page.canonical_url) or articles.find_article_by_hash(
            self.db, articles.text_hash(page.text))
        if twin is not None:
            job.aliases.append(job.key)
            self._article_done(job, twin)
        else:
            self._store(result, analysis.extraction)

    def _wrong_language(self, page: Page) -> str | None:
        """Why the page is skipped for its language (decided from its text), or None."""
        # The spaCy model reads one language; an article in another would give nonsense claims.
        wanted, found = self.config.defaults.language.lower(), (page.language or "").lower()
        if not found or found.startswith(wanted):
            return None
        return f"written in '{found}', not '{wanted}'; skipped"

    def _store(self, result: ArticleResult, extraction: Extraction) -> None:
        article_id = articles.save_article(self.db, self._record(result), extraction, EXTRACTOR_VERSION)
        self.summary.articles_new += 1
        self.summary.claims_new += len(extraction.claims)
        self._article_done(result.job, article_id)

    @staticmethod
    def _record(result: ArticleResult) -> ArticleRecord:
        job, fetched, page = result.job, result.fetched, result.page
        # The page's own date, else the one its feed or sitemap entry gave.
        published, source = choose_published([("page", page.published), job.listed], where=job.key)
        return ArticleRecord(job.key, page, published, source, job.feeds[0].feed_id if job.feeds else None,
                             ArchivedPage(job.url, fetched.final_url, fetched.content, fetched.headers))

    def _page_failed(self, job: ArticleJob, kind: FailureKind, error: BaseException | str) -> None:
        """Finish a page that failed and, unless it is a local file, back it off."""
        self._article_done(job, None, kind)
        # An ingested file is read again by every ingest: it costs no site anything, and its owner may have fixed it.
        if is_local(job.url):
            return
        hours = self.config.defaults.failure_backoff_hours
        retry_after = crawling.record_page_failure(
            self.db, job.key, kind, str(error), hours * (1 if kind == FailureKind.TEMPORARY else LASTING_FAILURE_WAIT),
            getattr(error, "retry_after", None))
        LOGGER.info("page %s backs off until %s", job.url, retry_after)

    def _article_done(self, job: ArticleJob, article_id: int | None, failure_kind: FailureKind | None = None) -> None:
        job.finish(article_id, failure_kind)
        if article_id is not None:
            self._link(article_id, job.feeds, job.aliases)
            crawling.clear_page_failure(self.db, job.key)
        for feed in job.feeds:
            self._maybe_finish_feed(feed)

    def _link(self, article_id: int, feeds: list[FeedJob], aliases: Sequence[str] = ()) -> None:
        articles.link_article(self.db, article_id, [feed.feed_id for feed in feeds], aliases)

    def _log_fetch(self, feed_id: int | None, target: str, url: str, result: FeedResult | ArticleResult) -> None:
        fetched, error = result.fetched, result.error
        crawling.record_fetch(self.db, FetchRecord(
            run_id=self.summary.run_id, feed_id=feed_id, target=target, url=url, outcome=result.outcome,
            status=getattr(error, "status", None) if fetched is None else fetched.status,
            size=None if fetched is None else len(fetched.content), duration=result.elapsed,
            error=str(error) if error else getattr(result, "parsed", None) and result.parsed.warning,
            attempts=None if fetched is None else fetched.attempts,
        ))


def run_crawl(config: Config, db_path: Path, progress: Progress | None = None,
              executor: Executor | None = None) -> CrawlSummary:
    """Crawl every enabled feed in `config` into the database at `db_path`, holding the crawl lock.

    Args:
        executor: where text and claims are extracted, to reuse a loaded model; by default one
            is opened for the model and `extract_workers` in `config`, and closed afterwards.

    Raises:
        AlreadyRunning: another crawl holds the lock.
    """
    with exclusive(db_path):
        db = open_database(db_path)
        crawling.close_interrupted_runs(db)
        return _run(db, config, executor, lambda crawler: crawler.crawl(), progress)


def ingest_folder(folder: Path, db_path: Path, config: Config, executor: Executor | None = None,
                  follow_symlinks: bool = False) -> CrawlSummary:
    """Load a folder of saved pages (.html, .htm, .txt) through the same pipeline as a crawl.

    Symlinks that lead outside `folder` are left out (with one warning) unless `follow_symlinks`.
    """
    found = saved_pages(folder, follow_symlinks)
    if found.outside:
        LOGGER.warning("%s: left out %d file(s) or folder(s) that symlinks lead to outside it, e.g. %s "
                       "(--follow-symlinks reads them)", folder, len(found.outside), found.outside[0])
    pages = [path.resolve().as_uri() for path in found.pages]
    with exclusive(db_path):
        db = open_database(db_path)
        crawling.close_interrupted_runs(db)
        return _run(db, config, executor, lambda crawler: crawler.run([], pages))


def _run(db: sqlite_utils.Database, config: Config, executor: Executor | None,
         work: Callable[[Crawler], CrawlSummary], progress: Progress | None = None) -> CrawlSummary:
    if executor is not None:
        return work(Crawler(db, config, executor, progress))
    executor = open_executor(config.defaults.model, config.defaults.extract_workers, config.defaults.scheduler)
    try:
        return work(Crawler(db, config, executor, progress))
    finally:
        executor.close()
