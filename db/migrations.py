"""Schema migrations: named, ordered steps that create and upgrade every table, index and trigger (db/README.md)."""

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
        with db.atomic():
            function(db)
            db.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", [name])
        LOGGER.info("applied migration %s", name)
        applied.append(name)
    return applied


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    """Feeds, articles, claims, quotes, crawl runs and fetch events."""
    db.executescript(_INITIAL_SCHEMA)
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


@migration
def m002_reviews(db: sqlite_utils.Database) -> None:
    """The append-only reviews log, the triggers that make it drive claims.status, and the review indexes."""
    db.executescript(_REVIEWS_SCHEMA)


# A claim's status is the verdict of its latest review (pending when it has none). The triggers make
# that hold whoever writes: the CLI, Datasette's canned queries or anyone with the file.
_REVIEWS_SCHEMA = """
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    claim_id INTEGER NOT NULL REFERENCES claims(id),
    verdict TEXT NOT NULL CHECK (verdict IN ('verified', 'rejected', 'needs_correction', 'retracted')),
    note TEXT,
    corrected_value REAL CHECK (corrected_value IS NULL OR typeof(corrected_value) IN ('real', 'integer')),
    reviewer TEXT NOT NULL CHECK (length(trim(reviewer)) > 0),
    reviewed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))
);
CREATE INDEX reviews_claim ON reviews(claim_id, id);
CREATE INDEX reviews_reviewer ON reviews(reviewer);
CREATE INDEX claims_change ON claims(change);
CREATE INDEX claims_subject ON claims(subject);
CREATE INDEX articles_site_name ON articles(site_name);

CREATE TRIGGER reviews_need_claim BEFORE INSERT ON reviews
WHEN NOT EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id)
BEGIN SELECT RAISE(ABORT, 'no such claim'); END;

CREATE TRIGGER reviews_set_status AFTER INSERT ON reviews
BEGIN UPDATE claims SET status = NEW.verdict, updated_at = NEW.reviewed_at WHERE id = NEW.claim_id; END;

CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are never changed: add a new review instead'); END;

CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are never deleted'); END;

CREATE TRIGGER claims_start_pending BEFORE INSERT ON claims
WHEN NEW.status != 'pending'
BEGIN SELECT RAISE(ABORT, 'a new claim is pending: its status comes from reviews'); END;

CREATE TRIGGER claims_status_from_reviews BEFORE UPDATE OF status ON claims
WHEN NEW.status IS NOT COALESCE(
    (SELECT verdict FROM reviews WHERE claim_id = NEW.id ORDER BY id DESC LIMIT 1), 'pending')
BEGIN SELECT RAISE(ABORT, 'a claim''s status is its latest review: add a review instead'); END;

CREATE TRIGGER claims_keep_reviewed BEFORE DELETE ON claims
WHEN EXISTS (SELECT 1 FROM reviews WHERE claim_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'a reviewed claim is never deleted: it is retracted'); END;

CREATE VIEW claim_details AS
SELECT claims.id, claims.status, claims.text, claims.value, claims.kind, claims.change, claims.subject,
       claims.speaker, claims.score, claims.sentence,
       articles.title AS article_title, articles.url AS article_url, articles.site_name AS site,
       (SELECT json_group_array(feeds.name) FROM article_feeds JOIN feeds ON feeds.id = article_feeds.feed_id
        WHERE article_feeds.article_id = claims.article_id) AS feeds,
       articles.published, claims.article_id,
       latest.reviewer AS reviewed_by, latest.reviewed_at, latest.note AS review_note,
       latest.corrected_value, claims.created_at
FROM claims
JOIN articles ON articles.id = claims.article_id
LEFT JOIN reviews AS latest ON latest.id = (SELECT max(id) FROM reviews WHERE claim_id = claims.id);
"""


@migration
def m003_crawl_state(db: sqlite_utils.Database) -> None:
    """Per-feed HTTP validators and failure backoff, attempts per fetch, and the archive of fetched pages."""
    db.executescript(_CRAWL_STATE_SCHEMA)


