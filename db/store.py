"""Named queries: every read and write the pipeline, CLI and reviewers make, in one place."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from db.crawling import archive_page, failing_feeds
from db.migrations import migrate
from db.reviews import restore_claim, retract_claim

LOGGER = logging.getLogger(__name__)

# Claim records (Claim.to_record()) name their offsets start/end; the table says start_char/end_char
# because END is an SQL keyword.
_CLAIM_COLUMNS = {"sentence": "sentence", "sentence_start": "sentence_start", "start_char": "start",
                  "end_char": "end", "text": "text", "number": "number", "value": "value", "low": "low",
                  "high": "high", "kind": "kind", "change": "change", "unit": "unit", "subject": "subject",
                  "speaker": "speaker", "score": "score"}


def now() -> str:
    """The current UTC time as ISO 8601, the one format every timestamp column uses."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def text_hash(text: str) -> str:
    """A stable fingerprint of an article's text, for spotting the same story at two URLs."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


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


def upsert_feed(db: sqlite_utils.Database, name: str, url: str, tags: Iterable[str], enabled: bool) -> int:
    """Insert or update a feed by name and return its id."""
    db.execute(
        """INSERT INTO feeds (name, url, tags, enabled) VALUES (?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET url = excluded.url, tags = excluded.tags, enabled = excluded.enabled""",
        [name, url, json.dumps(list(tags)), int(enabled)],
    )
    return db.execute("SELECT id FROM feeds WHERE name = ?", [name]).fetchone()[0]


def find_article(db: sqlite_utils.Database, *urls: str | None) -> int | None:
    """The id of an article stored under any of these URLs (as fetched or canonical), or None."""
    for url in filter(None, urls):
        row = db.execute(
            """SELECT id FROM articles WHERE url = ? OR canonical_url = ?
               UNION ALL SELECT article_id FROM article_urls WHERE url = ? LIMIT 1""", [url, url, url]
        ).fetchone()
        if row:
            return row[0]
    return None


def add_article_url(db: sqlite_utils.Database, article_id: int, url: str) -> None:
    """Remember another URL that led to a stored article (a mirror, or the same story with other parameters)."""
    db.execute("INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)", [url, article_id])


def find_article_by_hash(db: sqlite_utils.Database, digest: str) -> int | None:
    """The id of an article whose text has this hash, or None."""
    row = db.execute("SELECT id FROM articles WHERE text_hash = ? LIMIT 1", [digest]).fetchone()
    return row[0] if row else None


def link_article_to_feed(db: sqlite_utils.Database, article_id: int, feed_id: int | None) -> None:
    """Record that a feed listed an article (a story in two feeds is one article with two links)."""
    if feed_id is not None:
        db.execute(
            "INSERT OR IGNORE INTO article_feeds (article_id, feed_id, first_seen_at) VALUES (?, ?, ?)",
            [article_id, feed_id, now()],
        )


def save_article(db: sqlite_utils.Database, article: dict, claims: list[dict], quotes: list[dict],
                 feed_id: int | None, extractor_version: str, page: dict | None = None) -> int:
    """Store an article with its claims and quotes (and its fetched `page`, archived) in one transaction.

    Returns the article id.
    """
    stamp = now()
    with db.atomic():
        cursor = db.execute(
            """INSERT INTO articles (url, canonical_url, title, author, published, published_source, site_name,
                                     language, paywalled, teaser, fetched_at, text, text_hash, extractor_version)
               VALUES (:url, :canonical_url, :title, :author, :published, :published_source, :site_name,
                       :language, :paywalled, :teaser, :fetched_at, :text, :text_hash, :extractor_version)""",
            {"published_source": None, "paywalled": None, "teaser": False, **article, "fetched_at": stamp,
             "text_hash": text_hash(article["text"]),
             "extractor_version": extractor_version},
        )
        article_id = cursor.lastrowid
        link_article_to_feed(db, article_id, feed_id)
        _insert_claims(db, article_id, claims, extractor_version, stamp)
        _insert_quotes(db, article_id, quotes)
        if page is not None:
            archive_page(db, article_id, page)
    return article_id


def sync_claims(db: sqlite_utils.Database, article_id: int, claims: list[dict], quotes: list[dict],
                extractor_version: str) -> dict[str, int]:
    """Replace an article's extraction, keeping each surviving claim's id, status and reviews.

    A claim is the same claim when it has the same sentence and number (the n-th such pair).
    A claim that no longer comes out is deleted if nobody reviewed it, else retracted by a review
    signed `claimwatch`; a retracted claim that comes out again gets back its earlier verdict.
    """
    stamp = now()
    counts = {"kept": 0, "added": 0, "retracted": 0, "deleted": 0}
    with db.atomic():
        existing = _claims_by_identity(db, article_id)
        for key, claim in _with_identity(claims):
            old = existing.pop(key, None)
            if old is None:
                _insert_claims(db, article_id, [claim], extractor_version, stamp)
                counts["added"] += 1
            else:
                _update_claim(db, old, claim, extractor_version, stamp)
                counts["kept"] += 1
        for old in existing.values():
            if old["status"] != "retracted":
                counts[_retire_claim(db, old, extractor_version)] += 1
        db.execute("DELETE FROM quotes WHERE article_id = ?", [article_id])
        _insert_quotes(db, article_id, quotes)
        db.execute("UPDATE articles SET extractor_version = ? WHERE id = ?", [extractor_version, article_id])
    return counts


def start_run(db: sqlite_utils.Database) -> int:
    """Open a crawl_runs row and return its id."""
    with db.atomic():
        return db.execute("INSERT INTO crawl_runs (started_at) VALUES (?)", [now()]).lastrowid


def finish_run(db: sqlite_utils.Database, run_id: int, counts: dict[str, int], status: str = "finished") -> None:
    """Close a crawl_runs row with its counts."""
    columns = ("feeds_total", "feeds_failed", "entries_seen", "articles_new", "claims_new", "errors")
    with db.atomic():
        db.execute(
            f"UPDATE crawl_runs SET finished_at = ?, status = ?, {', '.join(f'{c} = ?' for c in columns)} "
            "WHERE id = ?",
            [now(), status, *(counts.get(c, 0) for c in columns), run_id],
        )


def record_fetch(db: sqlite_utils.Database, *, run_id: int | None, feed_id: int | None, target: str, url: str,
                 outcome: str, status: int | None = None, size: int | None = None,
                 duration: float | None = None, error: str | None = None, attempts: int | None = None) -> None:
    """Append one fetch to the fetch_events log."""
    with db.atomic():
        db.execute(
            """INSERT INTO fetch_events (run_id, feed_id, target, url, status, bytes, duration_ms, outcome,
                                         error, at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [run_id, feed_id, target, url, status, size,
             None if duration is None else round(duration * 1000), outcome, error, now(), attempts],
        )


def stats(db: sqlite_utils.Database) -> dict:
    """Totals, the last crawl, and the feeds whose latest fetch failed."""
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
    }


