"""Sources beyond RSS: news sitemaps served on 127.0.0.1, date bounds, publication dates, language, paywalls."""

from __future__ import annotations

import gzip
import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from extractors.language import decide_language
from extractors.text import extract_page
from monitor.dates import BadDate, plausible_date
from tests.conftest import DATA, count, rss, run

SITEMAP_NS = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
              'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')
BUSINESS_INSIDER = DATA / "aeb-businessinsider-10-things-tech-nov-19.html"

PLACES = ["Riverton", "Lakeside", "Millbrook", "Ashford", "Oakdale", "Fairview", "Kingsport", "Elmwood"]


def story(number: int, extra_head: str = "", paragraphs: int = 4) -> str:
    """An English news page with no date anywhere in it, distinct for each `number`."""
    place = PLACES[number % len(PLACES)]
    body = "".join(
        f"<p>The council in {place} said it had repaired {40 + number * 7 + i} potholes on the main roads, "
        f"and that {12 + number + i} more crews would start work soon. Residents had complained for months "
        f"about the state of the streets near the school and the market, according to the mayor.</p>"
        for i in range(paragraphs))
    return (f"<html><head><title>{place} repairs roads</title>{extra_head}</head><body><article>"
            f"<h1>{place} repairs its roads</h1>{body}</article></body></html>")


FRENCH = ("<html lang='en'><head><title>Les routes de Rouen</title></head><body><article><h1>Les routes de Rouen</h1>"
          + "<p>Le conseil municipal de Rouen a annoncé mardi qu'il avait réparé plus de trois cents nids-de-poule "
            "sur les grandes avenues de la ville, et que douze équipes supplémentaires commenceraient bientôt "
            "leur travail. Les habitants se plaignaient depuis des mois de l'état des rues près de l'école et "
            "du marché, selon le maire, qui a promis que les travaux seraient terminés avant l'hiver.</p>" * 3
          + "</article></body></html>")


def feeds_yaml(tmp_path: Path, feeds: str, extra: str = "") -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text("defaults:\n  timeout: 5\n  allow_private_hosts: true\n  per_host_delay: 0.01\n"
                    f"{extra}feeds:\n{feeds}", encoding="utf-8")
    return path


def urlset(entries: list[tuple[str, str | None]]) -> str:
    """A news sitemap of (url, publication date) entries."""
    items = "".join(
        f"<url><loc>{url}</loc>" + (
            f"<news:news><news:publication><news:name>Test</news:name><news:language>en</news:language>"
            f"</news:publication><news:publication_date>{day}</news:publication_date>"
            f"<news:title>Story</news:title></news:news>" if day else "") + "</url>"
        for url, day in entries)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {SITEMAP_NS}>{items}</urlset>'


def sitemap_index(urls: list[str]) -> str:
    items = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {SITEMAP_NS}>{items}</sitemapindex>'


