"""Crawl: for each feed, fetch its entries' pages, find their claims and store each article once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from db import store
from extractors.claims import EXTRACTOR_VERSION, ClaimFinder
from extractors.text import NotAnArticle
from monitor.config import Config, FeedConfig, resolve_feed_url
from monitor.feeds import FeedError, parse_feed
from monitor.fetch import FetchError, fetch
from monitor.pipeline import article_row, page_from

LOGGER = logging.getLogger(__name__)

PAGE_SUFFIXES = (".html", ".htm", ".txt")


@dataclass
class CrawlSummary:
    """What one crawl or ingest did, for the closing summary and the crawl_runs row."""

    run_id: int
    feeds_total: int = 0
    feeds_failed: int = 0
    entries_seen: int = 0
    articles_new: int = 0
    claims_new: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"feeds_total": self.feeds_total, "feeds_failed": self.feeds_failed,
                "entries_seen": self.entries_seen, "articles_new": self.articles_new,
                "claims_new": self.claims_new, "errors": len(self.errors)}


class Crawler:
    """Runs feeds and pages through fetch → text → claims → store against one database."""

    def __init__(self, db: sqlite_utils.Database, config: Config, finder: ClaimFinder) -> None:
        self.db = db
        self.config = config
        self.finder = finder
        self.summary = CrawlSummary(run_id=store.start_run(db))

    def crawl(self) -> CrawlSummary:
        """Crawl every enabled feed once."""
        for feed in self.config.enabled_feeds:
            self.crawl_feed(feed)
        return self.finish()

    def crawl_feed(self, feed: FeedConfig) -> None:
        """Fetch one feed and every entry in it not stored before."""
        self.summary.feeds_total += 1
        url = resolve_feed_url(self.config, feed)
        feed_id = store.upsert_feed(self.db, feed.name, feed.url, feed.tags, feed.enabled)
        try:
            fetched = fetch(url, **self._fetch_options())
            parsed = parse_feed(fetched.content, fetched.final_url, fetched.headers)
        except (FetchError, FeedError) as error:
            self._feed_failed(feed, feed_id, url, error)
            return
        self._log_fetch(feed_id, "feed", url, "ok", status=fetched.status, size=len(fetched.content),
                        duration=fetched.elapsed, error=parsed.warning)
        store.update_feed_status(self.db, feed_id, "warning" if parsed.warning else "ok", parsed.warning,
                                 parsed.title)
        for entry in parsed.entries[: self.config.defaults.max_articles_per_feed]:
            self.summary.entries_seen += 1
            self.add_page(entry.link, feed_id)

    def add_page(self, url: str, feed_id: int | None) -> None:
        """Fetch, extract and store one page, unless it is already stored; errors are logged, not raised."""
        known = store.find_article(self.db, url)
        if known is not None:
            store.link_article_to_feed(self.db, known, feed_id)
            return
        try:
            fetched = fetch(url, **self._fetch_options())
            page = page_from(fetched)
        except (FetchError, NotAnArticle) as error:
            self._page_failed(feed_id, url, error)
            return
        self._log_fetch(feed_id, "article", url, "ok", status=fetched.status, size=len(fetched.content),
                        duration=fetched.elapsed)
        duplicate = store.find_article(self.db, page.canonical_url) or store.find_article_by_hash(
            self.db, store.text_hash(page.text))
        if duplicate is not None:
            store.link_article_to_feed(self.db, duplicate, feed_id)
            return
        self._store(url, page, feed_id)

    def finish(self) -> CrawlSummary:
        """Close the crawl_runs row and return the summary."""
        store.finish_run(self.db, self.summary.run_id, self.summary.counts())
        return self.summary

    def _store(self, url: str, page, feed_id: int | None) -> None:
        extraction = self.finder.find(page.text)
        claims = [claim.to_record() for claim in extraction.claims]
        store.save_article(self.db, article_row(url, page), claims,
                           [quote.to_record() for quote in extraction.quotes], feed_id, EXTRACTOR_VERSION)
        self.summary.articles_new += 1
        self.summary.claims_new += len(claims)

    def _fetch_options(self) -> dict:
        defaults = self.config.defaults
        return {"user_agent": defaults.user_agent, "timeout": defaults.timeout, "max_bytes": defaults.max_page_bytes}

    def _feed_failed(self, feed: FeedConfig, feed_id: int, url: str, error: Exception) -> None:
        self.summary.feeds_failed += 1
        self.summary.errors.append(f"feed {feed.name}: {error}")
        self._log_fetch(feed_id, "feed", url, "error", status=getattr(error, "status", None), error=str(error))
        store.update_feed_status(self.db, feed_id, "error", str(error))
        LOGGER.warning("feed %s failed: %s", feed.name, error)

    def _page_failed(self, feed_id: int | None, url: str, error: Exception) -> None:
        self.summary.errors.append(f"page {url}: {error}")
        self._log_fetch(feed_id, "article", url, "error", status=getattr(error, "status", None), error=str(error))
        LOGGER.warning("page %s failed: %s", url, error)

    def _log_fetch(self, feed_id: int | None, target: str, url: str, outcome: str, **details) -> None:
        store.record_fetch(self.db, run_id=self.summary.run_id, feed_id=feed_id, target=target, url=url,
                           outcome=outcome, **details)


def run_crawl(config: Config, db_path: Path) -> CrawlSummary:
    """Crawl every enabled feed in `config` into the database at `db_path`."""
    db = store.open_database(db_path)
    return Crawler(db, config, ClaimFinder(config.defaults.model)).crawl()


def ingest_folder(folder: Path, db_path: Path, config: Config) -> CrawlSummary:
    """Load a folder of saved pages (.html, .htm, .txt) through the same pipeline as a crawl."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    db = store.open_database(db_path)
    crawler = Crawler(db, config, ClaimFinder(config.defaults.model))
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()):
        crawler.summary.entries_seen += 1
        crawler.add_page(path.resolve().as_uri(), feed_id=None)
    return crawler.finish()
