"""Feeds: raw feed bytes → typed entries, with a verdict on whether the feed is healthy."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from db.clock import to_iso

LOGGER = logging.getLogger(__name__)

_HTML_START = re.compile(rb"\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html)\b", re.IGNORECASE)


class FeedError(ValueError):
    """The feed could not be read as RSS or Atom, or has no entries to offer."""


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: where the article is and what the feed says about it."""

    link: str
    title: str | None = None
    published: str | None = None
    entry_id: str | None = None
    listed_in: str = "feed"  # "feed" or "sitemap": where `published` came from


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's entries, its title, and a warning when it parsed only with complaints."""

    entries: list[FeedEntry]
    title: str | None = None
    warning: str | None = None
    kind: str = "feed"  # "feed" (RSS/Atom) or "sitemap"


def parse_feed(content: bytes, base_url: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    """Parse RSS or Atom bytes into entries whose links are absolute.

    Raises:
        FeedError: the body is HTML, unparseable, or has no usable entries.
    """
    parsed = feedparser.parse(content, response_headers=headers or {})
    entries = [entry for raw in parsed.entries if (entry := _entry(raw, base_url))]
    if not entries:
        raise FeedError(_why_empty(content, parsed))
    warning = f"feed parsed with errors: {_bozo_reason(parsed)}" if parsed.bozo else None
    return ParsedFeed(entries=entries, title=parsed.feed.get("title"), warning=warning)


def _entry(raw: feedparser.FeedParserDict, base_url: str) -> FeedEntry | None:
    link = raw.get("link") or _first_alternate(raw)
    if not link:
        return None
    return FeedEntry(
        link=urljoin(base_url, link.strip()),
        title=raw.get("title"),
        published=_iso(raw.get("published_parsed") or raw.get("updated_parsed")),
        entry_id=raw.get("id"),
    )


def _first_alternate(raw: feedparser.FeedParserDict) -> str | None:
    for link in raw.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    return to_iso(datetime(*parsed[:6], tzinfo=UTC))


def _why_empty(content: bytes, parsed: feedparser.FeedParserDict) -> str:
    if _HTML_START.match(content[:1024]):
        return "the URL serves an HTML page, not an RSS or Atom feed"
    if parsed.bozo:
        return f"not a readable feed: {_bozo_reason(parsed)}"
    return "the feed has no entries with links"


def _bozo_reason(parsed: feedparser.FeedParserDict) -> str:
    error = parsed.get("bozo_exception")
    return str(getattr(error, "getMessage", lambda: error)()).strip() or error.__class__.__name__
