"""Find claims: the claim stages as spaCy components (quantities → quotes → claims) and ClaimFinder over them.

The whole library API is `nlp = build_nlp(model); doc = nlp(text); doc._.claims` (with `doc._.quantities`
and `doc._.quotes` beside it); `nlp.pipe_names` shows the stages in order. Each stage only calls its
rules, which stay below it as plain functions: numbers.py, attribution.py and classifier.py.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from extractors.attribution import Quote, find_quotes, speaker_at
from extractors.chunks import pipe_in_chunks
from extractors.classifier import ClaimClassifier
from extractors.nlp import parse_pipeline
from extractors.number_units import dollar_of
from extractors.numbers import Quantity, find_quantities

LOGGER = logging.getLogger(__name__)

# Bump when a change to the rules or the model changes what comes out; stored on each article
# so `claimwatch reprocess` knows what is stale.
EXTRACTOR_VERSION = "0.8.1"

# The claim stages' component names, in pipeline order, after the parse.
QUANTITIES = "claimwatch_quantities"
QUOTES = "claimwatch_quotes"
CLAIMS = "claimwatch_claims"
STAGES = (QUANTITIES, QUOTES, CLAIMS)

# `doc._.country` is set before the pipeline runs (ClaimFinder does it); the stages write the rest.
for _extension in ("country", "quantities", "quotes", "claims"):
    if not Doc.has_extension(_extension):
        Doc.set_extension(_extension, default=None)


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

    @classmethod
    def of(cls, doc: Doc) -> Extraction:
        """What the claim stages wrote on `doc`."""
        return cls(claims=doc._.claims, quotes=doc._.quotes, quantities=doc._.quantities)


class QuantityFinder:
    """Writes `doc._.quantities`: every number mention, a bare "$" read as the dollar of the doc's country.

    Args:
        default_country: the ISO 3166 country assumed when `doc._.country` is None (None: US dollars).
    """

    def __init__(self, default_country: str | None = None) -> None:
        self.default_country = default_country

    def __call__(self, doc: Doc) -> Doc:
        doc._.quantities = find_quantities(doc, dollar=dollar_of(doc._.country or self.default_country))
        return doc


@Language.factory(QUANTITIES, default_config={"default_country": None}, assigns=["doc._.quantities"],
                  requires=["doc.sents", "token.dep", "token.lemma", "token.ent_type"])
def make_quantity_finder(nlp: Language, name: str, *, default_country: str | None) -> QuantityFinder:
    """The quantities stage (see QuantityFinder)."""
    return QuantityFinder(default_country=default_country)


@Language.component(QUOTES, assigns=["doc._.quotes"], requires=["doc.sents", "token.dep", "token.ent_type"])
def add_quotes(doc: Doc) -> Doc:
    """Writes `doc._.quotes`: every attributed statement, numeric or not, in text order."""
    doc._.quotes = find_quotes(doc)
    return doc


class ClaimAssembler:
    """Writes `doc._.claims`: each quantity not excluded, with its sentence, its speaker and the classifier's score.

    The score only orders the review queue: dropping what scores below the model's cross-validated
    threshold cost recall on the check set (full-claim F1 0.700 → 0.696) and the dev gold (0.956 → 0.945),
    so nothing is dropped by it.
    """

    def __init__(self, classifier: ClaimClassifier | None) -> None:
        self.classifier = classifier

    def __call__(self, doc: Doc) -> Doc:
        if doc._.quantities is None or doc._.quotes is None:
            raise ValueError(f"{CLAIMS} needs {QUANTITIES} and {QUOTES} before it in the pipeline")
        doc._.claims = [self._claim(doc, quantity) for quantity in doc._.quantities if quantity.excluded is None]
        return doc

    def _claim(self, doc: Doc, quantity: Quantity) -> Claim:
        sentence = doc.char_span(quantity.start, quantity.end, alignment_mode="expand").sent
        return Claim(
            quantity=quantity,
            sentence=sentence.text,
            sentence_start=sentence.start_char,
            speaker=speaker_at(doc, doc._.quotes, quantity.start, quantity.end),
            score=self.classifier.score(doc, quantity) if self.classifier else None,
        )


@Language.factory(CLAIMS, default_config={"classifier_path": None}, assigns=["doc._.claims"],
                  requires=["doc._.quantities", "doc._.quotes"])
def make_claim_assembler(nlp: Language, name: str, *, classifier_path: str | None) -> ClaimAssembler:
    """The claims stage (see ClaimAssembler); `classifier_path` None scores with the model shipped in models/."""
    classifier = ClaimClassifier.load(Path(classifier_path)) if classifier_path else ClaimClassifier.load_default()
    return ClaimAssembler(classifier)


@functools.lru_cache(maxsize=4)
def build_nlp(model: str, fast: bool = True) -> Language:
    """The whole pipeline: the spaCy model's parse (see nlp.py), then the quantities, quotes and claims stages.

    Args:
        model: a spaCy model package name or path.
        fast: use nlp.py's exact stand-ins for the slow stock components (False: the stock pipeline).
    Returns:
        A Language whose docs carry `doc._.quantities`, `doc._.quotes` and `doc._.claims`.
    """
    nlp = parse_pipeline(model, fast=fast)
    for stage in STAGES:
        nlp.add_pipe(stage)
    return nlp


class ClaimFinder:
    """The claim pipeline loaded once, finding claims in any number of texts with their sites' countries.

    Args:
        shortcuts: use the exact fast stand-ins for slow pipeline components (see nlp.py); off
            gives the stock spaCy pipeline, for the benchmark's naive run.
    Several processes, each with its own ClaimFinder, are `monitor/executor.py`'s job.
    """

    def __init__(self, model: str, shortcuts: bool = True) -> None:
        self.nlp: Language = build_nlp(model, fast=shortcuts)

    def find(self, text: str, country: str | None = None) -> Extraction:
        """Find the claims in one text; `country` (ISO 3166, from the page's site) says whose dollar "$" is."""
        return next(self.find_many([text], countries=[country]))

    def find_many(self, texts: Iterable[str], batch_size: int = 16,
                  countries: Iterable[str | None] | None = None) -> Iterator[Extraction]:
        """Find the claims in many texts, parsing them in batches.

        `countries`, when given, has one entry per text (see `find`).
        """
        texts = list(texts)
        countries = list(countries) if countries is not None else [None] * len(texts)
        docs = (self._doc(text, country) for text, country in zip(texts, countries, strict=True))
        # A long text is parsed in paragraph chunks, and the claim stages read it whole (extractors/chunks.py).
        for doc in pipe_in_chunks(self.nlp, docs, batch_size, whole_from=QUANTITIES):
            yield Extraction.of(doc)

    def _doc(self, text: str, country: str | None) -> Doc:
        # The country has to be on the Doc before the quantities stage reads it. The tokenizer, not
        # make_doc: make_doc refuses a text past nlp.max_length (E088), which extractors/chunks.py parses in pieces.
        doc = self.nlp.tokenizer(text)
        doc._.country = country
        return doc
