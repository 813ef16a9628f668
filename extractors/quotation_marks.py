"""Find quotation-mark spans in a text, paragraph by paragraph; attribution.py links them to speakers."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from extractors.text import paragraph_bounds

LOGGER = logging.getLogger(__name__)

# Curly marks say which side they are on; a straight mark (or the doubled apostrophe some wire
# archives use for one) opens after a space or bracket.
_OPENING = re.compile(r"“|(?<![^\s(\[—–-])(?:\"|'')(?=\S)")
_CLOSING = re.compile(r"”|\"|''")


@dataclass(frozen=True)
class Quotation:
    """The text between a pair of double quotation marks (the marks themselves left out)."""

    start: int
    end: int
    paragraph: int
    closed: bool  # False when the paragraph ends inside the quotation: it runs on into the next one

    def words(self, text: str) -> int:
        """How many words the quotation holds."""
        return len(text[self.start : self.end].split())


def find_quotations(text: str) -> list[Quotation]:
    """Every double-quoted passage in `text`, in order.

    A quotation left open at the end of a paragraph is closed there, as news style opens a new
    quotation mark on each paragraph of a long quote.
    """
    found: list[Quotation] = []
    for index, (start, end) in enumerate(paragraph_bounds(text)):
        found.extend(_quotations_in(text, start, end, index))
    return found


def _quotations_in(text: str, start: int, end: int, paragraph: int) -> list[Quotation]:
    found = []
    position = start
    while True:
        opening = _OPENING.search(text, position, end)
        if opening is None:
            return found
        closing = _CLOSING.search(text, opening.end(), end)
        if closing is None:
            found.append(Quotation(opening.end(), _rstrip(text, opening.end(), end), paragraph, False))
            return found
        found.append(Quotation(opening.end(), closing.start(), paragraph, True))
        position = closing.end()


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