# Validators (etag, last_modified, content_hash) are saved only once a feed's entries are all handled,
# so a crawl killed half-way refetches the feed next time instead of trusting a 304.
_CRAWL_STATE_SCHEMA = """
ALTER TABLE feeds ADD COLUMN etag TEXT;
ALTER TABLE feeds ADD COLUMN last_modified TEXT;
ALTER TABLE feeds ADD COLUMN content_hash TEXT;
ALTER TABLE feeds ADD COLUMN moved_to TEXT;
ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN retry_after TEXT;
ALTER TABLE fetch_events ADD COLUMN attempts INTEGER;
CREATE INDEX fetch_events_outcome ON fetch_events(outcome, at);
CREATE TABLE pages (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    final_url TEXT NOT NULL,
    headers TEXT NOT NULL DEFAULT '{}',
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    body BLOB NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE INDEX pages_sha256 ON pages(sha256);
"""


@migration
def m004_stemmed_search(db: sqlite_utils.Database) -> None:
    """Porter-stemmed full-text search on claims and articles, so "arrests" also finds "arrested"."""
    db["claims"].enable_fts(["sentence", "subject", "speaker"], create_triggers=True, replace=True, tokenize="porter")
    db["articles"].enable_fts(["title", "text"], create_triggers=True, replace=True, tokenize="porter")


@migration
def m005_counts_at_scale(db: sqlite_utils.Database) -> None:
    """Claim counts kept by triggers for the facets and weekly totals researchers see first; a lighter claim_details.

    At a million claims any count over all of them takes Datasette 150-300 ms per facet; these make it a lookup.
    """
    db.executescript(_COUNTS_SCHEMA)


