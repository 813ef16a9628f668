"""The reviewer's desk at /-/review: one claim at a time, verdicts from single keys, JSON for the page's script."""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import urlencode

import sqlite_utils
from datasette.utils.asgi import Response

from db.desk import QueueFilter, desk_claim, next_claim_ids
from db.reviews import CORRECTABLE, VERDICTS, NoSuchClaim, ReviewRefused, add_review, undo_last
from review.display import format_number, safe_url

LOGGER = logging.getLogger(__name__)

FILTERS = ("feed", "kind", "unit", "speaker", "min_score", "max_score", "since", "until")


class BadFilter(ValueError):
    """A queue filter that cannot be read (a score that is not a number, a date that is not a date)."""


def queue_filter(args) -> QueueFilter:
    """The desk's filters from a request's query string; blanks are left open."""
    given = {name: (args.get(name) or "").strip() or None for name in FILTERS}
    for name in ("min_score", "max_score"):
        if given[name] is not None:
            try:
                given[name] = float(given[name])
            except ValueError:
                raise BadFilter(f"{name} must be a number from 0 to 1, not {given[name]!r}") from None
    for name in ("since", "until"):
        if given[name] is not None:
            try:
                date.fromisoformat(given[name])
            except ValueError:
                raise BadFilter(f"{name} must be a date like 2026-01-31, not {given[name]!r}") from None
    return QueueFilter(**given)


def exclude_ids(args) -> list[int]:
    """Claim ids the reviewer skipped this visit (`exclude=4,9`), at most 500 of them."""
    raw = args.get("exclude") or ""
    return [int(part) for part in raw.split(",")[:500] if part.strip().isdigit()]


def shown_claim(claim: dict | None) -> dict | None:
    """A desk claim ready for the page: numbers as a reader writes them and only http(s) links."""
    if claim is None:
        return None
    shown = dict(claim)
    shown["article_url"] = safe_url(claim["article_url"])
    for column in ("value", "low", "high"):
        shown[f"{column}_shown"] = None if claim[column] is None else format_number(claim[column])
    for review in shown["reviews"]:
        if review["corrected_value"] is not None:
            review["corrected_value_shown"] = format_number(review["corrected_value"])
    return shown


async def next_claim(database, queue: QueueFilter, exclude: list[int], second_look_for: str | None = None
                     ) -> dict | None:
    """The claim the desk shows next under these filters, or None when the queue is empty."""
    def read(conn) -> dict | None:
        db = sqlite_utils.Database(conn)
        ids = next_claim_ids(db, queue, exclude, limit=1, second_look_for=second_look_for)
        return desk_claim(db, ids[0]) if ids else None

    return shown_claim(await database.execute_fn(read))


async def give_verdict(database, form: dict, reviewer: str) -> dict:
    """Record a verdict posted from the desk; returns the review row. Raises ReviewRefused or NoSuchClaim."""
    verdict = form.get("verdict", "")
    if verdict not in VERDICTS:
        raise ReviewRefused(f"unknown verdict {verdict!r}: use one of {', '.join(VERDICTS)}")
    claim_id = _claim_id(form.get("claim_id"))
    corrections = {field: form.get(field) for field in CORRECTABLE if form.get(field) not in (None, "")}

    def write(conn) -> dict:
        return add_review(sqlite_utils.Database(conn), claim_id, verdict, reviewer, form.get("note"),
                          corrections=corrections)

    return await database.execute_write_fn(write, block=True)


async def take_back(database, reviewer: str) -> dict:
    """Undo the reviewer's latest standing verdict; returns the claim it was on, as the desk shows it."""
    def write(conn) -> dict:
        db = sqlite_utils.Database(conn)
        review = undo_last(db, reviewer)
        return desk_claim(db, review["claim_id"])

    return shown_claim(await database.execute_write_fn(write, block=True))


def refused(message: str, status: int = 400) -> Response:
    """A JSON error the desk's script shows in one line."""
    return Response.json({"ok": False, "error": message}, status=status)


def desk_path(datasette, args) -> str:
    """The desk's own URL with the filters a request carries, for the sign-in page to send the reviewer back."""
    kept = {name: args.get(name) for name in FILTERS if args.get(name)}
    return datasette.urls.path("/-/review") + (f"?{urlencode(kept)}" if kept else "")


async def handle(action, *args) -> Response:
    """Run a desk action, answering the errors a reviewer can cause with one JSON line each."""
    try:
        return await action(*args)
    except (ReviewRefused, BadFilter) as error:
        return refused(str(error))
    except NoSuchClaim as error:
        return refused(str(error), 404)


def _claim_id(raw: str | None) -> int:
    if not raw or not raw.strip().isdigit():
        raise ReviewRefused(f"claim_id must be a claim's number, not {raw!r}")
    return int(raw)
