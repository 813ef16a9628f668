"""Runtime data (databases, reviewer accounts, lock files) lives in data/, outside every package, ignored by git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import DEFAULT_DATABASE
from monitor.lock import lock_path
from review.accounts import accounts_path
from tests.conftest import ROOT


def test_the_default_database_and_what_sits_beside_it_are_outside_the_packages():
    assert Path("data/claimwatch.db") == DEFAULT_DATABASE
    for path in (DEFAULT_DATABASE, accounts_path(DEFAULT_DATABASE), lock_path(DEFAULT_DATABASE)):
        assert not (ROOT / path.parent / "__init__.py").exists(), path
    assert "DEMO_DB := data/demo.db" in (ROOT / "Makefile").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [
    "data/claimwatch.db", "data/demo.db-wal", "data/claimwatch.reviewers.json", "data/claimwatch.db.crawl.lock",
    "db/claimwatch.reviewers.json", "elsewhere/team.reviewers.json", "db/demo.db",
])
def test_runtime_files_are_ignored_by_git_wherever_they_land(path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False)
    assert ignored.returncode == 0, f"{path} is not ignored by .gitignore"


def test_a_database_at_the_old_default_is_not_replaced_by_an_empty_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLAIMWATCH_DB", raising=False)
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "claimwatch.db").write_bytes(b"")
    result = CliRunner().invoke(cli, ["crawl", "--feeds", str(ROOT / "monitor" / "sample" / "feeds.yaml")])
    assert result.exit_code == 2
    assert "the default database is now data/claimwatch.db, but yours is at db/claimwatch.db" in result.output
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(("arguments", "env"), [(["--db", "db/claimwatch.db"], None), ([], "db/claimwatch.db")])
def test_a_database_named_at_the_old_path_is_used(tmp_path, monkeypatch, arguments, env):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLAIMWATCH_DB", raising=False)
    if env:
        monkeypatch.setenv("CLAIMWATCH_DB", env)
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "claimwatch.db").write_bytes(b"")
    result = CliRunner().invoke(cli, ["stats", "--json", *arguments])
    assert result.exit_code == 0, result.output
    assert '"articles": 0' in result.output
    assert not (tmp_path / "data").exists()
