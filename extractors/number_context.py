"""Read a number mention's context: its kind, whether it is a change or a hedged amount, and what it counts."""

from __future__ import annotations

import logging

from spacy.tokens import Doc, Span, Token

from extractors.number_mentions import _COMPARED, Mention
from extractors.number_units import currency_code, measure_unit
from extractors.number_words import DOWN_WORDS, UP_WORDS

LOGGER = logging.getLogger(__name__)

# Verbs whose bare object is the size of the change ("fell 3 points"); for "cut 4,000 jobs" or "lost 14
# followers" the object is a count of the things themselves.
_INTRANSITIVE = {
    "rise", "fall", "drop", "decline", "climb", "jump", "grow", "gain", "slip", "sink", "tumble", "plunge", "soar",
    "surge", "dip", "slide", "shrink", "increase", "decrease", "add", "spike", "ease", "plummet", "rebound",
    "strengthen", "weaken", "appreciate", "depreciate", "leap", "leapt", "skyrocket", "widen",
    "narrow", "sag",
}
# Nouns that measure a move the way a unit does: "fell 102.2 points", "the 0.3-point drop", "slipped two notches".
_STEP_NOUNS = {"point", "notch", "pip"}
# Verbs that say a threshold was crossed: "passed 60 days", "topped $1 billion".
_EXCEED_VERBS = {"pass", "exceed", "surpass", "top", "cross", "eclipse", "outnumber"}
# Particles that move a figure ("went up 5%") rather than complete a phrasal verb ("gave up 12 floors").
_MOTION_VERBS = {"go", "be", "come", "move", "edge", "tick", "inch", "creep", "shoot", "climb"}
_COMPARATIVE_UP = {"more", "higher", "greater", "larger", "bigger", "longer", "up", "above", "richer", "faster"}
_COMPARATIVE_DOWN = {"fewer", "less", "lower", "smaller", "shorter", "down", "below", "cheaper", "slower"}
# "a further 500", "an additional 200 troops", "another 50", "extra 300 beds": an increase by that amount.
_ADDED = {"further", "additional", "extra", "another", "added"}
# Nouns that name an amount rather than a change in one: "a loss of $5m" is what was lost, not a fall.
_AMOUNT_NOUNS = {"loss", "losses", "deficit", "shortfall", "debt"}
_RATIO_NEXT = {"as", "more", "higher", "greater", "larger", "bigger", "faster", "the", "that"}
_SUBJECT_DEPS = {"amod", "compound", "nmod", "poss", "case", "advmod", "npadvmod"}
_NOT_IN_SUBJECT = _COMPARATIVE_UP | _COMPARATIVE_DOWN | {"%", "percent", "other", "additional", "further"}


def kind_of(doc: Doc, mention: Mention) -> str:
    """count, percent, ratio, money, measure or other."""
    before = doc[mention.start - 1].lower_ if mention.start > 0 else ""
    if mention.currency:
        return "money"
    if mention.percent:
        return "percent"
    if mention.form == "proportion" or _is_times(doc, mention):
        return "ratio"
    if mention.form == "fraction" and (mention.value or 0) < 1:
        return "ratio"
    if mention.unit or mention.form == "indefinite" or before in ("aged", "age"):
        return "measure"
    return "count"


def unit_of(doc: Doc, mention: Mention, dollar: str) -> str | None:
    """The ISO 4217 code of money, "percent" or "percentage point", or pint's unit name of a measure."""
    if mention.currency:
        return currency_code(mention.money or "$", dollar)
    if mention.percent:
        points = any(t.lower_ in ("point", "points") for t in doc[mention.number_start:mention.number_end])
        return "percentage point" if points else "percent"
    if mention.measure:
        return mention.measure
    return measure_unit(mention.unit) if mention.unit else None


def _is_times(doc: Doc, mention: Mention) -> bool:
    words = [t.lower_ for t in doc[mention.end:mention.end + 2]]
    if mention.form == "multiple":
        return words[:1] == ["as"] or doc[mention.number_start].lower_.endswith("fold") or (
            words[:1] and words[0] in _COMPARED and doc[mention.number_start].lower_ != "once")
    return (words[:1] == ["times"] and len(words) == 2 and words[1] in _RATIO_NEXT) or words[:1] == ["-fold"]


