"""Reprocess: archived pages → text → claims again with the current extractor, keeping reviewers' verdicts."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlite_utils

from db import crawling, store
from extractors.claims import EXTRACTOR_VERSION, ClaimFinder
from extractors.text import NotAnArticle, Page, site_country
from monitor.fetch import Fetched
from monitor.lock import exclusive
from monitor.pipeline import article_row, page_from
from monitor.urls import canonical_url

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
        db = store.open_database(db_path)
        articles = crawling.articles_to_reprocess(db, EXTRACTOR_VERSION, since, everything)
        finder = ClaimFinder(model) if articles else None
        summary = ReprocessSummary()
        for start in range(0, len(articles), BATCH):
            _reprocess_batch(db, finder, articles[start:start + BATCH], summary)
    return summary


def _reprocess_batch(db: sqlite_utils.Database, finder: ClaimFinder, articles: list[dict],
                     summary: ReprocessSummary) -> None:
    pages = [(article, *_page(db, article, summary)) for article in articles]
    kept = [(article, page, archived) for article, page, archived in pages if page is not None]
    # A paywalled teaser keeps no claims, as in a crawl: an empty text gives an empty extraction.
    extractions = finder.find_many(["" if page.is_teaser else page.text for _, page, _ in kept],
                                   countries=[page.country for _, page, _ in kept])
    for (article, page, archived), extraction in zip(kept, extractions, strict=True):
        # sync_claims's own atomic() nests as a savepoint: new text, claims and quotes land together.
        with db.atomic():
            if archived:
                fields = {**article_row(article["url"], page), "text_hash": store.text_hash(page.text)}
                crawling.update_article_page(db, article["id"], fields)
            counts = store.sync_claims(db, article["id"], [c.to_record() for c in extraction.claims],
                                       [q.to_record() for q in extraction.quotes], EXTRACTOR_VERSION)
        summary.articles += 1
        summary.from_archive += archived
        summary.claims.update(counts)


def _page(db: sqlite_utils.Database, article: dict, summary: ReprocessSummary) -> tuple[Page | None, bool]:
    """The page re-extracted from the archive, or the stored text when nothing was archived."""
    archived = crawling.load_page(db, article["id"])
    if archived is None:
        # Ingested text, or an article stored before pages were archived: its stored text is all there is.
        return Page(text=article["text"], country=site_country(article["url"], article.get("canonical_url"), "")), False
    fetched = Fetched(url=archived["url"], final_url=archived["final_url"], content=archived["content"],
                      headers=archived["headers"])
    try:
        page = page_from(fetched)
    except NotAnArticle as error:
        summary.errors.append(f"article {article['id']} ({article['url']}): {error}")
        return None, True
    return replace(page, canonical_url=canonical_url(page.canonical_url or archived["final_url"])), True
