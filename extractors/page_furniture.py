"""Leave page furniture out of an article's text: text.py prunes it from the HTML before trafilatura and
drops it from the blocks of trafilatura's output tree (captions, credits, teasers, embedded posts,
headlines, standfirsts, fact boxes and list numbers)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

# Class or id words of the boxes pages put beside the story: captions and credits, embedded posts,
# related-story and newsletter promotions, advertising, sharing buttons, fact boxes.
_FURNITURE_WORDS = {
    "caption", "captions", "figcaption", "credit", "credits",
    "tweet", "twitter", "instagram", "tiktok", "embed", "oembed",
    "promo", "promos", "related", "recirc", "recirculation", "more-link", "readmore",
    "newsletter", "newsletters", "signup", "subscribe", "subscription",
    "ad", "ads", "advert", "advertisement", "sponsored", "outbrain", "taboola",
    "share", "sharing", "social", "factbox", "infobox", "fact-box",
}
_CLASS_WORD = re.compile(r"[a-z]+(?:-(?:link|box|tweet|media))?")
# Elements that never hold article prose: figures and their captions, asides, embedded posts.
_FURNITURE_TAGS = {"figure", "figcaption", "aside"}
_EMBED_CLASSES = ("twitter-tweet", "instagram-media", "tiktok-embed", "twitter-video")
# A class word is trusted only on a box smaller than this share of the page's text: a wrapper that holds
# the whole story ("post has-post-thumbnail share-enabled") is not furniture.
_MAX_BOX_SHARE = 0.2
# ... and a box with this many paragraphs of this many words is the story, not a teaser list.
_MAX_BOX_PARAGRAPHS = 3
_LONG_PARAGRAPH = 25
_NEVER_BOXES = {"html", "body", "head", "main", "article", "script", "style", "noscript", "meta", "link"}

# Lines that open a promotion, a credit or an aside rather than the story (English news conventions).
_FURNITURE_OPENERS = re.compile(
    r"^(?:read (?:more|next|also)|also read|see (?:more|also)|more|related|recommended|don'?t miss|watch|listen"
    r"|click here|sign up|subscribe|follow (?:us|\w+'s|the)|get in touch|for more (?:stories|news)"
    r"|(?:photo|photograph|picture|image|illustration|video|graphic)s?(?: credit)?|credit|source"
    r"|reporting by|additional reporting|editing by|written by|compiled by|write to|contact|email"
    r"|copyright|advertisement|story continues below|pictured|above|top|main|inset)\b\s*[:|/\-–—]",
    re.IGNORECASE)
# Calls to the reader that need no colon to be told apart from the story.
_READER_CALLS = re.compile(
    r"^(?:get in touch with (?:us|our)|for more (?:stories|news|coverage) like this|follow (?:us|\w+(?:'s)?) on"
    r"|sign up (?:for|to) (?:our|the)|subscribe (?:to|now)|click here (?:to|for)|don'?t miss (?:out|a)"
    r"|(?:this|the) (?:article|story) (?:was|is) (?:originally )?(?:published|updated)|share this (?:article|story))\b",
    re.IGNORECASE)
# A pitch to the reader anywhere in a short line: a subscription or newsletter ("You can also subscribe
# to this newsletter here", "sign up for our newsletters so we can keep you informed"), or an offer
# ("Get in-depth reporting for only N$85 a month").
_PITCH = re.compile(r"\b(?:sign up (?:for|to|now|today|here)|subscribe (?:to (?:our|this)|now|today|here)"
                    r"|(?:our|this|free|daily|weekly) newsletters?)\b"
                    r"|\bfor (?:only|just) \S*\d[\d.,]*\S* (?:a|per) (?:day|week|month|year)\b", re.IGNORECASE)
_TO_THE_READER = re.compile(r"\b(?:you|your)\b|^(?:get|join|subscribe|try|unlock|enjoy|start|sign up|become)\b",
                            re.IGNORECASE)
_MAX_PITCH_WORDS = 30
# The sign-off of a wire story and the page's small print: who reported and edited it, how to reach
# them, the copyright line.
_SIGN_OFF = re.compile(
    r"^[–—-]?\s*\(?(?:(?:additional |with )?reporting|editing|writing|compiled|produced) by\b"
    r"|^(?:associated press|ap|reuters|afp) (?:writers?|reporters?|contributed)\b|^(?:copyright\b|©)",
    re.IGNORECASE)
_CONTACT = re.compile(r"\S+@\S+\.\w+|^\s*https?://\S+\s*$")
_MAX_CONTACT_WORDS = 15
# A time stamp on a line of its own ("2019-11-19T08:57:40+01:00", "Published 18 November 2019").
_TIME_STAMP = re.compile(r"^\s*(?:\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-][\d:]+)?"
                         r"|(?:published|updated|posted|last updated)\b.{0,60})\s*$", re.IGNORECASE)
_CAPTION_OPENER = re.compile(r"^(?:pictured|photographed|\(photo|\[photo)\b", re.IGNORECASE)
_CREDIT = re.compile(r"^(?:(?:photo|image|picture|credit)s?\s*(?::|by\b)|©|\(c\)\s)", re.IGNORECASE)
_STOCK_LINES = re.compile(
    r"^(?:advertisement|story continues below(?: advertisement)?|article content|read more|more|related"
    r"|related (?:stories|articles|coverage|content|reading)|recommended(?: reading| videos?)?|most read.*"
    r"|don'?t miss|share this article|trending|latest|top stories|sponsored(?: content)?|thank you"
    r"|(?:also|read) (?:see|next)|video|watch(?: video)?|listen(?: to this article)?|print article|order reprints)\W*$",
    re.IGNORECASE)
# A list-section number standing alone ("2.", "#3", "(4)") or opening a heading ("3. Tesla").
_SECTION_NUMBER = re.compile(r"^\s*(?:#|No\.\s*)?\(?\d{1,3}[.):]?\)?\s*$")
_NUMBERED_HEADING = re.compile(r"^\s*(?:#|No\.\s*)?\d{1,3}[.):]\s+(?=\S)")
# "— Jane Doe (@janedoe) May 4, 2024" or a pic.twitter.com link: the text of an embedded post.
_EMBEDDED_POST = re.compile(r"\(@\w{1,15}\)\s*\w+\s+\d{1,2},\s*\d{4}|pic\.twitter\.com/|\bt\.co/\w+", re.IGNORECASE)
# Headings that open a fact box or a summary ("Brexit by numbers", "Key facts", "At a glance").
_FACT_BOX = re.compile(r"\b(?:by|in) (?:the )?numbers\b|^(?:key|fast|quick) facts\b|\bat a glance\b"
                       r"|^(?:the )?facts?(?: box| file)?\W*$|^in brief\W*$|^key points\W*$", re.IGNORECASE)
_WORD = re.compile(r"\w+")
# Tags of trafilatura's output that run inside a block; every other tag opens a block of its own.
_MIN_LINK_WORDS = 4
# A heading whose words are this much the page title's is the headline.
_HEADLINE_OVERLAP = 0.8
_FIGURE = re.compile(r"\d(?:[\d,.]*\d)?")
_INLINE = {"hi", "ref", "lb", "del", "span", "graphic"}


def furniture_boxes(tree: etree._Element) -> list[etree._Element]:
    """The elements of a parsed page that hold furniture, outermost first; text.py removes them before trafilatura."""
    body = tree.find(".//body")
    total = len(_visible_text(body if body is not None else tree)) or 1
    boxes: list[etree._Element] = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in _NEVER_BOXES:
            continue
        if boxes and _holds(boxes[-1], element):
            continue
        if _is_embedded_post(element) or (
                (element.tag in _FURNITURE_TAGS or _furniture_class(element)) and not _holds_story(element, total)):
            boxes.append(element)
    return boxes


def _holds(box: etree._Element, element: etree._Element) -> bool:
    return any(ancestor is box for ancestor in element.iterancestors())


def _holds_story(element: etree._Element, total: int) -> bool:
    # A wrapper of the whole story may carry a furniture word among its classes ("post has-post-thumbnail
    # pmc-subscription-behind-paywall"): a large share of the page's text or several long paragraphs say so.
    if len(_visible_text(element)) >= _MAX_BOX_SHARE * total:
        return True
    long_paragraphs = sum(len("".join(p.itertext()).split()) >= _LONG_PARAGRAPH for p in element.iter("p"))
    return long_paragraphs >= _MAX_BOX_PARAGRAPHS


def _visible_text(element: etree._Element) -> str:
    return "".join(element.xpath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"))


def _is_embedded_post(element: etree._Element) -> bool:
    classes = (element.get("class") or "").lower().split()
    return any(embed in classes for embed in _EMBED_CLASSES)


def _furniture_class(element: etree._Element) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    words = set(_CLASS_WORD.findall(names.replace("_", " ")))
    return bool(words & _FURNITURE_WORDS)


def body_paragraphs(body: etree._Element, title: str | None, links: set[str] = frozenset()) -> list[str]:
    """The article's paragraphs from trafilatura's XML body, furniture left out, one string each.

    Headings stay, each its own paragraph, except those with no prose under them (promoted headlines),
    those opening a fact box, which goes with them, and those before the first paragraph of prose (the
    headline, a kicker, the standfirst) unless they state a figure the body does not. A block that is
    the whole text of one of the page's `links` promotes another story. A block that repeats another (a
    pull quote restating a body sentence) is kept once.
    """
    blocks = [(tag, text) for tag, text in _blocks(body) if not is_furniture(text, title) and _fold(text) not in links]
    first_prose = next((i for i, (tag, _) in enumerate(blocks) if tag != "head"), len(blocks))
    rest = " ".join(text for _, text in blocks[first_prose:])
    kept: list[str] = []
    in_fact_box = False
    for index, (tag, text) in enumerate(blocks):
        if tag == "head":
            in_fact_box = bool(_FACT_BOX.search(text))
            following = blocks[index + 1][0] if index + 1 < len(blocks) else "head"
            if index < first_prose:
                if _is_headline(text, title) or not _new_figures(text, rest):
                    continue
            elif in_fact_box or following == "head":
                continue
            text = _NUMBERED_HEADING.sub("", text)
        elif in_fact_box:
            continue
        kept.append(text)
    return _drop_repeats(kept)


def _is_headline(heading: str, title: str | None) -> bool:
    words = _fold(heading).split()
    titled = set(_fold(title or "").split())
    return bool(words) and sum(word in titled for word in words) >= _HEADLINE_OVERLAP * len(words)


def _new_figures(heading: str, body: str) -> bool:
    # A standfirst that restates the body's figures adds nothing but a second copy of its claims.
    return any(figure not in body for figure in _FIGURE.findall(heading))


def link_texts(tree: etree._Element) -> set[str]:
    """The folded text of every link of four words or more on a page: a paragraph that is one of them
    promotes another story ("SEAN SPICER ELIMINATED FROM 'DANCING WITH THE STARS'")."""
    texts = (_fold("".join(link.itertext())) for link in tree.iter("a"))
    return {text for text in texts if len(text.split()) >= _MIN_LINK_WORDS}


def _blocks(element: etree._Element, kind: str = "p") -> Iterator[tuple[str, str]]:
    # Every block becomes its own paragraph: a paragraph, a heading, a list item, a table row, a line
    # broken by <lb/>, a quotation, and the loose text of a division between them.
    pieces = [element.text or ""]
    for child in element.iterchildren():
        if not isinstance(child.tag, str):
            pieces.append(child.tail or "")
        elif child.tag in _INLINE:
            pieces += [_inline_text(child), child.tail or ""]
        else:
            yield from _lines(kind, pieces)
            if child.tag == "row":
                yield from _lines("p", [_row_text(child)])
            elif not (child.tag == "quote" and _EMBEDDED_POST.search("".join(child.itertext()))):
                yield from _blocks(child, child.tag if child.tag in ("head", "quote") else "p")
            pieces = [child.tail or ""]
    yield from _lines(kind, pieces)


def _row_text(row: etree._Element) -> str:
    # A table row reads as one line, its cells in order ("Larry Smith 63 85%"), as the true body texts give it.
    return " ".join(" ".join("".join(cell.itertext()).split()) for cell in row.iter("cell"))


def _inline_text(element: etree._Element) -> str:
    if element.tag == "lb":
        return "\n"
    return (element.text or "") + "".join(_inline_text(c) + (c.tail or "") for c in element.iterchildren()
                                          if isinstance(c.tag, str))


def _lines(kind: str, pieces: list[str]) -> Iterator[tuple[str, str]]:
    for line in "".join(pieces).split("\n"):
        if line.strip():
            yield kind, " ".join(line.split())


def is_furniture(line: str, title: str | None = None) -> bool:
    """True for a line that is no part of the story: a credit, a teaser, a promoted headline, a list number."""
    words = _WORD.findall(line)
    if not words or _SECTION_NUMBER.match(line) or _STOCK_LINES.match(line):
        return True
    if title and _fold(line) == _fold(title):
        return True
    if any(pattern.match(line) for pattern in (_FURNITURE_OPENERS, _READER_CALLS, _CAPTION_OPENER)):
        return True
    if _EMBEDDED_POST.search(line) or _SIGN_OFF.match(line) or _TIME_STAMP.match(line):
        return True
    if len(words) <= _MAX_PITCH_WORDS and _PITCH.search(line) and _TO_THE_READER.search(line):
        return True
    if _CONTACT.search(line) and len(words) <= _MAX_CONTACT_WORDS:
        return True
    return bool(_CREDIT.match(line)) and len(words) <= 12


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _drop_repeats(paragraphs: list[str]) -> list[str]:
    folded = [_fold(p) for p in paragraphs]
    kept = []
    for i, paragraph in enumerate(paragraphs):
        padded = f" {folded[i]} "
        repeated = any(j != i and padded in f" {other} " and (other != folded[i] or j < i)
                       for j, other in enumerate(folded) if len(folded[i].split()) >= 5)
        if not repeated:
            kept.append(paragraph)
    return kept
