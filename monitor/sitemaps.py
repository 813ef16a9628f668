"""Sitemaps: sitemap or sitemap-index bytes → typed feed entries, sub-sitemaps fetched through the safe fetcher.

ultimate-sitemap-parser parses each document from a string; it never fetches anything itself, so every
sub-sitemap goes through claimwatch's fetcher (size cap, deadline, politeness, private-address refusal).
The walk is bounded by depth, files, URLs and decompressed size, and every bound that bites is named in
the feed's warning.
"""

from __future__ import annotations

import hashlib
import logging
import re
import xml.parsers.expat
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from usp.objects.sitemap import AbstractIndexSitemap, AbstractPagesSitemap, InvalidSitemap
from usp.tree import sitemap_from_str

from monitor.config import Defaults
from monitor.dates import BadDate, plausible_date
from monitor.feeds import FeedEntry, FeedError, ParsedFeed
from monitor.fetch import Fetched, FetchError

LOGGER = logging.getLogger(__name__)

_GZIP_MAGIC = b"\x1f\x8b"
_SITEMAP_ROOT = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:[\w-]+:)?(urlset|sitemapindex)\b",
                           re.DOTALL)
_LOC = re.compile(rb"<(?:[\w-]+:)?loc\b")


@dataclass
class SitemapWalk:
    """What a walk found: entries, a digest of every file read, and the reason for everything left out."""

    entries: list[FeedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    _seen: set[str] = field(default_factory=set)
    _digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    @property
    def digest(self) -> str:
        return self._digest.hexdigest()


def looks_like_sitemap(content: bytes) -> bool:
    """True for gzip bytes or XML whose root is <urlset> or <sitemapindex>."""
    return content.startswith(_GZIP_MAGIC) or bool(_SITEMAP_ROOT.match(content[:4096]))


def read_sitemap(fetched: Fetched, get: Callable[[str], Fetched], limits: Defaults) -> tuple[ParsedFeed, str]:
    """Read a sitemap or walk a sitemap index into entries, newest first, and a digest of every file read.

    Args:
        fetched: the sitemap the feed's URL gave.
        get: fetches a sub-sitemap URL (the crawl's fetcher, or the disk for a local feed).
        limits: the feeds.yaml defaults; their sitemap_max_* fields and max_page_bytes (`fetch.max_bytes`) bound
            the walk.

    Raises:
        FeedError: not one entry could be read; the message says why.
    """
    walk = SitemapWalk()
    _visit(walk, fetched, 0, get, limits)
    if not walk.entries:
        raise FeedError("; ".join(walk.warnings) or "the sitemap lists no pages")
    walk.entries.sort(key=lambda entry: entry.published or "", reverse=True)
    for warning in walk.warnings:
        LOGGER.warning("sitemap %s: %s", fetched.url, warning)
    warning = "; ".join(walk.warnings) or None
    return ParsedFeed(entries=walk.entries, warning=warning, kind="sitemap"), walk.digest


def _visit(walk: SitemapWalk, fetched: Fetched, depth: int, get: Callable[[str], Fetched],
           limits: Defaults) -> None:
    walk._seen.update((fetched.url, fetched.final_url))
    walk.files += 1
    walk._digest.update(fetched.content)
    try:
        text = _xml_text(fetched, limits)
    except FeedError as error:
        walk.warnings.append(f"{fetched.url}: {error}")
        return
    parsed = sitemap_from_str(text)
    if isinstance(parsed, AbstractIndexSitemap):
        for child in parsed.sub_sitemaps:
            _visit_child(walk, fetched.url, child.url, depth + 1, get, limits)
    elif isinstance(parsed, AbstractPagesSitemap):
        _add_entries(walk, fetched.url, parsed, limits)
    elif isinstance(parsed, InvalidSitemap):
        walk.warnings.append(f"{fetched.url}: not a sitemap ({parsed.reason})")


def _visit_child(walk: SitemapWalk, parent: str, url: str, depth: int, get: Callable[[str], Fetched],
                 limits: Defaults) -> None:
    if url in walk._seen:
        walk.warnings.append(f"{parent} lists {url}, which this walk has read already (a loop); not read again")
        return
    walk._seen.add(url)
    if depth > limits.sitemap_max_depth:
        walk.warnings.append(f"{url}: nested deeper than sitemap_max_depth ({limits.sitemap_max_depth}); not read")
        return
    if walk.files >= limits.sitemap_max_files:
        walk.warnings.append(f"{url}: the walk has read sitemap_max_files ({limits.sitemap_max_files}) files; not read")
        return
    try:
        child = get(url)
    except FetchError as error:
        walk.warnings.append(f"{url}: {error.reason}")
        return
    _visit(walk, child, depth, get, limits)


def _xml_text(fetched: Fetched, limits: Defaults) -> str:
    content = fetched.content
    if content.startswith(_GZIP_MAGIC):
        content = _gunzip(content, limits.fetch.max_bytes)
    urls = len(_LOC.findall(content))
    if urls > limits.sitemap_max_urls:
        # Counted before parsing: a hostile file never gets to build 100,000 objects.
        raise FeedError(f"lists {urls:,} URLs, over sitemap_max_urls ({limits.sitemap_max_urls:,}); not read")
    text = content.decode("utf-8", errors="replace")
    problem = _xml_problem(text)
    if problem:
        raise FeedError(f"not well-formed XML ({problem})")
    return text


def _gunzip(content: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        # Inflate at most one byte past the limit: a gzip bomb stops here instead of filling memory.
        data = inflater.decompress(content, limit + 1)
    except zlib.error as error:
        raise FeedError(f"not valid gzip ({error})") from error
    if len(data) > limit:
        raise FeedError(f"decompresses to over {limit:,} bytes (max_page_bytes); not read")
    return data


def _xml_problem(text: str) -> str | None:
    """Why the text is not well-formed XML, or None. DTDs are refused: they are how entity bombs start."""
    parser = xml.parsers.expat.ParserCreate()

    def refuse_doctype(*_: object) -> None:
        raise ValueError("a DOCTYPE, which sitemaps never need")

    parser.StartDoctypeDeclHandler = refuse_doctype
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as error:
        return str(error)
    except ValueError as error:
        return str(error)
    return None


def _add_entries(walk: SitemapWalk, url: str, sitemap: AbstractPagesSitemap, limits: Defaults) -> None:
    room = limits.sitemap_max_urls - len(walk.entries)
    if len(sitemap.pages) > room:
        walk.warnings.append(f"{url}: the walk reached sitemap_max_urls ({limits.sitemap_max_urls:,}); "
                             f"{len(sitemap.pages) - room:,} URLs left out")
    for page in sitemap.pages[:room]:
        story = page.news_story
        stamp = story.publish_date if story and story.publish_date else page.last_modified
        walk.entries.append(FeedEntry(link=page.url, title=story.title if story else None,
                                      published=_date(page.url, stamp), listed_in="sitemap"))


def _date(url: str, stamp: datetime | None) -> str | None:
    if stamp is None:
        return None
    try:
        return plausible_date(stamp)
    except BadDate as error:
        LOGGER.warning("sitemap entry %s: date refused: %s", url, error)
        return None
