"""The review workflow in a real browser: Debian's Chromium, driven by Playwright, against `claimwatch serve`."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.articles import ArticleRecord, save_article
from db.crawling import upsert_feed
from db.database import open_database
from extractors.text import Page
from review.accounts import accounts_path, add_reviewer
from tests.conftest import ROOT, claim_record, extraction_of
from tests.serving import serve_in_background

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery"
# `UPDATE_SCREENSHOTS=1 pytest tests/test_browser.py` refreshes the pictures in docs/review.md.
SCREENSHOT = ROOT / "docs" / "review.png"
DOCS = ROOT / "docs"


def screenshot(page, name: str, tmp_path: Path, full_page: bool = True) -> None:
    """docs/NAME when refreshing the documentation, else a scratch file; a PNG either way."""
    path = DOCS / name if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path / name
    page.screenshot(path=str(path), full_page=full_page)
    assert path.read_bytes().startswith(b"\x89PNG")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
def served(claims_db: Path, tmp_path: Path) -> Iterator[str]:
    """`claimwatch serve` on a free port of 127.0.0.1, with reviewer alice; yields its base URL."""
    add_reviewer(accounts_path(claims_db), "alice", PASSWORD)
    with serve_in_background(claims_db, tmp_path / "serve.log") as base:
        yield base


@pytest.fixture
def page() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1280, "height": 900})
        browser.close()


def test_a_reviewer_signs_in_and_verifies_a_claim(served: str, page, claims_db: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    database = claims_db.stem
    page.goto(f"{served}/{database}/claims/1")
    expect(page.get_by_text("Sign in as a reviewer")).to_be_visible()
    expect(page.locator("button", has_text="Verify")).to_have_count(0)

    page.goto(f"{served}/-/login")
    _sign_in(page, "alice", "not the password")
    expect(page.get_by_text("Wrong name or password.")).to_be_visible()
    _sign_in(page, "alice", PASSWORD)
    expect(page).to_have_url(f"{served}/-/review")
    page.goto(f"{served}/{database}/review_queue")
    queued = page.get_by_role("link", name="#1", exact=True)

    queued.click()
    expect(page).to_have_url(f"{served}/{database}/claims/1")
    page.fill("#review-note", "Matches the police press release")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Recorded: claim #1 is verified.")).to_be_visible()
    expect(page).to_have_url(f"{served}/{database}/claims/1")
    page.goto(f"{served}/{database}/review_queue")
    expect(queued).to_have_count(0)  # off the queue

    page.goto(f"{served}/{database}/claims/1")
    expect(page.locator("#claim-status")).to_have_text("verified")
    review = page.locator("table.claim-reviews tbody tr")
    expect(review).to_have_count(1)
    expect(review.locator("td.reviewer")).to_have_text("alice")
    expect(review.locator("td.verdict")).to_have_text("verified")
    screenshot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path / "review.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")


def _sign_in(page, name: str, password: str) -> None:
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("input[type=submit][value='Sign in']")


# Five claims in one article, each sentence with its mention at its real offsets, best score first.
DESK_SENTENCES = [
    ("Police said they made 1,200 drug arrests last year.", "1,200", 1200.0, "drug arrests", "Police", 0.95),
    ("Car sales fell 17.5 percent in May.", "17.5 percent", 17.5, "car sales", None, 0.9),
    ("The minister said 40 schools would close.", "40", 40.0, "schools", "the minister", 0.8),
    ("About 300 people attended the meeting.", "About 300", 300.0, "people", None, 0.7),
    ("The council counted 96 potholes.", "96", 96.0, "potholes", "The council", 0.6),
]


@pytest.fixture
def desk_db(tmp_path: Path) -> Path:
    """A database with the five DESK_SENTENCES claims (ids 1-5) and reviewer alice."""
    db_path = tmp_path / "desk.db"
    text = " ".join(sentence for sentence, *_ in DESK_SENTENCES)
    claims = []
    for sentence, number, value, subject, speaker, score in DESK_SENTENCES:
        claim = claim_record(sentence, number, value, subject, speaker, score, text.index(sentence))
        claim["start"] = text.index(number, claim["sentence_start"])
        claim["end"] = claim["start"] + len(number)
        claims.append(claim)
    db = open_database(db_path)
    feed_id = upsert_feed(db, "local-news", "http://127.0.0.1/feed.xml", ["test"], True)
    page = Page(text=text, title="A busy week", site_name="Local News", language="en")
    save_article(db, ArticleRecord("http://127.0.0.1/story", page, published="2024-05-01", feed_id=feed_id),
                 extraction_of(claims), "test-1")
    db.close()
    add_reviewer(accounts_path(db_path), "alice", PASSWORD)
    return db_path


def test_the_desk_reviews_five_claims_from_the_keyboard(desk_db: Path, page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with serve_in_background(desk_db, tmp_path / "serve.log") as base:
        page.goto(f"{base}/-/review")
        expect(page).to_have_url(f"{base}/-/login?next=%2F-%2Freview")
        _sign_in(page, "alice", PASSWORD)
        expect(page).to_have_url(f"{base}/-/review")
        card = page.locator("#desk-card")
        expect(card).to_have_attribute("data-claim", "1")
        expect(page.locator("#desk-context mark")).to_have_text("1,200")
        expect(page.locator("#desk-context")).to_contain_text("Car sales fell")  # the sentence after
        expect(page.locator("#desk-fields dd[data-field=speaker]")).to_have_text("Police")
        expect(page.locator("#desk-article-title")).to_have_text("A busy week")
        screenshot(page, "review-desk.png", tmp_path, full_page=False)

        page.keyboard.press("v")
        expect(card).to_have_attribute("data-claim", "2")
        page.evaluate("window.deskSaved()")
        expect(page.locator("#desk-status")).to_have_text("#1 verified.")
        expect(page.locator("#desk-context")).to_contain_text("drug arrests last year.")  # the sentence before
        page.keyboard.press("r")
        expect(card).to_have_attribute("data-claim", "3")
        page.keyboard.press("u")  # takes the rejection of claim 2 back
        expect(card).to_have_attribute("data-claim", "2")
        expect(page.locator("#desk-status")).to_contain_text("#2 is pending again")
        page.keyboard.press("c")
        expect(page.locator("#desk-correct input[name=speaker]")).to_be_focused()
        page.keyboard.type("the transport ministry")
        page.keyboard.press("Enter")
        expect(card).to_have_attribute("data-claim", "3")
        page.keyboard.press("s")
        expect(card).to_have_attribute("data-claim", "4")
        page.keyboard.press("v")
        expect(card).to_have_attribute("data-claim", "5")
        page.keyboard.press("?")
        expect(page.locator("#desk-help")).to_be_visible()
        page.keyboard.press("Escape")
        page.keyboard.press("r")
        expect(page.locator("#desk-empty")).to_be_visible()
        page.evaluate("window.deskSaved()")
        expect(page.locator("#desk-status")).to_contain_text("#5 rejected")

    with sqlite3.connect(desk_db) as conn:
        reviews = conn.execute("SELECT claim_id, verdict, reviewer, corrected_speaker, undoes FROM reviews "
                               "ORDER BY id").fetchall()
        statuses = dict(conn.execute("SELECT id, status FROM claims").fetchall())
        speaker = conn.execute("SELECT speaker FROM claims WHERE id = 2").fetchone()[0]
    assert reviews == [(1, "verified", "alice", None, None), (2, "rejected", "alice", None, None),
                       (2, "pending", "alice", None, 2), (2, "needs_correction", "alice", "the transport ministry",
                                                          None),
                       (4, "verified", "alice", None, None), (5, "rejected", "alice", None, None)]
    assert statuses == {1: "verified", 2: "needs_correction", 3: "pending", 4: "verified", 5: "rejected"}
    assert speaker is None  # the extractor's value stays; the correction sits beside it in reviews


def test_the_desk_works_with_the_mouse(served: str, page, claims_db: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{served}/-/login?next=/-/review")
    _sign_in(page, "alice", PASSWORD)
    card = page.locator("#desk-card")
    expect(card).to_have_attribute("data-claim", "1")
    page.get_by_role("button", name="Verify").click()
    expect(card).to_have_attribute("data-claim", "2")
    page.get_by_role("button", name="Skip").click()
    expect(card).to_have_attribute("data-claim", "3")
    page.get_by_role("button", name="Undo").click()
    expect(card).to_have_attribute("data-claim", "1")
    expect(page.locator("#desk-status")).to_contain_text("#1 is pending again")


def test_the_home_and_article_pages_for_researchers(desk_db: Path, page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with serve_in_background(desk_db, tmp_path / "serve.log") as base:
        page.goto(base)
        expect(page.get_by_role("link", name="Claims by speaker")).to_be_visible()
        expect(page.get_by_role("link", name="claim_facet_counts")).to_have_count(0)
        screenshot(page, "review-home.png", tmp_path)
        page.goto(f"{base}/desk/articles/1")
        marks = page.locator(".article-body mark.claim a")
        expect(marks).to_have_count(5)
        expect(marks.first).to_have_text("1,200")
        expect(page.locator("td.col-text")).to_be_hidden()
        marks.nth(1).click()
        expect(page).to_have_url(f"{base}/desk/claims/2")
        page.go_back()
        screenshot(page, "review-article.png", tmp_path)