def change_of(doc: Doc, mention: Mention) -> str:
    """The change label: up/down from words of change, else the qualifier's sign, else "="."""
    direction = _direction(doc, mention)
    if direction:
        return direction
    if mention.qualifier:
        return mention.qualifier
    root = _root(doc, mention)
    if root.dep_ in ("dobj", "npadvmod") and root.head.lemma_ in _EXCEED_VERBS:
        return ">"
    return ">" if mention.form == "vague" else "="


def _direction(doc: Doc, mention: Mention) -> str | None:
    after = doc[mention.end] if mention.end < len(doc) else None
    # "450 million down to 350 million": the figure is the starting point, not the size of the change
    following = doc[mention.end + 1].lower_ if mention.end + 1 < len(doc) else ""
    if after is not None and following not in ("to", "from"):
        if after.lower_ in _COMPARATIVE_UP:
            return "up"
        if after.lower_ in _COMPARATIVE_DOWN:
            return "down"
    before = doc[mention.start - 1] if mention.start > 0 else None
    moves = before is not None and (before.dep_ != "prt" or before.head.lemma_ in _MOTION_VERBS)
    if moves and before.lower_ in ("up", "down"):
        return before.lower_
    by_change = _by_change(doc, mention)
    if by_change:
        return by_change  # "cut by 5%", "rose by about 300", "cut by a further 10%", whatever the parse
    if before is not None and before.lower_ in _ADDED and mention.qualifier is None and not _is_subject(doc, mention):
        return _verb_polarity(doc[mention.number_start:mention.end].root) or "up"  # "lost a further 22 pounds"
    # the whole mention's root: in "by about 300" the qualifier, not the figure, hangs from "by"
    root = doc[mention.start:mention.end].root
    direction = _direction_from_head(root, mention)
    if direction is None and root.dep_ == "conj" and root.head.like_num and root.head.i < root.i:
        # "an increase of 6% in March and 28% in April": the second figure is the same kind of change
        return _direction_from_head(root.head, mention)
    return direction


def _by_change(doc: Doc, mention: Mention) -> str | None:
    """The direction of the word of change before "by", passing an added amount's words ("by a further")."""
    index = mention.start - 1
    while index > 0 and doc[index].lower_ in _ADDED | {"a", "an"}:
        index -= 1
    if index > 0 and doc[index].lower_ == "by":
        # "cut its interest rate by a quarter-point": the verb "by" hangs from, when a noun stands before it
        return _polarity(doc[index - 1]) or _polarity(doc[index].head)
    return None


def _verb_polarity(root: Token) -> str | None:
    """The direction of the verb whose object holds the figure: "lost another 5%", "shed a further 22 pounds"."""
    noun = root.head if root.dep_ == "nummod" else root
    if noun.dep_ in ("dobj", "npadvmod") and noun.head.pos_ == "VERB":
        return _polarity(noun.head)
    return None


def _is_subject(doc: Doc, mention: Mention) -> bool:
    """"hired a further 500 staff" adds to a total; in "a further 17 firms had plants" the figure just counts."""
    root = doc[mention.number_start:mention.end].root
    noun = root.head if root.dep_ == "nummod" else root
    return noun.dep_ in ("nsubj", "nsubjpass") or root.dep_ in ("nsubj", "nsubjpass")


