"""The claim counts the triggers keep (migration m005) against a recount, and the facets Datasette shows from them."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from db.articles import ArticleRecord, link_article_to_feed, save_article, sync_claims
from db.crawling import upsert_feed
from db.database import open_database
from db.reviews import add_review
from extractors.text import Page
from review.accounts import accounts_path, add_reviewer
from tests.conftest import PASSWORD, REVIEW_CLAIMS, Site, extraction_of

OTHER_ARTICLE = ArticleRecord("http://127.0.0.1/other", Page(text="x" * 200, title="Other", site_name="Other Site",
                                                             language="en"), feed_id=2)


def kept(db: sqlite_utils.Database) -> dict[tuple[str, str], int]:
    rows = db.execute("SELECT facet, value, claims FROM claim_facet_counts WHERE claims != 0")
    return {(f, v): n for f, v, n in rows}


def recounted(db: sqlite_utils.Database) -> dict[tuple[str, str], int]:
    rows = db.execute("SELECT facet, value, count(*) FROM claim_facet_values GROUP BY facet, value")
    return {(f, v): n for f, v, n in rows}


def test_the_kept_counts_follow_every_write(claims_db: Path) -> None:
    db = open_database(claims_db)
    assert kept(db) == recounted(db) and kept(db)[("status", "pending")] == 3
    add_review(db, 1, "verified", "alice")
    add_review(db, 2, "needs_correction", "alice", corrected_value=18.0)
    link_article_to_feed(db, 1, upsert_feed(db, "wire", "http://127.0.0.1/wire.xml", [], True))
    link_article_to_feed(db, 1, 2)  # already linked: ignored, and so is its count
    with db.conn:
        db.execute("UPDATE articles SET site_name = 'Local News Online', published = '2024-06-01' WHERE id = 1")
    assert kept(db) == recounted(db) and kept(db)[("feeds", "wire")] == 3
    sync_claims(db, 1, REVIEW_CLAIMS[1:2], [], "test-2")  # claim 1 retracted, claim 3 deleted
    other = save_article(db, OTHER_ARTICLE, extraction_of(REVIEW_CLAIMS), "test-1")
    with db.conn:
        db.execute("DELETE FROM article_feeds WHERE article_id = 1 AND feed_id = 2")
        db.execute("DELETE FROM articles WHERE id = ?", [other])
    assert kept(db) == recounted(db)
    assert kept(db)[("status", "retracted")] == 1 and ("site", "Other Site") not in kept(db)
    assert not db.execute("SELECT 1 FROM claim_facet_counts WHERE claims < 0").fetchall()


def test_datasette_shows_the_same_facets_from_the_kept_counts(claims_db: Path) -> None:
    add_reviewer(accounts_path(claims_db), "alice", PASSWORD)
    add_review(open_database(claims_db), 1, "verified", "alice")
    site = Site(claims_db)
    for table in ("claims", "claim_details"):
        kept_facets = site.get(f"/{site.database}/{table}.json").json()["facet_results"]
        # A filter that keeps every row makes Datasette count the rows itself.
        counted = site.get(f"/{site.database}/{table}.json?_where=1").json()["facet_results"]
        assert kept_facets.keys() == counted.keys() and kept_facets
        for name, facet in kept_facets.items():
            assert facet["type"] == counted[name]["type"], name
            assert ([(v["value"], v["count"]) for v in facet["results"]]
                    == [(v["value"], v["count"]) for v in counted[name]["results"]]), name
    site.loop.close()
