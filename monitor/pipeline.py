"""Crawl pipeline: feeds → entries → fetched pages → text → claims → one transaction per article."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from w3lib.encoding import html_to_unicode

from extractors.claims import ClaimFinder, Extraction
from extractors.text import NotAnArticle, Page, extract_page, extract_plain_text, looks_like_html
from monitor.dates import choose_published
from monitor.fetch import Fetched, FetchError, fetch

LOGGER = logging.getLogger(__name__)


@dataclass
class SourceResult:
    """What `extract` found in one page or file, or why it could not."""

    source: str
    page: Page | None = None
    extraction: Extraction | None = None
    error: str | None = None
    doc: str = field(init=False)

    def __post_init__(self) -> None:
        path = Path(self.source)
        self.doc = path.stem if path.suffix in (".html", ".htm", ".txt") else self.source

    def records(self, with_quantities: bool = False) -> Iterator[dict]:
        """JSON-ready records: quantities (on request), then claims, then quotes."""
        assert self.extraction is not None
        if with_quantities:
            for quantity in self.extraction.quantities:
                yield {"record": "quantity", "doc": self.doc, **quantity.to_record()}
        for claim in self.extraction.claims:
            yield {"record": "claim", "doc": self.doc, **claim.to_record()}
        for quote in self.extraction.quotes:
            yield {"record": "quote", "doc": self.doc, **quote.to_record()}


def page_from(fetched: Fetched) -> Page:
    """Turn fetched bytes into a Page: HTML through trafilatura, plain text cleaned as it is."""
    if fetched.content_type in ("text/html", "application/xhtml+xml") or looks_like_html(fetched.content):
        return extract_page(_decode(fetched), url=None if fetched.final_url.startswith("file:") else fetched.final_url)
    if fetched.content_type in ("", "text/plain"):
        return extract_plain_text(_decode(fetched))
    raise NotAnArticle(f"not an HTML page (content type {fetched.content_type})")


def article_row(url: str, page: Page, listed: tuple[str, str | None] = ("feed", None)) -> dict:
    """The articles-table fields for a page fetched from `url`.

    The publication date is the page's own, else the one its feed or sitemap entry gave (`listed`:
    where it was listed and that date); `published_source` says which.
    """
    published, source = choose_published([("page", page.published), listed], where=url)
    return {"url": url, "canonical_url": page.canonical_url, "title": page.title, "author": page.author,
            "published": published, "published_source": source, "site_name": page.site_name,
            "language": page.language, "paywalled": page.paywalled, "teaser": page.is_teaser, "text": page.text}


def extract_sources(sources: Iterable[str], model: str) -> Iterator[SourceResult]:
    """Fetch, extract and find claims in each source, loading the model once."""
    finder = ClaimFinder(model)
    for source in sources:
        try:
            page = page_from(fetch(source))
        except (FetchError, NotAnArticle) as error:
            yield SourceResult(source, error=str(error))
            continue
        yield SourceResult(source, page=page, extraction=finder.find(page.text, page.country))


def _decode(fetched: Fetched) -> str:
    # The header's charset, else a BOM or <meta charset>, else UTF-8; undecodable bytes become U+FFFD.
    _, text = html_to_unicode(fetched.headers.get("content-type"), fetched.content)
    return text
