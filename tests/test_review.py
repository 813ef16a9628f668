"""Reviewing: the reviews log and its triggers, re-extraction, the CLI, and who may write through Datasette."""

from __future__ import annotations

import getpass
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.articles import sync_claims
from db.database import open_database
from db.reviews import NoSuchClaim, ReviewRefused, add_review, claim_reviews, undo_last
from monitor.cli import cli
from monitor.train import verdict_examples
from review.accounts import AccountError, accounts_path, add_reviewer, authenticate, remove_reviewer
from tests.conftest import PASSWORD, REVIEW_CLAIMS, Site, claim_record

VERDICT = "/-/review/verdict"


def statuses(db_path: Path) -> dict[int, str]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT id, status FROM claims ORDER BY id").fetchall())


def review_rows(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT claim_id, verdict, reviewer, note, corrected_value FROM reviews ORDER BY id").fetchall()


# The reviews log and the triggers that tie it to claims.status.

def test_a_review_sets_the_status_and_the_latest_verdict_wins(claims_db: Path) -> None:
    db = open_database(claims_db)
    add_review(db, 1, "verified", "alice", note="checked the police release")
    row = add_review(db, 1, "needs_correction", "bob", corrected_value=1250)
    assert row["reviewer"] == "bob" and row["reviewed_at"].endswith("+00:00")
    assert statuses(claims_db)[1] == "needs_correction"
    assert [(r["verdict"], r["reviewer"]) for r in claim_reviews(db, 1)] == [("verified", "alice"),
                                                                            ("needs_correction", "bob")]


def test_reviews_are_never_changed_or_deleted_and_status_only_follows_them(claims_db: Path) -> None:
    db = open_database(claims_db)
    add_review(db, 1, "verified", "alice")
    for sql in ("UPDATE reviews SET verdict = 'rejected'", "DELETE FROM reviews",
                "UPDATE claims SET status = 'rejected' WHERE id = 1", "DELETE FROM claims WHERE id = 1",
                "INSERT INTO reviews (claim_id, verdict, reviewer) VALUES (99, 'verified', 'alice')",
                "INSERT INTO reviews (claim_id, verdict, reviewer) VALUES (2, 'pending', 'alice')",
                "INSERT INTO reviews (claim_id, verdict, corrected_value, reviewer) "
                "VALUES (2, 'needs_correction', 'lots', 'alice')"):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(sql)
    assert review_rows(claims_db) == [(1, "verified", "alice", None, None)]
    assert statuses(claims_db) == {1: "verified", 2: "pending", 3: "pending"}


def test_bad_reviews_are_refused_by_name(claims_db: Path) -> None:
    db = open_database(claims_db)
    with pytest.raises(NoSuchClaim, match="#99"):
        add_review(db, 99, "verified", "alice")
    with pytest.raises(ReviewRefused, match="retracted"):
        add_review(db, 1, "retracted", "alice")
    with pytest.raises(ReviewRefused, match="reviewer"):
        add_review(db, 1, "verified", " ")


# Re-extraction keeps statuses and review history.

def test_reviews_survive_re_extraction(claims_db: Path) -> None:
    db = open_database(claims_db)
    add_review(db, 1, "verified", "alice")
    add_review(db, 2, "rejected", "bob", note="a forecast")
    changed = [{**REVIEW_CLAIMS[0], "score": 0.95, "subject": "arrests"},  # same sentence and number
               claim_record("Fines rose to 300 pounds.", "300 pounds", 300.0, "fines", None, 0.7, 120)]
    counts = sync_claims(db, 1, changed, [], "test-2")
    assert counts == {"kept": 1, "added": 1, "retracted": 1, "deleted": 1}
    assert statuses(claims_db) == {1: "verified", 2: "retracted", 4: "pending"}
    assert db["claims"].get(1)["subject"] == "arrests"
    assert review_rows(claims_db)[-1][:3] == (2, "retracted", "claimwatch")

    sync_claims(db, 1, [*changed, REVIEW_CLAIMS[1]], [], "test-3")  # claim 2 comes back
    assert statuses(claims_db) == {1: "verified", 2: "rejected", 4: "pending"}
    assert [(r["verdict"], r["reviewer"]) for r in claim_reviews(db, 2)] == [
        ("rejected", "bob"), ("retracted", "claimwatch"), ("rejected", "claimwatch")]


def test_re_extracting_twice_does_not_retract_twice(claims_db: Path) -> None:
    db = open_database(claims_db)
    add_review(db, 3, "verified", "alice")
    sync_claims(db, 1, REVIEW_CLAIMS[:2], [], "test-2")
    assert sync_claims(db, 1, REVIEW_CLAIMS[:2], [], "test-3") == {"kept": 2, "added": 0, "retracted": 0,
                                                                    "deleted": 0}
    assert [r["verdict"] for r in claim_reviews(db, 3)] == ["verified", "retracted"]


# Reviewer accounts.

def test_reviewer_accounts_are_hashed_private_and_removable(tmp_path: Path) -> None:
    path = accounts_path(tmp_path / "claimwatch.db")
    assert path.name == "claimwatch.reviewers.json"
    assert add_reviewer(path, "alice", PASSWORD) is True
    assert PASSWORD not in path.read_text() and "scrypt$" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert authenticate(path, "alice", PASSWORD) and not authenticate(path, "alice", PASSWORD + "!")
    assert not authenticate(path, "mallory", PASSWORD)
    remove_reviewer(path, "alice")
    assert not authenticate(path, "alice", PASSWORD)
    for name, password in (("root", PASSWORD), ("Alice Smith", PASSWORD), ("bob", "short")):
        with pytest.raises(AccountError):
            add_reviewer(path, name, password)


def test_reviewer_commands(claims_db: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, ["reviewer", "add", "alice", "--password-stdin", "--db", str(claims_db)],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0 and "added reviewer alice" in added.output
    prompted = runner.invoke(cli, ["reviewer", "add", "bob", "--db", str(claims_db)],
                             input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0 and PASSWORD not in prompted.output
    listed = runner.invoke(cli, ["reviewer", "list", "--db", str(claims_db)])
    assert listed.output.split() == ["alice", "bob"]
    short = runner.invoke(cli, ["reviewer", "add", "carol", "--password-stdin", "--db", str(claims_db)],
                          input="")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    assert runner.invoke(cli, ["reviewer", "remove", "alice", "--db", str(claims_db)]).exit_code == 0
    missing = runner.invoke(cli, ["reviewer", "remove", "alice", "--db", str(claims_db)])
    assert missing.exit_code == 2 and "no reviewer 'alice'" in missing.output


# Reviewing from the terminal.

def test_review_commands_record_the_reviewer(claims_db: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(claims_db)]
    queue = runner.invoke(cli, ["review", "list", *db])
    assert queue.exit_code == 0
    assert [line.split()[0] for line in queue.output.splitlines()] == ["#1", "#2", "#3"]
    assert runner.invoke(cli, ["review", "verify", "1", "--note", "press release", "--reviewer", "alice", *db]
                         ).exit_code == 0
    assert runner.invoke(cli, ["review", "reject", "2", *db]).exit_code == 0
    corrected = runner.invoke(cli, ["review", "correct", "3", "--value", "41", "--reviewer", "bob", *db])
    assert "claim #3 needs_correction value=41 by bob" in corrected.output
    assert review_rows(claims_db) == [(1, "verified", "alice", "press release", None),
                                      (2, "rejected", getpass.getuser(), None, None),
                                      (3, "needs_correction", "bob", None, 41.0)]
    history = runner.invoke(cli, ["review", "history", "1", *db])
    assert "claim #1 verified by alice" in history.output
    missing = runner.invoke(cli, ["review", "verify", "99", *db])
    assert missing.exit_code == 1 and "no claim #99" in missing.output


# Through Datasette's real app: who may do what.

@pytest.fixture
def site(claims_db: Path) -> Site:
    add_reviewer(accounts_path(claims_db), "alice", PASSWORD)
    visitor = Site(claims_db)
    yield visitor
    visitor.loop.close()


def test_anyone_may_read_and_export(site: Site) -> None:
    db = site.database
    for path in (f"/{db}/claims", f"/{db}/claim_details", f"/{db}/review_queue", f"/{db}/verified_claims",
                 f"/{db}/claims_by_speaker?speaker=police", f"/{db}/claims_by_feed_and_week",
                 f"/{db}/figure_over_time?subject=drug+arrests", f"/{db}/reviews", f"/{db}/claims/1"):
        assert site.get(path).status_code == 200, path
    assert site.get(f"/{db}/claims.csv").text.startswith("id,article_id,sentence")
    queue = site.get(f"/{db}/review_queue.json?_shape=array").json()
    assert [row["claim"] for row in queue] == [1, 2, 3]
    found = site.get(f"/{db}/claim_details.json?_search=arrests&_shape=array").json()
    assert [(row["id"], row["feeds"], row["site"]) for row in found] == [(1, '["local-news"]', "Local News")]
    # Search is stemmed: "arrested" finds the claim about 1,200 arrests.
    figure = site.get(f"/{db}/figure_over_time.json?subject=arrested&_shape=array").json()
    assert [row["claim"] for row in figure] == [1]


def test_the_claims_page_is_described_faceted_and_formatted(site: Site) -> None:
    page = site.get(f"/{site.database}/claim_details").text
    for facet in ("status", "kind", "change", "speaker", "feeds", "site"):
        assert f'data-column="{facet}"' in page, facet
    assert "1,200" in page and "1200.0" not in page
    assert 'href="http://127.0.0.1/story">Arrests up, sales down</a>' in page
    row = site.get(f"/{site.database}/claims/1").text
    assert "Sign in as a reviewer" in row and "Verify</button>" not in row


def test_anonymous_visitors_are_refused_every_write(site: Site, claims_db: Path) -> None:
    for verdict in ("verified", "rejected", "needs_correction"):
        refused = site.post(VERDICT, {"claim_id": "1", "verdict": verdict, "note": "x", "value": "2"})
        assert refused.status_code == 403, verdict
    assert site.post("/-/review/undo", {}).status_code == 403
    assert site.get("/-/review/next.json").status_code == 403
    for query in ("verify_claim", "reject_claim", "correct_claim"):
        assert site.get(f"/{site.database}/{query}").status_code == 404
    assert_no_sql_writes(site, claims_db)


def test_reviewers_cannot_write_arbitrary_sql_either(site: Site, claims_db: Path) -> None:
    assert site.sign_in("alice", PASSWORD).status_code == 302
    assert_no_sql_writes(site, claims_db)


def assert_no_sql_writes(site: Site, claims_db: Path) -> None:
    before = (statuses(claims_db), review_rows(claims_db))
    # Datasette refuses statements that are not SELECT or WITH; these WITH ones get as far as SQLite,
    # where the read-only connection refuses them.
    read_only = ["WITH x AS (SELECT 1) INSERT INTO reviews (claim_id, verdict, reviewer) "
                 "SELECT 1, 'verified', 'mallory' FROM x",
                 "WITH x AS (SELECT 1) UPDATE claims SET text = 'hacked'", "WITH x AS (SELECT 1) DELETE FROM reviews"]
    for sql in read_only:
        response = site.get(f"/{site.database}.json", params={"sql": sql})
        assert response.status_code == 400 and "readonly" in response.json()["error"], sql
    for sql in ("UPDATE claims SET status = 'verified'", "SELECT 1; DROP TABLE reviews",
                "ATTACH DATABASE '/tmp/claimwatch-owned.db' AS owned"):
        assert site.get(f"/{site.database}.json", params={"sql": sql}).status_code == 400, sql
    for path in (f"/{site.database}", f"/{site.database}/claims", f"/{site.database}/review_queue"):
        # Datasette answers a POST to a table with a 500 ("You may only POST to a canned query"): refused all the same.
        assert site.post(path, {"sql": read_only[0]}).status_code >= 400, path
    assert (statuses(claims_db), review_rows(claims_db)) == before
    assert not Path("/tmp/claimwatch-owned.db").exists()


def test_a_wrong_password_is_refused(site: Site) -> None:
    for name, password in (("alice", "wrong password"), ("mallory", PASSWORD), ("alice", "")):
        refused = site.sign_in(name, password)
        assert refused.status_code == 401 and "Wrong name or password" in refused.text
        assert "ds_actor" not in site.cookies
    refused = site.post(VERDICT, {"claim_id": "1", "verdict": "verified"})
    assert refused.status_code == 403


def test_a_signed_in_reviewer_reviews_and_is_recorded(site: Site, claims_db: Path) -> None:
    signed_in = site.sign_in("alice", PASSWORD)
    assert signed_in.status_code == 302 and signed_in.headers["location"] == "/-/review"
    claim_page = f"/{site.database}/claims/1"
    assert "Verify</button>" in site.get(claim_page).text
    done = site.post(VERDICT, {"claim_id": "1", "verdict": "verified", "note": " checked ", "next": claim_page})
    assert done.status_code == 302 and done.headers["location"] == claim_page
    assert "Recorded: claim #1 is verified." in site.get(claim_page).text
    corrected = site.post(VERDICT, {"claim_id": "2", "verdict": "needs_correction", "value": "1,250.5"})
    assert corrected.json()["review"]["corrected_value"] == 1250.5
    # The reviewer's name comes from the session; a form field cannot sign for someone else.
    site.post(VERDICT, {"claim_id": "3", "verdict": "rejected", "_actor_id": "mallory", "reviewer": "mallory"})
    assert review_rows(claims_db) == [(1, "verified", "alice", "checked", None),
                                      (2, "needs_correction", "alice", None, 1250.5),
                                      (3, "rejected", "alice", None, None)]
    assert statuses(claims_db) == {1: "verified", 2: "needs_correction", 3: "rejected"}
    page = site.get(claim_page).text
    assert '<td class="reviewer">alice</td>' in page and '<td class="verdict">verified</td>' in page


def test_a_removed_reviewer_can_no_longer_write(site: Site, claims_db: Path) -> None:
    site.sign_in("alice", PASSWORD)
    remove_reviewer(accounts_path(claims_db), "alice")
    assert site.post(VERDICT, {"claim_id": "1", "verdict": "verified"}).status_code == 403
    assert review_rows(claims_db) == []


def test_the_articles_page_facets_paywalled_and_the_date_source(site: Site) -> None:
    page = site.get(f"/{site.database}/articles").text
    for facet in ("site_name", "language", "paywalled", "published_source"):
        assert f'data-column="{facet}"' in page, facet


# Corrections field by field, undo, and what training learns from.

def test_corrections_sit_beside_the_extracted_values(claims_db: Path) -> None:
    db = open_database(claims_db)
    add_review(db, 1, "needs_correction", "alice", corrections={"speaker": "the Home Office", "value": "1,250",
                                                                "change": "~", "unit": ""})
    row = db.execute("SELECT corrected_value, corrected_speaker, corrected_change, corrected_unit FROM reviews"
                     ).fetchone()
    assert row == (1250.0, "the Home Office", "~", None)
    assert (db["claims"].get(1)["speaker"], db["claims"].get(1)["value"]) == ("Police", 1200.0)
    for bad, message in (({"value": "lots"}, "not a number"), ({"change": "sideways"}, "not one of"),
                         ({"score": "1"}, "cannot correct score")):
        with pytest.raises(ReviewRefused, match=message):
            add_review(db, 2, "needs_correction", "alice", corrections=bad)
    with pytest.raises(ReviewRefused, match="takes no corrections"):
        add_review(db, 2, "verified", "alice", corrections={"speaker": "x"})


def test_an_undo_is_a_review_that_gives_back_the_verdict_before(claims_db: Path) -> None:
    db = open_database(claims_db)
    add_review(db, 1, "needs_correction", "bob", corrections={"speaker": "the Home Office"})
    add_review(db, 1, "rejected", "alice")
    add_review(db, 2, "verified", "alice")
    assert undo_last(db, "alice")["claim_id"] == 2
    assert statuses(claims_db)[2] == "pending"
    undone = undo_last(db, "alice")
    assert (undone["claim_id"], undone["verdict"], undone["corrected_speaker"]) == (1, "needs_correction",
                                                                                   "the Home Office")
    with pytest.raises(ReviewRefused, match="no verdict to undo"):
        undo_last(db, "alice")
    add_review(db, 3, "verified", "carol")
    add_review(db, 3, "rejected", "dan")
    with pytest.raises(ReviewRefused, match="reviewed again since"):
        undo_last(db, "carol")
    assert [r["verdict"] for r in claim_reviews(db, 2)] == ["verified", "pending"]


def test_training_learns_from_verified_corrected_and_rejected_claims(claims_db: Path) -> None:
    db = open_database(claims_db)
    add_review(db, 1, "verified", "alice")
    add_review(db, 2, "needs_correction", "alice", corrections={"unit": "percent"})
    add_review(db, 3, "rejected", "alice")
    examples = verdict_examples(claims_db)
    assert [(example.start, example.label) for example in examples] == [(0, True), (53, True), (89, False)]


def test_review_history_names_unknown_and_unreviewed_claims(claims_db: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(claims_db)]
    unknown = runner.invoke(cli, ["review", "history", "99", *db])
    assert unknown.exit_code == 1 and "no claim #99" in unknown.output
    unreviewed = runner.invoke(cli, ["review", "history", "2", *db])
    assert unreviewed.exit_code == 0 and unreviewed.output.strip() == "claim #2: no reviews yet"
    corrected = runner.invoke(cli, ["review", "correct", "2", "--speaker", "the DVLA", "--reviewer", "bob", *db])
    assert "claim #2 needs_correction speaker='the DVLA' by bob" in corrected.output
    assert runner.invoke(cli, ["review", "correct", "2", *db]).exit_code == 2


def test_the_claims_pages_show_corrected_values_with_a_marker(site: Site, claims_db: Path) -> None:
    add_review(open_database(claims_db), 1, "needs_correction", "alice",
               corrections={"speaker": "the Home Office", "value": "1250"})
    details = site.get(f"/{site.database}/claim_details").text
    assert 'title="Corrected by a reviewer; the extractor found Police">the Home Office ✎</span>' in details
    assert 'the extractor found 1,200">1,250 ✎</span>' in details
    claims = site.get(f"/{site.database}/claims").text
    assert 'the extractor found Police">the Home Office ✎</span>' in claims