def rows(db_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(sql).fetchall()


def serve_stories(server, numbers: range, prefix: str = "story") -> list[str]:
    return [server.add(f"/{prefix}/{n}", story(n)) for n in numbers]


# Sitemaps


def test_a_sitemap_index_of_two_news_sitemaps_is_crawled_within_the_date_bound_once(server, tmp_path, db_path):
    urls = serve_stories(server, range(6))
    server.add("/news-1.xml", urlset([(urls[0], "2026-11-20T08:00:00Z"), (urls[1], "2026-11-25"),
                                      (urls[2], "2026-10-01T09:30:00+02:00")]), Content_Type="application/xml")
    server.add("/news-2.xml", urlset([(urls[3], "2026-11-28T12:00:00Z"), (urls[4], "2025-01-05"),
                                      (urls[5], "2026-11-15T23:00:00-05:00")]), Content_Type="application/xml")
    index = server.add("/sitemap.xml", sitemap_index([server.url("/news-1.xml"), server.url("/news-2.xml")]),
                       Content_Type="application/xml")
    feeds = feeds_yaml(tmp_path, f"  - name: site\n    url: {index}\n    since: 2026-11-15\n")

    first = run("crawl", "--feeds", feeds, "--db", db_path)

    assert first.exit_code == 0, first.output
    assert "2 older than the date bound" in first.output
    stored = rows(db_path, "SELECT url, published, published_source FROM articles ORDER BY url")
    assert stored == [
        (urls[0], "2026-11-20T08:00:00+00:00", "sitemap"), (urls[1], "2026-11-25T00:00:00+00:00", "sitemap"),
        (urls[3], "2026-11-28T12:00:00+00:00", "sitemap"), (urls[5], "2026-11-16T04:00:00+00:00", "sitemap"),
    ]
    assert server.hits("/story/2") == 0 and server.hits("/story/4") == 0  # outside the bound: never fetched

    second = run("crawl", "--feeds", feeds, "--db", db_path)

    assert second.exit_code == 0, second.output
    assert all(server.hits(f"/story/{n}") == 1 for n in (0, 1, 3, 5))
    assert count(db_path, "articles") == 4


def test_a_sitemap_entry_without_a_date_is_fetched_whatever_the_bound(server, tmp_path, db_path):
    url = serve_stories(server, range(1))[0]
    sitemap = server.add("/undated.xml", urlset([(url, None)]), Content_Type="text/xml")
    feeds = feeds_yaml(tmp_path, f"  - name: site\n    url: {sitemap}\n    type: sitemap\n",
                       extra="  since: '2026-11-01'\n")
    assert run("crawl", "--feeds", feeds, "--db", db_path).exit_code == 0
    assert rows(db_path, "SELECT url, published, published_source FROM articles") == [(url, None, None)]


def test_crawl_since_overrides_the_feeds_file(server, tmp_path, db_path):
    urls = serve_stories(server, range(2))
    feed = server.add("/sitemap.xml", urlset([(urls[0], "2026-11-01"), (urls[1], "2026-11-20")]),
                      Content_Type="application/xml")
    feeds = feeds_yaml(tmp_path, f"  - name: site\n    url: {feed}\n    since: 2020-01-01\n")
    result = run("crawl", "--feeds", feeds, "--db", db_path, "--since", "2026-11-10")
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT url FROM articles") == [(urls[1],)]
    assert server.hits("/story/0") == 0


def test_crawl_since_must_be_a_date(tmp_path, db_path):
    feeds = feeds_yaml(tmp_path, "  - name: site\n    url: http://127.0.0.1:9/feed.xml\n")
    result = run("crawl", "--feeds", feeds, "--db", db_path, "--since", "last week")
    assert result.exit_code == 2
    assert "'last week' is not a date" in result.output


@pytest.mark.parametrize(("field", "message"), [
    ("since: soon", "field 'since': 'soon' is not a date"),
    ("type: atom", "field 'type' must be one of auto, feed, sitemap, got 'atom'"),
])
def test_bad_source_fields_in_the_feeds_file_are_named(tmp_path, db_path, field, message):
    feeds = feeds_yaml(tmp_path, f"  - name: site\n    url: http://127.0.0.1:9/feed.xml\n    {field}\n")
    result = run("crawl", "--feeds", feeds, "--db", db_path)
    assert result.exit_code == 2
    assert f"feed #1 (site): {message}" in result.output


# Hostile sitemaps: each is survived with a named reason, and what was stored before stays.


@pytest.fixture
def stored_site(server, tmp_path, db_path):
    """A database holding one article from an earlier crawl of a good sitemap."""
    url = serve_stories(server, range(1), prefix="kept")[0]
    good = server.add("/good.xml", urlset([(url, "2026-11-20")]), Content_Type="application/xml")
    assert run("crawl", "--feeds", feeds_yaml(tmp_path, f"  - name: good\n    url: {good}\n"),
               "--db", db_path).exit_code == 0
    assert count(db_path, "articles") == 1
    return good


def crawl_hostile(tmp_path: Path, db_path: Path, good: str, url: str, caplog) -> tuple:
    feeds = feeds_yaml(tmp_path, f"  - name: good\n    url: {good}\n  - name: hostile\n    url: {url}\n")
    # A failed feed is logged at INFO: the command's own summary names it, grouped with others of its kind.
    with caplog.at_level(logging.INFO):
        result = run("crawl", "--feeds", feeds, "--db", db_path)
    stored = rows(db_path, "SELECT url FROM articles")
    status = rows(db_path, "SELECT last_status, last_error FROM feeds WHERE name = 'hostile'")[0]
    return result, stored, status


def test_a_sitemap_that_lists_itself_is_read_once(server, tmp_path, db_path, stored_site, caplog):
    url = serve_stories(server, range(3, 4))[0]
    loop = server.url("/loop.xml")
    server.add("/loop.xml", sitemap_index([loop, server.url("/inner.xml")]), Content_Type="application/xml")
    server.add("/inner.xml", urlset([(url, "2026-11-21")]), Content_Type="application/xml")

    result, stored, (status, error) = crawl_hostile(tmp_path, db_path, stored_site, loop, caplog)

    assert result.exit_code == 0, result.output
    assert server.hits("/loop.xml") == 1
    assert len(stored) == 2 and (url,) in stored
    assert status == "warning" and f"lists {loop}, which this walk has read already (a loop)" in error
    assert "(a loop); not read again" in caplog.text


def test_a_sitemap_of_100000_urls_is_refused_before_parsing(server, tmp_path, db_path, stored_site, caplog):
    huge = urlset([(f"{server.base}/many/{n}", None) for n in range(100_000)])
    assert 4_000_000 < len(huge) < 10_000_000  # under max_page_bytes: the URL bound is what stops it
    url = server.add("/huge.xml", huge, Content_Type="application/xml")

    result, stored, (status, error) = crawl_hostile(tmp_path, db_path, stored_site, url, caplog)

    assert result.exit_code == 1  # the hostile feed failed; the good one went on
    assert len(stored) == 1
    assert status == "error" and "lists 100,000 URLs, over sitemap_max_urls (50,000); not read" in error
    assert "feed hostile failed" in caplog.text and "100,000 URLs" in caplog.text
    assert not any(path.startswith("/many/") for path, _ in server.requests)


def test_a_gzip_bomb_is_refused_without_inflating_it(server, tmp_path, db_path, stored_site, caplog):
    bomb = gzip.compress(b"<urlset>" + b" " * 200_000_000, compresslevel=9)
    assert len(bomb) < 300_000
    url = server.add("/bomb.xml.gz", bomb, Content_Type="application/gzip")

    result, stored, (status, error) = crawl_hostile(tmp_path, db_path, stored_site, url, caplog)

    assert result.exit_code == 1
    assert len(stored) == 1
    assert status == "error" and "decompresses to over 10,000,000 bytes (max_page_bytes); not read" in error
    assert "gzip" not in error or "decompresses" in error


def test_a_gzipped_sitemap_is_read(server, tmp_path, db_path):
    url = serve_stories(server, range(1))[0]
    sitemap = server.add("/news.xml.gz", gzip.compress(urlset([(url, "2026-11-22")]).encode()),
                         Content_Type="application/x-gzip")
    assert run("crawl", "--feeds", feeds_yaml(tmp_path, f"  - name: site\n    url: {sitemap}\n"),
               "--db", db_path).exit_code == 0
    assert rows(db_path, "SELECT url, published_source FROM articles") == [(url, "sitemap")]


def test_malformed_xml_is_refused_with_the_parser_error(server, tmp_path, db_path, stored_site, caplog):
    broken = urlset([(server.url("/story/9"), "2026-11-20")]).replace("</url>", "</ur>", 1)
    url = server.add("/broken.xml", broken, Content_Type="application/xml")

    result, stored, (status, error) = crawl_hostile(tmp_path, db_path, stored_site, url, caplog)

    assert result.exit_code == 1
    assert len(stored) == 1
    assert status == "error" and "not well-formed XML (mismatched tag: line 1, column" in error
    assert server.hits("/story/9") == 0


def test_a_broken_sub_sitemap_leaves_the_others_readable(server, tmp_path, db_path):
    url = serve_stories(server, range(1))[0]
    server.add("/ok.xml", urlset([(url, "2026-11-20")]), Content_Type="application/xml")
    server.add("/bad.xml", "<urlset><url><loc>", Content_Type="application/xml")
    index = server.add("/index.xml", sitemap_index([server.url("/bad.xml"), server.url("/ok.xml"),
                                                    server.url("/missing.xml")]), Content_Type="application/xml")
    result = run("crawl", "--feeds", feeds_yaml(tmp_path, f"  - name: site\n    url: {index}\n"), "--db", db_path)
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT url FROM articles") == [(url,)]
    error = rows(db_path, "SELECT last_error FROM feeds")[0][0]
    assert "/bad.xml: not well-formed XML" in error and "/missing.xml: HTTP 404" in error


# Publication dates


def test_a_page_without_date_metadata_gets_the_feeds_date(server, tmp_path, db_path):
    url = server.add("/undated", story(1))
    feed = server.add("/feed.xml", rss([("Roads", url)]).replace(
        "</link>", "</link><pubDate>Tue, 24 Nov 2026 09:15:00 +0100</pubDate>"), Content_Type="application/rss+xml")
    assert run("crawl", "--feeds", feeds_yaml(tmp_path, f"  - name: local\n    url: {feed}\n"),
               "--db", db_path).exit_code == 0
    assert rows(db_path, "SELECT published, published_source FROM articles") == [("2026-11-24T08:15:00+00:00", "feed")]


def test_the_pages_own_date_wins_and_an_impossible_feed_date_is_refused(server, tmp_path, db_path, caplog):
    dated = server.add("/dated", story(2, '<meta property="article:published_time" content="2026-11-02T10:00:00Z">'))
    undated = server.add("/undated", story(3))
    items = "".join(f"<item><title>{n}</title><link>{u}</link><pubDate>{d}</pubDate></item>" for n, u, d in [
        ("a", dated, "Wed, 25 Nov 2026 10:00:00 GMT"), ("b", undated, "Thu, 01 May 2031 10:00:00 GMT")])
    feed = server.add("/feed.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}'
                                   "</channel></rss>", Content_Type="application/rss+xml")
    with caplog.at_level(logging.WARNING):
        assert run("crawl", "--feeds", feeds_yaml(tmp_path, f"  - name: local\n    url: {feed}\n"),
                   "--db", db_path).exit_code == 0
    assert dict(rows(db_path, "SELECT url, published || ' ' || published_source FROM articles")) == {
        dated: "2026-11-02T00:00:00+00:00 page", undated: None}
    assert f"{undated}: feed date refused: 2031-05-01T10:00:00+00:00 is in the future" in caplog.text


def test_plausible_dates_are_iso_utc_and_the_rest_are_refused():
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    assert plausible_date("2026-11-30T22:00:00-03:00", now) == "2026-12-01T01:00:00+00:00"
    assert plausible_date("2026-12-02T20:00:00", now) == "2026-12-02T20:00:00+00:00"  # a few hours of clock skew
    with pytest.raises(BadDate, match="is in the future"):
        plausible_date(now + timedelta(days=3), now)
    with pytest.raises(BadDate, match="is before 1990"):
        plausible_date("1989-12-31", now)
    with pytest.raises(BadDate, match="not a date"):
        plausible_date("yesterday", now)


# Language


def test_the_english_page_that_declares_german_is_stored_and_a_french_one_is_skipped(server, tmp_path, db_path):
    english = server.add("/bi", BUSINESS_INSIDER.read_bytes())
    french = server.add("/fr", FRENCH)
    feed = server.add("/feed.xml", rss([("bi", english), ("fr", french)]), Content_Type="application/rss+xml")
    result = run("crawl", "--feeds", feeds_yaml(tmp_path, f"  - name: local\n    url: {feed}\n"), "--db", db_path)
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT url, language FROM articles") == [(english, "en")]
    assert "written in 'fr', not 'en'; skipped" in result.output
    assert rows(db_path, f"SELECT outcome, error FROM fetch_events WHERE url = '{french}'") == [
        ("skipped", "written in 'fr', not 'en'; skipped")]


def test_the_declaration_counts_only_when_the_text_is_too_short_to_tell():
    page = extract_page(BUSINESS_INSIDER.read_text(encoding="utf-8"))
    assert page.language == "en"
    assert decide_language("de", "Kurz.") == "de"
    assert decide_language("en-GB", FRENCH) == "fr"


# Paywalls


def paywalled(paragraphs: int, number: int) -> str:
    json_ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": '
               '"NewsArticle", "isAccessibleForFree": "False", "hasPart": {"@type": "WebPageElement", '
               '"isAccessibleForFree": false, "cssSelector": ".paywall"}}]}</script>')
    return story(number, json_ld, paragraphs)


