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


FURNITURE = DATA / "furniture"
_STORY = [
    "The city council approved a budget of $4.2 billion on Tuesday after a debate that lasted most of the night.",
    "Council members said the spending plan would hire 300 new teachers and repair roads across the district.",
    "The mayor, who had asked for a smaller increase, said she would sign the budget before the end of the week.",
    "Opponents argued that the plan relies on a property tax rise that many homeowners cannot afford this year.",
]


def page(*blocks: str, title: str = "Council approves a record budget") -> str:
    """A hand-written news page: a header with the headline, then the article's blocks."""
    body = "\n".join(blocks)
    return (f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main><article><h1>{title}</h1>{body}"
            f"</article></main><footer>© The Daily Example</footer></body></html>")


def paragraphs(html: str) -> list[str]:
    return extract_page(html).text.split("\n\n")


def test_a_photo_caption_and_its_credit_are_left_out():
    html = page(f"<p>{_STORY[0]}</p>",
                "<figure><img src='a.jpg'><figcaption>Council members vote on the budget, which adds 300 "
                "teachers. Photo: Jane Roe</figcaption></figure>",
                *(f"<p>{s}</p>" for s in _STORY[1:]),
                "<div class='article-image'><p>Pictured: the council chamber, which seats 120 people</p>"
                "<p>Photo: AFP</p></div>")
    text = extract_page(html).text
    assert _STORY[1] in text and _STORY[3] in text
    assert "Jane Roe" not in text and "Photo: AFP" not in text and "seats 120" not in text


def test_a_real_photo_credit_is_left_out():
    text = extract_page((FURNITURE / "taipeitimes-photo-credit.html").read_text(encoding="utf-8")).text
    assert "Thousands of US and Filipino troops" in text
    assert "Photo: AFP" not in text


def test_a_headline_and_a_standfirst_repeating_the_body_are_left_out():
    html = page("<h2>Council members say the plan would hire 300 new teachers</h2>",
                "<p class='standfirst'>Council members said the spending plan would hire 300 new teachers</p>",
                *(f"<p>{s}</p>" for s in _STORY))
    found = paragraphs(html)
    assert found == _STORY


def test_subheadings_stay_their_own_paragraphs_and_list_numbers_go():
    html = page(f"<p>{_STORY[0]}</p>", "<h2>2.</h2>", "<h2>Schools</h2>", f"<p>{_STORY[1]}</p>",
                "<h3>3. Roads and bridges</h3>", f"<p>{_STORY[2]}</p>", "<p>4.</p>", f"<p>{_STORY[3]}</p>")
    assert paragraphs(html) == [_STORY[0], "Schools", _STORY[1], "Roads and bridges", _STORY[2], _STORY[3]]


def test_a_fact_box_is_left_out():
    html = page(*(f"<p>{s}</p>" for s in _STORY[:2]),
                "<h2>The budget by numbers</h2>",
                "<ul><li>$4.2bn: the total budget</li><li>300: new teachers</li><li>12%: the tax rise</li></ul>",
                "<h2>What happens next</h2>", *(f"<p>{s}</p>" for s in _STORY[2:]))
    text = extract_page(html).text
    assert "by numbers" not in text and "new teachers</li>" not in text and "12%" not in text
    assert paragraphs(html) == [*_STORY[:2], "What happens next", *_STORY[2:]]


def test_a_table_in_the_story_stays_a_row_to_a_line_and_one_in_a_box_goes():
    table = ("<table><thead><tr><th>School</th><th>Teachers</th><th>Share</th></tr></thead><tbody>"
             "<tr><td>North High</td><td>120</td><td>40%</td></tr>"
             "<tr><td>South High</td><td><b>95</b></td><td>32%</td></tr></tbody></table>")
    sidebar = ("<aside class='related'><table><tr><td>Most read</td><td>Mayor opens new bridge</td></tr>"
               "<tr><td>Trending</td><td>Storm hits the coast</td></tr></table></aside>")
    html = page(*(f"<p>{s}</p>" for s in _STORY[:2]), table, sidebar, *(f"<p>{s}</p>" for s in _STORY[2:]))
    assert paragraphs(html) == [*_STORY[:2], "School Teachers Share", "North High 120 40%", "South High 95 32%",
                                *_STORY[2:]]


