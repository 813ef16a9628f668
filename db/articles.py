"""Store stage: an article once stored, in `articles`, `article_urls`, `article_feeds`, `claims`, `quotes`, `pages`.

Every write to those tables is here; `sync_claims` and `replace_extraction` keep reviewers'
verdicts through re-extraction (the `reviews` table itself is `db/reviews.py`'s).
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlite_utils

from db.clock import now
from db.reviews import restore_claim, retract_claim

if TYPE_CHECKING:  # only annotations: the review server opens the database without loading spaCy
    from extractors.claims import Extraction
    from extractors.text import Page

LOGGER = logging.getLogger(__name__)

# Claim records (Claim.to_record()) name their offsets start/end; the table says start_char/end_char
# because END is an SQL keyword.
_CLAIM_COLUMNS = {"sentence": "sentence", "sentence_start": "sentence_start", "start_char": "start",
                  "end_char": "end", "text": "text", "number": "number", "value": "value", "low": "low",
                  "high": "high", "kind": "kind", "change": "change", "unit": "unit", "subject": "subject",
                  "speaker": "speaker", "score": "score"}
# The articles columns a Page fills (and re-extraction replaces).
_PAGE_COLUMNS = ("canonical_url", "title", "author", "site_name", "language", "paywalled", "teaser", "text",
                 "text_hash")


@dataclass(frozen=True)
class ArchivedPage:
    """The fetched bytes of an article as the `pages` table keeps them (it reads as a fetch: see page_from)."""

    url: str
    final_url: str
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class ArticleRecord:
    """An article as the crawl hands it to the database: its key URL, its page, the date chosen, where it was listed.

    `published_source` says where `published` came from ("page", "feed" or "sitemap"); `archive`
    is the fetch kept for re-extraction (None for text that was never fetched).
    """

    url: str
    page: Page
    published: str | None = None
    published_source: str | None = None
    feed_id: int | None = None
    archive: ArchivedPage | None = None

    def row(self) -> dict:
        """The articles-table fields this record fills (all but the id, fetch time and extractor version)."""
        page = self.page
        return {"url": self.url, "canonical_url": page.canonical_url, "title": page.title, "author": page.author,
                "published": self.published, "published_source": self.published_source,
                "site_name": page.site_name, "language": page.language, "paywalled": page.paywalled,
                "teaser": page.is_teaser, "text": page.text, "text_hash": text_hash(page.text)}


def text_hash(text: str) -> str:
    """A stable fingerprint of an article's text, for spotting the same story at two URLs."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


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


def save_article(db: sqlite_utils.Database, article: ArticleRecord, extraction: Extraction,
                 extractor_version: str) -> int:
    """Store an article with its claims and quotes (and its fetched page, archived) in one transaction.

    Returns the article id.
    """
    stamp = now()
    with db.atomic():
        cursor = db.execute(
            """INSERT INTO articles (url, canonical_url, title, author, published, published_source, site_name,
                                     language, paywalled, teaser, fetched_at, text, text_hash, extractor_version)
               VALUES (:url, :canonical_url, :title, :author, :published, :published_source, :site_name,
                       :language, :paywalled, :teaser, :fetched_at, :text, :text_hash, :extractor_version)""",
            {**article.row(), "fetched_at": stamp, "extractor_version": extractor_version},
        )
        article_id = cursor.lastrowid
        link_article_to_feed(db, article_id, article.feed_id)
        _insert_claims(db, article_id, [claim.to_record() for claim in extraction.claims], extractor_version, stamp)
        _insert_quotes(db, article_id, [quote.to_record() for quote in extraction.quotes])
        if article.archive is not None:
            _archive_page(db, article_id, article.archive)
    return article_id


def link_article(db: sqlite_utils.Database, article_id: int, feed_ids: Iterable[int | None],
                 aliases: Iterable[str] = ()) -> None:
    """In one transaction, link a stored article to more feeds and remember more URLs that led to it."""
    with db.atomic():
        for feed_id in feed_ids:
            link_article_to_feed(db, article_id, feed_id)
        for url in aliases:
            add_article_url(db, article_id, url)


def replace_extraction(db: sqlite_utils.Database, article_id: int, article: ArticleRecord | None,
                       extraction: Extraction, extractor_version: str) -> dict[str, int]:
    """Re-extraction's write, in one transaction: the page's new text and metadata (if `article`), then claims.

    Returns sync_claims's counts.
    """
    with db.atomic():
        if article is not None:
            _update_article_page(db, article_id, article)
        return sync_claims(db, article_id, [c.to_record() for c in extraction.claims],
                           [q.to_record() for q in extraction.quotes], extractor_version)


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


def _archive_page(db: sqlite_utils.Database, article_id: int, page: ArchivedPage) -> None:
    # zlib-compressed, for re-extraction without the network; inside save_article's transaction.
    content = page.content
    db.execute(
        "INSERT OR REPLACE INTO pages (article_id, url, final_url, headers, sha256, size, body, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [article_id, page.url, page.final_url, json.dumps(dict(page.headers)),
         hashlib.sha256(content).hexdigest(), len(content), zlib.compress(content, 6), now()],
    )


def load_page(db: sqlite_utils.Database, article_id: int) -> ArchivedPage | None:
    """The archived page of an article, decompressed, or None when it has none (ingested text)."""
    row = db.execute("SELECT url, final_url, headers, body FROM pages WHERE article_id = ?", [article_id]).fetchone()
    if row is None:
        return None
    url, final_url, headers, body = row
    return ArchivedPage(url, final_url, zlib.decompress(body), json.loads(headers))


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
    """(article text, start, end, is a claim) for every claim whose latest verdict is verified, corrected or rejected.

    A corrected claim is a claim whose fields were wrong: for the classifier it counts as a claim.
    """
    rows = db.execute(
        """SELECT articles.text, claims.start_char, claims.end_char, claims.status != 'rejected'
           FROM claims JOIN articles ON articles.id = claims.article_id
           WHERE claims.status IN ('verified', 'needs_correction', 'rejected') ORDER BY claims.id"""
    ).fetchall()
    return [(text, start, end, bool(verified)) for text, start, end, verified in rows]


# The claims facets whose counts the triggers of migration m005 keep in claim_facet_counts.
KEPT_FACETS = ("status", "kind", "change", "unit", "speaker", "site", "feeds")


def claim_facet_counts(db: sqlite_utils.Database, facet: str, limit: int) -> list[tuple[str, int]]:
    """The commonest values of a kept claims facet with how many claims have each, as Datasette orders a facet."""
    return db.execute(
        "SELECT value, claims FROM claim_facet_counts WHERE facet = ? AND claims > 0 "
        "ORDER BY claims DESC, value LIMIT ?", [facet, limit]).fetchall()


def _update_article_page(db: sqlite_utils.Database, article_id: int, article: ArticleRecord) -> None:
    # A page that gives no date keeps the date stored before (its feed's or sitemap's, which the archive lacks).
    fields, columns = article.row(), _PAGE_COLUMNS
    db.execute(
        f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)}, published = COALESCE(?, published), "
        "published_source = CASE WHEN ? IS NULL THEN published_source ELSE ? END WHERE id = ?",
        [*(fields.get(c) for c in columns), fields.get("published"), fields.get("published"),
         fields.get("published_source"), article_id],
    )


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
