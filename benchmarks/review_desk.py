"""Benchmark: the reviewer's desk driven by Chromium over 200 claims of a million-claim database.

Usage: python benchmarks/review_desk.py [--claims 1000000] [--db PATH] [--verdicts 200] [--seed 1]

The database is benchmarks/datasette_scale.py's (the same seeded fill, built when missing, else reused:
`make bench-db` leaves it in $TMPDIR/claimwatch-bench/). The real server is started on a free port of
127.0.0.1 with a benchmark reviewer; Debian's Chromium, driven by Playwright, signs in, opens /-/review and
gives verdicts from the keyboard as fast as the page takes them: seven in ten `v`, two `r`, one `s`.
It prints verdicts per minute (wall clock, Playwright included), the median and 95th-percentile time from
keypress to the next claim on screen (the page's own performance.now() stamps), and the median round
trips of the two requests behind it. Every verdict is a real review in the database, signed `bench-desk`.
Numbers are measurements, never assertions; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from datasette_scale import _counts, _machine, fill, served  # noqa: E402

from review.accounts import accounts_path, add_reviewer  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REVIEWER = "bench-desk"
TARGET_MS = 150


def main() -> None:
    args = _parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"no chromium at {CHROMIUM}: apt-get install chromium")
    db_path = Path(args.db or Path(tempfile.gettempdir()) / "claimwatch-bench" / f"claims-{args.claims}.db")
    if not db_path.exists():
        db_path.parent.mkdir(parents=True, exist_ok=True)
        fill(db_path, args.claims, args.seed)
    password = secrets.token_urlsafe(16)
    add_reviewer(accounts_path(db_path), REVIEWER, password)
    with served(db_path) as base:
        result = drive(base, password, args.verdicts, random.Random(args.seed))
    result = {**_counts(db_path), **result, "machine": _machine()}
    print(f"{result['claims']:,} claims, {result['reviews']:,} reviews after the run; {result['machine']}")
    print(f"{result['verdicts']} verdicts in {result['seconds']} s: {result['verdicts_per_minute']} a minute")
    print(f"keypress to next claim: median {result['next_claim_median_ms']} ms, "
          f"p95 {result['next_claim_p95_ms']} ms (target under {TARGET_MS} ms)")
    print(f"round trips: next.json median {result['next_json_median_ms']} ms, "
          f"verdict POST median {result['verdict_post_median_ms']} ms")
    print(json.dumps(result))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=1_000_000, help="claims in the database it builds if missing")
    parser.add_argument("--db", help="database file (default: datasette_scale.py's claims-N.db in a temp folder)")
    parser.add_argument("--verdicts", type=int, default=200, help="keypresses to time")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the fill and the keys pressed")
    return parser.parse_args()


def drive(base: str, password: str, verdicts: int, rng: random.Random) -> dict:
    """Sign in, open the desk and press `verdicts` keys, each once the claim it acts on is on screen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/-/login?next=/-/review")
        page.fill("#username", REVIEWER)
        page.fill("#password", password)
        page.click("input[type=submit][value='Sign in']")
        page.wait_for_selector("#desk-card[data-claim]")
        started = time.perf_counter()
        for _ in range(verdicts):
            shown = page.get_attribute("#desk-card", "data-claim")
            page.keyboard.press(rng.choices("vrs", [7, 2, 1])[0])
            page.wait_for_function("id => document.querySelector('#desk-card').dataset.claim !== id", arg=shown,
                                   timeout=30_000)
        page.evaluate("window.deskSaved()")
        seconds = time.perf_counter() - started
        timings = page.evaluate("window.deskTimings")
        requests = page.evaluate("""() => performance.getEntriesByType('resource')
            .map(e => [e.name.includes('/next.json') ? 'next' : e.name.endsWith('/verdict') ? 'verdict' : '',
                       e.duration]).filter(e => e[0])""")
        browser.close()
    by_kind = {kind: [ms for name, ms in requests if name == kind] for kind in ("next", "verdict")}
    return {"verdicts": verdicts, "seconds": round(seconds, 1),
            "verdicts_per_minute": round(verdicts / seconds * 60),
            "next_claim_median_ms": round(statistics.median(timings), 1),
            "next_claim_p95_ms": round(statistics.quantiles(timings, n=20)[-1], 1),
            "next_json_median_ms": round(statistics.median(by_kind["next"]), 1) if by_kind["next"] else None,
            "verdict_post_median_ms": round(statistics.median(by_kind["verdict"]), 1) if by_kind["verdict"] else None}


if __name__ == "__main__":
    main()
