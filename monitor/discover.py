"""Discover: a site's home page and robots.txt → candidate feeds and sitemaps to list in feeds.yaml."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from protego import Protego

from monitor.fetch import Fetcher, FetchError, FetchSettings
from monitor.sitemaps import looks_like_sitemap

LOGGER = logging.getLogger(__name__)

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")
# Where news sites commonly put sitemaps that robots.txt does not mention.
_COMMON_SITEMAPS = ("/sitemap.xml", "/news-sitemap.xml", "/sitemap_news.xml", "/sitemap-news.xml")


@dataclass(frozen=True)
class Candidate:
    """A feed or sitemap URL found for a site, and where it was found."""

    kind: str  # "feed" or "sitemap"
    url: str
    found_in: str  # "home page", "robots.txt" or "common path"


def discover(site: str, settings: FetchSettings) -> list[Candidate]:
    """Candidate feeds (the home page's <link rel=alternate>) and sitemaps (robots.txt, common paths) of a site.

    Everything goes through the safe fetcher: robots-listed and guessed sitemaps are only listed when
    they answer with a sitemap.

    Raises:
        FetchError: the home page itself cannot be fetched.
    """
    home = site if "://" in site else f"https://{site}"
    with Fetcher(settings) as fetcher:
        page = fetcher.get(home)
        found = [Candidate("feed", url, "home page") for url in _feed_links(page.content, page.final_url)]
        sitemaps = _robots_sitemaps(fetcher, page.final_url)
        found += [Candidate("sitemap", url, "robots.txt") for url in sitemaps]
        for path in _COMMON_SITEMAPS:
            url = urljoin(page.final_url, path)
            if url not in sitemaps and _is_sitemap(fetcher, url):
                found.append(Candidate("sitemap", url, "common path"))
    return found


def _feed_links(content: bytes, base_url: str) -> list[str]:
    try:
        tree = lxml.html.fromstring(content)
    except (ValueError, lxml.etree.ParserError):
        return []
    links = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "alternate" in rel and (link.get("type") or "").lower() in _FEED_TYPES and link.get("href"):
            url = urljoin(base_url, link.get("href").strip())
            if url not in links:
                links.append(url)
    return links


def _robots_sitemaps(fetcher: Fetcher, home: str) -> list[str]:
    robots_url = urlunsplit((*urlsplit(home)[:2], "/robots.txt", "", ""))
    try:
        fetched = fetcher.get(robots_url)
    except FetchError as error:
        LOGGER.info("no robots.txt at %s: %s", robots_url, error.reason)
        return []
    return list(dict.fromkeys(Protego.parse(fetched.content.decode("utf-8", errors="replace")).sitemaps))


def _is_sitemap(fetcher: Fetcher, url: str) -> bool:
    try:
        return looks_like_sitemap(fetcher.get(url).content)
    except FetchError:
        return False
