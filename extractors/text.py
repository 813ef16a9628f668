"""Extract main text: HTML page (or saved plain text) → article body and metadata, via trafilatura."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from trafilatura.settings import Document
from w3lib.encoding import html_to_unicode

from extractors.language import decide_language
from extractors.page_furniture import body_paragraphs, furniture_boxes, link_texts

LOGGER = logging.getLogger(__name__)

# Pages past this size are refused rather than parsed: no real article needs it, and lxml on a
# hostile 20 MB page costs seconds and hundreds of megabytes.
MAX_HTML_CHARS = 5_000_000
# One cap on an article's text, from HTML or plain text alike (feeds.yaml `max_text_chars`), checked
# before spaCy sees it: parsing time grows with the text, and a megabyte of text is no article. The
# longest article in the labelled corpus has about 30,000 characters.
MAX_TEXT_CHARS = 200_000
# Content whose opening has more than this share of control characters or undecodable bytes is
# binary (a program, an image, an archive), not text.
BINARY_SHARE = 0.05
_SNIFF_CHARS = 8192
# Fewer words than this is navigation or an error page that trafilatura scraped anyway.
MIN_ARTICLE_WORDS = 20
# A paywalled page with fewer words than this shows only its teaser: the story's opening, whose figures
# stand without the context the rest of the article gives them.
TEASER_WORDS = 250

_BULLET = re.compile(r"^\s*[•·▪●◦‣∙]\s")
_INDENTED = re.compile(r"^(?: {2,}|\t)\S")
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2})\b)?", re.IGNORECASE)
# Generic and commercial top-level domains that name no country (".co" and ".tv" are sold worldwide).
_NO_COUNTRY_TLDS = {"com", "org", "net", "info", "biz", "co", "tv", "io", "me", "news", "eu", "int", "edu", "gov"}
_HTML_SNIFF = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|article|div|p)\b", re.IGNORECASE)
_MICRODATA_FREE = re.compile(
    r"<meta\b[^>]*itemprop\s*=\s*[\"']isAccessibleForFree[\"'][^>]*content\s*=\s*[\"'](true|false)[\"']",
    re.IGNORECASE)
_JSON_LD = re.compile(r"<script\b[^>]*type\s*=\s*[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
                      re.IGNORECASE | re.DOTALL)


class NotAnArticle(ValueError):
    """The page has no article text that could be extracted."""


# trafilatura copies lxml trees that two threads must not touch at once: two fetch threads inside it
# crashed the interpreter (segfaults, "double free or corruption"). One parse at a time per process.
_ONE_PARSE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class Page:
    """An article's main text and what trafilatura found out about it."""

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    country: str | None = None  # ISO 3166 alpha-2 of the site, from its domain or declared locale ("AU")
    paywalled: bool | None = None  # JSON-LD isAccessibleForFree, negated; None when the page does not say

    @property
    def is_teaser(self) -> bool:
        """A paywalled page whose body is too short to be more than the free opening."""
        return bool(self.paywalled) and len(self.text.split()) < TEASER_WORDS


