"""Find claims: joins quantities (numbers.py) and speakers (attribution.py) over one parse, then scores them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from extractors.attribution import Quote, find_quotes, speaker_at
from extractors.classifier import ClaimClassifier
from extractors.nlp import load_nlp
from extractors.number_units import dollar_of
from extractors.numbers import Quantity, find_quantities

LOGGER = logging.getLogger(__name__)

# Bump when a change to the rules or the model changes what comes out; stored on each article
# so `claimwatch reprocess` knows what is stale.
EXTRACTOR_VERSION = "0.4.0"


@dataclass(frozen=True)
class Claim:
    """A quantity worth a researcher's attention, with its sentence, speaker and score."""

    quantity: Quantity
    sentence: str
    sentence_start: int
    speaker: str | None
    score: float | None

    def to_record(self) -> dict:
        """The flat dict used by `extract --format jsonl` and the claims table."""
        record = {"sentence": self.sentence, "sentence_start": self.sentence_start}
        record.update(self.quantity.to_record())
        record["speaker"] = self.speaker
        record["score"] = None if self.score is None else round(self.score, 4)
        return record


@dataclass
class Extraction:
    """Everything found in one text: claims, attributed statements, and every quantity seen."""

    claims: list[Claim] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)


class ClaimFinder:
    """Loads the spaCy model and classifier once and finds claims in any number of texts.

    Args:
        shortcuts: use the exact fast stand-ins for slow pipeline components (see nlp.py); off
            gives the stock spaCy pipeline, for the benchmark's naive run.

    Several processes, each with its own ClaimFinder, are `monitor/executor.py`'s job.
    """

    def __init__(self, model: str, classifier: ClaimClassifier | None = None, shortcuts: bool = True) -> None:
        self.nlp: Language = load_nlp(model, fast=shortcuts)
        self.classifier = classifier if classifier is not None else ClaimClassifier.load_default()

    def find(self, text: str, country: str | None = None) -> Extraction:
        """Find the claims in one text; `country` (ISO 3166, from the page's site) says whose dollar "$" is."""
        return self._extract(self.nlp(text), country)

    def find_many(self, texts: Iterable[str], batch_size: int = 16,
                  countries: Iterable[str | None] | None = None) -> Iterator[Extraction]:
        """Find the claims in many texts, parsing them in batches.

        `countries`, when given, has one entry per text (see `find`).
        """
        texts = list(texts)
        countries = list(countries) if countries is not None else [None] * len(texts)
        for doc, country in zip(self.nlp.pipe(texts, batch_size=batch_size), countries, strict=True):
            yield self._extract(doc, country)

    def _extract(self, doc: Doc, country: str | None = None) -> Extraction:
        quantities = find_quantities(doc, dollar=dollar_of(country))
        quotes = find_quotes(doc)
        claims = [self._claim(doc, quotes, q) for q in quantities if q.excluded is None]
        return Extraction(claims=claims, quotes=quotes, quantities=quantities)

    def _claim(self, doc: Doc, quotes: list[Quote], quantity: Quantity) -> Claim:
        sentence = doc.char_span(quantity.start, quantity.end, alignment_mode="expand").sent
        return Claim(
            quantity=quantity,
            sentence=sentence.text,
            sentence_start=sentence.start_char,
            speaker=speaker_at(doc, quotes, quantity.start, quantity.end),
            score=self.classifier.score(doc, quantity) if self.classifier else None,
        )

