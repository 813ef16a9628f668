"""Reviews, the table `reviews`: an append-only log of verdicts; triggers make the latest one its claim's status."""

from __future__ import annotations

import logging

import sqlite_utils

LOGGER = logging.getLogger(__name__)

VERDICTS = ("verified", "rejected", "needs_correction")
# The fields of a claim a reviewer may correct, each stored in reviews as corrected_FIELD.
CORRECTABLE = ("value", "unit", "change", "subject", "speaker")
CHANGES = ("=", "~", ">", "<", "up", "down")
# Retractions and restorations that re-extraction makes are signed with this name, not a person's.
SYSTEM_REVIEWER = "claimwatch"


class NoSuchClaim(LookupError):
    """No claim has this id."""


class ReviewRefused(ValueError):
    """A review that cannot be recorded as given (unknown verdict, no reviewer name)."""


def add_review(db: sqlite_utils.Database, claim_id: int, verdict: str, reviewer: str, note: str | None = None,
               corrected_value: float | str | None = None, corrections: dict | None = None) -> dict:
    """Append a reviewer's verdict on a claim; the claim's status follows it.

    Args:
        verdict: one of VERDICTS.
        reviewer: who gives the verdict, as it will stand in the audit trail.
        note: optional.
        corrected_value, corrections: optional fixes for a `needs_correction` verdict; corrections maps
            fields of CORRECTABLE to their right values (corrected_value is corrections["value"]).

    Returns:
        The stored review row.
    """
    if verdict not in VERDICTS:
        raise ReviewRefused(f"unknown verdict {verdict!r}: use one of {', '.join(VERDICTS)}")
    if not reviewer or not reviewer.strip():
        raise ReviewRefused("a review needs a reviewer name")
    fixes = clean_corrections({**(corrections or {}), **({"value": corrected_value} if corrected_value is not None
                                                         else {})})
    if fixes and verdict != "needs_correction":
        raise ReviewRefused(f"a {verdict} verdict takes no corrections: use needs_correction")
    require_claim(db, claim_id)
    with db.atomic():
        review_id = _insert_review(db, claim_id, verdict, reviewer.strip(), (note or "").strip() or None, fixes)
    LOGGER.info("claim #%s %s by %s", claim_id, verdict, reviewer)
    return db["reviews"].get(review_id)


def clean_corrections(fields: dict) -> dict:
    """Corrected fields as stored: blanks dropped, the value a number, the change one of CHANGES."""
    unknown = set(fields) - set(CORRECTABLE)
    if unknown:
        raise ReviewRefused(f"cannot correct {', '.join(sorted(unknown))}: only {', '.join(CORRECTABLE)}")
    fixes = {}
    for field, raw in fields.items():
        value = raw.strip() if isinstance(raw, str) else raw
        if value is None or value == "":
            continue
        if field == "value":
            value = _number(value)
        elif field == "change" and value not in CHANGES:
            raise ReviewRefused(f"the corrected change {value!r} is not one of {' '.join(CHANGES)}")
        fixes[field] = value
    return fixes


def undo_last(db: sqlite_utils.Database, reviewer: str) -> dict:
    """Take back this reviewer's latest verdict still standing: the claim gets the verdict it had before.

    Refused when somebody has reviewed that claim since; the undo is itself a review (`undoes` names the
    review it takes back), so the log keeps both.
    """
    last = db.execute(
        """SELECT id, claim_id FROM reviews AS r
           WHERE reviewer = ? AND undoes IS NULL AND verdict IN ('verified', 'rejected', 'needs_correction')
             AND NOT EXISTS (SELECT 1 FROM reviews WHERE undoes = r.id)
           ORDER BY id DESC LIMIT 1""", [reviewer]).fetchone()
    if last is None:
        raise ReviewRefused(f"{reviewer} has no verdict to undo")
    review_id, claim_id = last
    latest = db.execute("SELECT max(id) FROM reviews WHERE claim_id = ?", [claim_id]).fetchone()[0]
    if latest != review_id:
        raise ReviewRefused(f"claim #{claim_id} has been reviewed again since review #{review_id}; not undone")
    before = db.execute(
        f"""SELECT verdict, {', '.join('corrected_' + f for f in CORRECTABLE)} FROM reviews
            WHERE claim_id = ? AND id < ? ORDER BY id DESC LIMIT 1""", [claim_id, review_id]).fetchone()
    verdict = before[0] if before else "pending"
    fixes = {f: v for f, v in zip(CORRECTABLE, before[1:], strict=True) if v is not None} if before else {}
    with db.atomic():
        undo_id = _insert_review(db, claim_id, verdict, reviewer, f"undoes review #{review_id}", fixes, review_id)
    LOGGER.info("claim #%s: %s undid review #%s", claim_id, reviewer, review_id)
    return db["reviews"].get(undo_id)


def require_claim(db: sqlite_utils.Database, claim_id: int) -> None:
    """Raise NoSuchClaim unless a claim has this id."""
    if not db.execute("SELECT 1 FROM claims WHERE id = ?", [claim_id]).fetchone():
        raise NoSuchClaim(f"no claim #{claim_id} (see `claimwatch review list`)")


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
                   f"no longer extracted by extractor {extractor_version}", {})


def restore_claim(db: sqlite_utils.Database, claim_id: int, extractor_version: str) -> None:
    """Give a retracted claim found again the verdict it had before (inside the caller's transaction)."""
    earlier = db.execute(
        f"SELECT verdict, reviewer, reviewed_at, {', '.join('corrected_' + f for f in CORRECTABLE)} FROM reviews "
        "WHERE claim_id = ? AND verdict != 'retracted' ORDER BY id DESC LIMIT 1",
        [claim_id],
    ).fetchone()
    verdict, reviewer, reviewed_at, *corrected = earlier
    _insert_review(db, claim_id, verdict, SYSTEM_REVIEWER,
                   f"extracted again by extractor {extractor_version}; "
                   f"restores the verdict {reviewer} gave at {reviewed_at}",
                   {f: v for f, v in zip(CORRECTABLE, corrected, strict=True) if v is not None})


def _number(value: float | int | str) -> float:
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value.replace(",", ""))
    except ValueError:
        raise ReviewRefused(f"the corrected value {value!r} is not a number (write it like 1250 or 17.5)") from None


def _insert_review(db: sqlite_utils.Database, claim_id: int, verdict: str, reviewer: str, note: str | None,
                   fixes: dict, undoes: int | None = None) -> int:
    columns = ["claim_id", "verdict", "note", "reviewer", "undoes", *(f"corrected_{f}" for f in fixes)]
    values = [claim_id, verdict, note, reviewer, undoes, *fixes.values()]
    return db.execute(f"INSERT INTO reviews ({', '.join(columns)}) VALUES ({', '.join('?' * len(values))})",
                      values).lastrowid