def list_claims(db: sqlite_utils.Database, status: str | None = None, speaker: str | None = None,
                limit: int = 50, order: str = "newest", attributed: bool = False) -> list[dict]:
    """Claims with their article's title and URL, newest first or (order="score") highest score first."""
    where, params = ["1 = 1"], []
    if attributed:
        where.append("claims.speaker IS NOT NULL")
    if status:
        where.append("claims.status = ?")
        params.append(status)
    if speaker:
        where.append("claims.speaker LIKE ?")
        params.append(f"%{speaker}%")
    order_by = "claims.score DESC, claims.id" if order == "score" else "claims.id DESC"
    sql = f"""SELECT claims.*, articles.title AS article_title, articles.url AS article_url
              FROM claims JOIN articles ON articles.id = claims.article_id
              WHERE {' AND '.join(where)} ORDER BY {order_by} LIMIT ?"""
    return list(db.query(sql, [*params, limit]))


def reviewed_claims(db: sqlite_utils.Database) -> list[tuple[str, int, int, bool]]:
    """(article text, start, end, is a claim) for every claim whose latest verdict is verified or rejected."""
    rows = db.execute(
        """SELECT articles.text, claims.start_char, claims.end_char, claims.status = 'verified'
           FROM claims JOIN articles ON articles.id = claims.article_id
           WHERE claims.status IN ('verified', 'rejected') ORDER BY claims.id"""
    ).fetchall()
    return [(text, start, end, bool(verified)) for text, start, end, verified in rows]


# The claims facets whose counts the triggers of migration m005 keep in claim_facet_counts.
KEPT_FACETS = ("status", "kind", "change", "unit", "speaker", "site", "feeds")


def claim_facet_counts(db: sqlite_utils.Database, facet: str, limit: int) -> list[tuple[str, int]]:
    """The commonest values of a kept claims facet with how many claims have each, as Datasette orders a facet."""
    return db.execute(
        "SELECT value, claims FROM claim_facet_counts WHERE facet = ? AND claims > 0 "
        "ORDER BY claims DESC, value LIMIT ?", [facet, limit]).fetchall()


def _insert_claims(db: sqlite_utils.Database, article_id: int, claims: list[dict], extractor_version: str,
                   stamp: str) -> None:
    rows = [
        {"article_id": article_id, **_claim_values(claim),
         "extractor_version": extractor_version, "created_at": stamp, "updated_at": stamp}
        for claim in claims
    ]
    if rows:
        db["claims"].insert_all(rows)


def _claim_values(claim: dict) -> dict:
    return {column: claim[key] for column, key in _CLAIM_COLUMNS.items()}


def _insert_quotes(db: sqlite_utils.Database, article_id: int, quotes: list[dict]) -> None:
    rows = [
        {"article_id": article_id, "speaker": q["speaker"], "text": q["text"], "start_char": q["start"],
         "end_char": q["end"], "cue": q.get("cue")}
        for q in quotes
    ]
    if rows:
        db["quotes"].insert_all(rows)


def _with_identity(claims: Iterable[dict]) -> list[tuple[tuple[str, str, int], dict]]:
    seen: dict[tuple[str, str], int] = {}
    keyed = []
    for claim in claims:
        pair = (" ".join(claim["sentence"].split()), claim["number"])
        seen[pair] = seen.get(pair, 0) + 1
        keyed.append(((*pair, seen[pair]), claim))
    return keyed


def _claims_by_identity(db: sqlite_utils.Database, article_id: int) -> dict[tuple[str, str, int], dict]:
    rows = db.execute(
        "SELECT id, sentence, number, status FROM claims WHERE article_id = ? ORDER BY start_char, id",
        [article_id],
    ).fetchall()
    claims = [{"id": i, "sentence": s, "number": n, "status": st} for i, s, n, st in rows]
    return dict(_with_identity(claims))


def _update_claim(db: sqlite_utils.Database, old: dict, claim: dict, extractor_version: str, stamp: str) -> None:
    # The status is left alone: only reviews set it (see the triggers in db/migrations.py).
    db["claims"].update(old["id"], {**_claim_values(claim), "extractor_version": extractor_version,
                                    "updated_at": stamp})
    if old["status"] == "retracted":
        restore_claim(db, old["id"], extractor_version)


def _retire_claim(db: sqlite_utils.Database, old: dict, extractor_version: str) -> str:
    if old["status"] == "pending":
        db.execute("DELETE FROM claims WHERE id = ?", [old["id"]])
        return "deleted"
    retract_claim(db, old["id"], extractor_version)
    return "retracted"
