"""Reviews, the table `reviews`: an append-only log of verdicts; triggers make the latest one its claim's status."""

from __future__ import annotations

import logging

import sqlite_utils

LOGGER = logging.getLogger(__name__)

VERDICTS = ("verified", "rejected", "needs_correction")
# Retractions and restorations that re-extraction makes are signed with this name, not a person's.
SYSTEM_REVIEWER = "claimwatch"


class NoSuchClaim(LookupError):
    """No claim has this id."""


class ReviewRefused(ValueError):
    """A review that cannot be recorded as given (unknown verdict, no reviewer name)."""


def add_review(db: sqlite_utils.Database, claim_id: int, verdict: str, reviewer: str, note: str | None = None,
               corrected_value: float | None = None) -> dict:
    """Append a reviewer's verdict on a claim; the claim's status follows it.

    Args:
        verdict: one of VERDICTS.
        reviewer: who gives the verdict, as it will stand in the audit trail.
        note, corrected_value: optional; a corrected value fits a `needs_correction` verdict.

    Returns:
        The stored review row.
    """
    if verdict not in VERDICTS:
        raise ReviewRefused(f"unknown verdict {verdict!r}: use one of {', '.join(VERDICTS)}")
    if not reviewer or not reviewer.strip():
        raise ReviewRefused("a review needs a reviewer name")
    if not db.execute("SELECT 1 FROM claims WHERE id = ?", [claim_id]).fetchone():
        raise NoSuchClaim(f"no claim #{claim_id} (see `claimwatch review list`)")
    with db.atomic():
        review_id = _insert_review(db, claim_id, verdict, reviewer.strip(), note or None, corrected_value)
    LOGGER.info("claim #%s %s by %s", claim_id, verdict, reviewer)
    return db["reviews"].get(review_id)


def claim_for_review(db: sqlite_utils.Database, claim_id: int) -> dict | None:
    """A claim with its article's title and URL, or None."""
    rows = db.query(
        """SELECT claims.*, articles.title AS article_title, articles.url AS article_url
           FROM claims JOIN articles ON articles.id = claims.article_id WHERE claims.id = ?""",
        [claim_id],
    )
    return next(iter(rows), None)


def claim_reviews(db: sqlite_utils.Database, claim_id: int) -> list[dict]:
    """Every review of a claim, oldest first."""
    return list(db.query("SELECT * FROM reviews WHERE claim_id = ? ORDER BY id", [claim_id]))


def retract_claim(db: sqlite_utils.Database, claim_id: int, extractor_version: str) -> None:
    """Mark a reviewed claim that re-extraction no longer finds as retracted (inside the caller's transaction)."""
    _insert_review(db, claim_id, "retracted", SYSTEM_REVIEWER,
                   f"no longer extracted by extractor {extractor_version}", None)


def restore_claim(db: sqlite_utils.Database, claim_id: int, extractor_version: str) -> None:
    """Give a retracted claim found again the verdict it had before (inside the caller's transaction)."""
    earlier = db.execute(
        "SELECT verdict, corrected_value, reviewer, reviewed_at FROM reviews "
        "WHERE claim_id = ? AND verdict != 'retracted' ORDER BY id DESC LIMIT 1",
        [claim_id],
    ).fetchone()
    verdict, corrected_value, reviewer, reviewed_at = earlier
    _insert_review(db, claim_id, verdict, SYSTEM_REVIEWER,
                   f"extracted again by extractor {extractor_version}; "
                   f"restores the verdict {reviewer} gave at {reviewed_at}", corrected_value)


def _insert_review(db: sqlite_utils.Database, claim_id: int, verdict: str, reviewer: str, note: str | None,
                   corrected_value: float | None) -> int:
    return db.execute(
        "INSERT INTO reviews (claim_id, verdict, note, corrected_value, reviewer) VALUES (?, ?, ?, ?, ?)",
        [claim_id, verdict, note, corrected_value, reviewer],
    ).lastrowid