def test_a_story_laid_out_in_a_table_reads_as_paragraphs():
    # Older sites (The Space Review) set the whole page in a table: the story is one cell, not a row of data.
    caption = ("<table><tr><td><img src='core.jpg'><br>The core stage after its engines were installed."
               "</td></tr></table>")
    story = "".join(f"<p>{s}</p>" for s in _STORY[:2]) + caption + "".join(f"<p>{s}</p>" for s in _STORY[2:])
    html = ("<!DOCTYPE html><html lang='en'><head><title>Council approves a record budget</title></head><body>"
            "<table><tr><td><a href='/'>Home</a></td><td><h1>Council approves a record budget</h1>"
            f"{story}</td></tr></table></body></html>")
    assert paragraphs(html) == _STORY


def test_an_embedded_tweet_is_left_out():
    text = extract_page((FURNITURE / "thehill-embedded-tweet.html").read_text(encoding="utf-8")).text
    assert "Another wondered why the state bothered to trademark the tagline" in text
    assert "I love that they trademarked it" not in text and "@RobertMaguire_" not in text
    html = page(*(f"<p>{s}</p>" for s in _STORY[:2]),
                "<blockquote><p>Our city deserves 500 more teachers, not 300 #budget pic.twitter.com/AbC123</p>"
                "— Jo Bloggs (@jobloggs) May 4, 2024</blockquote>", *(f"<p>{s}</p>" for s in _STORY[2:]))
    assert paragraphs(html) == _STORY


def test_promoted_headlines_and_related_story_teasers_are_left_out():
    fox = extract_page((FURNITURE / "foxnews-promoted-headlines.html").read_text(encoding="utf-8")).text
    assert "We lost the baby" in fox
    assert "SEAN SPICER" not in fox and "CLICK HERE" not in fox
    metro = extract_page((FURNITURE / "metro-more-links.html").read_text(encoding="utf-8")).text
    assert "Norway and Denmark have recently also published new war pamphlets." in metro
    assert "MORE:" not in metro and "Get in touch" not in metro and "For more stories" not in metro
    html = page(f"<p>{_STORY[0]}</p>", "<p>Read more: Council spends $2m on new parks</p>",
                *(f"<p>{s}</p>" for s in _STORY[1:]),
                "<aside class='related'><h3>Related</h3><p>Budget row: 40 schools to close</p></aside>",
                "<div class='newsletter-signup'><p>Sign up for our newsletter to get 5 stories a day.</p></div>")
    assert paragraphs(html) == _STORY


def test_a_pitch_to_the_reader_inside_the_story_is_left_out():
    subscriber = "If you subscribe to the service, your bill rises 10 percent, the company said."
    html = page(f"<p>{_STORY[0]}</p>", f"<p>{_STORY[1]}</p>",
                "<p>You can also subscribe to this newsletter here, and get 10 stories each morning.</p>",
                f"<p>{_STORY[2]}</p>",
                "<p>Stay informed with The Daily Example, your source for news. "
                "Get in-depth reporting for only $5 a month.</p>",
                f"<p>{_STORY[3]}</p>", f"<p>{subscriber}</p>")
    assert paragraphs(html) == [*_STORY, subscriber]


def test_no_sentence_runs_across_a_paragraph(nlp):
    html = page("<h2>Record budget</h2>", f"<p>{_STORY[0]}</p>", "<h2>Teachers and roads</h2>",
                f"<p>{_STORY[1]}</p>", "<p>Under the plan</p>", f"<p>{_STORY[2]}</p>")
    text = extract_page(html).text
    breaks = {i for i, char in enumerate(text) if char == "\n"}
    for sentence in nlp(text).sents:
        inner = range(sentence.start_char, sentence.start_char + len(sentence.text.rstrip()))
        assert not breaks & set(inner), sentence.text
    assert [s.text.strip() for s in nlp(text).sents][:3] == [_STORY[0], "Teachers and roads", _STORY[1]]
