"""The whole path from a feed to claims in SQLite, through the real CLI, model and database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import DATA, count, rss, run, sample_page, serve_feed

SEED = DATA / "ppp-cambodia-drug-war.txt"
PAGES = ["therepublic-police-drug-arrests", "chron-new-car-sales-plunge", "thehill-south-dakota-meth-campaign"]


def feeds_file(tmp_path: Path, *feeds: tuple[str, str], extra: str = "") -> Path:
    entries = "".join(f"  - name: {name}\n    url: {url}\n" for name, url in feeds)
    path = tmp_path / "feeds.yaml"
    defaults = f"defaults:\n  timeout: 5\n  allow_private_hosts: true\n{extra}"
    path.write_text(f"{defaults}feeds:\n{entries}", encoding="utf-8")
    return path


@pytest.fixture
def news_site(server):
    """A feed of three real pages, served over HTTP on 127.0.0.1."""
    serve_feed(server, "feed", PAGES)
    return server


def seed_claims() -> dict[str, dict]:
    result = run("extract", SEED, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    return {r["number"]: r for r in records if r["record"] == "claim"}


def test_extract_finds_the_seed_claims_with_their_speakers():
    claims = seed_claims()
    expected = {
        "8,000": (8000, ">", "National Police"),
        "4,298": (4298, "=", "Kirth Chantharith"),
        "3,569": (3569, "=", "Kirth Chantharith"),
        "17 percent": (17, "down", "Mith Samlanh"),
        "15": (15, "<", "Pin Sokhom"),
    }
    for number, (value, change, speaker) in expected.items():
        claim = claims[number]
        assert (claim["value"], claim["change"]) == (value, change), claim
        assert speaker in (claim["speaker"] or ""), claim


def test_extract_skips_related_story_teasers():
    assert not any("Swire" in claim["sentence"] or "Bokator" in claim["sentence"] for claim in seed_claims().values())


def test_extract_records_carry_every_documented_field():
    result = run("extract", SEED, "--format", "jsonl", "--quantities")
    records = [json.loads(line) for line in result.output.splitlines()]
    kinds = {r["record"] for r in records}
    assert kinds == {"quantity", "claim", "quote"}
    claim = next(r for r in records if r["record"] == "claim")
    for key in ("doc", "sentence", "start", "end", "text", "number", "value", "low", "high", "kind", "change",
                "subject", "speaker", "score"):
        assert key in claim
    assert claim["doc"] == "ppp-cambodia-drug-war"
    text = SEED.read_text(encoding="utf-8")
    assert claim["number"] in claim["text"]
    assert claim["sentence"] in text.replace("\r\n", "\n")
    quote = next(r for r in records if r["record"] == "quote")
    assert set(quote) >= {"doc", "speaker", "text", "start", "end"}


def test_crawl_stores_articles_and_claims_once(news_site, tmp_path, db_path):
    feeds = feeds_file(tmp_path, ("local", news_site.url("/feed.xml")))
    first = run("crawl", "--feeds", feeds, "--db", db_path)
    assert first.exit_code == 0, first.output
    assert count(db_path, "articles") == len(PAGES)
    claims = count(db_path, "claims")
    assert claims > 10
    second = run("crawl", "--feeds", feeds, "--db", db_path)
    assert second.exit_code == 0, second.output
    assert (count(db_path, "articles"), count(db_path, "claims")) == (len(PAGES), claims)
    assert count(db_path, "crawl_runs") == 2


def test_a_dead_feed_is_one_error_line_and_the_others_still_finish(news_site, tmp_path, db_path):
    feeds = feeds_file(tmp_path, ("dead", news_site.url("/gone.xml")), ("local", news_site.url("/feed.xml")))
    result = run("crawl", "--feeds", feeds, "--db", db_path)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "dead" in errors[0] and "404" in errors[0]
    assert count(db_path, "articles") == len(PAGES)
    assert count(db_path, "fetch_events") >= len(PAGES) + 2


def test_a_non_html_page_is_recorded_and_skipped(server, tmp_path, db_path):
    server.add("/report.pdf", b"%PDF-1.4 binary", Content_Type="application/pdf")
    server.add("/story", sample_page(PAGES[0]))
    server.add("/feed.xml", rss([("pdf", server.url("/report.pdf")), ("story", server.url("/story"))]))
    result = run("crawl", "--feeds", feeds_file(tmp_path, ("local", server.url("/feed.xml"))), "--db", db_path)
    assert "report.pdf" in result.output and "not an HTML page" in result.output
    assert count(db_path, "articles") == 1


def test_a_broken_feeds_file_stops_before_anything_is_touched(news_site, tmp_path, db_path):
    run("crawl", "--feeds", feeds_file(tmp_path, ("local", news_site.url("/feed.xml"))), "--db", db_path)
    stored = count(db_path, "claims")
    broken = tmp_path / "broken.yaml"
    broken.write_text("feeds:\n  - name: x\n    ur: https://example.org/rss\n", encoding="utf-8")
    result = run("crawl", "--feeds", broken, "--db", db_path)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"error: {broken}: feed #1 (x): unknown field 'ur' (allowed: ")
    assert count(db_path, "claims") == stored
    assert count(db_path, "crawl_runs") == 1


def test_a_missing_feeds_file_and_a_missing_page_are_named(tmp_path):
    result = run("crawl", "--feeds", tmp_path / "nope.yaml", "--db", tmp_path / "x.db")
    assert result.exit_code == 2 and "nope.yaml: no such feeds file" in result.output
    result = run("extract", tmp_path / "missing.html")
    assert result.exit_code == 1 and "missing.html: no such file" in result.output


def test_ingest_loads_a_folder_of_saved_pages(tmp_path, db_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    for name in PAGES[:2]:
        (folder / f"{name}.html").write_bytes(sample_page(name))
    (folder / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("ingest", folder, "--db", db_path, "--feeds", tmp_path / "none.yaml")
    assert result.exit_code == 0, result.output
    assert count(db_path, "articles") == 3
    stats = run("stats", "--db", db_path, "--json")
    assert json.loads(stats.output)["articles"] == 3


def test_worker_processes_find_the_same_claims(news_site, tmp_path):
    rows = {}
    for workers in (1, 2):
        db_path = tmp_path / f"workers-{workers}.db"
        feeds = feeds_file(tmp_path, ("local", news_site.url("/feed.xml")), extra=f"  extract_workers: {workers}\n")
        assert run("crawl", "--feeds", feeds, "--db", db_path).exit_code == 0
        with sqlite3.connect(db_path) as connection:
            rows[workers] = connection.execute(
                "SELECT articles.url, number, value, change, speaker FROM claims JOIN articles "
                "ON articles.id = article_id ORDER BY articles.url, start_char").fetchall()
    assert rows[1] and rows[1] == rows[2]

