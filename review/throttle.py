"""Sign-in backoff: after a few wrong passwords for one account or from one address, each try waits longer."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

FREE_FAILURES = 5
MAX_WAIT_SECONDS = 15 * 60


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0


@dataclass
class SignInThrottle:
    """Failures counted per account name and per client address; both must be clear for a try to be heard.

    After FREE_FAILURES failures a key is locked for 1 s, then 2, 4, ... up to 15 minutes per further
    failure. A success clears the account's count, not the address's (one address guessing many names stays
    slow). Kept in memory: a restart forgives, which costs a guesser nothing worth having.
    """

    clock: callable = time.monotonic
    _records: dict[str, _Record] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, name: str, address: str) -> int:
        """Seconds until a sign-in for this name from this address will be checked; 0 when it will be now."""
        now = self.clock()
        with self._lock:
            waits = [record.locked_until - now for key in _keys(name, address)
                     if (record := self._records.get(key))]
        return max(0, int(max(waits, default=0) + 0.999))

    def failed(self, name: str, address: str) -> int:
        """Count a wrong password; returns the failures now held against the account."""
        now = self.clock()
        with self._lock:
            for key in _keys(name, address):
                record = self._records.setdefault(key, _Record())
                record.failures += 1
                if record.failures >= FREE_FAILURES:
                    record.locked_until = now + min(MAX_WAIT_SECONDS, 2 ** (record.failures - FREE_FAILURES))
            return self._records[f"name:{name}"].failures

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._records.pop(f"name:{name}", None)


def _keys(name: str, address: str) -> tuple[str, str]:
    return f"name:{name}", f"address:{address}"
