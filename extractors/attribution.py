"""Find attributions: who said what (reporting verbs, "according to", quotations), over a parsed text."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from spacy.tokens import Doc

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Quote:
    """An attributed statement: its speaker (fullest name), content span and cue."""

    speaker: str
    text: str
    start: int
    end: int
    cue: str

    def to_record(self) -> dict:
        """The flat dict written to JSON Lines and the database."""
        return asdict(self)


def find_quotes(doc: Doc) -> list[Quote]:
    """Every attributed statement in `doc`, numeric or not, in text order."""
    raise NotImplementedError  # being written: see the attribution brief


def speaker_at(doc: Doc, quotes: list[Quote], start: int, end: int) -> str | None:
    """The speaker the text attributes the span [start, end) to, or None when it is the text's own voice."""
    raise NotImplementedError  # being written: see the attribution brief