def test_a_paywalled_teaser_is_stored_without_claims_and_counted(server, tmp_path, db_path):
    teaser = server.add("/teaser", paywalled(2, 1))
    full = server.add("/full", paywalled(8, 2))
    free = server.add("/free", story(3, '<script type="application/ld+json">{"isAccessibleForFree": true}</script>'))
    feed = server.add("/feed.xml", rss([("t", teaser), ("f", full), ("o", free)]), Content_Type="application/rss+xml")
    assert run("crawl", "--feeds", feeds_yaml(tmp_path, f"  - name: local\n    url: {feed}\n"),
               "--db", db_path).exit_code == 0
    found = rows(db_path, "SELECT url, paywalled, teaser, (SELECT count(*) FROM claims WHERE article_id = articles.id) "
                          "FROM articles ORDER BY url")
    assert [(url, wall, tease, claims > 0) for url, wall, tease, claims in found] == [
        (free, 0, 0, True), (full, 1, 0, True), (teaser, 1, 1, False)]
    stats = run("stats", "--db", db_path)
    assert "paywalled teasers stored without claims: 1" in stats.output
    assert json.loads(run("stats", "--db", db_path, "--json").output)["paywalled_teasers"] == 1


# Discovery


def test_discover_prints_the_feeds_and_sitemaps_a_site_offers(server, tmp_path):
    server.add("/", '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
                    '<link rel="alternate" type="application/atom+xml" href="https://example.org/atom">'
                    '<link rel="stylesheet" href="/style.css"></head><body>News</body></html>')
    server.add("/robots.txt", f"User-agent: *\nDisallow: /admin\nSitemap: {server.base}/news-index.xml\n",
               Content_Type="text/plain")
    server.add("/sitemap.xml", sitemap_index([server.url("/news-index.xml")]), Content_Type="application/xml")
    feeds = feeds_yaml(tmp_path, "  - name: x\n    url: http://127.0.0.1:9/\n")

    result = run("discover", server.base + "/", "--feeds", feeds)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"feed     {server.base}/rss.xml  (home page)",
        "feed     https://example.org/atom  (home page)",
        f"sitemap  {server.base}/news-index.xml  (robots.txt)",
        f"sitemap  {server.base}/sitemap.xml  (common path)",
    ]


def test_discover_refuses_a_private_address_by_default(server, tmp_path):
    result = run("discover", server.base + "/", "--feeds", tmp_path / "none.yaml")
    assert result.exit_code == 1
    assert "error: cannot read the home page" in result.output
