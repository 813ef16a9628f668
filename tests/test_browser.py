"""The review workflow in a real browser: Debian's Chromium, driven by Playwright, against `claimwatch serve`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from review.accounts import accounts_path, add_reviewer
from tests.conftest import ROOT
from tests.serving import serve_in_background

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery"
# `UPDATE_SCREENSHOTS=1 pytest tests/test_browser.py` refreshes the picture in docs/review.md.
SCREENSHOT = ROOT / "docs" / "review.png"

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
    expect(page).to_have_url(f"{served}/{database}/review_queue")
    queued = page.get_by_role("link", name="#1", exact=True)

    queued.click()
    expect(page).to_have_url(f"{served}/{database}/claims/1")
    page.fill("#review-note", "Matches the police press release")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Recorded. The claim is verified.")).to_be_visible()
    expect(page).to_have_url(f"{served}/{database}/review_queue")
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
