"""Find quantities: every number mention in a parsed text, normalised, with its qualifier and subject."""

from __future__ import annotations

import functools
import logging
from dataclasses import asdict, dataclass, replace

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractors.number_affixes import build_qualifier_matcher, join_compounds, qualifier_index, widen
from extractors.number_context import change_of, kind_of, subject_of, unit_of
from extractors.number_exclusions import DocFacts, exclusion, inherited_exclusion
from extractors.number_mentions import Mention, build_matcher, find_atoms, join_ranges
from extractors.number_units import DEFAULT_DOLLAR

LOGGER = logging.getLogger(__name__)

KINDS = ("count", "percent", "ratio", "money", "measure", "other")
CHANGES = ("=", "~", ">", "<", "up", "down")

# A bare "a year" is an amount only when something measures with it: "over a year", "a year left", "a meter tall".
_MEASURED_BY = {"for", "than", "over", "almost", "nearly", "about", "around", "under", "just", "only"}
_MEASURING = {"left", "tall", "long", "old", "wide", "high", "deep", "away"}


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
    unit: str | None = None  # ISO 4217 code for money, "percent" or "percentage point", pint's name for a measure
    excluded: str | None = None  # why this is not a claim ("date", "year", "age", ...), None if it is

    def to_record(self) -> dict:
        """The flat dict written to JSON Lines and the database."""
        return asdict(self)


def find_quantities(doc: Doc, dollar: str = DEFAULT_DOLLAR) -> list[Quantity]:
    """Every number mention in `doc`, claims and exclusions alike, in text order.

    Args:
        doc: a Doc parsed by the pipeline from `extractors.nlp.load_nlp`.
        dollar: the ISO code a bare "$" stands for in this article (from its site's country).

    Returns:
        One Quantity per mention; those that are not claims carry the reason in `excluded`.
    """
    matcher, qualifier_matcher = _matchers(doc.vocab)
    qualifiers = qualifier_index(doc, qualifier_matcher)
    facts = DocFacts.of(doc)
    quantities: list[Quantity] = []
    previous: Mention | None = None
    # "rose 3% in 2019, 4% in 2020 and 5% in 2021": a change passes to the next figure across the years between
    last_claim: tuple[Mention, Quantity] | None = None
    mentions = join_ranges(doc, find_atoms(doc, matcher))
    for mention in mentions:
        widen(doc, mention, qualifiers)
    for mention in join_compounds(doc, mentions):
        if mention.form == "indefinite" and not _is_measured(doc, mention):
            continue
        reason = exclusion(doc, mention, facts)
        if previous is not None:
            reason = reason or inherited_exclusion(doc, previous, quantities[-1].excluded, mention)
            _inherit_qualifier(doc, previous, mention)
        quantity = _quantity(doc, mention, reason, dollar)
        if last_claim is not None:
            quantity = _inherit_change(doc, *last_claim, mention, quantity)
        quantities.append(quantity)
        previous = mention
        if quantity.excluded is None:
            last_claim = mention, quantity
    return quantities


@functools.lru_cache(maxsize=4)
def _matchers(vocab: Vocab) -> tuple[Matcher, PhraseMatcher]:
    return build_matcher(vocab), build_qualifier_matcher(vocab)


def _inherit_qualifier(doc: Doc, previous: Mention, mention: Mention) -> None:
    """"about 17% or 3.3 billion barrels": a restatement of a hedged figure is hedged too."""
    between = [t.lower_ for t in doc[previous.end:mention.start]]
    if mention.qualifier is None and previous.qualifier and between in (["or"], ["("]):
        mention.qualifier = previous.qualifier


def _inherit_change(doc: Doc, previous: Mention, before: Quantity, mention: Mention, quantity: Quantity) -> Quantity:
    """"an increase of 6% in March and 28% in April": a figure listed after a change, with no verb of its own
    between them, is the same kind of change."""
    between = doc[previous.end:mention.start]
    verbless = not any(t.pos_ in ("VERB", "AUX") for t in between)
    listed = bool({t.lower_ for t in between} & {"and", ","}) and verbless and before.kind == quantity.kind
    # "fell 102.2 points, or 0.36%": the same change restated in another kind
    restated = len(between) > 0 and between[-1].lower_ in ("or", "(") and verbless
    # "rose by 37 percent, from 0.90 percent to 1.23 percent": the levels it moved between are not changes
    endpoint = mention.start > 0 and doc[mention.start - 1].lower_ in ("from", "to")
    same_sentence = doc[previous.start].sent.start == doc[mention.start].sent.start
    if before.change in ("up", "down") and quantity.change == "=" and (listed or restated) and same_sentence \
            and quantity.excluded is None and not endpoint:
        return replace(quantity, change=before.change)
    return quantity


def _is_measured(doc: Doc, mention: Mention) -> bool:
    before = doc[mention.start - 1] if mention.start > 0 else None
    after = doc[mention.end] if mention.end < len(doc) else None
    # "within a week" sets a deadline rather than measuring anything
    if mention.qualifier and doc[mention.start].lower_ != "within":
        return True
    if before is not None and before.lower_ in _MEASURED_BY:
        return True
    return after is not None and after.lower_ in _MEASURING


def _quantity(doc: Doc, mention: Mention, excluded: str | None, dollar: str) -> Quantity:
    span = doc[mention.start:mention.end]
    is_range = mention.form == "range"
    return Quantity(
        start=span.start_char,
        end=span.end_char,
        text=span.text,
        number=doc[mention.number_start:mention.number_end].text,
        value=None if is_range else mention.value,
        low=mention.low if is_range else None,
        high=mention.high if is_range else None,
        kind=kind_of(doc, mention),
        change=change_of(doc, mention),
        subject=subject_of(doc, mention),
        unit=unit_of(doc, mention, dollar),
        excluded=excluded,
    )
