"""Crawl bookkeeping — `feeds`, `page_failures`, `crawl_runs` and `fetch_events`: what was fetched, when, how it went.

Every write to those tables is here: feeds with their validators and failure backoff, failing
article pages with theirs (one back-off policy for both, `retry_time`), one crawl_runs row per
crawl, one fetch_events row per fetch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from db import clock

LOGGER = logging.getLogger(__name__)

MAX_BACKOFF_HOURS = 24 * 7
_FEED_STATE = ("id", "url", "etag", "last_modified", "content_hash", "moved_to", "failures", "retry_after")
_PAGE_FAILURE = ("url", "first_failed_at", "last_failed_at", "failures", "kind", "reason", "retry_after")


@dataclass(frozen=True)
class FetchRecord:
    """One fetch, feed or article, as its fetch_events row keeps it.

    `outcome` is one of monitor.jobs.Outcome; `duration` is in seconds; `error` is the failure's
    message, or a feed's warning.
    """

    run_id: int | None
    feed_id: int | None
    target: str  # "feed" or "article"
    url: str
    outcome: str
    status: int | None = None
    size: int | None = None
    duration: float | None = None
    error: str | None = None
    attempts: int | None = None


def upsert_feed(db: sqlite_utils.Database, name: str, url: str, tags: Iterable[str], enabled: bool) -> int:
    """Insert or update a feed by name and return its id, in one transaction."""
    with db.atomic():
        db.execute(
            """INSERT INTO feeds (name, url, tags, enabled) VALUES (?, ?, ?, ?)
               ON CONFLICT(name) DO UPDATE SET url = excluded.url, tags = excluded.tags, enabled = excluded.enabled""",
            [name, url, json.dumps(list(tags)), int(enabled)],
        )
        return db.execute("SELECT id FROM feeds WHERE name = ?", [name]).fetchone()[0]


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
            [clock.now(), status, warning, title, moved_to, feed_id],
        )


def record_feed_failure(db: sqlite_utils.Database, feed_id: int, error: str, backoff_hours: float,
                        server_retry_after: float | None = None) -> str:
    """Count a failed fetch and set when the feed may be tried again (see `retry_time`).

    Returns:
        The ISO time before which the feed is skipped.
    """
    with db.atomic():
        failures = db.execute("SELECT failures FROM feeds WHERE id = ?", [feed_id]).fetchone()[0] + 1
        retry_after = retry_time(failures, backoff_hours, server_retry_after)
        db.execute("UPDATE feeds SET last_fetched_at = ?, last_status = 'error', last_error = ?, failures = ?, "
                   "retry_after = ? WHERE id = ?", [clock.now(), error, failures, retry_after, feed_id])
    return retry_after


def retry_time(failures: int, backoff_hours: float, server_retry_after: float | None = None) -> str:
    """When a feed or page that failed `failures` times in a row may be tried again, as an ISO time.

    The wait is `backoff_hours`, doubling per failure, at most a week, at least the server's Retry-After (seconds).
    """
    # Capped before it becomes a timedelta, which overflows after some forty doublings.
    wait = timedelta(hours=min(backoff_hours * 2 ** (failures - 1), MAX_BACKOFF_HOURS))
    wait = max(wait, timedelta(seconds=server_retry_after or 0))
    return clock.to_iso(clock.utc_now() + wait)


def is_backing_off(state: dict | None) -> bool:
    """True while a failing feed's or page's retry time lies in the future."""
    return bool(state and state["retry_after"] and state["retry_after"] > clock.now())


def page_failure(db: sqlite_utils.Database, url: str) -> dict | None:
    """The recorded failure of the article page with key URL `url`, or None if its last try did not fail."""
    row = db.execute(f"SELECT {', '.join(_PAGE_FAILURE)} FROM page_failures WHERE url = ?", [url]).fetchone()
    return dict(zip(_PAGE_FAILURE, row, strict=True)) if row else None


def record_page_failure(db: sqlite_utils.Database, url: str, kind: str, reason: str, backoff_hours: float,
                        server_retry_after: float | None = None) -> str:
    """Count a failure of the page with key URL `url` (`kind` a monitor.fetch.FailureKind) and set its back-off.

    Returns:
        The ISO time before which crawls skip the page.
    """
    with db.atomic():
        row = db.execute("SELECT failures FROM page_failures WHERE url = ?", [url]).fetchone()
        failures = (row[0] if row else 0) + 1
        retry_after = retry_time(failures, backoff_hours, server_retry_after)
        db.execute(
            """INSERT INTO page_failures (url, first_failed_at, last_failed_at, failures, kind, reason, retry_after)
               VALUES (:url, :at, :at, :failures, :kind, :reason, :retry_after)
               ON CONFLICT(url) DO UPDATE SET last_failed_at = :at, failures = :failures, kind = :kind,
                                              reason = :reason, retry_after = :retry_after""",
            {"url": url, "at": clock.now(), "failures": failures, "kind": str(kind), "reason": reason,
             "retry_after": retry_after},
        )
    return retry_after


def clear_page_failure(db: sqlite_utils.Database, url: str) -> None:
    """The page with key URL `url` was fetched and read: forget its failures."""
    with db.atomic():
        db.execute("DELETE FROM page_failures WHERE url = ?", [url])


def failing_pages(db: sqlite_utils.Database, limit: int = 20) -> dict:
    """How many pages are failing, by kind, and the `limit` that failed last with their reasons."""
    by_kind = dict(db.execute("SELECT kind, count(*) FROM page_failures GROUP BY kind ORDER BY kind").fetchall())
    latest = db.execute(f"SELECT {', '.join(_PAGE_FAILURE)} FROM page_failures ORDER BY last_failed_at DESC, url "
                        "LIMIT ?", [limit]).fetchall()
    return {"total": sum(by_kind.values()), "by_kind": by_kind,
            "latest": [dict(zip(_PAGE_FAILURE, row, strict=True)) for row in latest]}


def start_run(db: sqlite_utils.Database) -> int:
    """Open a crawl_runs row and return its id."""
    with db.atomic():
        return db.execute("INSERT INTO crawl_runs (started_at) VALUES (?)", [clock.now()]).lastrowid


def finish_run(db: sqlite_utils.Database, run_id: int, counts: dict[str, int], status: str = "finished") -> None:
    """Close a crawl_runs row with its counts."""
    columns = ("feeds_total", "feeds_failed", "entries_seen", "articles_new", "claims_new", "errors")
    with db.atomic():
        db.execute(
            f"UPDATE crawl_runs SET finished_at = ?, status = ?, {', '.join(f'{c} = ?' for c in columns)} "
            "WHERE id = ?",
            [clock.now(), status, *(counts.get(c, 0) for c in columns), run_id],
        )


def record_fetch(db: sqlite_utils.Database, fetch: FetchRecord) -> None:
    """Append one fetch to the fetch_events log."""
    duration_ms = None if fetch.duration is None else round(fetch.duration * 1000)
    with db.atomic():
        db.execute(
            """INSERT INTO fetch_events (run_id, feed_id, target, url, status, bytes, duration_ms, outcome,
                                         error, at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [fetch.run_id, fetch.feed_id, fetch.target, fetch.url, fetch.status, fetch.size, duration_ms,
             str(fetch.outcome), fetch.error, clock.now(), fetch.attempts],
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