# claim_details reads its article and latest review in subqueries, not joins: the same rows (every claim has its
# article), but Datasette's count(*) becomes a plain count of claims, and a page only looks up the rows it shows.
# claim_facet_values lists what each claim adds to every kept count (a claim in two feeds counts once in each).
# The triggers take a claim's values away before it changes or goes and add them back after, so the counts
# stay equal to `SELECT facet, value, count(*) FROM claim_facet_values GROUP BY facet, value`. Deleting an
# article first deletes its claims itself, while their article and feeds are still there to be counted.
_COUNTS_SCHEMA = """
CREATE TABLE claim_facet_counts (
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    claims INTEGER NOT NULL,
    PRIMARY KEY (facet, value)
) WITHOUT ROWID;

CREATE VIEW claim_facet_values AS
SELECT id AS claim_id, article_id, NULL AS feed_id, 'status' AS facet, status AS value FROM claims
UNION ALL SELECT id, article_id, NULL, 'kind', kind FROM claims
UNION ALL SELECT id, article_id, NULL, 'change', change FROM claims
UNION ALL SELECT id, article_id, NULL, 'speaker', speaker FROM claims WHERE speaker IS NOT NULL
UNION ALL SELECT claims.id, claims.article_id, NULL, 'site', articles.site_name
    FROM claims JOIN articles ON articles.id = claims.article_id WHERE articles.site_name IS NOT NULL
UNION ALL SELECT claims.id, claims.article_id, feeds.id, 'feeds', feeds.name
    FROM claims JOIN article_feeds ON article_feeds.article_id = claims.article_id
    JOIN feeds ON feeds.id = article_feeds.feed_id
UNION ALL SELECT claims.id, claims.article_id, feeds.id, 'feed_week_status',
        json_array(feeds.name, COALESCE(strftime('%Y-W%W', articles.published),
                                        strftime('%Y-W%W', articles.fetched_at)), claims.status)
    FROM claims JOIN articles ON articles.id = claims.article_id
    JOIN article_feeds ON article_feeds.article_id = claims.article_id JOIN feeds ON feeds.id = article_feeds.feed_id;

INSERT INTO claim_facet_counts (facet, value, claims)
SELECT facet, value, count(*) FROM claim_facet_values GROUP BY facet, value;

CREATE TRIGGER claim_counts_insert AFTER INSERT ON claims BEGIN
    INSERT INTO claim_facet_counts (facet, value, claims)
    SELECT facet, value, 1 FROM claim_facet_values WHERE claim_id = NEW.id
    ON CONFLICT (facet, value) DO UPDATE SET claims = claims + 1;
END;
CREATE TRIGGER claim_counts_delete BEFORE DELETE ON claims BEGIN
    UPDATE claim_facet_counts SET claims = claims - 1
    WHERE (facet, value) IN (SELECT facet, value FROM claim_facet_values WHERE claim_id = OLD.id);
END;
CREATE TRIGGER claim_counts_before_update BEFORE UPDATE OF status, kind, change, speaker, article_id ON claims BEGIN
    UPDATE claim_facet_counts SET claims = claims - 1
    WHERE (facet, value) IN (SELECT facet, value FROM claim_facet_values WHERE claim_id = OLD.id);
END;
CREATE TRIGGER claim_counts_after_update AFTER UPDATE OF status, kind, change, speaker, article_id ON claims BEGIN
    INSERT INTO claim_facet_counts (facet, value, claims)
    SELECT facet, value, 1 FROM claim_facet_values WHERE claim_id = NEW.id
    ON CONFLICT (facet, value) DO UPDATE SET claims = claims + 1;
END;
CREATE TRIGGER claim_counts_article_before_update BEFORE UPDATE OF site_name, published, fetched_at ON articles BEGIN
    UPDATE claim_facet_counts SET claims = claims - (
        SELECT count(*) FROM claim_facet_values AS v
        WHERE v.article_id = OLD.id AND v.facet = claim_facet_counts.facet AND v.value = claim_facet_counts.value)
    WHERE (facet, value) IN (SELECT facet, value FROM claim_facet_values WHERE article_id = OLD.id);
END;
CREATE TRIGGER claim_counts_article_after_update AFTER UPDATE OF site_name, published, fetched_at ON articles BEGIN
    INSERT INTO claim_facet_counts (facet, value, claims)
    SELECT facet, value, count(*) FROM claim_facet_values WHERE article_id = NEW.id GROUP BY facet, value
    ON CONFLICT (facet, value) DO UPDATE SET claims = claims + excluded.claims;
END;
CREATE TRIGGER claim_counts_article_delete BEFORE DELETE ON articles BEGIN
    DELETE FROM claims WHERE article_id = OLD.id;
END;
CREATE TRIGGER claim_counts_link_insert AFTER INSERT ON article_feeds BEGIN
    INSERT INTO claim_facet_counts (facet, value, claims)
    SELECT facet, value, count(*) FROM claim_facet_values
    WHERE article_id = NEW.article_id AND feed_id = NEW.feed_id GROUP BY facet, value
    ON CONFLICT (facet, value) DO UPDATE SET claims = claims + excluded.claims;
END;
CREATE TRIGGER claim_counts_link_delete BEFORE DELETE ON article_feeds BEGIN
    UPDATE claim_facet_counts SET claims = claims - (
        SELECT count(*) FROM claim_facet_values AS v WHERE v.article_id = OLD.article_id AND v.feed_id = OLD.feed_id
        AND v.facet = claim_facet_counts.facet AND v.value = claim_facet_counts.value)
    WHERE (facet, value) IN (SELECT facet, value FROM claim_facet_values
                             WHERE article_id = OLD.article_id AND feed_id = OLD.feed_id);
END;
CREATE TRIGGER claim_counts_feed_rename AFTER UPDATE OF name ON feeds BEGIN
    DELETE FROM claim_facet_counts WHERE facet IN ('feeds', 'feed_week_status');
    INSERT INTO claim_facet_counts (facet, value, claims)
    SELECT facet, value, count(*) FROM claim_facet_values WHERE facet IN ('feeds', 'feed_week_status')
    GROUP BY facet, value;
END;

DROP VIEW claim_details;
CREATE VIEW claim_details AS
SELECT claims.id, claims.status, claims.text, claims.value, claims.kind, claims.change, claims.subject,
       claims.speaker, claims.score, claims.sentence,
       (SELECT title FROM articles WHERE id = claims.article_id) AS article_title,
       (SELECT url FROM articles WHERE id = claims.article_id) AS article_url,
       (SELECT site_name FROM articles WHERE id = claims.article_id) AS site,
       (SELECT json_group_array(feeds.name) FROM article_feeds JOIN feeds ON feeds.id = article_feeds.feed_id
        WHERE article_feeds.article_id = claims.article_id) AS feeds,
       (SELECT published FROM articles WHERE id = claims.article_id) AS published, claims.article_id,
       (SELECT reviewer FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS reviewed_by,
       (SELECT reviewed_at FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS reviewed_at,
       (SELECT note FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS review_note,
       (SELECT corrected_value FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS corrected_value,
       claims.created_at
FROM claims;
"""


