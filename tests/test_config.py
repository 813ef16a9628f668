"""feeds.yaml is checked on load: each mistake is named with its file, feed and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config, resolve_feed_url

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_feeds_file_loads():
    config = load_config(ROOT / "feeds.yaml")
    names = [feed.name for feed in config.feeds]
    assert "phnom-penh-post" in names
    assert len(config.enabled_feeds) >= 10
    assert all(feed.url.startswith("https://") for feed in config.feeds)


def test_sample_feed_resolves_relative_to_its_file():
    config = load_config(ROOT / "monitor" / "sample" / "feeds.yaml")
    url = resolve_feed_url(config, config.feeds[0])
    assert Path(url).is_file()


def test_defaults_fill_in_what_the_file_leaves_out(tmp_path):
    config = load_config(write(tmp_path, "feeds:\n  - name: a\n    url: https://example.org/rss\n"))
    assert config.defaults.max_articles_per_feed > 0
    assert config.feeds[0].enabled is True
    assert config.feeds[0].tags == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds:\n  - name: a\n", "feed #1 (a): missing required field 'url'"),
        ("feeds:\n  - name: a\n    url: https://x/\n    colour: red\n", "feed #1 (a): unknown field 'colour'"),
        ("feeds:\n  - name: a\n    url: https://x/\n    enabled: 'yes'\n", "field 'enabled' must be bool"),
        ("feeds:\n  - name: a\n    url: https://x/\n    tags: news\n", "field 'tags' must be a list"),
        ("defaults:\n  timeout: soon\nfeeds:\n  - name: a\n    url: https://x/\n", "defaults: field 'timeout'"),
        ("defaults:\n  timeout: -1\nfeeds:\n  - name: a\n    url: https://x/\n", "must be positive"),
        ("defaults:\n  timeuot: 3\nfeeds:\n  - name: a\n    url: https://x/\n", "unknown field 'timeuot'"),
        ("feeds: []\n", "'feeds' must be a non-empty list"),
        ("feeds:\n  - name: a\n    url: https://x/\n  - name: a\n    url: https://y/\n", "listed twice"),
        ("feeds:\n  - name: a\n   url: [\n", "not valid YAML at line"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_mistakes_are_named(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="no such feeds file"):
        load_config(tmp_path / "nope.yaml")
