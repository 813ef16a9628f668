"""Opening the database (WAL, foreign keys, schema brought up to date) and totals across tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from db.crawling import failing_feeds, failing_pages
from db.migrations import migrate


def open_database(path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) a claimwatch database: WAL, foreign keys on, schema up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=30000")
    migrate(db)
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One transaction around many writes (a batch of articles): all of them land, or none.

    Each write's own transaction nests inside it as a savepoint.
    """
    with db.atomic():
        yield db


def stats(db: sqlite_utils.Database) -> dict:
    """Totals, the last crawl, the feeds whose latest fetch failed, and the pages backing off after failures."""

    def one(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    last_runs = list(db["crawl_runs"].rows_where(order_by="id desc", limit=1))
    return {
        "articles": one("SELECT count(*) FROM articles"),
        "claims": one("SELECT count(*) FROM claims WHERE status != 'retracted'"),
        "quotes": one("SELECT count(*) FROM quotes"),
        "feeds": one("SELECT count(*) FROM feeds"),
        "paywalled_teasers": one("SELECT count(*) FROM articles WHERE teaser = 1"),
        "claims_by_status": dict(db.execute("SELECT status, count(*) FROM claims GROUP BY status").fetchall()),
        "last_run": last_runs[0] if last_runs else None,
        "failing_feeds": failing_feeds(db),
        "failing_pages": failing_pages(db),
    }
