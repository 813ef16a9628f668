"""Benchmark: a million synthetic claims, and the Datasette pages researchers use timed on `claimwatch serve`.

Usage: python benchmarks/datasette_scale.py [--claims 1000000] [--db PATH] [--reuse] [--requests 5] [--seed 1]

The database is made by db.database.open_database (every migration, trigger and FTS table is the real
one) and filled in bulk with seeded random data: the same arguments give the same rows. Reviews go
in as reviews, so the triggers set each claim's status. Then the real server is started on a free
port of 127.0.0.1 and each page is requested once to warm up and --requests times to be timed.
Prints a table, then one JSON object as the last line. Numbers are measurements, never assertions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.database import open_database  # noqa: E402
from tests.serving import ServerDidNotStart, serve_in_background  # noqa: E402

BUDGET_MS = 300
START = datetime(2022, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)
BATCH_ARTICLES = 5000
EXTRACTOR = "bench-1"

PLACES = ["Leeds", "Bristol", "Glasgow", "Cardiff", "Belfast", "York", "Derby", "Hull", "Oxford", "Bath", "Dundee",
          "Exeter", "Norwich", "Preston", "Swansea", "Salford", "Luton", "Reading", "Wigan", "Bolton", "Durham",
          "Leicester", "Sheffield", "Plymouth", "Brighton", "Aberdeen", "Inverness", "Carlisle", "Chester", "Truro"]
ORGS = ["police", "city council", "health board", "fire service", "ambulance trust", "university",
        "chamber of commerce", "housing association", "water company", "airport", "port authority", "NHS trust",
        "council leader", "transport authority", "education authority", "trading standards", "food bank", "job centre"]
FIRST = ["Anna", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hamza", "Isla", "James", "Kofi", "Leah", "Maya",
         "Noah", "Olu", "Priya", "Quinn", "Ravi", "Sara", "Tom", "Uma", "Victor", "Wendy", "Yusuf", "Zoe"]
LAST = ["Smith", "Jones", "Patel", "Khan", "Brown", "Taylor", "Wilson", "Evans", "Thomas", "Roberts", "Walker",
        "Wright", "Hughes", "Green", "Hall", "Lewis", "Clarke", "Ahmed", "Murphy", "Kelly", "Price", "Ali", "Begum"]
ROLES = ["Minister", "Mayor", "Inspector", "Professor", "Dr", "Councillor", "Chief Constable", "spokesperson"]
NOUNS = ["arrests", "deaths", "jobs", "homes", "patients", "students", "cases", "visitors", "flights", "cars",
         "burglaries", "complaints", "teachers", "nurses", "beds", "schools", "shops", "crimes", "fines", "calls",
         "admissions", "evictions", "claims", "refugees", "vacancies", "births", "journeys", "trees", "floods",
         "injuries", "passengers", "applications", "tenants", "pupils", "offences", "closures", "operations",
         "emissions", "wages", "rents", "prices", "fares", "bills", "loans", "grants", "donations", "sales", "votes"]
MODIFIERS = ["", "drug", "new", "violent", "hospital", "council", "knife", "road", "emergency", "rail", "empty",
             "affordable", "cancer", "mental health", "domestic abuse", "school", "online", "retail", "private",
             "social", "energy", "food", "weekly", "annual", "youth", "rural", "cycle", "bus", "care home", "fraud"]
REVIEWERS = ["alice", "bob", "chen", "dana", "emeka", "farah", "gita", "hugo"]
KINDS = {"count": 45, "percent": 24, "money": 14, "measure": 8, "ratio": 3, "other": 6}
CHANGES = {"=": 48, "~": 12, ">": 11, "<": 5, "up": 14, "down": 10}
QUALIFIERS = {"=": "", "~": "about ", ">": "more than ", "<": "fewer than ", "up": "up ", "down": "down "}
LANGUAGES = {"en": 90, "de": 4, "fr": 4, "es": 2}


@dataclass
class World:
    """The fixed vocabulary of one run: feeds, speakers and subjects with skewed weights."""

    rng: random.Random
    feeds: list[tuple[int, str]] = field(default_factory=list)  # (id, site)
    feed_weights: list[float] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    speaker_weights: list[float] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    subject_weights: list[float] = field(default_factory=list)


def main() -> None:
    args = _parse_args()
    db_path = Path(args.db or Path(tempfile.gettempdir()) / "claimwatch-bench" / f"claims-{args.claims}.db")
    fill_seconds = None
    if db_path.exists() and not args.reuse:
        if args.db:  # a file somebody named may be worth keeping; the default one is the benchmark's own
            sys.exit(f"{db_path} exists: pass --reuse to time it as it is, or remove it for a fresh fill")
        for stale in db_path.parent.glob(f"{db_path.name}*"):
            stale.unlink()
    if not db_path.exists():
        started = time.perf_counter()
        fill(db_path, args.claims, args.seed)
        fill_seconds = round(time.perf_counter() - started, 1)
    counts = _counts(db_path)
    with served(db_path) as base:
        timings = time_pages(base, db_path.stem, _pages(db_path), args.requests)
    result = {"claims": counts["claims"], "articles": counts["articles"], "reviews": counts["reviews"],
              "db_mb": round(db_path.stat().st_size / 2**20), "fill_s": fill_seconds, "requests": args.requests,
              "machine": _machine(), "pages": timings,
              "all_under_300ms": all(t["ok"] and t["max_ms"] < BUDGET_MS for t in timings.values())}
    _print_table(result)
    print(json.dumps(result))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=1_000_000, help="claims to make (about 10 per article)")
    parser.add_argument("--db", help="database file (default: claims-N.db in a claimwatch-bench temp folder)")
    parser.add_argument("--reuse", action="store_true", help="time an existing database instead of filling one")
    parser.add_argument("--requests", type=int, default=5, help="timed requests per page, after one warm-up")
    parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same data")
    return parser.parse_args()


# ---- the fill ----

def fill(db_path: Path, n_claims: int, seed: int) -> None:
    """Create the database through the project's migrations and fill it with seeded synthetic data."""
    db = open_database(db_path)
    conn = db.conn
    # The fill is all-or-nothing and reproducible, so durability can wait until it is done.
    conn.executescript("PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000; PRAGMA temp_store=MEMORY;")
    fts_triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%\\_fts%' ESCAPE '\\'").fetchall()
    for name, _ in fts_triggers:  # per-row FTS upkeep is the slow part; one rebuild at the end is equivalent
        conn.execute(f"DROP TRIGGER [{name}]")
    world = _world(random.Random(seed))
    _insert_feeds(conn, world)
    _insert_articles_and_claims(conn, world, n_claims)
    _insert_reviews(conn, world.rng, n_claims)
    with conn:
        for _, sql in fts_triggers:
            conn.execute(sql)
        for fts in ("claims_fts", "articles_fts", "quotes_fts"):
            conn.execute(f"INSERT INTO [{fts}]([{fts}]) VALUES ('rebuild')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _world(rng: random.Random) -> World:
    world = World(rng)
    people = [f"{role} {first} {last}" if rng.random() < 0.4 else f"{first} {last}"
              for first in FIRST for last in LAST for role in [rng.choice(ROLES)]]
    speakers = [f"{place} {org}" for place in PLACES for org in ORGS] + people
    rng.shuffle(speakers)
    world.speakers, world.speaker_weights = speakers, _zipf(len(speakers), 1.1)
    subjects = [f"{modifier} {noun}".strip() for modifier in MODIFIERS for noun in NOUNS]
    rng.shuffle(subjects)
    world.subjects, world.subject_weights = subjects, _zipf(len(subjects), 1.0)
    return world


def _zipf(n: int, exponent: float) -> list[float]:
    """Cumulative Zipf weights, for rng.choices(cum_weights=...): a few very common, a long tail."""
    return list(accumulate(1 / (rank + 1) ** exponent for rank in range(n)))


def _insert_feeds(conn: sqlite3.Connection, world: World) -> None:
    rows = []
    for feed_id in range(1, 51):
        site = PLACES[(feed_id - 1) % len(PLACES)]
        section = ["news", "politics", "business", "health", "sport"][(feed_id - 1) // len(PLACES) % 5]
        name = f"{site.lower()}-{section}"
        rows.append((feed_id, name, f"https://{site.lower()}.example.org/{section}.rss", json.dumps([section]),
                     f"{site} Post: {section}", "ok"))
        world.feeds.append((feed_id, f"{site} Post"))
    world.feed_weights = _zipf(len(world.feeds), 0.8)
    with conn:
        conn.executemany("INSERT INTO feeds (id, name, url, tags, title, last_status) VALUES (?, ?, ?, ?, ?, ?)", rows)


def _insert_articles_and_claims(conn: sqlite3.Connection, world: World, n_claims: int) -> None:
    per_article = _claims_per_article(world.rng, n_claims)
    claim_id = 0
    for first in range(0, len(per_article), BATCH_ARTICLES):
        tables: dict[str, list[tuple]] = {"articles": [], "article_feeds": [], "claims": [], "quotes": []}
        for article_id in range(first + 1, min(first + BATCH_ARTICLES, len(per_article)) + 1):
            rows = _article(world, article_id, len(per_article), per_article[article_id - 1], claim_id)
            claim_id += per_article[article_id - 1]
            for table, table_rows in rows.items():
                tables[table].extend(table_rows)
        with conn:
            for table, table_rows in tables.items():
                marks = ", ".join("?" * len(table_rows[0]))
                conn.executemany(f"INSERT INTO {table} ({_COLUMNS[table]}) VALUES ({marks})", table_rows)


_COLUMNS = {
    "articles": "id, url, canonical_url, title, author, published, site_name, language, fetched_at, text, text_hash, "
                "extractor_version",
    "article_feeds": "article_id, feed_id, first_seen_at",
    "claims": "id, article_id, sentence, sentence_start, start_char, end_char, text, number, value, low, high, kind, "
              "change, subject, speaker, score, extractor_version, created_at, updated_at",
    "quotes": "article_id, speaker, text, start_char, end_char, cue",
}


def _claims_per_article(rng: random.Random, n_claims: int) -> list[int]:
    """About ten claims an article, exponentially spread (many short stories, a few long ones), summing to n_claims."""
    n_articles = max(1, n_claims // 10)
    cumulative = list(accumulate(rng.expovariate(1) + 0.1 for _ in range(n_articles)))
    edges = [bisect_right(cumulative, (i + 0.5) * cumulative[-1] / n_claims) for i in range(n_claims)]
    counts = [0] * n_articles
    for article in edges:
        counts[min(article, n_articles - 1)] += 1
    return counts


def _article(world: World, article_id: int, n_articles: int, n_claims: int, first_claim: int) -> dict[str, list]:
    rng = world.rng
    feed_id, site = rng.choices(world.feeds, cum_weights=world.feed_weights)[0]
    published = START + SPAN * (article_id / n_articles) + timedelta(minutes=rng.randint(-600, 600))
    fetched = _iso(published + timedelta(minutes=rng.randint(5, 300)))
    title = f"{rng.choice(world.subjects).capitalize()} in {rng.choice(PLACES)}: what the figures say"
    claims, quotes, text = [], [], f"{title}\n\n"
    for offset in range(n_claims):
        claim = _claim(world, first_claim + offset + 1, article_id, len(text), fetched)
        claims.append(claim)
        if claim[14] and len(quotes) < 3:
            quotes.append((article_id, claim[14], claim[2], claim[3], claim[3] + len(claim[2]), "said"))
        text += claim[2] + " "
    feeds = [(article_id, feed_id, fetched)]
    if rng.random() < 0.2:
        other = rng.choice(world.feeds)[0]
        feeds += [(article_id, other, fetched)] if other != feed_id else []
    url = f"https://{site.split()[0].lower()}.example.org/{published:%Y/%m}/story-{article_id}"
    article = (article_id, url, url, title, rng.choice(FIRST) + " " + rng.choice(LAST), _iso(published), site,
               rng.choices(list(LANGUAGES), list(LANGUAGES.values()))[0], fetched, text,
               hashlib.sha256(text.encode()).hexdigest(), EXTRACTOR)
    return {"articles": [article], "article_feeds": feeds, "claims": claims, "quotes": quotes}


def _claim(world: World, claim_id: int, article_id: int, sentence_start: int, stamp: str) -> tuple:
    rng = world.rng
    kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
    change = rng.choices(list(CHANGES), list(CHANGES.values()))[0]
    number, value, low, high = _figure(rng, kind)
    mention = QUALIFIERS[change] + number
    subject = rng.choices(world.subjects, cum_weights=world.subject_weights)[0] if rng.random() < 0.9 else None
    speaker = rng.choices(world.speakers, cum_weights=world.speaker_weights)[0] if rng.random() < 0.6 else None
    place, when = rng.choice(PLACES), rng.choice(["last year", "this month", "since 2019", "in the past week"])
    prefix = f"{speaker[0].upper() + speaker[1:]} said " if speaker else "Official figures show "
    sentence = f"{prefix}{mention} {subject or 'cases'} were recorded in {place} {when}."
    start = sentence_start + len(prefix)
    return (claim_id, article_id, sentence, sentence_start, start, start + len(mention), mention, number, value, low,
            high, kind, change, subject, speaker, round(rng.betavariate(2, 5), 4), EXTRACTOR, stamp, stamp)


def _figure(rng: random.Random, kind: str) -> tuple[str, float | None, float | None, float | None]:
    """(number as written, value, low, high) for a kind; one in twenty counts and percents is a range."""
    if kind in ("count", "percent") and rng.random() < 0.05:
        low = round(rng.uniform(1, 90)) if kind == "percent" else int(rng.lognormvariate(5, 2)) + 1
        high = low + rng.randint(1, max(2, low // 2))
        sign = "%" if kind == "percent" else ""
        return f"between {low:,}{sign} and {high:,}{sign}", None, float(low), float(high)
    if kind == "count":
        value = int(rng.lognormvariate(6, 2)) + 1
        return f"{value:,}", float(value), None, None
    if kind == "percent":
        value = round(rng.uniform(0.1, 99.9), 1)
        return f"{value:g}%", value, None, None
    if kind == "money":
        millions = round(rng.lognormvariate(1, 1.5), 1) or 0.1
        return f"£{millions:g} million", millions * 1e6, None, None
    if kind == "measure":
        value = rng.randint(1, 900)
        return f"{value} {rng.choice(['km', 'tonnes', 'hectares', 'litres'])}", float(value), None, None
    if kind == "ratio":
        denominator = rng.randint(2, 10)
        return f"one in {denominator}", 1 / denominator, None, None
    value = rng.randint(1, 12)
    return str(value), float(value), None, None


def _insert_reviews(conn: sqlite3.Connection, rng: random.Random, n_claims: int) -> None:
    """About 4% of claims reviewed, a few twice, a few retracted: as reviews, so the triggers set the statuses."""
    reviewed = rng.sample(range(1, n_claims + 1), k=n_claims * 4 // 100)
    later = rng.sample(reviewed, k=len(reviewed) // 20)
    retracted = rng.sample(reviewed, k=len(reviewed) // 300)
    rows = [_review(rng, claim_id) for claim_id in reviewed + later]
    rows += [(claim_id, "retracted", f"no longer extracted by extractor {EXTRACTOR}", None, "claimwatch")
             for claim_id in retracted]
    stamps = _spread(len(rows), START + SPAN - timedelta(days=365), START + SPAN)
    with conn:
        conn.executemany(
            "INSERT INTO reviews (claim_id, verdict, note, corrected_value, reviewer, reviewed_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", [(*row, stamp) for row, stamp in zip(rows, stamps, strict=True)])


def _review(rng: random.Random, claim_id: int) -> tuple:
    verdict = rng.choices(["verified", "rejected", "needs_correction"], [60, 30, 10])[0]
    note = rng.choice([None, None, "matches the press release", "a date, not a count", "checked with the source"])
    corrected = round(rng.uniform(1, 5000)) if verdict == "needs_correction" and rng.random() < 0.7 else None
    return claim_id, verdict, note, corrected, rng.choices(REVIEWERS, [30, 20, 15, 10, 10, 8, 5, 2])[0]


def _spread(n: int, start: datetime, end: datetime) -> list[str]:
    return [_iso(start + (end - start) * (i / max(1, n))) for i in range(n)]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("claims", "articles", "reviews")}


# ---- the timing ----

def _pages(db_path: Path) -> dict[str, str]:
    """The pages researchers use, by name: path under the database (its canned queries from db/datasette.yaml)."""
    with sqlite3.connect(db_path) as conn:
        middle = conn.execute("SELECT id FROM claims ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM claims)")
        row = middle.fetchone()[0]
    return {
        "claims table + facets": "/claims",
        "claims.json": "/claims.json",
        "claim_details + facets": "/claim_details",
        "review_queue": "/review_queue",
        "claims_by_speaker": "/claims_by_speaker?speaker=police",
        "claims_by_feed_and_week": "/claims_by_feed_and_week",
        "figure_over_time": "/figure_over_time?subject=drug+arrests",
        "verified_claims": "/verified_claims",
        "search claims": "/claims?_search=arrests",
        "search claim_details": "/claim_details?_search=hospital+beds",
        "search articles": "/articles?_search=burglaries",
        "claim row page": f"/claims/{row}",
    }


@dataclass
class Timing:
    status: int
    times_ms: list[float]


def time_pages(base: str, database: str, pages: dict[str, str], requests: int) -> dict[str, dict]:
    """Each page once to warm up, then `requests` times: median and max in ms, and whether it answered 200."""
    results = {}
    with httpx.Client(base_url=f"{base}/{database}", timeout=120) as client:
        for name, path in pages.items():
            timing = _time_page(client, path, requests)
            results[name] = {"path": path, "median_ms": round(statistics.median(timing.times_ms), 1),
                             "max_ms": round(max(timing.times_ms), 1), "status": timing.status,
                             "ok": timing.status == 200}
    return results


def _time_page(client: httpx.Client, path: str, requests: int) -> Timing:
    status = client.get(path).status_code
    times = []
    for _ in range(max(1, requests)):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            status = response.status_code
    return Timing(status, times)


@contextmanager
def served(db_path: Path) -> Iterator[str]:
    """`claimwatch serve` on a free port of 127.0.0.1 for the length of a `with` block; yields its base URL."""
    with tempfile.TemporaryDirectory() as scratch:
        try:
            # A first start on a big database may spend minutes on a new migration (an index on a million rows).
            with serve_in_background(db_path, Path(scratch) / "serve.log", timeout=600) as base:
                yield base
        except ServerDidNotStart as error:
            sys.exit(str(error))


def _machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or platform.machine())
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"


def _print_table(r: dict) -> None:
    print(f"{r['claims']:,} claims, {r['articles']:,} articles, {r['reviews']:,} reviews; {r['db_mb']:,} MB; "
          f"fill {r['fill_s']} s; {r['machine']}")
    print(f"{'page':26} {'median ms':>10} {'max ms':>8}  status  path")
    for name, t in r["pages"].items():
        flag = "" if t["ok"] and t["max_ms"] < BUDGET_MS else "  <-- over budget" if t["ok"] else "  <-- failed"
        print(f"{name:26} {t['median_ms']:10.1f} {t['max_ms']:8.1f}  {t['status']:6}  {t['path']}{flag}")
    print(f"all under {BUDGET_MS} ms: {r['all_under_300ms']}")


if __name__ == "__main__":
    main()
