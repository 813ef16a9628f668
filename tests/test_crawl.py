"""Crawls against feeds served on 127.0.0.1, with the real model and SQLite: each fault next to a healthy feed.

In every case the healthy feed finishes, the fault is recorded in fetch_events, and nothing stored is lost.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import clock
from monitor.cli import cli
from monitor.crawl import CrawlSummary, ingest_folder, run_crawl
from monitor.executor import LocalExecutor
from monitor.lock import AlreadyRunning, exclusive
from monitor.reprocess import reprocess
from tests.conftest import (
    MODEL,
    SAMPLE,
    drip,
    rows,
    rss,
    sample_page,
    sequence,
    serve_feed,
    wait_for_articles,
    write_config,
)

GOOD = ["therepublic-police-drug-arrests", "thehill-south-dakota-meth-campaign"]
OTHER = "chron-new-car-sales-plunge"
def events(db_path: Path, url_part: str) -> list[tuple]:
    return rows(db_path, "SELECT target, outcome, status, error, attempts FROM fetch_events WHERE url LIKE ? "
                "ORDER BY id", f"%{url_part}%")


@pytest.fixture
def site(server):
    """A healthy feed of two real pages, which every test crawls beside its faulty one."""
    serve_feed(server, "good", GOOD)
    return server


@pytest.fixture
def crawl(tmp_path, db_path, finder):
    def run(feeds: dict[str, str], **defaults) -> CrawlSummary:
        return run_crawl(write_config(tmp_path, feeds, **defaults), db_path, executor=LocalExecutor(finder))

    return run


def assert_healthy(db_path: Path) -> None:
    stored = {url.rsplit("/", 1)[1] for (url,) in rows(db_path, "SELECT url FROM articles WHERE url LIKE '%/good/%'")}
    assert stored == set(GOOD)
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_a_304_means_no_refetch_and_no_reextraction(site, crawl, db_path):
    def feed(handler) -> None:
        matched = handler.headers.get("If-None-Match") == '"v1"'
        body = b"" if matched else rss([(n, site.url(f"/good/{n}")) for n in GOOD]).encode()
        handler.send_response(304 if matched else 200)
        handler.send_header("ETag", '"v1"')
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    site.add("/etag.xml", feed)
    crawl({"etag": site.url("/etag.xml")})
    claims = rows(db_path, "SELECT id, updated_at, extractor_version FROM claims ORDER BY id")
    second = crawl({"etag": site.url("/etag.xml")})
    assert [outcome for _, outcome, *_ in events(db_path, "/etag.xml")] == ["ok", "not_modified"]
    assert (second.feeds_unchanged, second.entries_seen, second.articles_new) == (1, 0, 0)
    assert [site.hits(f"/good/{name}") for name in GOOD] == [1, 1]
    assert rows(db_path, "SELECT id, updated_at, extractor_version FROM claims ORDER BY id") == claims
    assert_healthy(db_path)


def test_an_unchanged_body_is_skipped_by_its_hash(site, crawl, db_path):
    crawl({"good": site.url("/good.xml")})
    second = crawl({"good": site.url("/good.xml")})
    assert second.feeds_unchanged == 1 and events(db_path, "/good.xml")[-1][1] == "unchanged"


def test_a_500_then_success_is_retried_within_the_crawl(site, crawl, db_path):
    site.add("/flaky/story", sequence((500, {}, b"down"), (200, {"Content-Type": "text/html"}, sample_page(OTHER))))
    site.add("/flaky.xml", rss([("story", site.url("/flaky/story"))]))
    summary = crawl({"good": site.url("/good.xml"), "flaky": site.url("/flaky.xml")})
    assert summary.articles_new == 3 and not summary.errors
    assert events(db_path, "/flaky/story") == [("article", "ok", 200, None, 2)]
    assert_healthy(db_path)


def test_a_feed_that_times_out_is_recorded_and_the_others_finish(site, crawl, db_path):
    def stalled(handler) -> None:
        time.sleep(1.5)
        sequence((200, {}, b"late"))(handler)

    site.add("/stalled.xml", stalled)
    summary = crawl({"stalled": site.url("/stalled.xml"), "good": site.url("/good.xml")})
    assert summary.feeds_failed == 1
    [(target, outcome, _, error, _)] = events(db_path, "/stalled.xml")
    assert (target, outcome) == ("feed", "error") and "timed out" in error
    assert_healthy(db_path)


def test_a_slow_endless_page_is_cut_at_the_size_cap(site, crawl, db_path):
    site.add("/endless/story", drip(b"<p>more</p>" * 2000, 0.005))
    site.add("/endless.xml", rss([("endless", site.url("/endless/story"))]))
    summary = crawl({"endless": site.url("/endless.xml"), "good": site.url("/good.xml")})
    assert summary.articles_new == 2
    [(_, outcome, _, error, _)] = events(db_path, "/endless/story")
    assert outcome == "error" and "400,000-byte limit" in error
    assert_healthy(db_path)


def test_a_malformed_feed_with_entries_is_a_warning_and_one_without_is_an_error(site, crawl, db_path):
    cut = rss([(OTHER, site.url(f"/other/{OTHER}"))]).replace("</channel></rss>", "<item><title>cut")
    site.add("/cut.xml", cut)
    site.add(f"/other/{OTHER}", sample_page(OTHER))
    site.add("/garbage.xml", b"\x00\x01 this is <not> a feed <<", Content_Type="application/xml")
    summary = crawl({"cut": site.url("/cut.xml"), "garbage": site.url("/garbage.xml"), "good": site.url("/good.xml")})
    assert summary.feeds_failed == 1 and summary.articles_new == 3
    status = dict(rows(db_path, "SELECT name, last_status FROM feeds"))
    assert status == {"cut": "warning", "garbage": "error", "good": "ok"}
    assert events(db_path, "/garbage.xml")[0][1] == "error"
    assert_healthy(db_path)


def test_an_html_page_served_as_a_feed_is_an_error(site, crawl, db_path):
    site.add("/homepage", sample_page(OTHER))
    summary = crawl({"homepage": site.url("/homepage"), "good": site.url("/good.xml")})
    assert summary.feeds_failed == 1 and "HTML page, not an RSS or Atom feed" in summary.errors[0]
    assert "HTML page" in rows(db_path, "SELECT last_error FROM feeds WHERE name = 'homepage'")[0][0]
    assert_healthy(db_path)


def test_a_redirect_loop_is_an_error(site, crawl, db_path):
    site.add("/loop-a.xml", b"", 301, Location="/loop-b.xml")
    site.add("/loop-b.xml", b"", 302, Location="/loop-a.xml")
    summary = crawl({"loop": site.url("/loop-a.xml"), "good": site.url("/good.xml")})
    assert summary.feeds_failed == 1 and "redirect loop" in events(db_path, "/loop-a.xml")[0][3]
    assert_healthy(db_path)


def test_invalid_utf8_in_a_feed_and_a_page_is_decoded_not_fatal(site, crawl, db_path):
    page = sample_page(OTHER).replace(b"10 percent", b"10 percent \xff\xfe")
    site.add(f"/bad-bytes/{OTHER}", page)
    feed = rss([("Caf\udcff", site.url(f"/bad-bytes/{OTHER}"))]).encode("utf-8", "surrogateescape")
    site.add("/bad-bytes.xml", feed, Content_Type="application/rss+xml; charset=utf-8")
    summary = crawl({"bad-bytes": site.url("/bad-bytes.xml"), "good": site.url("/good.xml")})
    assert summary.articles_new == 3 and not summary.errors
    [(text,)] = rows(db_path, "SELECT text FROM articles WHERE url LIKE '%/bad-bytes/%'")
    assert "\ufffd" in text
    assert_healthy(db_path)


def test_a_page_robots_txt_disallows_is_not_fetched(site, crawl, db_path):
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", Content_Type="text/plain")
    site.add(f"/private/{OTHER}", sample_page(OTHER))
    site.add("/mixed.xml", rss([("private", site.url(f"/private/{OTHER}"))]))
    summary = crawl({"mixed": site.url("/mixed.xml"), "good": site.url("/good.xml")})
    assert summary.articles_new == 2 and site.hits(f"/private/{OTHER}") == 0
    assert events(db_path, "/private/")[0][1:4] == ("disallowed", None, f"{site.url(f'/private/{OTHER}')}: "
                                                    "disallowed by robots.txt")
    assert site.hits("/robots.txt") == 1
    assert_healthy(db_path)


def test_retry_after_is_waited_for_and_the_page_fetched(site, crawl, db_path):
    site.add("/busy/story", sequence((429, {"Retry-After": "1"}, b""),
                                     (200, {"Content-Type": "text/html"}, sample_page(OTHER))))
    site.add("/busy.xml", rss([("busy", site.url("/busy/story"))]))
    summary = crawl({"busy": site.url("/busy.xml"), "good": site.url("/good.xml")})
    assert summary.articles_new == 3 and site.hits("/busy/story") == 2
    assert events(db_path, "/busy/story")[0][4] == 2
    assert_healthy(db_path)


def test_one_story_in_two_feeds_is_one_article_linked_to_both(site, crawl, db_path):
    site.add(f"/story/{OTHER}", sample_page(OTHER))
    site.add(f"/mirror/{OTHER}", sample_page(OTHER))
    site.add("/a.xml", rss([("a", site.url(f"/story/{OTHER}?utm_source=a"))]))
    site.add("/b.xml", rss([("b", site.url(f"/story/{OTHER}?utm_source=b#top")),
                            ("mirror", site.url(f"/mirror/{OTHER}"))]))
    summary = crawl({"a": site.url("/a.xml"), "b": site.url("/b.xml"), "good": site.url("/good.xml")})
    later = crawl({"c": site.url("/b.xml")}, obey_robots=False)
    assert summary.articles_new == 3 and later.articles_new == 0
    assert [path.split("?")[0] for path, _ in site.requests if "/story/" in path] == [f"/story/{OTHER}"]
    [(article_id,)] = rows(db_path, "SELECT id FROM articles WHERE url NOT LIKE '%/good/%'")
    linked = rows(db_path, "SELECT feeds.name FROM article_feeds JOIN feeds ON feeds.id = feed_id "
                  "WHERE article_id = ? ORDER BY name", article_id)
    assert linked == [("a",), ("b",), ("c",)]
    assert_healthy(db_path)


def test_a_private_address_is_refused_unless_allowed(site, crawl, db_path):
    summary = crawl({"internal": site.url("/good.xml"), "sample": str(SAMPLE / "feed.xml")},
                    allow_private_hosts=False)
    assert site.hits("/good.xml") == 0 and summary.feeds_failed == 1
    assert "internal address 127.0.0.1" in events(db_path, "/good.xml")[0][3]
    assert rows(db_path, "SELECT count(*) FROM articles")[0][0] == 8


def test_a_remote_feed_pointing_at_a_local_file_is_refused(site, crawl, db_path, tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_bytes(sample_page(OTHER))
    site.add("/sneaky.xml", rss([("secret", secret.as_uri())]))
    summary = crawl({"sneaky": site.url("/sneaky.xml"), "good": site.url("/good.xml")})
    assert summary.articles_new == 2
    assert "only http and https" in events(db_path, "secret.html")[0][3]
    assert_healthy(db_path)


def test_a_failing_feed_backs_off_and_stats_shows_it(site, crawl, db_path):
    crawl({"dead": site.url("/dead.xml"), "good": site.url("/good.xml")})
    second = crawl({"dead": site.url("/dead.xml"), "good": site.url("/good.xml")})
    assert second.feeds_skipped == 1 and site.hits("/dead.xml") == 1
    result = CliRunner().invoke(cli, ["stats", "--db", str(db_path)])
    assert "failing feed dead (1 failures in a row" in result.output and "HTTP 404" in result.output
    assert_healthy(db_path)


def failures(db_path: Path) -> list[tuple]:
    return rows(db_path, "SELECT url, failures, kind, reason FROM page_failures ORDER BY url")


def hours_later(monkeypatch, hours: float) -> None:
    """Hold the clock `hours` past the real one, for every stored time and every back-off decision."""
    later = datetime.now(UTC) + timedelta(hours=hours)
    monkeypatch.setattr(clock, "utc_now", lambda: later)


def test_a_failing_page_is_recorded_backed_off_and_cleared_by_a_success(site, crawl, db_path, monkeypatch):
    status = [500]

    def story(handler) -> None:
        body = b"down" if status[0] == 500 else sample_page(OTHER)
        sequence((status[0], {"Content-Type": "text/html"}, body))(handler)

    site.add("/shaky/story", story)
    site.add("/shaky.xml", rss([("story", site.url("/shaky/story"))]))
    feeds = {"good": site.url("/good.xml"), "shaky": site.url("/shaky.xml")}
    first = crawl(feeds)
    assert first.articles_new == 2 and len(first.errors) == 1 and site.hits("/shaky/story") == 2  # two attempts
    assert failures(db_path) == [(site.url("/shaky/story"), 1, "temporary", f"{site.url('/shaky/story')}: HTTP 500")]
    stored = rows(db_path, "SELECT id, url, text_hash FROM articles ORDER BY id")
    result = CliRunner().invoke(cli, ["stats", "--db", str(db_path)])
    assert "failing pages: 1 (temporary 1)" in result.output
    assert f"failing page {site.url('/shaky/story')} (temporary, 1 failures in a row" in result.output
    assert "HTTP 500" in result.output

    second = crawl(feeds)  # within the hour the first failure waits
    assert (second.pages_skipped, second.errors, second.articles_new) == (1, [], 0)
    assert site.hits("/shaky/story") == 2 and site.hits("/shaky.xml") == 2  # the feed is read again, the page not

    status[0] = 200
    hours_later(monkeypatch, 1.5)
    third = crawl(feeds)
    assert (third.pages_skipped, third.errors, third.articles_new) == (0, [], 1)
    assert site.hits("/shaky/story") == 3 and failures(db_path) == []
    assert rows(db_path, "SELECT id, url, text_hash FROM articles ORDER BY id")[:2] == stored
    assert_healthy(db_path)


def test_a_failing_page_waits_longer_after_each_failure(site, crawl, db_path, monkeypatch):
    site.add("/down/story", b"down", 503)
    site.add("/down.xml", rss([("story", site.url("/down/story"))]))
    feeds = {"down": site.url("/down.xml")}
    crawl(feeds)
    hours_later(monkeypatch, 1.5)
    crawl(feeds)
    assert site.hits("/down/story") == 4 and failures(db_path)[0][1:3] == (2, "temporary")
    [(retry_after,)] = rows(db_path, "SELECT retry_after FROM page_failures")
    assert retry_after == clock.to_iso(clock.utc_now() + timedelta(hours=2))  # the feeds' doubling
    hours_later(monkeypatch, 3)
    assert crawl(feeds).pages_skipped == 1 and site.hits("/down/story") == 4


def test_a_binary_page_is_a_content_failure_and_waits_longer(site, crawl, db_path, monkeypatch):
    site.add("/odd/blob", bytes(range(256)) * 40, Content_Type="text/html")
    site.add("/odd.xml", rss([("blob", site.url("/odd/blob"))]))
    feeds = {"good": site.url("/good.xml"), "odd": site.url("/odd.xml")}
    crawl(feeds)
    [(url, count, kind, reason)] = failures(db_path)
    assert (url, count, kind) == (site.url("/odd/blob"), 1, "content") and "binary content, not text" in reason
    # A content failure does not hold the feed's validators back: the page is met again when the feed changes.
    site.add("/odd.xml", rss([("blob", site.url("/odd/blob"))], title="Updated"))
    hours_later(monkeypatch, 2)  # past a temporary failure's first wait, not a content failure's
    assert crawl(feeds).pages_skipped == 1 and site.hits("/odd/blob") == 1
    site.add("/odd.xml", rss([("blob", site.url("/odd/blob"))], title="Updated again"))
    hours_later(monkeypatch, 25)
    assert len(crawl(feeds).errors) == 1 and site.hits("/odd/blob") == 2 and failures(db_path)[0][1] == 2
    assert_healthy(db_path)


def test_an_ingested_file_that_fails_is_read_again_by_every_ingest(tmp_path, db_path, finder):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 40)
    (folder / f"{OTHER}.html").write_bytes(sample_page(OTHER))
    config = write_config(tmp_path, {"unused": "http://127.0.0.1:9/feed.xml"})
    for _ in range(2):
        summary = ingest_folder(folder, db_path, config, executor=LocalExecutor(finder))
        assert summary.pages_skipped == 0 and "binary content, not text" in summary.errors[0]
    assert failures(db_path) == [] and rows(db_path, "SELECT count(*) FROM articles") == [(1,)]


def test_a_permanent_redirect_is_remembered_for_the_next_crawl(site, crawl, db_path):
    site.add("/moved.xml", b"", 301, Location="/good.xml")
    crawl({"moved": site.url("/moved.xml")})
    assert rows(db_path, "SELECT moved_to FROM feeds") == [(site.url("/good.xml"),)]
    crawl({"moved": site.url("/moved.xml")})
    assert site.hits("/moved.xml") == 1 and site.hits("/good.xml") == 2


def test_two_crawls_never_overlap(site, db_path, tmp_path):
    config = write_config(tmp_path, {"good": site.url("/good.xml")})
    with exclusive(db_path), pytest.raises(AlreadyRunning, match="another crawl is running"):
        run_crawl(config, db_path)
    result = CliRunner().invoke(cli, ["reprocess", "--db", str(db_path)])
    assert site.hits("/good.xml") == 0 and result.exit_code == 1


def test_reprocess_rebuilds_from_archived_pages_and_keeps_verdicts(site, crawl, db_path):
    crawl({"good": site.url("/good.xml")})
    claim_id, article_id = rows(db_path, "SELECT id, article_id FROM claims ORDER BY id LIMIT 1")[0]
    with sqlite3.connect(db_path) as connection:
        connection.execute("INSERT INTO reviews (claim_id, verdict, reviewer) VALUES (?, 'verified', 'alice')",
                           [claim_id])
        connection.execute("UPDATE articles SET extractor_version = 'old', text = 'stale' WHERE id = ?", [article_id])
    site.stop()  # no network from here on
    summary = reprocess(db_path, MODEL)
    assert (summary.articles, summary.from_archive, summary.errors) == (1, 1, [])
    assert rows(db_path, "SELECT status FROM claims WHERE id = ?", claim_id) == [("verified",)]
    [(text, version)] = rows(db_path, "SELECT text, extractor_version FROM articles WHERE id = ?", article_id)
    assert text != "stale" and version != "old"
    assert reprocess(db_path, MODEL, since="2000-01-01").articles == 0


def test_a_crawl_killed_mid_run_leaves_a_consistent_database_and_the_next_one_finishes(
        server, tmp_path, db_path, finder):
    names = sorted(path.stem for path in (SAMPLE / "pages").glob("*.html"))
    slow = [True]

    def page(name: str):
        def body(handler) -> None:
            if slow[0]:
                time.sleep(0.3)
            sequence((200, {"Content-Type": "text/html"}, sample_page(name)))(handler)
        return body

    for name in names:
        server.add(f"/news/{name}", page(name))
    server.add("/feed.xml", rss([(n, server.url(f"/news/{n}")) for n in names]), Content_Type="application/rss+xml")
    config = write_config(tmp_path, {"news": server.url("/feed.xml")}, per_host_concurrency=1)
    claimwatch = Path(sys.executable).parent / "claimwatch"
    process = subprocess.Popen([str(claimwatch), "crawl", "--feeds", str(config.path), "--db", str(db_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_articles(db_path, process)
    finally:
        process.kill()
        process.wait()
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    stored = rows(db_path, "SELECT count(*) FROM articles")[0][0]
    assert 1 <= stored < len(names)
    assert rows(db_path, "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM pages)") == [(0,)]
    assert rows(db_path, "SELECT status, content_hash FROM crawl_runs, feeds") == [("running", None)]
    slow[0] = False
    summary = run_crawl(config, db_path, executor=LocalExecutor(finder))
    assert summary.articles_new == len(names) - stored and not summary.errors
    assert rows(db_path, "SELECT status FROM crawl_runs ORDER BY id") == [("interrupted",), ("finished",)]

