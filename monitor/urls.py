"""URLs: the canonical form of an entry's link, so one story reached by two links is fetched once."""

from __future__ import annotations

import logging
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url

from extractors.text import Page

LOGGER = logging.getLogger(__name__)

NETWORK_SCHEMES = ("http", "https")


def canonical_url(url: str) -> str:
    """The URL without tracking parameters (utm_*, fbclid, ...) or fragment, with host and port normalised.

    Non-network URLs (file paths) are returned unchanged.
    """
    if urlsplit(url).scheme not in NETWORK_SCHEMES:
        return url
    try:
        normalised = normalize_url(url, strict=False, trailing_slash=True)
    except ValueError:
        # courlan refuses some odd but fetchable URLs; the raw URL is still a usable key.
        return url
    return urlunsplit(urlsplit(normalised)._replace(fragment=""))


def with_canonical_url(page: Page, final_url: str) -> Page:
    """The page keyed by its canonical URL: its own rel=canonical, else where the fetch ended, in canonical form."""
    return replace(page, canonical_url=canonical_url(page.canonical_url or final_url))


def host_of(url: str) -> str:
    """The host:port a request to `url` goes to, the unit of politeness and robots.txt."""
    parts = urlsplit(url)
    return parts.netloc.lower() or "local"
