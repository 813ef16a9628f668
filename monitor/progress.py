"""Progress: a live bar while a crawl runs on a terminal, a plain log line every few seconds otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

from tqdm import tqdm

LOGGER = logging.getLogger(__name__)

# Off a terminal, one line this often: 5,000 fetches must not print 5,000 lines to a cron log
# (every fetch is in the fetch_events table).
LOG_EVERY_SECONDS = 5.0


class Progress:
    """Counts fetches planned and done; shows them as a bar (terminal) or as INFO log lines (cron, CI)."""

    def __init__(self, bar: bool = False, stream: TextIO | None = None, every: float = LOG_EVERY_SECONDS) -> None:
        self.planned = 0
        self.done = 0
        self._every = every
        self._logged_at = float("-inf")
        self._bar = tqdm(total=0, unit="fetch", desc="crawl", file=stream or sys.stderr, leave=False) if bar else None

    @classmethod
    def for_stream(cls, stream: TextIO) -> Progress:
        """A bar when `stream` is a terminal, log lines when it is a file or pipe."""
        return cls(bar=stream.isatty(), stream=stream)

    def plan(self, count: int = 1) -> None:
        """Add `count` fetches to the work known so far (feeds reveal their articles as they arrive)."""
        self.planned += count
        if self._bar is not None:
            self._bar.total = self.planned
            self._bar.refresh()

    def finished(self, what: str, outcome: str) -> None:
        """One fetch is done."""
        self.done += 1
        if self._bar is not None:
            self._bar.set_postfix_str(f"{outcome} {what[-40:]}", refresh=False)
            self._bar.update(1)
        elif time.monotonic() - self._logged_at >= self._every or self.done == self.planned:
            self._logged_at = time.monotonic()
            LOGGER.info("[%d/%d] %s %s", self.done, self.planned, outcome, what)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
