"""Reviewer sessions: a random id per sign-in, an expiry, and revocation on sign-out, held by the server."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

SESSION_COOKIE = "claimwatch_session"
SESSION_SECONDS = 12 * 60 * 60


@dataclass
class Sessions:
    """Live sessions: id → (reviewer, expiry). A cookie is worth something only while its id is here.

    In memory, so a restart signs everyone out; the signed cookie alone (even with $DATASETTE_SECRET) is not
    enough to be anybody.
    """

    clock: callable = time.time
    _live: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, reviewer: str) -> tuple[str, int]:
        """A new session for the reviewer; returns its id and its lifetime in seconds."""
        session_id = secrets.token_urlsafe(24)
        with self._lock:
            self._forget_expired()
            self._live[session_id] = (reviewer, self.clock() + SESSION_SECONDS)
        return session_id, SESSION_SECONDS

    def reviewer(self, session_id: str | None) -> str | None:
        """Who holds this live session, or None for an unknown, revoked or expired one."""
        if not session_id:
            return None
        with self._lock:
            found = self._live.get(session_id)
        if found is None or found[1] < self.clock():
            return None
        return found[0]

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._live.pop(session_id or "", None)

    def _forget_expired(self) -> None:
        now = self.clock()
        for session_id in [sid for sid, (_, expires) in self._live.items() if expires < now]:
            del self._live[session_id]