@migration
def m006_article_aliases(db: sqlite_utils.Database) -> None:
    """Other URLs a stored story was reached by, so a later crawl does not fetch it again."""
    db.executescript(
        """CREATE TABLE article_urls (
               url TEXT PRIMARY KEY,
               article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
           );
           CREATE INDEX article_urls_article ON article_urls(article_id);"""
    )


@migration
def m007_article_sources(db: sqlite_utils.Database) -> None:
    """Where an article's date came from, whether it is paywalled, and whether only its teaser was read."""
    db.executescript(
        """ALTER TABLE articles ADD COLUMN published_source TEXT
               CHECK (published_source IS NULL OR published_source IN ('page', 'feed', 'sitemap'));
           ALTER TABLE articles ADD COLUMN paywalled INTEGER CHECK (paywalled IS NULL OR paywalled IN (0, 1));
           ALTER TABLE articles ADD COLUMN teaser INTEGER NOT NULL DEFAULT 0 CHECK (teaser IN (0, 1));
           UPDATE articles SET published_source = 'page' WHERE published IS NOT NULL;
           CREATE INDEX articles_paywalled ON articles(paywalled);"""
    )


@migration
def m008_claim_units(db: sqlite_utils.Database) -> None:
    """A unit on every claim (ISO 4217 code, percent or a measure's unit), kept counted as a facet.

    Claims stored before this have no unit until `claimwatch reprocess` extracts them again.
    """
    db.executescript(_UNITS_SCHEMA)


