"""The clock and the one timestamp format every date column stores: ISO 8601, UTC, whole seconds."""

from __future__ import annotations

from datetime import UTC, datetime


def to_iso(moment: datetime) -> str:
    """`moment` in the stored form ("2024-05-01T10:03:04+00:00"); a naive datetime is taken as local time."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def now() -> str:
    """The current time in the stored form."""
    return to_iso(utc_now())
