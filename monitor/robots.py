"""Robots: before an article page is fetched, ask its host's robots.txt (fetched once per host per crawl)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from monitor.fetch import Fetcher, FetchError
from monitor.urls import host_of

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class RobotsVerdict:
    """Whether a URL may be fetched, and why not when it may not."""

    allowed: bool
    reason: str = ""


class RobotsCache:
    """robots.txt per host, parsed with Protego, shared by the worker threads of one crawl.

    Follows RFC 9309: a missing robots.txt (4xx) allows everything; one that cannot be fetched
    (5xx, timeout) disallows the host for this crawl, since the site may be struggling.
    """

    def __init__(self, fetcher: Fetcher, user_agent: str) -> None:
        self.fetcher = fetcher
        self.user_agent = user_agent
        self._rules: dict[str, Protego | str] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def check(self, url: str) -> RobotsVerdict:
        """May `url` be fetched by our user agent?"""
        rules = self._rules_for(url)
        if isinstance(rules, str):
            return RobotsVerdict(False, rules)
        if rules.can_fetch(url, self.user_agent):
            return RobotsVerdict(True)
        return RobotsVerdict(False, "disallowed by robots.txt")

    def _rules_for(self, url: str) -> Protego | str:
        host = host_of(url)
        with self._lock:
            host_lock = self._locks.setdefault(host, threading.Lock())
        # One fetch per host even when many workers ask at once.
        with host_lock:
            if host not in self._rules:
                self._rules[host] = self._load(url, host)
            return self._rules[host]

    def _load(self, url: str, host: str) -> Protego | str:
        robots_url = urlunsplit((*urlsplit(url)[:2], "/robots.txt", "", ""))
        try:
            fetched = self.fetcher.get(robots_url)
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                return Protego.parse("")
            LOGGER.warning("robots.txt of %s could not be fetched, skipping the host: %s", host, error.reason)
            return f"robots.txt could not be fetched ({error.reason})"
        rules = Protego.parse(fetched.content.decode("utf-8", errors="replace"))
        delay = rules.crawl_delay(self.user_agent)
        if delay:
            self.fetcher.limiter.set_delay(host, float(delay))
        return rules
