"""Text extraction: the article body of real pages, and clean text from saved plain-text articles."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from extractors.text import NotAnArticle, extract_page, extract_plain_text, looks_like_html
from tests.conftest import DATA, SAMPLE


def token_f1(predicted: str, truth: str) -> float:
    ours, theirs = (Counter(re.findall(r"\w+", text.lower())) for text in (predicted, truth))
    overlap = sum((ours & theirs).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(ours.values()), overlap / sum(theirs.values())
    return 2 * precision * recall / (precision + recall)


def test_body_text_of_real_pages_matches_the_truth():
    scores = {}
    for page in sorted((SAMPLE / "pages").glob("*.html")):
        truth = (DATA / "truth" / f"{page.stem}.txt").read_text(encoding="utf-8")
        scores[page.stem] = token_f1(extract_page(page.read_text(encoding="utf-8")).text, truth)
    assert sum(scores.values()) / len(scores) >= 0.85, scores
    assert min(scores.values()) >= 0.6, scores


def test_metadata_comes_with_the_text():
    page = extract_page((SAMPLE / "pages" / "chron-new-car-sales-plunge.html").read_text(encoding="utf-8"))
    assert page.title and "car sales" in page.title.lower()
    assert page.published and page.published.startswith("20")
    assert "\n\n" in page.text


def test_plain_text_drops_related_story_teasers_and_doubled_captions():
    text = extract_plain_text((DATA / "ppp-cambodia-drug-war.txt").read_text(encoding="utf-8")).text
    assert "more than 8,000 people have been arrested" in text
    assert "Swire Coca-Cola" not in text
    assert "Chaktomuk" not in text
    assert "MARTIN de BOURMONT" not in text
    assert text.rstrip().endswith("he said.")


def test_a_page_without_article_text_is_refused():
    with pytest.raises(NotAnArticle):
        extract_page("<html><body><nav><a href='/'>Home</a></nav></body></html>")


def test_an_oversized_page_is_refused_before_parsing():
    with pytest.raises(NotAnArticle, match="over the"):
        extract_page("<html><body>" + "<p>word</p>" * 2_000_000 + "</body></html>")


def test_html_is_recognised_by_its_first_tags():
    assert looks_like_html(b"  <!DOCTYPE html><html><body>x</body></html>")
    assert not looks_like_html(b"Plain words about 3 things.")
