"""Schema migrations: named, ordered steps that create and upgrade the claimwatch database."""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlite_utils

LOGGER = logging.getLogger(__name__)

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(function: Migration) -> Migration:
    """Register a migration; they run once each, in the order they are defined."""
    MIGRATIONS.append((function.__name__, function))
    return function


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction; return their names."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    applied = []
    for name, function in MIGRATIONS:
        if name in done:
            continue
        with db.conn:
            function(db)
            db.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", [name])
        LOGGER.info("applied migration %s", name)
        applied.append(name)
    return applied


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    """Feeds, articles, claims, quotes, crawl runs and fetch events."""
    db.conn.executescript(_INITIAL_SCHEMA)
    db["articles"].enable_fts(["title", "text"], create_triggers=True, replace=True)
    db["claims"].enable_fts(["sentence", "subject", "speaker"], create_triggers=True, replace=True)
    db["quotes"].enable_fts(["speaker", "text"], create_triggers=True, replace=True)


_INITIAL_SCHEMA = """
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    enabled INTEGER NOT NULL DEFAULT 1,
    title TEXT,
    last_fetched_at TEXT,
    last_status TEXT,
    last_error TEXT
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    canonical_url TEXT,
    title TEXT,
    author TEXT,
    published TEXT,
    site_name TEXT,
    language TEXT,
    fetched_at TEXT NOT NULL,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    extractor_version TEXT NOT NULL
);
CREATE INDEX articles_canonical_url ON articles(canonical_url);
CREATE INDEX articles_text_hash ON articles(text_hash);
CREATE INDEX articles_published ON articles(published);
CREATE TABLE article_feeds (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (article_id, feed_id)
);
CREATE INDEX article_feeds_feed ON article_feeds(feed_id);
CREATE TABLE claims (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    sentence TEXT NOT NULL,
    sentence_start INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    text TEXT NOT NULL,
    number TEXT NOT NULL,
    value REAL,
    low REAL,
    high REAL,
    kind TEXT NOT NULL,
    change TEXT NOT NULL,
    subject TEXT,
    speaker TEXT,
    score REAL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'verified', 'rejected', 'needs_correction', 'retracted')),
    extractor_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX claims_article ON claims(article_id);
CREATE INDEX claims_status_score ON claims(status, score DESC);
CREATE INDEX claims_speaker ON claims(speaker);
CREATE INDEX claims_kind ON claims(kind);
CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    speaker TEXT NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    cue TEXT
);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_speaker ON quotes(speaker);
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    feeds_total INTEGER NOT NULL DEFAULT 0,
    feeds_failed INTEGER NOT NULL DEFAULT 0,
    entries_seen INTEGER NOT NULL DEFAULT 0,
    articles_new INTEGER NOT NULL DEFAULT 0,
    claims_new INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE fetch_events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES crawl_runs(id) ON DELETE SET NULL,
    feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
    target TEXT NOT NULL CHECK (target IN ('feed', 'article')),
    url TEXT NOT NULL,
    status INTEGER,
    bytes INTEGER,
    duration_ms INTEGER,
    outcome TEXT NOT NULL,
    error TEXT,
    at TEXT NOT NULL
);
CREATE INDEX fetch_events_feed ON fetch_events(feed_id, at);
CREATE INDEX fetch_events_url ON fetch_events(url);
"""
