"""The `extract` command's sources: each path or URL fetched, turned into text and searched for claims, no database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractors.claims import ClaimFinder, Extraction
from extractors.text import NotAnArticle, Page, page_from
from monitor.fetch import FetchError, fetch


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
