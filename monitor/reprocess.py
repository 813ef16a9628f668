"""Reprocess: archived pages → text → claims again with the current extractor, keeping reviewers' verdicts."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from db import articles
from db.articles import ArticleRecord
from db.database import open_database
from extractors.claims import EXTRACTOR_VERSION
from extractors.text import NotAnArticle, Page, page_from, site_country
from monitor.dates import choose_published
from monitor.executor import Executor, open_executor
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


def reprocess(db_path: Path, model: str, since: str | None = None, everything: bool = False) -> ReprocessSummary:
    """Re-extract stored articles whose extractor version is older than the current one (or all of them).

    Args:
        db_path: the claimwatch database; it is not created if missing.
        since: only articles fetched on or after this ISO date.
        everything: also articles already at the current extractor version.

    Raises:
        FileNotFoundError: no database at `db_path`.
        AlreadyRunning: a crawl or another reprocess holds the lock.
    """
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `claimwatch crawl` first)")
    with exclusive(db_path):
        db = open_database(db_path)
        stale = articles.articles_to_reprocess(db, EXTRACTOR_VERSION, since, everything)
        summary = ReprocessSummary()
        if not stale:
            return summary
        executor = open_executor(model, workers=1)
        try:
            for start in range(0, len(stale), BATCH):
                _reprocess_batch(db, executor, stale[start:start + BATCH], summary)
        finally:
            executor.close()
    return summary


def _reprocess_batch(db: sqlite_utils.Database, executor: Executor, stale: list[dict],
                     summary: ReprocessSummary) -> None:
    pages = [(article, *_page(db, article, summary)) for article in stale]
    kept = [(article, page, archived) for article, page, archived in pages if page is not None]
    # A paywalled teaser keeps no claims, as in a crawl: an empty text gives an empty extraction.
    extractions = executor.extract(["" if page.is_teaser else page.text for _, page, _ in kept],
                                   [page.country for _, page, _ in kept], BATCH)
    for (article, page, archived), extraction in zip(kept, extractions, strict=True):
        record = _record(article["url"], page) if archived else None
        counts = articles.replace_extraction(db, article["id"], record, extraction, EXTRACTOR_VERSION)
        summary.articles += 1
        summary.from_archive += archived
        summary.claims.update(counts)


def _page(db: sqlite_utils.Database, article: dict, summary: ReprocessSummary) -> tuple[Page | None, bool]:
    """The page re-extracted from the archive, or the stored text when nothing was archived."""
    archived = articles.load_page(db, article["id"])
    if archived is None:
        # Ingested text, or an article stored before pages were archived: its stored text is all there is.
        return Page(text=article["text"], country=site_country(article["url"], article.get("canonical_url"), "")), False
    try:
        page = page_from(archived)
    except NotAnArticle as error:
        summary.errors.append(f"article {article['id']} ({article['url']}): {error}")
        return None, True
    return with_canonical_url(page, archived.final_url), True


def _record(url: str, page: Page) -> ArticleRecord:
    # Only the page's own date: the archive keeps no feed date, and a stored one stays when this is None.
    return ArticleRecord(url, page, *choose_published([("page", page.published)], where=url))
