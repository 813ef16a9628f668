"""Fuzzing: real pages and feeds cut, spliced, re-encoded, stripped of tags, and random bytes, into every parser.

The property: each stage either succeeds or raises the project's own clear error (FeedError,
NotAnArticle), and no input takes long. The example budget is fixed and derandomized, so a run is
repeatable and `make test` stays quick.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.text import NotAnArticle, extract_page, extract_plain_text, page_from
from monitor.feeds import FeedError, parse_feed
from monitor.fetch import Fetched
from tests.conftest import DATA, SAMPLE, rss

PAGES = [path.read_bytes() for path in sorted((SAMPLE / "pages").glob("*.html"))] + \
    [(DATA / "ppp-cambodia-drug-war.txt").read_bytes()]
FEEDS = [(SAMPLE / "feed.xml").read_bytes(),
         rss([(f"Story {n}", f"http://news.example/{n}") for n in range(5)]).encode(),
         b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
         b'<entry><title>x</title><link href="http://news.example/a"/></entry></feed>']
SECONDS_PER_INPUT = 10
_TAG = re.compile(rb"<[^<>]{0,200}>")


def budget(examples: int):
    return settings(max_examples=examples, derandomize=True, database=None, deadline=timedelta(seconds=30),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed cut, spliced with another, re-encoded, with tags dropped or random bytes let in — or pure noise."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=4096))
    content = draw(st.sampled_from(seeds))
    for step in draw(st.lists(st.sampled_from(["cut", "splice", "encode", "tags", "noise"]), min_size=1, max_size=3)):
        content = _mutate(draw, step, content, seeds)
    return content


def _mutate(draw: st.DrawFn, step: str, content: bytes, seeds: list[bytes]) -> bytes:
    at = draw(st.integers(0, len(content)))
    if step == "cut":
        return content[:at]
    if step == "splice":
        other = draw(st.sampled_from(seeds))
        return content[:at] + other[draw(st.integers(0, len(other))):]
    if step == "encode":
        encoding = draw(st.sampled_from(["latin-1", "utf-16", "cp1252", "utf-32", "ascii", "shift_jis"]))
        return content.decode("utf-8", "replace").encode(encoding, "replace")
    if step == "tags":
        tags = list(_TAG.finditer(content))
        dropped = set(draw(st.lists(st.integers(0, max(len(tags) - 1, 0)), max_size=200))) if tags else set()
        return b"".join(_pieces(content, [tag for i, tag in enumerate(tags) if i in dropped]))
    return content[:at] + draw(st.binary(min_size=1, max_size=512)) + content[at:]


def _pieces(content: bytes, dropped: list[re.Match]) -> list[bytes]:
    pieces, start = [], 0
    for tag in dropped:
        pieces.append(content[start:tag.start()])
        start = tag.end()
    return [*pieces, content[start:]]


def timed(call, *args, allowed: tuple[type[Exception], ...] = ()):
    """Run `call`, letting through only the `allowed` errors, and check it stayed within the time bound."""
    started = time.monotonic()
    try:
        return call(*args)
    except allowed:
        return None
    finally:
        assert time.monotonic() - started < SECONDS_PER_INPUT


@budget(40)
@given(content=mutated(FEEDS + PAGES[:2]))
def test_the_feed_parser_gives_entries_or_a_feed_error(content):
    parsed = timed(parse_feed, content, "http://news.example/feed", allowed=(FeedError,))
    assert parsed is None or all(entry.link.startswith("http") for entry in parsed.entries)


@budget(40)
@given(content=mutated(PAGES), content_type=st.sampled_from(
    ["text/html; charset=utf-8", "text/html", "text/plain", "", "application/octet-stream",
     "text/plain; charset=utf-16"]))
def test_page_decoding_gives_a_page_or_not_an_article(content, content_type):
    fetched = Fetched("http://news.example/story", "http://news.example/story", content,
                      headers={"content-type": content_type})
    page = timed(page_from, fetched, allowed=(NotAnArticle,))
    assert page is None or page.text.strip()


@budget(30)
@given(html=mutated(PAGES).map(lambda content: content.decode("utf-8", "replace")))
def test_text_extraction_gives_a_page_or_not_an_article(html):
    page = timed(extract_page, html, "http://news.example/story", allowed=(NotAnArticle,))
    assert page is None or page.text.strip()


@budget(20)
@given(text=st.text(max_size=2000))
def test_plain_text_cleaning_gives_a_page_or_not_an_article(text):
    page = timed(extract_plain_text, text, allowed=(NotAnArticle,))
    assert page is None or page.text.strip()


# Number-heavy nonsense: the shapes the quantity rules look at, in orders no article has.
_TOKENS = [*"0123456789 ,.%$£€-–/()\"'\n", " percent", " million", " said", " people", " police", " rose", " fell",
           " Mr.", " one in", " a third"]
_CLAIMISH = st.lists(st.sampled_from(_TOKENS), max_size=200).map("".join)


@settings(parent=budget(25))
@given(text=st.one_of(
    mutated(PAGES[:4]).map(lambda content: content.decode("utf-8", "replace")[:6000]),
    _CLAIMISH, st.text(max_size=1500)))
def test_the_claim_finder_finds_claims_or_nothing_in_any_text(finder, text):
    extraction = timed(finder.find, text)
    for claim in extraction.claims:
        quantity = claim.quantity
        assert text[quantity.start:quantity.end] == quantity.text
        assert text[claim.sentence_start:].startswith(claim.sentence)
