"""Find quantities: every number mention in a parsed text, normalised, with its qualifier and subject."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from spacy.tokens import Doc

LOGGER = logging.getLogger(__name__)

KINDS = ("count", "percent", "ratio", "money", "measure", "other")
CHANGES = ("=", "~", ">", "<", "up", "down")


@dataclass(frozen=True)
class Quantity:
    """One number mention, with character offsets into the text it was found in."""

    start: int
    end: int
    text: str  # the whole mention with its qualifier: "more than 8,000"
    number: str  # the number's own surface: "8,000", "17 percent", "one in four"
    value: float | None
    low: float | None
    high: float | None
    kind: str
    change: str
    subject: str | None
    excluded: str | None = None  # why this is not a claim ("date", "year", "age", ...), None if it is

    def to_record(self) -> dict:
        """The flat dict written to JSON Lines and the database."""
        return asdict(self)


def find_quantities(doc: Doc) -> list[Quantity]:
    """Every number mention in `doc`, claims and exclusions alike, in text order."""
    raise NotImplementedError  # being written: see the numbers brief
