"""Extraction on a Dask cluster: pages served on 127.0.0.1, a real LocalCluster of worker processes, the real model.

Each worker process loads the model (about 300 MB, several seconds), so the tests share one
two-worker cluster, and one more is started through `--scheduler local:2` to test that path.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import load_config
from monitor.crawl import run_crawl
from monitor.executor import LocalExecutor
from monitor.reprocess import reprocess
from tests.conftest import MODEL, SAMPLE, serve_feed

distributed = pytest.importorskip("distributed")

PAGES = sorted(path.stem for path in (SAMPLE / "pages").glob("*.html"))
DEFAULTS = {"allow_private_hosts": True, "per_host_delay": 0.001, "timeout": 5, "extract_batch": 2}
ARTICLE_COLUMNS = "url, canonical_url, title, author, published, published_source, site_name, language, text"
CLAIM_COLUMNS = ("articles.url, sentence, sentence_start, start_char, end_char, claims.text, number, value, low, "
                 "high, kind, change, unit, subject, speaker, score")


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    """Two worker processes of one thread each, as `dask worker --nthreads 1` would start them."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


@pytest.fixture
def feed(server) -> str:
    return serve_feed(server, "news", PAGES)


def write_config(folder: Path, feed_url: str, **defaults) -> Path:
    path = folder / "feeds.yaml"
    document = {"defaults": {**DEFAULTS, **defaults}, "feeds": [{"name": "news", "url": feed_url}]}
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def rows(db_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(sql).fetchall()


def articles_and_claims(db_path: Path) -> tuple[list[tuple], list[tuple]]:
    """Every stored article and claim, in an order that does not depend on which batch finished first."""
    stored = rows(db_path, f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY url")
    claims = rows(db_path, f"SELECT {CLAIM_COLUMNS} FROM claims JOIN articles ON articles.id = claims.article_id "
                           "ORDER BY articles.url, start_char, end_char")
    return stored, claims


@pytest.fixture
def local_run(tmp_path, feed, finder) -> tuple[list[tuple], list[tuple]]:
    """The same pages crawled with the model in this process."""
    db_path = tmp_path / "local.db"
    run_crawl(load_config(write_config(tmp_path, feed)), db_path, executor=LocalExecutor(finder))
    return articles_and_claims(db_path)


def test_a_local_cluster_of_two_workers_stores_what_a_local_run_stores(tmp_path, feed, local_run):
    db_path = tmp_path / "cluster.db"
    result = CliRunner().invoke(cli, ["crawl", "--feeds", str(write_config(tmp_path, feed)), "--db", str(db_path),
                                      "--scheduler", "local:2"])
    assert result.exit_code == 0, result.output
    stored, claims = articles_and_claims(db_path)
    assert len(stored) == len(PAGES) and len(claims) > 20
    assert (stored, claims) == local_run


def test_a_worker_killed_mid_run_costs_its_batch_only(tmp_path, feed, local_run, cluster):
    db_path = tmp_path / "cluster.db"
    config = load_config(write_config(tmp_path, feed, scheduler=cluster.scheduler_address))
    crawl = threading.Thread(target=run_crawl, args=(config, db_path))
    with distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        crawl.start()
        victim = _worker_with_a_batch(client, crawl)
        os.kill(pids[victim], signal.SIGKILL)
        stored_when_killed = _count(db_path)
        crawl.join(timeout=300)
        assert not crawl.is_alive()
        assert pids[victim] not in client.run(os.getpid).values()
    assert stored_when_killed < len(PAGES)
    assert rows(db_path, "SELECT count(*), count(DISTINCT url), count(DISTINCT text_hash) FROM articles") == [
        (len(PAGES),) * 3]
    assert articles_and_claims(db_path) == local_run


def test_reprocess_on_the_cluster_needs_no_network(tmp_path, server, feed, cluster, finder):
    db_path = tmp_path / "reprocess.db"
    run_crawl(load_config(write_config(tmp_path, feed)), db_path, executor=LocalExecutor(finder))
    crawled = articles_and_claims(db_path)
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE articles SET extractor_version = 'old', text = 'stale'")
    server.stop()  # archived pages only from here on
    summary = reprocess(db_path, MODEL, scheduler=cluster.scheduler_address)
    assert (summary.articles, summary.from_archive, summary.errors) == (len(PAGES), len(PAGES), [])
    assert summary.claims["kept"] == len(crawled[1]) and summary.claims["added"] == 0
    assert articles_and_claims(db_path) == crawled
    assert rows(db_path, "SELECT DISTINCT extractor_version FROM articles") != [("old",)]


def test_without_dask_a_scheduler_gives_one_clear_line(tmp_path, feed):
    config = write_config(tmp_path, feed)
    # None in sys.modules makes `import distributed` fail, as on a machine without the cluster extra.
    program = ("import sys; sys.modules['distributed'] = None; from monitor.cli import cli; "
               f"sys.argv = ['claimwatch', 'crawl', '--feeds', {str(config)!r}, '--db', "
               f"{str(tmp_path / 'x.db')!r}, '--scheduler', 'local:1']; cli()")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: a Dask scheduler needs Dask distributed, which is not installed: pip install 'claimwatch[cluster]'"]


@pytest.mark.parametrize("where", ["flag", "file"])
def test_a_bad_scheduler_address_is_named(tmp_path, feed, where):
    flag = ["--scheduler", "http://127.0.0.1:8786"] if where == "flag" else []
    config = write_config(tmp_path, feed, **({"scheduler": "http://127.0.0.1:8786"} if where == "file" else {}))
    result = CliRunner().invoke(cli, ["crawl", "--feeds", str(config), "--db", str(tmp_path / "x.db"), *flag])
    assert result.exit_code == 2
    assert "'http://127.0.0.1:8786' is not a scheduler address: give tcp://HOST:8786 or local:N" in result.output
    assert ("--scheduler" if where == "flag" else "field 'scheduler'") in result.output


def _worker_with_a_batch(client: distributed.Client, crawl: threading.Thread) -> str:
    """The first worker seen running one of the crawl's batches."""
    give_up = time.monotonic() + 120
    while time.monotonic() < give_up and crawl.is_alive():
        busy = [worker for worker, keys in client.processing().items() if keys]
        if busy:
            return busy[0]
        time.sleep(0.01)
    raise AssertionError("no batch was seen running on the cluster")


def _count(db_path: Path) -> int:
    try:
        return rows(db_path, "SELECT count(*) FROM articles")[0][0]
    except sqlite3.OperationalError:
        return 0  # the crawl has not created the schema yet