class FetchedBytes(Protocol):
    """What turning a fetch into a Page needs of it (`monitor.fetch.Fetched` is one)."""

    @property
    def content(self) -> bytes: ...

    @property
    def final_url(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content_type(self) -> str: ...


def page_from(fetched: FetchedBytes, max_text_chars: int = MAX_TEXT_CHARS) -> Page:
    """Turn fetched bytes into a Page: HTML through trafilatura, plain text cleaned as it is.

    Args:
        max_text_chars: the longest article text accepted, whatever the content type.

    Raises:
        NotAnArticle: binary, neither HTML nor plain text, no article text in it, or too long.
    """
    html = fetched.content_type in ("text/html", "application/xhtml+xml") or looks_like_html(fetched.content)
    if not html and fetched.content_type not in ("", "text/plain"):
        raise NotAnArticle(f"not an HTML page (content type {fetched.content_type})")
    text = _decode(fetched)
    if reason := binary_reason(text):
        raise NotAnArticle(reason)
    if html:
        url = None if fetched.final_url.startswith("file:") else fetched.final_url
        return extract_page(text, url=url, max_text_chars=max_text_chars)
    return extract_plain_text(text, max_text_chars)


def binary_reason(text: str) -> str | None:
    """Why decoded content is binary rather than text (control characters, undecodable bytes), or None."""
    opening = text[:_SNIFF_CHARS]
    odd = sum(1 for char in opening if char == "\ufffd" or (char < " " and char not in "\t\n\r\f") or char == "\x7f")
    if opening and odd / len(opening) > BINARY_SHARE:
        return (f"binary content, not text: {odd / len(opening):.0%} of its first {len(opening):,} characters "
                "are control characters or undecodable bytes")
    return None


def _too_long(length: int, limit: int) -> NotAnArticle:
    return NotAnArticle(f"text is {length:,} characters, over the {limit:,}-character limit (max_text_chars)")


def _decode(fetched: FetchedBytes) -> str:
    # The header's charset, else a BOM or <meta charset>, else UTF-8; undecodable bytes become U+FFFD.
    _, text = html_to_unicode(fetched.headers.get("content-type"), fetched.content)
    return text


def looks_like_html(content: bytes) -> bool:
    """True when the first kilobytes hold an HTML tag (used for files and mislabelled responses)."""
    return bool(_HTML_SNIFF.search(content[:4096]))


def extract_page(html: str, url: str | None = None, max_text_chars: int = MAX_TEXT_CHARS) -> Page:
    """Extract the article body and metadata from an HTML page.

    Args:
        html: the page source, already decoded.
        url: where it came from; helps trafilatura with relative links and metadata.
        max_text_chars: the longest article text accepted.

    Raises:
        NotAnArticle: the page or its text is too large, or it holds no extractable body text.
    """
    if len(html) > MAX_HTML_CHARS:
        raise NotAnArticle(f"page is {len(html):,} characters, over the {MAX_HTML_CHARS:,} limit")
    found = _trafilatura(html, url)
    text = found["text"] or ""
    words = len(text.split())
    if words < MIN_ARTICLE_WORDS:
        raise NotAnArticle(f"no article text found in the page ({words} words)")
    if len(text) > max_text_chars:
        raise _too_long(len(text), max_text_chars)
    return Page(
        text=text,
        title=found["title"],
        author=found["author"],
        published=found["date"],
        site_name=found["sitename"],
        canonical_url=found["url"],
        language=decide_language(found["language"] or _declared_language(html), text),
        paywalled=_paywalled(html),
        country=site_country(url, found["url"], html),
    )


def _trafilatura(html: str, url: str | None) -> dict[str, str | None]:
    """The page's body paragraphs and metadata, as strings: no lxml tree leaves the lock."""
    with _ONE_PARSE_AT_A_TIME:
        tree = trafilatura.load_html(html)
        if tree is None:
            raise NotAnArticle("the page could not be parsed as HTML")
        links = link_texts(tree)
        for box in furniture_boxes(tree):
            box.drop_tree()
        document = _bare_extraction(tree, url)
        if not document:
            return dict.fromkeys(("text", "title", "author", "date", "sitename", "url", "language"))
        # Blank lines between paragraphs keep spaCy from running a headline into the first sentence.
        found = {"text": "\n\n".join(body_paragraphs(document.body, document.title, links))}
        found.update({name: getattr(document, name) for name in
                      ("title", "author", "date", "sitename", "url", "language")})
        del document, tree
    return found


def _bare_extraction(tree: etree._Element, url: str | None) -> Document | None:
    # Tables inside the story are its data (a stat sheet, a results table) and stay, a row to a line;
    # tables in boxes went with the boxes. A page laid out in a table (the whole story in one cell) is
    # read as if the table were not there, as trafilatura reads it without tables.
    if tree.find(".//table") is not None:
        document = _trafilatura_body(tree, url, include_tables=True)
        if document is None or not _layout_table(document.body):
            return document
    return _trafilatura_body(tree, url, include_tables=False)


def _trafilatura_body(tree: etree._Element, url: str | None, include_tables: bool) -> Document | None:
    # No deduplicate: trafilatura's cache spans every page the process has seen, so a crawl or
    # `reprocess` would find a page it met before empty. Formatting keeps headings and list items
    # apart in the tree, so each becomes its own paragraph. bare_extraction works on its own copy.
    return trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=include_tables,
        deduplicate=False, include_formatting=True,
    )


