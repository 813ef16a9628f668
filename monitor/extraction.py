"""Extraction stage: a batch of fetched pages → text, claims and scores, wherever the executor runs it.

The same function runs in the main process, in a pool process or on a Dask worker: it reads no
database and opens no connection, so a batch can be run twice (a retry after a dead worker) and
give the same answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from extractors.claims import ClaimFinder, Extraction
from extractors.text import MAX_TEXT_CHARS, FetchedBytes, NotAnArticle, Page, page_from

LOGGER = logging.getLogger(__name__)

BATCH_SIZE = 16
# A pool or a cluster runs a batch as tasks of at most this many pages, so that the last tasks of a
# run spread over the workers instead of leaving all but one idle; each task is still one transaction.
TASK_PAGES = 4


@dataclass(frozen=True)
class PageWork:
    """One page to analyse: fetched bytes to turn into text, or (stored text only) a ready Page.

    `key` names the job it answers, so a result can be matched to its article whatever order batches
    finish in.
    """

    key: str
    fetched: FetchedBytes | None = None
    page: Page | None = None
    max_text_chars: int = MAX_TEXT_CHARS


@dataclass
class Analysis:
    """What a worker made of one page: its text and claims, or why it has none.

    `stage` says where a failure happened: "text" (not an article), "claims" (extraction failed) or
    "lost" (the batch's process or workers died, or its retries were spent: trying later may help).
    """

    key: str
    page: Page | None = None
    extraction: Extraction | None = None
    error: str | None = None
    stage: str | None = None


def tasks_of(works: list[PageWork], size: int = TASK_PAGES) -> list[list[PageWork]]:
    """A batch cut into tasks of at most `size` pages, in order."""
    return [works[start:start + size] for start in range(0, len(works), size)]


def analyse_batch(finder: ClaimFinder, works: list[PageWork]) -> list[Analysis]:
    """Text, then claims, for each page of a batch, in order; never raises for one bad page.

    A paywalled teaser gets an empty extraction: its opening figures lack the story's context.
    """
    analyses = [_text_of(work) for work in works]
    wanted = [analysis for analysis in analyses if analysis.page is not None and not analysis.page.is_teaser]
    for analysis in analyses:
        if analysis.page is not None and analysis.page.is_teaser:
            analysis.extraction = Extraction()
    for analysis, extraction in zip(wanted, _claims_of(finder, [a.page for a in wanted]), strict=True):
        if isinstance(extraction, Exception):
            analysis.error, analysis.stage = f"extraction failed: {extraction}", "claims"
        else:
            analysis.extraction = extraction
    return analyses


def _text_of(work: PageWork) -> Analysis:
    if work.page is not None:
        return Analysis(work.key, page=work.page)
    try:
        return Analysis(work.key, page=page_from(work.fetched, work.max_text_chars))
    except NotAnArticle as error:
        return Analysis(work.key, error=str(error), stage="text")


def _claims_of(finder: ClaimFinder, pages: list[Page]) -> list[Extraction | Exception]:
    try:
        return list(finder.find_many([page.text for page in pages], batch_size=BATCH_SIZE,
                                     countries=[page.country for page in pages]))
    except Exception:  # one hostile page must not cost the others their claims
        LOGGER.exception("batch extraction failed; retrying the %d pages one by one", len(pages))
    return [_claims_of_one(finder, page) for page in pages]


def _claims_of_one(finder: ClaimFinder, page: Page) -> Extraction | Exception:
    try:
        return finder.find(page.text, page.country)
    except Exception as error:  # recorded as this page's error; the batch goes on
        return error
