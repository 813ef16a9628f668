"""Crawl bookkeeping queries: feed HTTP validators and failure backoff, the page archive, interrupted runs."""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from datetime import UTC, datetime, timedelta

import sqlite_utils

LOGGER = logging.getLogger(__name__)

_FEED_STATE = ("id", "url", "etag", "last_modified", "content_hash", "moved_to", "failures", "retry_after")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def feed_state(db: sqlite_utils.Database, name: str) -> dict | None:
    """What the last crawls learnt about a feed: validators, permanent redirect, failures and backoff."""
    row = db.execute(f"SELECT {', '.join(_FEED_STATE)} FROM feeds WHERE name = ?", [name]).fetchone()
    return dict(zip(_FEED_STATE, row, strict=True)) if row else None


def forget_feed_http_state(db: sqlite_utils.Database, feed_id: int) -> None:
    """Drop validators and redirect of a feed whose URL changed in the feeds file."""
    with db.atomic():
        db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL, content_hash = NULL, moved_to = NULL "
                   "WHERE id = ?", [feed_id])


def save_feed_validators(db: sqlite_utils.Database, feed_id: int, etag: str | None, last_modified: str | None,
                         content_hash: str | None) -> None:
    """Remember the validators and body hash of a feed whose entries have all been handled."""
    with db.atomic():
        db.execute("UPDATE feeds SET etag = ?, last_modified = ?, content_hash = ? WHERE id = ?",
                   [etag, last_modified, content_hash, feed_id])


def record_feed_success(db: sqlite_utils.Database, feed_id: int, status: str, warning: str | None,
                        title: str | None, moved_to: str | None) -> None:
    """A fetch of the feed worked: clear its failure count and remember any permanent redirect."""
    with db.atomic():
        db.execute(
            "UPDATE feeds SET last_fetched_at = ?, last_status = ?, last_error = ?, title = COALESCE(?, title), "
            "failures = 0, retry_after = NULL, moved_to = COALESCE(?, moved_to) WHERE id = ?",
            [_iso(_now()), status, warning, title, moved_to, feed_id],
        )


def record_feed_failure(db: sqlite_utils.Database, feed_id: int, error: str, backoff_hours: float,
                        server_retry_after: float | None = None) -> str:
    """Count a failed fetch and set when the feed may be tried again: doubling per failure, at most a week.

    Returns:
        The ISO time before which the feed is skipped.
    """
    with db.atomic():
        failures = db.execute("SELECT failures FROM feeds WHERE id = ?", [feed_id]).fetchone()[0] + 1
        wait = timedelta(hours=min(backoff_hours * 2 ** (failures - 1), 24 * 7))
        wait = max(wait, timedelta(seconds=server_retry_after or 0))
        retry_after = _iso(_now() + wait)
        db.execute("UPDATE feeds SET last_fetched_at = ?, last_status = 'error', last_error = ?, failures = ?, "
                   "retry_after = ? WHERE id = ?", [_iso(_now()), error, failures, retry_after, feed_id])
    return retry_after


def is_backing_off(state: dict | None) -> bool:
    """True while a failing feed's retry time lies in the future."""
    return bool(state and state["retry_after"] and state["retry_after"] > _iso(_now()))


def archive_page(db: sqlite_utils.Database, article_id: int, page: dict) -> None:
    """Keep the fetched bytes of an article, zlib-compressed, for re-extraction without the network.

    Runs inside the caller's transaction (`store.save_article`).
    """
    content: bytes = page["content"]
    db.execute(
        "INSERT OR REPLACE INTO pages (article_id, url, final_url, headers, sha256, size, body, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [article_id, page["url"], page["final_url"], json.dumps(page.get("headers") or {}),
         hashlib.sha256(content).hexdigest(), len(content), zlib.compress(content, 6), _iso(_now())],
    )


def load_page(db: sqlite_utils.Database, article_id: int) -> dict | None:
    """The archived page of an article, decompressed, or None when it has none (ingested text)."""
    row = db.execute("SELECT url, final_url, headers, body FROM pages WHERE article_id = ?", [article_id]).fetchone()
    if row is None:
        return None
    url, final_url, headers, body = row
    return {"url": url, "final_url": final_url, "headers": json.loads(headers), "content": zlib.decompress(body)}


def articles_to_reprocess(db: sqlite_utils.Database, extractor_version: str, since: str | None = None,
                          everything: bool = False) -> list[dict]:
    """Articles fetched since `since` whose extraction is older than `extractor_version` (or all of them)."""
    where, params = ["1 = 1"], []
    if since:
        where.append("fetched_at >= ?")
        params.append(since)
    if not everything:
        where.append("extractor_version != ?")
        params.append(extractor_version)
    sql = f"SELECT id, url, text FROM articles WHERE {' AND '.join(where)} ORDER BY id"
    return [{"id": i, "url": u, "text": t} for i, u, t in db.execute(sql, params).fetchall()]


def update_article_page(db: sqlite_utils.Database, article_id: int, fields: dict) -> None:
    """Replace an article's text, text_hash and metadata after re-extraction; runs in the caller's transaction.

    A page that gives no date keeps the date stored before (its feed's or sitemap's, which the archive lacks).
    """
    columns = ("canonical_url", "title", "author", "site_name", "language", "paywalled", "teaser", "text",
               "text_hash")
    db.execute(
        f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)}, published = COALESCE(?, published), "
        "published_source = CASE WHEN ? IS NULL THEN published_source ELSE ? END WHERE id = ?",
        [*(fields.get(c) for c in columns), fields.get("published"), fields.get("published"),
         fields.get("published_source"), article_id],
    )


def close_interrupted_runs(db: sqlite_utils.Database) -> int:
    """Mark crawl runs left `running` by a process that died as `interrupted`; call only under the crawl lock."""
    with db.atomic():
        cursor = db.execute("UPDATE crawl_runs SET status = 'interrupted' WHERE status = 'running'")
    if cursor.rowcount:
        LOGGER.warning("%d earlier crawl(s) were interrupted; this crawl picks up their work", cursor.rowcount)
    return cursor.rowcount


def failing_feeds(db: sqlite_utils.Database) -> list[dict]:
    """Feeds whose latest fetch failed, with how often in a row and when they are tried next."""
    rows = db.execute(
        "SELECT name, last_error, last_fetched_at, failures, retry_after FROM feeds "
        "WHERE last_status = 'error' ORDER BY failures DESC, name"
    ).fetchall()
    return [{"name": n, "error": e, "at": a, "failures": f, "retry_after": r} for n, e, a, f, r in rows]


def last_run_started(db: sqlite_utils.Database) -> datetime | None:
    """When the latest crawl began (whatever became of it), or None before the first."""
    row = db.execute("SELECT max(started_at) FROM crawl_runs").fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None