def _direction_from_head(root: Token, mention: Mention) -> str | None:
    if root.dep_ == "nummod" and root.head.lemma_ in _STEP_NOUNS and root.head.i > root.i:
        root = root.head  # "fell 102.2 points": the points are the figure's unit
    elif root.dep_ == "predet" and mention.form == "fraction":
        root = root.head  # "lost half its value"
    head = root.head
    if root.dep_ == "nummod" and root.head.tag_ == "NNS" and _polarity(root.head):
        return None  # "five rebounds", "three cuts": a count of events, not a change by that amount
    if root.dep_ == "pobj" and head.lower_ in ("by", "of"):
        if head.lower_ == "of" and mention.currency and head.head.lower_ in _AMOUNT_NOUNS:
            return None
        return _polarity(head.head)
    # "a 10 percent overall decline": climb past adjectives to the noun the figure measures
    while head.pos_ in ("ADJ", "ADV") and head.head.i != head.i and head.i > root.i:
        head = head.head
    if head.i > root.i and head.pos_ == "NOUN" and root.dep_ not in ("prep", "pobj"):
        return _polarity(head)
    if root.dep_ in ("dobj", "npadvmod", "attr") and head.pos_ == "VERB" and head.lemma_ in _INTRANSITIVE:
        return _polarity(head)
    # "lost 130 pounds", "shed 0.12%", "lost a quarter of its value": with a measure for its object, any verb
    # of change says by how much; "lost 14 followers" counts what was lost
    measured = mention.unit or mention.percent or mention.form == "fraction" or root.lemma_ in _STEP_NOUNS
    # an apposition after a comma ("cut 1,200 jobs, about 8 per cent of its workforce") restates the object
    apart = any(t.is_punct for t in root.doc[head.i + 1:mention.start])
    if root.dep_ in ("dobj", "npadvmod") and head.pos_ == "VERB" and measured and not mention.currency and not apart:
        return _polarity(head)
    return None


def _polarity(token: Token) -> str | None:
    lemma = token.lemma_.lower()
    if lemma in UP_WORDS or token.lower_ in UP_WORDS:
        return "up"
    if lemma in DOWN_WORDS or token.lower_ in DOWN_WORDS:
        return "down"
    return None


def _root(doc: Doc, mention: Mention) -> Token:
    """The token of the mention that the rest of the sentence attaches to."""
    span = doc[mention.number_start:mention.end]
    return span.root


def subject_of(doc: Doc, mention: Mention) -> str | None:
    """The noun phrase the number quantifies ("suspected drug dealers and traffickers"), or None."""
    if mention.form in ("proportion", "ordinal", "code"):
        return None
    noun = _quantified_noun(doc, mention)
    if noun is not None and _polarity(noun):
        noun = _changed_thing(noun)
    return _noun_phrase(noun, mention).text if noun is not None else None


def _changed_thing(noun: Token) -> Token:
    """"a 10 percent decline in participation": what changed is participation."""
    for child in noun.children:
        if child.lower_ in ("in", "of"):
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    return noun


def _quantified_noun(doc: Doc, mention: Mention) -> Token | None:
    inside = range(mention.start, mention.end)
    for token in doc[mention.number_start:mention.end]:
        for child in token.children:
            if child.lower_ == "of" and child.i not in inside:
                objects = [c for c in child.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")]
                if objects:
                    return objects[0]
    head = _root(doc, mention).head
    for _ in range(3):
        if head.i in inside:
            head = head.head
            continue
        if head.pos_ in ("NOUN", "PROPN") and head.i > mention.start:
            return head
        if head.pos_ not in ("ADJ", "ADV") or head.head is head:
            return None
        head = head.head
    return None


def _noun_phrase(noun: Token, mention: Mention) -> Span:
    doc = noun.doc
    start = noun.i
    while start - 1 >= mention.end and _modifies(doc[start - 1], noun):
        start -= 1
    while start < noun.i and doc[start].is_punct:
        start += 1
    end = noun.i + 1
    for conjunct in noun.conjuncts:
        if conjunct.i < end or any(c.dep_ == "nummod" for c in conjunct.children):
            break
        end = conjunct.i + 1
    return doc[start:end]


def _modifies(token: Token, noun: Token) -> bool:
    if token.lower_ in _NOT_IN_SUBJECT or token.like_num or token.pos_ in ("DET", "PRON", "NUM"):
        return False
    # hyphens hold compounds together ("coal-fired"); other punctuation ends the phrase
    allowed = token.dep_ in _SUBJECT_DEPS or (token.dep_ == "punct" and token.text == "-")
    return allowed and noun in token.ancestors
