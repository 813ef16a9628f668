"""The pages researchers read: home, canned queries, the article page, the agreement page and the settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db.database import open_database
from db.reviews import add_review
from review.accounts import accounts_path, add_reviewer
from review.display import format_number, highlighted_paragraphs
from review.server import build_datasette
from tests.conftest import PASSWORD, Site


@pytest.fixture
def site(claims_db: Path) -> Site:
    add_reviewer(accounts_path(claims_db), "alice", PASSWORD)
    visitor = Site(claims_db)
    yield visitor
    visitor.loop.close()


def test_the_home_page_lists_the_queries_and_hides_internal_tables(site: Site) -> None:
    home = site.get("/").text
    for title in ("Review queue", "Claims by speaker", "Claims by feed and week", "A figure over time",
                  "Verified claims"):
        assert f">{title}</a>" in home, title
    for internal in ("claim_facet_counts", "fetch_events", "pages", "article_urls"):
        assert f">{internal}</a>" not in home, internal
    assert "/claimwatch/claim_details\">claims with their articles</a>" in home


def test_canned_query_pages_hide_their_sql_and_are_titled(site: Site) -> None:
    page = site.get(f"/{site.database}/review_queue").text
    assert "<title>Review queue: claimwatch</title>" in page
    assert "SELECT claims.id" not in page


def test_claims_by_speaker_takes_a_kind_and_dates(site: Site, claims_db: Path) -> None:
    path = f"/{site.database}/claims_by_speaker.json?_shape=array&speaker="
    assert [row["claim"] for row in site.get(path).json()] == [3, 1]  # newest first, then the higher id
    assert [row["claim"] for row in site.get(path + "&kind=percent").json()] == []
    assert [row["claim"] for row in site.get(path + "police&kind=count&since=2024-05-01&until=2024-05-01").json()
            ] == [1]
    assert site.get(path + "&until=2024-04-30").json() == []


def test_the_claims_and_articles_pages_facet_by_publication_date(site: Site) -> None:
    for table in ("claim_details", "articles"):
        assert 'href="?_facet_date=published"' in site.get(f"/{site.database}/{table}").text, table
        faceted = site.get(f"/{site.database}/{table}?_facet_date=published").text
        assert 'data-column="published"' in faceted and "2024-05-01" in faceted, table
    details = site.get(f"/{site.database}/claim_details").text
    assert '<details class="column-help">' in details


def test_the_article_page_shows_its_body_with_every_claim_highlighted_and_linked(site: Site) -> None:
    page = site.get(f"/{site.database}/articles/1").text
    for claim in (1, 2, 3):
        assert f'<mark class="claim status-pending"><a href="/{site.database}/claims/{claim}"' in page
    assert "with its 3 claims highlighted" in page


def test_highlighted_paragraphs_cut_text_at_mentions_and_lines() -> None:
    text = "Intro line.\nPolice made 1,200 arrests and 40 fines."
    spans = [{"id": 7, "start": 24, "end": 29, "status": "verified"},
             {"id": 8, "start": 26, "end": 28, "status": "pending"},  # overlaps the first: left plain
             {"id": 9, "start": 42, "end": 44, "status": "pending"}]
    paragraphs = highlighted_paragraphs(text, spans)
    assert [[piece["text"] for piece in paragraph] for paragraph in paragraphs] == [
        ["Intro line."], ["Police made ", "1,200", " arrests and ", "40", " fines."]]
    assert [piece.get("claim") for piece in paragraphs[1]] == [None, 7, None, 9, None]


def test_a_figure_renders_as_written() -> None:
    assert format_number(16600000.000000002) == "16,600,000"
    assert format_number(0.5) == "0.5" and format_number(1250.5) == "1,250.5"


def test_the_agreement_page_gives_cohens_kappa_and_throughput(claims_db: Path) -> None:
    db = open_database(claims_db)
    for claim, (alice, bob) in enumerate([("verified", "verified"), ("rejected", "verified"),
                                          ("rejected", "rejected")], start=1):
        add_review(db, claim, alice, "alice")
        add_review(db, claim, bob, "bob")
    db.close()
    add_reviewer(accounts_path(claims_db), "alice", PASSWORD)
    site = Site(claims_db)
    try:
        page = site.get("/-/review/agreement").text
        # Observed agreement 2/3, chance agreement 4/9: kappa = (2/3 - 4/9) / (1 - 4/9) = 0.40.
        assert "<td>alice and bob</td>" in page and '<td class="kappa">0.40</td>' in page
        assert "67%" in page
    finally:
        site.loop.close()


def test_two_reviewers_must_agree_before_a_claim_counts_as_verified(claims_db: Path) -> None:
    for name in ("alice", "bob"):
        add_reviewer(accounts_path(claims_db), name, PASSWORD)
    alice = Site(claims_db)
    alice.datasette = build_datasette(claims_db, two_reviewers=True)
    bob = Site.__new__(Site)  # a second visitor of the same server: its own cookies, the same app and loop
    bob.datasette, bob.database, bob.loop, bob.cookies = alice.datasette, alice.database, alice.loop, {}
    try:
        alice.sign_in("alice", PASSWORD)
        alice.post("/-/review/verdict", {"claim_id": "1", "verdict": "verified"})
        verified = f"/{alice.database}/verified_claims.json?_shape=array"
        assert alice.get(verified).json() == []  # one verdict is not enough
        assert alice.get("/-/review/next.json").json()["claim"]["id"] == 2  # alice is not asked twice
        bob.sign_in("bob", PASSWORD)
        assert bob.get("/-/review/next.json").json()["claim"]["id"] == 1  # a second look comes first
        bob.post("/-/review/verdict", {"claim_id": "1", "verdict": "verified"})
        assert [row["claim"] for row in alice.get(verified).json()] == [1]
        assert bob.get("/-/review/next.json").json()["claim"]["id"] == 2
    finally:
        alice.loop.close()
    with sqlite3.connect(claims_db) as conn:
        assert conn.execute("SELECT reviewer FROM reviews ORDER BY id").fetchall() == [("alice",), ("bob",)]