# The facet view and the update triggers are rebuilt with the unit in them; counts for the new facet start
# from what is stored (nothing, on an existing database, until it is reprocessed).
_UNITS_SCHEMA = """
ALTER TABLE claims ADD COLUMN unit TEXT;
CREATE INDEX claims_unit ON claims(unit);

DROP VIEW claim_facet_values;
CREATE VIEW claim_facet_values AS
SELECT id AS claim_id, article_id, NULL AS feed_id, 'status' AS facet, status AS value FROM claims
UNION ALL SELECT id, article_id, NULL, 'kind', kind FROM claims
UNION ALL SELECT id, article_id, NULL, 'change', change FROM claims
UNION ALL SELECT id, article_id, NULL, 'unit', unit FROM claims WHERE unit IS NOT NULL
UNION ALL SELECT id, article_id, NULL, 'speaker', speaker FROM claims WHERE speaker IS NOT NULL
UNION ALL SELECT claims.id, claims.article_id, NULL, 'site', articles.site_name
    FROM claims JOIN articles ON articles.id = claims.article_id WHERE articles.site_name IS NOT NULL
UNION ALL SELECT claims.id, claims.article_id, feeds.id, 'feeds', feeds.name
    FROM claims JOIN article_feeds ON article_feeds.article_id = claims.article_id
    JOIN feeds ON feeds.id = article_feeds.feed_id
UNION ALL SELECT claims.id, claims.article_id, feeds.id, 'feed_week_status',
        json_array(feeds.name, COALESCE(strftime('%Y-W%W', articles.published),
                                        strftime('%Y-W%W', articles.fetched_at)), claims.status)
    FROM claims JOIN articles ON articles.id = claims.article_id
    JOIN article_feeds ON article_feeds.article_id = claims.article_id JOIN feeds ON feeds.id = article_feeds.feed_id;

INSERT INTO claim_facet_counts (facet, value, claims)
SELECT facet, value, count(*) FROM claim_facet_values WHERE facet = 'unit' GROUP BY facet, value;

DROP TRIGGER claim_counts_before_update;
DROP TRIGGER claim_counts_after_update;
CREATE TRIGGER claim_counts_before_update BEFORE UPDATE OF status, kind, change, unit, speaker, article_id ON claims
BEGIN
    UPDATE claim_facet_counts SET claims = claims - 1
    WHERE (facet, value) IN (SELECT facet, value FROM claim_facet_values WHERE claim_id = OLD.id);
END;
CREATE TRIGGER claim_counts_after_update AFTER UPDATE OF status, kind, change, unit, speaker, article_id ON claims
BEGIN
    INSERT INTO claim_facet_counts (facet, value, claims)
    SELECT facet, value, 1 FROM claim_facet_values WHERE claim_id = NEW.id
    ON CONFLICT (facet, value) DO UPDATE SET claims = claims + 1;
END;

DROP VIEW claim_details;
CREATE VIEW claim_details AS
SELECT claims.id, claims.status, claims.text, claims.value, claims.unit, claims.kind, claims.change, claims.subject,
       claims.speaker, claims.score, claims.sentence,
       (SELECT title FROM articles WHERE id = claims.article_id) AS article_title,
       (SELECT url FROM articles WHERE id = claims.article_id) AS article_url,
       (SELECT site_name FROM articles WHERE id = claims.article_id) AS site,
       (SELECT json_group_array(feeds.name) FROM article_feeds JOIN feeds ON feeds.id = article_feeds.feed_id
        WHERE article_feeds.article_id = claims.article_id) AS feeds,
       (SELECT published FROM articles WHERE id = claims.article_id) AS published, claims.article_id,
       (SELECT reviewer FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS reviewed_by,
       (SELECT reviewed_at FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS reviewed_at,
       (SELECT note FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS review_note,
       (SELECT corrected_value FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS corrected_value,
       claims.created_at
FROM claims;
"""


@migration
def m009_review_desk(db: sqlite_utils.Database) -> None:
    """Corrections field by field and undo on the reviews log; the claims views show corrected values.

    SQLite cannot change a CHECK constraint in place, so reviews is rebuilt (same ids and rows) after the
    view and the claims triggers that read it are dropped; they are made again on the new table.
    """
    db.executescript(_REVIEW_DESK_SCHEMA)


