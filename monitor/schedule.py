"""Schedule: run the crawl every day at a set local time, in the foreground, one scheduler per database."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

import sqlite_utils

from db import crawling
from db.database import open_database
from monitor.lock import AlreadyRunning, exclusive

LOGGER = logging.getLogger(__name__)

# Sleep in short steps and look at the clock again, so a suspended laptop or a clock change
# does not make the scheduler oversleep.
MAX_NAP = 60.0


def parse_time(value: str) -> time_of_day:
    """`HH:MM` (24-hour) as a time of day.

    Raises:
        ValueError: saying what was expected.
    """
    try:
        return datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError as error:
        raise ValueError(f"crawl time must be HH:MM (24-hour), got {value!r}") from error


def last_due(now: datetime, at: time_of_day) -> datetime:
    """The latest moment at or before `now` when a daily run at `at` was due (in `now`'s timezone)."""
    today = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    return today if today <= now else today - timedelta(days=1)


def is_due(last_started: datetime | None, now: datetime, at: time_of_day) -> bool:
    """True when no crawl has started since the latest due time; many missed runs make one run."""
    return last_started is None or last_started < last_due(now, at)


class Scheduler:
    """Runs `job` once a day at `at`, catching up a missed run on start; holds the schedule lock throughout."""

    def __init__(self, db_path: Path, at: time_of_day, job: Callable[[], object],
                 clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.db_path = db_path
        self.at = at
        self.job = job
        self.clock = clock
        self.sleep = sleep
        # A job that fails before it records a crawl run (bad feeds file) must still wait for tomorrow.
        self._last_attempt: datetime | None = None
        self._db: sqlite_utils.Database | None = None

    def run(self, max_runs: int | None = None) -> int:
        """Loop until `max_runs` crawls have run (forever when None); return how many ran.

        Raises:
            AlreadyRunning: another scheduler already serves this database.
        """
        runs = 0
        with exclusive(self.db_path, "schedule"):
            LOGGER.info("scheduler for %s: crawling daily at %s", self.db_path, self.at.strftime("%H:%M"))
            while max_runs is None or runs < max_runs:
                now = self.clock()
                if is_due(self._last_started(), now, self.at):
                    self._last_attempt = now
                    self._run_job()
                    runs += 1
                else:
                    wait = (last_due(now, self.at) + timedelta(days=1) - now).total_seconds()
                    self.sleep(min(max(wait, 1.0), MAX_NAP))
        return runs

    def _last_started(self) -> datetime | None:
        if self._db is None and self.db_path.exists():
            self._db = open_database(self.db_path)
        recorded = crawling.last_run_started(self._db) if self._db is not None else None
        return max(filter(None, (recorded, self._last_attempt)), default=None)

    def _run_job(self) -> None:
        LOGGER.info("scheduled crawl starting")
        try:
            self.job()
        except AlreadyRunning as error:
            # A crawl started by hand is doing the work; it counts as today's run.
            LOGGER.warning("scheduled crawl skipped: %s", error)
        except Exception:  # the scheduler outlives a bad day: tomorrow's crawl still runs
            LOGGER.exception("scheduled crawl failed")