def _layout_table(body: etree._Element) -> bool:
    """True when a table cell holds a page's layout (headings, paragraphs, other tables) rather than a datum."""
    return any(
        next(cell.iter("head", "table"), None) is not None or sum(1 for _ in cell.iter("p")) > 1
        for cell in body.iter("cell")
    )


def _paywalled(html: str) -> bool | None:
    """True when the page's JSON-LD (or microdata) says it is not free to read, False when it says it is, else None."""
    verdicts = [value for block in _JSON_LD.findall(html) for value in _free_flags(_json(block))]
    # Some sites (The New York Times) say it in microdata instead of JSON-LD.
    verdicts += [flag.lower() == "true" for flag in _MICRODATA_FREE.findall(html)]
    if not verdicts:
        return None
    return not all(verdicts)


def _json(block: str) -> object:
    try:
        return json.loads(block)
    except ValueError:
        return None


def _free_flags(node: object) -> list[bool]:
    # isAccessibleForFree may sit on the article, inside @graph, or on a hasPart; it is a boolean or the
    # text "False"/"True" (schema.org's own examples use both).
    if isinstance(node, list):
        return [flag for item in node for flag in _free_flags(item)]
    if not isinstance(node, dict):
        return []
    flags = [flag for key, value in node.items() if key != "isAccessibleForFree" for flag in _free_flags(value)]
    value = node.get("isAccessibleForFree")
    if isinstance(value, bool):
        flags.append(value)
    elif isinstance(value, str) and value.strip().lower() in ("true", "false"):
        flags.append(value.strip().lower() == "true")
    return flags


def site_country(url: str | None, canonical_url: str | None, html: str) -> str | None:
    """The country a page's site belongs to: its domain's country code ("smh.com.au" → "AU"), else the
    region of its declared locale (`<html lang="en-NZ">`), else None."""
    for address in (canonical_url, url):
        host = urlsplit(address).hostname if address else None
        tld = host.rsplit(".", 1)[-1] if host and "." in host else ""
        if len(tld) == 2 and tld.isalpha() and tld not in _NO_COUNTRY_TLDS:
            return "GB" if tld == "uk" else tld.upper()
    match = _HTML_LANG.search(html[:20_000])
    return match.group(2).upper() if match and match.group(2) else None


def _declared_language(html: str) -> str | None:
    # trafilatura detects languages only with an extra package; the page's own <html lang> is enough
    # to tell an English article from another.
    match = _HTML_LANG.search(html[:20_000])
    return match.group(1).lower() if match else None


def extract_plain_text(text: str, max_text_chars: int = MAX_TEXT_CHARS) -> Page:
    """Clean a saved plain-text article: drop related-story lists and doubled photo captions.

    Raises:
        NotAnArticle: the text is empty, or longer than `max_text_chars`.
    """
    if len(text) > max_text_chars:
        raise _too_long(len(text), max_text_chars)
    lines = text.replace("\r\n", "\n").split("\n")
    kept = _drop_caption_pairs(_drop_link_lists(lines))
    body = "\n".join(kept).strip()
    if not body:
        raise NotAnArticle("the text file is empty")
    body = re.sub(r"\n{3,}", "\n\n", body)
    return Page(text=body, language=decide_language(None, body))


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of every non-blank line: one paragraph each in extracted articles."""
    bounds, position = [], 0
    for line in text.split("\n"):
        if line.strip():
            bounds.append((position, position + len(line)))
        position += len(line) + 1
    return bounds


def _drop_link_lists(lines: list[str]) -> list[str]:
    # Scraped pages end with "• Headline" items, each followed by an indented teaser: neither
    # is part of the article.
    kept: list[str] = []
    in_list = False
    for line in lines:
        if _BULLET.match(line):
            in_list = True
            continue
        if in_list and (not line.strip() or _INDENTED.match(line)):
            continue
        in_list = False
        kept.append(line)
    return kept


def _drop_caption_pairs(lines: list[str]) -> list[str]:
    # A photo caption is often saved twice in a row, once with the credit in capitals.
    def key(line: str) -> str:
        return line.strip().lower()[:60]

    drop: set[int] = set()
    for i in range(len(lines) - 1):
        if len(key(lines[i])) >= 30 and key(lines[i]) == key(lines[i + 1]) and lines[i] != lines[i + 1]:
            drop.update((i, i + 1))
    return [line for i, line in enumerate(lines) if i not in drop]
