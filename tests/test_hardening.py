"""The small holes closed: one lock per real database, ingest kept inside its folder, interrupted runs
closed, and thousands of errors of one kind printed as a few lines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from db.crawling import start_run
from db.database import open_database
from monitor.cli import cli
from monitor.folders import saved_pages
from monitor.lock import AlreadyRunning, exclusive
from tests.conftest import FAST, SAMPLE, rows, rss, sample_page, sequence, wait_for_articles, write_config

CLAIMWATCH = Path(sys.executable).parent / "claimwatch"
PAGE = "therepublic-police-drug-arrests"
SECRET = "The vault holds 4,200 gold bars, the bank's security chief said on Tuesday, up 12 percent on last year."


def test_the_lock_holds_for_every_name_of_one_database(tmp_path, monkeypatch):
    real = tmp_path / "data"
    real.mkdir()
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    (tmp_path / "alias.db").symlink_to(real / "claimwatch.db")
    monkeypatch.chdir(tmp_path)
    with exclusive(real / "claimwatch.db"):
        for other in (tmp_path / "linked" / "claimwatch.db", tmp_path / "alias.db", Path("data/claimwatch.db")):
            with pytest.raises(AlreadyRunning, match="another crawl is running"), exclusive(other):
                pass


def outside_and_inside(tmp_path: Path) -> Path:
    """A folder with one saved page, a symlink to a text file outside it, and one to a folder outside it."""
    outside = tmp_path / "outside"
    (outside / "more").mkdir(parents=True)
    (outside / "secret.txt").write_text(SECRET)
    (outside / "more" / "other.txt").write_text(SECRET.replace("gold", "silver"))
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / f"{PAGE}.html").write_bytes(sample_page(PAGE))
    (folder / "passwd.txt").symlink_to(outside / "secret.txt")
    (folder / "more").symlink_to(outside / "more", target_is_directory=True)
    return folder


def test_saved_pages_stay_inside_the_folder_and_a_symlink_loop_ends(tmp_path):
    folder = outside_and_inside(tmp_path)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    kept = saved_pages(folder)
    assert kept.pages == [folder / f"{PAGE}.html"]
    assert kept.outside == [folder / "more", folder / "passwd.txt"]
    followed = saved_pages(folder, follow_symlinks=True)
    assert sorted(path.name for path in followed.pages) == ["other.txt", "passwd.txt", f"{PAGE}.html"]


def test_ingest_leaves_out_symlinks_outside_its_folder_unless_asked_and_closes_a_killed_run(tmp_path, db_path):
    folder = outside_and_inside(tmp_path)
    db = open_database(db_path)
    start_run(db)  # what an ingest killed with SIGKILL leaves behind
    db.close()
    runner = CliRunner()
    first = runner.invoke(cli, ["ingest", str(folder), "--db", str(db_path), "--feeds", str(tmp_path / "none.yaml")])
    assert first.exit_code == 0, first.output
    assert [url.rsplit("/", 1)[1] for (url,) in rows(db_path, "SELECT url FROM articles")] == [f"{PAGE}.html"]
    assert rows(db_path, "SELECT status FROM crawl_runs ORDER BY id") == [("interrupted",), ("finished",)]
    second = runner.invoke(cli, ["ingest", str(folder), "--db", str(db_path), "--feeds", str(tmp_path / "none.yaml"),
                                 "--follow-symlinks"])
    assert second.exit_code == 0, second.output
    texts = [text for (text,) in rows(db_path, "SELECT text FROM articles")]
    assert len(texts) == 3 and SECRET in texts


def test_sigterm_stops_a_crawl_with_its_run_closed_as_interrupted(server, tmp_path, db_path):
    names = sorted(path.stem for path in (SAMPLE / "pages").glob("*.html"))
    for name in names:
        def body(handler, name=name) -> None:
            time.sleep(0.5)
            sequence((200, {"Content-Type": "text/html"}, sample_page(name)))(handler)
        server.add(f"/news/{name}", body)
    server.add("/feed.xml", rss([(n, server.url(f"/news/{n}")) for n in names]), Content_Type="application/rss+xml")
    config = write_config(tmp_path, {"news": server.url("/feed.xml")}, per_host_concurrency=1)
    process = subprocess.Popen([str(CLAIMWATCH), "crawl", "--feeds", str(config.path), "--db", str(db_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_articles(db_path, process, timeout=120)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        process.kill()
    assert rows(db_path, "SELECT status FROM crawl_runs") == [("interrupted",)]


def test_five_hundred_refused_feeds_print_a_few_lines(tmp_path, db_path):
    feeds = [{"name": f"internal-{n}", "url": f"http://127.0.0.1:9/feed-{n}.xml"} for n in range(500)]
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump({"defaults": {**FAST, "allow_private_hosts": False}, "feeds": feeds}))
    result = subprocess.run([str(CLAIMWATCH), "crawl", "--feeds", str(path), "--db", str(db_path)],
                            capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(lines) <= 10, result.stderr
    assert "… and 497 more of kind 'feed: refused: internal address' (500 in all)" in result.stderr
    assert "errors by kind: feed: refused: internal address 500" in result.stderr
    assert "500 feeds (500 failed" in result.stdout
