"""Reprocess: archived pages → text → claims again with the current extractor, keeping reviewers' verdicts.

The pages go to the executor in batches (this process, a pool or a Dask cluster); each batch that
comes back is stored here in one transaction.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from db import articles, crawling
from db.articles import ArchivedPage, ArticleRecord
from db.database import open_database, transaction
from extractors.claims import EXTRACTOR_VERSION
from extractors.text import Page, site_country
from monitor.dates import choose_published
from monitor.executor import Executor, open_executor
from monitor.extraction import Analysis, PageWork
from monitor.lock import exclusive
from monitor.urls import with_canonical_url

LOGGER = logging.getLogger(__name__)

BATCH = 16


@dataclass
class ReprocessSummary:
    """How many articles were re-extracted, and what happened to their claims."""

    articles: int = 0
    from_archive: int = 0
    claims: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def reprocess(db_path: Path, model: str, since: str | None = None, everything: bool = False, workers: int = 1,
              scheduler: str = "", executor: Executor | None = None) -> ReprocessSummary:
    """Re-extract stored articles whose extractor version is older than the current one (or all of them).

    Pages come from the archive, so no network is needed: with `scheduler` the cluster's workers
    re-extract them and this process stores each batch as it comes back.

    Args:
        db_path: the claimwatch database; it is not created if missing.
        since: only articles fetched on or after this ISO date.
        everything: also articles already at the current extractor version.
        workers, scheduler: where to extract (see `monitor.executor.open_executor`).
        executor: one already open, to reuse a loaded model; it is left open.

    Raises:
        FileNotFoundError: no database at `db_path`.
        AlreadyRunning: a crawl or another reprocess holds the lock.
        ClusterUnavailable: `scheduler` is set but cannot be used.
    """
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `claimwatch crawl` first)")
    with exclusive(db_path):
        db = open_database(db_path)
        crawling.close_interrupted_runs(db)
        stale = articles.articles_to_reprocess(db, EXTRACTOR_VERSION, since, everything)
        summary = ReprocessSummary()
        if not stale:
            return summary
        own = executor is None
        executor = executor or open_executor(model, workers, scheduler)
        try:
            _reprocess_all(db, executor, stale, summary)
        finally:
            if own:
                executor.close()
    return summary


def _reprocess_all(db: sqlite_utils.Database, executor: Executor, stale: list[dict],
                   summary: ReprocessSummary) -> None:
    sent: dict[str, tuple[dict, ArchivedPage | None]] = {}
    for start in range(0, len(stale), BATCH):
        works = []
        for article in stale[start:start + BATCH]:
            archived = articles.load_page(db, article["id"])
            sent[str(article["id"])] = article, archived
            works.append(_work(article, archived))
        executor.submit(works)
        _store_finished(db, executor, sent, summary)
    _store_finished(db, executor, sent, summary, wait=True)


def _work(article: dict, archived: ArchivedPage | None) -> PageWork:
    """The archived page to re-extract, or the stored text when nothing was archived."""
    if archived is None:
        # Ingested text, or an article stored before pages were archived: its stored text is all there is.
        country = site_country(article["url"], article.get("canonical_url"), "")
        return PageWork(str(article["id"]), page=Page(text=article["text"], country=country))
    return PageWork(str(article["id"]), fetched=archived)


def _store_finished(db: sqlite_utils.Database, executor: Executor, sent: dict[str, tuple[dict, ArchivedPage | None]],
                    summary: ReprocessSummary, wait: bool = False) -> None:
    for analyses in executor.finished(wait):
        with transaction(db):
            for analysis in analyses:
                _store(db, *sent.pop(analysis.key), analysis, summary)


def _store(db: sqlite_utils.Database, article: dict, archived: ArchivedPage | None, analysis: Analysis,
           summary: ReprocessSummary) -> None:
    if analysis.extraction is None:
        summary.errors.append(f"article {article['id']} ({article['url']}): {analysis.error}")
        return
    record = _record(article["url"], with_canonical_url(analysis.page, archived.final_url)) if archived else None
    counts = articles.replace_extraction(db, article["id"], record, analysis.extraction, EXTRACTOR_VERSION)
    summary.articles += 1
    summary.from_archive += archived is not None
    summary.claims.update(counts)


def _record(url: str, page: Page) -> ArticleRecord:
    # Only the page's own date: the archive keeps no feed date, and a stored one stays when this is None.
    return ArticleRecord(url, page, *choose_published([("page", page.published)], where=url))
