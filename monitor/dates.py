"""Dates: every date a feed, sitemap or page gives turned into ISO 8601 UTC, with implausible ones refused."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from db.clock import to_iso

LOGGER = logging.getLogger(__name__)

# Nothing claimwatch reads was published before the web; an earlier date is a parsing accident.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Time zones and clock drift put honest dates a few hours ahead of our clock; more is a wrong date.
FUTURE_TOLERANCE = timedelta(days=1)


class BadDate(ValueError):
    """A date that cannot be read, or lies in the future or before 1990."""


def parse_date(value: str | date | datetime) -> datetime:
    """A date or timestamp as an aware UTC datetime; a date alone is midnight UTC, a naive time is taken as UTC.

    Raises:
        BadDate: `value` is not an ISO 8601 date or timestamp.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as error:
            raise BadDate(f"{value!r} is not a date like 2026-01-31 or 2026-01-31T08:00:00Z") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def plausible_date(value: str | date | datetime, now: datetime | None = None) -> str:
    """`value` in ISO 8601 UTC if it could be a publication date.

    Raises:
        BadDate: unreadable, in the future, or before 1990.
    """
    moment = parse_date(value)
    now = now or datetime.now(UTC)
    if moment > now + FUTURE_TOLERANCE:
        raise BadDate(f"{to_iso(moment)} is in the future")
    if moment < EARLIEST:
        raise BadDate(f"{to_iso(moment)} is before {EARLIEST.year}")
    return to_iso(moment)


def choose_published(candidates: list[tuple[str, str | None]], where: str) -> tuple[str | None, str | None]:
    """The first plausible date of (source, date) pairs in order of trust, and its source ("page", "feed", ...).

    Each refused date is logged with its reason, naming `where` (the article's URL).
    """
    for source, value in candidates:
        if not value:
            continue
        try:
            return plausible_date(value), source
        except BadDate as error:
            LOGGER.warning("%s: %s date refused: %s", where, source, error)
    return None, None
