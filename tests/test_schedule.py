"""The daily scheduler: due times, catching up a missed run, coalescing, one instance, surviving a bad day."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from click.testing import CliRunner

from db.database import open_database
from monitor.cli import cli
from monitor.lock import AlreadyRunning, exclusive
from monitor.schedule import Scheduler, is_due, last_due, parse_time
from tests.conftest import SAMPLE

SIX = time(6, 0)
ZONE = timezone(timedelta(hours=2))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=ZONE)


class Clock:
    """A clock the scheduler reads and its sleep moves forward."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.slept = 0.0

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += timedelta(seconds=seconds)


def test_due_times():
    assert last_due(at(10, 10), SIX) == at(10, 6)
    assert last_due(at(10, 5), SIX) == at(9, 6)
    assert is_due(None, at(10, 5), SIX)
    assert is_due(at(9, 5), at(10, 5), SIX) and not is_due(at(9, 7), at(10, 5), SIX)
    assert parse_time("06:30") == time(6, 30)
    with pytest.raises(ValueError, match="HH:MM"):
        parse_time("6.30am")


def test_missed_runs_are_caught_up_once_on_start_then_daily(db_path):
    db = open_database(db_path)
    ran: list[datetime] = []
    clock = Clock(at(10, 10))

    def job() -> None:
        ran.append(clock.now)
        with db.atomic():
            db.execute("INSERT INTO crawl_runs (started_at) VALUES (?)", [clock.now.isoformat()])

    with db.atomic():
        db.execute("INSERT INTO crawl_runs (started_at) VALUES (?)", [at(6, 6).isoformat()])
    Scheduler(db_path, SIX, job, clock=clock, sleep=clock.sleep).run(max_runs=2)
    assert ran[0] == at(10, 10)  # four missed days, one run
    assert at(11, 6) <= ran[1] < at(11, 6, 2)
    assert clock.slept > 0


def test_a_failing_job_waits_for_the_next_day(db_path):
    clock = Clock(at(10, 10))
    calls: list[datetime] = []

    def broken() -> None:
        calls.append(clock.now)
        raise RuntimeError("feeds file is broken")

    Scheduler(db_path, SIX, broken, clock=clock, sleep=clock.sleep).run(max_runs=2)
    assert calls[1] - calls[0] > timedelta(hours=19)


def test_only_one_scheduler_per_database(db_path):
    with exclusive(db_path, "schedule"), pytest.raises(AlreadyRunning, match="another schedule is running"):
        Scheduler(db_path, SIX, lambda: None).run(max_runs=1)


def test_the_schedule_command_runs_a_missed_crawl_at_once(db_path):
    result = CliRunner().invoke(cli, ["schedule", "--feeds", str(SAMPLE / "feeds.yaml"), "--db", str(db_path),
                                      "--at", "00:00", "--max-runs", "1"])
    assert result.exit_code == 0, result.output
    assert "8 new articles" in result.output


def test_a_bad_time_is_a_usage_error(db_path):
    result = CliRunner().invoke(cli, ["schedule", "--feeds", str(SAMPLE / "feeds.yaml"), "--db", str(db_path),
                                      "--at", "25:99"])
    assert result.exit_code == 2 and "--at: crawl time must be HH:MM" in result.output