# A review with `undoes` takes back an earlier one: it gives the claim the verdict (and corrections) it had
# before, or `pending` when it had none, which only an undo may give. The corrected_* columns hold a
# reviewer's fixes beside the extractor's values in claims, which stay as they were extracted.
_REVIEW_DESK_SCHEMA = """
DROP VIEW claim_details;
DROP TRIGGER claims_status_from_reviews;
DROP TRIGGER claims_keep_reviewed;

CREATE TABLE reviews_new (
    id INTEGER PRIMARY KEY,
    claim_id INTEGER NOT NULL REFERENCES claims(id),
    verdict TEXT NOT NULL
        CHECK (verdict IN ('verified', 'rejected', 'needs_correction', 'retracted', 'pending')),
    note TEXT,
    corrected_value REAL CHECK (corrected_value IS NULL OR typeof(corrected_value) IN ('real', 'integer')),
    reviewer TEXT NOT NULL CHECK (length(trim(reviewer)) > 0),
    reviewed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    corrected_unit TEXT,
    corrected_change TEXT CHECK (corrected_change IS NULL OR corrected_change IN ('=', '~', '>', '<', 'up', 'down')),
    corrected_subject TEXT,
    corrected_speaker TEXT,
    undoes INTEGER REFERENCES reviews(id),
    CHECK (verdict != 'pending' OR undoes IS NOT NULL)
);
INSERT INTO reviews_new (id, claim_id, verdict, note, corrected_value, reviewer, reviewed_at)
SELECT id, claim_id, verdict, note, corrected_value, reviewer, reviewed_at FROM reviews;
DROP TABLE reviews;
ALTER TABLE reviews_new RENAME TO reviews;
CREATE INDEX reviews_claim ON reviews(claim_id, id);
CREATE INDEX reviews_reviewer ON reviews(reviewer, id);
CREATE INDEX reviews_undoes ON reviews(undoes) WHERE undoes IS NOT NULL;

CREATE TRIGGER reviews_need_claim BEFORE INSERT ON reviews
WHEN NOT EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id)
BEGIN SELECT RAISE(ABORT, 'no such claim'); END;

CREATE TRIGGER reviews_set_status AFTER INSERT ON reviews
BEGIN UPDATE claims SET status = NEW.verdict, updated_at = NEW.reviewed_at WHERE id = NEW.claim_id; END;

CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are never changed: add a new review instead'); END;

CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are never deleted'); END;

CREATE TRIGGER claims_status_from_reviews BEFORE UPDATE OF status ON claims
WHEN NEW.status IS NOT COALESCE(
    (SELECT verdict FROM reviews WHERE claim_id = NEW.id ORDER BY id DESC LIMIT 1), 'pending')
BEGIN SELECT RAISE(ABORT, 'a claim''s status is its latest review: add a review instead'); END;

CREATE TRIGGER claims_keep_reviewed BEFORE DELETE ON claims
WHEN EXISTS (SELECT 1 FROM reviews WHERE claim_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'a reviewed claim is never deleted: it is retracted'); END;

CREATE VIEW claim_details AS
SELECT claims.id, claims.status, claims.text, claims.value, claims.unit, claims.kind, claims.change, claims.subject,
       claims.speaker, claims.score, claims.sentence,
       (SELECT title FROM articles WHERE id = claims.article_id) AS article_title,
       (SELECT url FROM articles WHERE id = claims.article_id) AS article_url,
       (SELECT site_name FROM articles WHERE id = claims.article_id) AS site,
       (SELECT json_group_array(feeds.name) FROM article_feeds JOIN feeds ON feeds.id = article_feeds.feed_id
        WHERE article_feeds.article_id = claims.article_id) AS feeds,
       (SELECT published FROM articles WHERE id = claims.article_id) AS published, claims.article_id,
       (SELECT reviewer FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS reviewed_by,
       (SELECT reviewed_at FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS reviewed_at,
       (SELECT note FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS review_note,
       (SELECT CASE WHEN COALESCE(corrected_value, corrected_unit, corrected_change, corrected_subject,
                                  corrected_speaker) IS NOT NULL
               THEN json_object('value', corrected_value, 'unit', corrected_unit, 'change', corrected_change,
                                'subject', corrected_subject, 'speaker', corrected_speaker) END
        FROM reviews WHERE claim_id = claims.id ORDER BY id DESC LIMIT 1) AS corrections,
       claims.created_at
FROM claims;
"""


@migration
def m010_page_failures(db: sqlite_utils.Database) -> None:
    """Article pages whose last fetch or extraction failed, with the reason and when they may be tried again."""
    db.executescript(
        """CREATE TABLE page_failures (
               url TEXT PRIMARY KEY,
               first_failed_at TEXT NOT NULL,
               last_failed_at TEXT NOT NULL,
               failures INTEGER NOT NULL CHECK (failures >= 1),
               kind TEXT NOT NULL CHECK (kind IN ('temporary', 'permanent', 'content')),
               reason TEXT NOT NULL,
               retry_after TEXT NOT NULL
           );
           CREATE INDEX page_failures_last ON page_failures(last_failed_at);"""
    )
