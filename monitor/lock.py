"""Lock: one crawl (or reprocess) per database at a time; a lock left by a dead process frees itself."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOGGER = logging.getLogger(__name__)


class AlreadyRunning(RuntimeError):
    """Another crawl, reprocess or scheduler holds the lock on this database."""


def lock_path(db_path: Path, purpose: str = "crawl") -> Path:
    """The lock file beside the database file itself, e.g. `claimwatch.db.crawl.lock`.

    The path is resolved first, so every name of one database (relative, through a symlinked
    folder, or a symlink to the file) shares one lock.
    """
    real = db_path.resolve()
    return real.with_name(f"{real.name}.{purpose}.lock")


@contextmanager
def exclusive(db_path: Path, purpose: str = "crawl") -> Iterator[None]:
    """Hold the `purpose` lock on `db_path` for the duration, or fail at once if it is taken.

    The lock is an OS file lock (flock), released by the kernel when its process dies, so a
    crawl killed with SIGKILL never leaves a stale lock behind.

    Raises:
        AlreadyRunning: naming the database and the lock file.
    """
    path = lock_path(db_path, purpose)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout as error:
        raise AlreadyRunning(f"{db_path}: another {purpose} is running (lock {path} is held)") from error
    try:
        yield
    finally:
        lock.release()
