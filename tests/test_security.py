"""The findings of the security probe, each through Datasette's real app: sign-in, CSRF, sessions, bodies, links."""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

import pytest

from db.articles import ArchivedPage, ArticleRecord, save_article
from db.crawling import upsert_feed
from db.database import open_database
from extractors.text import Page
from review.accounts import accounts_path, add_reviewer
from review.plugin import _state
from review.sessions import SESSION_COOKIE
from tests.conftest import PASSWORD, REVIEW_CLAIMS, Site, extraction_of

VERDICT = "/-/review/verdict"


def review_rows(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT claim_id, verdict, reviewer FROM reviews ORDER BY id").fetchall()


@pytest.fixture
def site(claims_db: Path) -> Site:
    add_reviewer(accounts_path(claims_db), "alice", PASSWORD)
    add_reviewer(accounts_path(claims_db), "bob", PASSWORD)
    visitor = Site(claims_db)
    yield visitor
    visitor.loop.close()


def test_sign_in_backs_off_per_account_and_per_address_and_logs(site: Site, caplog) -> None:
    caplog.set_level(logging.INFO, logger="review.plugin")
    # The clock stands still, so a slow machine cannot let a 1-second lock run out between two tries.
    _state(site.datasette).throttle.clock = lambda: 1000.0
    answers = [site.sign_in("alice", f"guess number {n}").status_code for n in range(30)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    locked = site.sign_in("alice", PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    assert "Try again in" in locked.text and SESSION_COOKIE not in site.cookies
    # The same address guessing another name is held back too.
    assert site.sign_in("bob", PASSWORD).status_code == 429
    logged = [record.getMessage() for record in caplog.records]
    assert sum("wrong password for 'alice'" in line for line in logged) == 5
    assert any("refused unchecked" in line for line in logged)


def test_a_bearer_header_does_not_skip_the_csrf_check(site: Site, claims_db: Path) -> None:
    site.sign_in("alice", PASSWORD)
    forged = site._send("post", VERDICT, data={"claim_id": "1", "verdict": "verified"},
                        headers={"Authorization": "Bearer anything"})
    assert forged.status_code == 403
    assert review_rows(claims_db) == []


def test_a_sign_in_post_without_cookies_is_refused(site: Site) -> None:
    token = site.csrf_token()
    bare = Site.__new__(Site)
    bare.datasette, bare.loop, bare.cookies = site.datasette, site.loop, {}
    forged = bare._send("post", "/-/login", data={"username": "alice", "password": PASSWORD, "csrftoken": token})
    assert forged.status_code == 403 and "CSRF" in forged.text
    assert SESSION_COOKIE not in bare.cookies and "ds_actor" not in bare.cookies


def test_sessions_are_new_each_time_expire_and_end_on_the_server_at_logout(site: Site, claims_db: Path) -> None:
    first = site.sign_in("alice", PASSWORD)
    cookie = site.cookies[SESSION_COOKIE]
    assert re.search(r"Max-Age=\d+", first.headers["set-cookie"], re.IGNORECASE)
    assert "httponly" in first.headers["set-cookie"].lower()
    site.cookies.pop(SESSION_COOKIE)
    site.sign_in("alice", PASSWORD)
    assert site.cookies[SESSION_COOKIE] != cookie
    cookie = site.cookies[SESSION_COOKIE]
    assert site.post("/-/logout", {}).status_code == 302
    site.cookies[SESSION_COOKIE] = cookie  # the old cookie, replayed after logout
    assert site.post(VERDICT, {"claim_id": "1", "verdict": "verified"}).status_code == 403
    assert site.get("/-/review").status_code == 302
    assert review_rows(claims_db) == []


def test_a_multipart_post_gets_one_clear_line_not_a_traceback(site: Site, claims_db: Path) -> None:
    site.sign_in("alice", PASSWORD)
    answer = site._send("post", VERDICT, data={"csrftoken": site.csrf_token(), "claim_id": "1",
                                                "verdict": "verified"}, files={"upload": ("a.txt", b"x")})
    assert answer.status_code == 400
    assert answer.text == "error: multipart/form-data is not accepted: send the form urlencoded\n"
    assert review_rows(claims_db) == []


def test_an_article_url_that_is_not_http_is_never_a_link(claims_db: Path) -> None:
    db = open_database(claims_db)
    feed_id = upsert_feed(db, "local-news", "http://127.0.0.1/feed.xml", ["test"], True)
    page = Page(text="Police said they made 1,200 drug arrests last year.", title="Click me", site_name="Evil",
                language="en")
    article = ArticleRecord("javascript:alert(document.cookie)", page, published="2024-05-02", feed_id=feed_id)
    save_article(db, article, extraction_of([{**REVIEW_CLAIMS[0], "score": 0.99}]), "test-1")
    db.close()
    add_reviewer(accounts_path(claims_db), "alice", PASSWORD)
    site = Site(claims_db)
    try:
        claim_id = 4
        for path in (f"/{site.database}/claim_details", f"/{site.database}/claims/{claim_id}",
                     f"/{site.database}/review_queue"):
            assert 'href="javascript:' not in site.get(path).text.replace("&#34;", '"'), path
        site.sign_in("alice", PASSWORD)
        shown = site.get("/-/review/next.json").json()["claim"]
        assert shown["id"] == claim_id and shown["article_url"] is None
    finally:
        site.loop.close()


def test_a_corrected_value_that_is_not_a_number_is_refused_in_words(site: Site, claims_db: Path) -> None:
    site.sign_in("alice", PASSWORD)
    answer = site.post(VERDICT, {"claim_id": "1", "verdict": "needs_correction", "value": "lots"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "the corrected value 'lots' is not a number (write it like 1250 or 17.5)"
    claim_page = f"/{site.database}/claims/1"
    site.post(VERDICT, {"claim_id": "1", "verdict": "needs_correction", "value": "lots", "next": claim_page})
    page = site.get(claim_page).text
    assert "Not recorded: the corrected value" in page and "CHECK constraint" not in page
    with sqlite3.connect(claims_db) as conn:
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_the_archived_page_is_served_sandboxed(claims_db: Path) -> None:
    db = open_database(claims_db)
    feed_id = upsert_feed(db, "local-news", "http://127.0.0.1/feed.xml", ["test"], True)
    html = b"<html><body><script>fetch('/-/review/undo')</script><p>Police said 1,200.</p></body></html>"
    archive = ArchivedPage("http://127.0.0.1/archived", "http://127.0.0.1/archived", html,
                           {"content-type": "text/html; charset=utf-8"})
    page = Page(text="Police said they made 1,200 drug arrests last year.", title="Archived", language="en")
    save_article(db, ArticleRecord("http://127.0.0.1/archived", page, feed_id=feed_id, archive=archive),
                 extraction_of([REVIEW_CLAIMS[0]]), "test-1")
    db.close()
    site = Site(claims_db)
    try:
        served = site.get("/-/review/archive/2")
        assert served.status_code == 200 and served.content == html
        assert served.headers["content-security-policy"].startswith("sandbox;")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert site.get("/-/review/archive/1").status_code == 404  # the fixture's article was never fetched
    finally:
        site.loop.close()
