"""Bounded cost for any input: one text extraction at a time, binary refused, one cap on article text,
long texts parsed in chunks, and a crawl of megabyte plain-text articles under 1 GB and 60 s."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
import trafilatura
from click.testing import CliRunner

from extractors.chunks import paragraph_chunks, pipe_in_chunks
from extractors.claims import QUANTITIES
from extractors.text import MAX_TEXT_CHARS, NotAnArticle, page_from
from monitor.cli import cli
from monitor.config import Defaults
from monitor.fetch import Fetched
from tests.conftest import SAMPLE, rows, rss, sample_page, write_config
from tests.serving import tree_rss

CLAIMWATCH = Path(sys.executable).parent / "claimwatch"
PARAGRAPH = ("Police said they arrested 1,204 people in the district last year, up 17 percent on the year before, "
             "and seized 3.5 kilograms of methamphetamine, according to a statement released on Monday.")


def fetched(content: bytes, content_type: str = "text/plain") -> Fetched:
    return Fetched("http://news.example/story", "http://news.example/story", content,
                   headers={"content-type": content_type})


def test_text_extraction_never_runs_in_two_threads_at_once(monkeypatch):
    # The cause of issue 14's native crashes: two threads inside trafilatura's lxml code together.
    real, inside, peak, lock = trafilatura.bare_extraction, [0], [0], threading.Lock()

    def counted(*args, **kwargs):
        with lock:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        try:
            time.sleep(0.01)
            return real(*args, **kwargs)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(trafilatura, "bare_extraction", counted)
    pages = [path.read_bytes() for path in sorted((SAMPLE / "pages").glob("*.html"))] * 2
    with ThreadPoolExecutor(4) as threads:
        texts = list(threads.map(lambda html: page_from(fetched(html, "text/html")).text, pages))
    assert peak[0] == 1 and all(texts)


def test_extract_of_a_program_exits_1_with_one_line():
    program = Path(sys.executable).resolve()
    result = CliRunner().invoke(cli, ["extract", str(program)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "binary content, not text" in result.stderr


def test_binary_bytes_are_refused_whatever_they_are_labelled():
    noise = bytes(range(256)) * 40
    for content_type in ("text/plain", "text/html", ""):
        with pytest.raises(NotAnArticle, match="binary content"):
            page_from(fetched(noise, content_type))


def test_one_cap_on_article_text_for_html_and_plain_text():
    assert Defaults().max_text_chars == MAX_TEXT_CHARS
    paragraphs = [f"{PARAGRAPH} It was report {n}." for n in range(40)]
    plain = "\n\n".join(paragraphs)
    html = f"<html><body><article>{''.join(f'<p>{p}</p>' for p in paragraphs)}</article></body></html>"
    for content, content_type in ((plain.encode(), "text/plain"), (html.encode(), "text/html")):
        assert page_from(fetched(content, content_type)).text
        with pytest.raises(NotAnArticle, match=r"over the 2,000-character limit \(max_text_chars\)"):
            page_from(fetched(content, content_type), max_text_chars=2_000)


def test_a_text_past_spacys_max_length_is_parsed_in_chunks_without_e088(finder, monkeypatch):
    text = "\n\n".join(f"{PARAGRAPH} Paragraph {n}." for n in range(120))
    assert "".join(paragraph_chunks(text, 5_000)) == text
    assert all(len(chunk) <= 5_000 and chunk.endswith("\n\n") for chunk in paragraph_chunks(text, 5_000)[:-1])
    monkeypatch.setattr(finder.nlp, "max_length", 10_000)
    doc, = pipe_in_chunks(finder.nlp, [finder.nlp.tokenizer(text)], 16, whole_from=QUANTITIES, size=5_000)
    assert doc.text == text and len(list(doc.sents)) >= 240 and len(doc._.claims) >= 240
    extraction = finder.find(text)
    assert sum(quantity.text == "1,204" for quantity in extraction.quantities) == 120
    for claim in extraction.claims:
        assert text[claim.quantity.start:claim.quantity.end] == claim.quantity.text




def test_megabyte_plain_text_articles_are_crawled_under_1gb_and_60_seconds(server, tmp_path, db_path):
    names = {"one-megabyte": 1_000_000, "five-megabytes": 5_000_000}
    for name, size in names.items():
        body = ("\n\n".join([PARAGRAPH] * (size // len(PARAGRAPH) + 1)))[:size].encode()
        server.add(f"/news/{name}", body, Content_Type="text/plain; charset=utf-8")
    server.add("/news/healthy", sample_page("therepublic-police-drug-arrests"))
    items = [(name, server.url(f"/news/{name}")) for name in [*names, "healthy"]]
    server.add("/feed.xml", rss(items), Content_Type="application/rss+xml")
    config = write_config(tmp_path, {"news": server.url("/feed.xml")}, max_page_bytes=6_000_000, deadline=30)
    process = subprocess.Popen([str(CLAIMWATCH), "crawl", "--feeds", str(config.path), "--db", str(db_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.1)
    assert process.returncode == 0 and peak < 2**30
    (started, finished), = rows(db_path, "SELECT started_at, finished_at FROM crawl_runs")
    assert (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds() < 60
    refused = dict(rows(db_path, "SELECT url, error FROM fetch_events WHERE target = 'article' AND outcome = 'error'"))
    assert sorted(refused) == sorted(server.url(f"/news/{name}") for name in names)
    assert all("over the 200,000-character limit" in error for error in refused.values())
    assert rows(db_path, "SELECT count(*) FROM articles") == [(1,)]
