"""Find number mentions in a parsed Doc: token rules for figures, words and fractions, joined into ranges."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from extractors.number_units import measure_unit, split_glued_measure, split_glued_money
from extractors.number_words import (
    CURRENCY_AFTER,
    CURRENCY_BEFORE,
    DOWN_WORDS,
    FOLDS,
    FRACTIONS,
    INDEFINITE_UNITS,
    LEVEL_CHANGE_VERBS,
    MULTIPLES,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    SCALES,
    UP_WORDS,
    VAGUE,
    digits_value,
    is_digits,
    scale_value,
    words_value,
)

LOGGER = logging.getLogger(__name__)

HYPHENS = {"-", "–", "—"}
_WORD_SCALES = ["hundred", "thousand", "million", "billion", "trillion", "dozen"]


@dataclass
class Mention:
    """A number found in the text: token bounds of the number itself and of the whole mention, and its value."""

    start: int  # first token of the whole mention (qualifier included once known)
    end: int
    number_start: int  # first token of the number's own surface (currency and percent sign included)
    number_end: int
    form: str  # number, fraction, proportion, range, ordinal, vague, multiple, code, indefinite
    value: float | None
    low: float | None = None
    high: float | None = None
    currency: bool = False
    percent: bool = False
    unit: str | None = None  # the measure's unit word, lower case: "km", "years"
    measure: str | None = None  # pint's name for it: "kilometer"
    money: str | None = None  # the currency as written ("US$", "rand") or its ISO code once known
    qualifier: str | None = None  # the change sign a qualifier gives: "~", ">", "<", "="


def _role(token: Token) -> str | None:
    lower = token.lower_
    if is_digits(token.text):
        return "digits"
    if lower in NUMBER_WORDS:
        return "word"
    if lower in SCALES or lower in ("m", "b"):
        return "scale"
    if lower in ORDINAL_WORDS or (lower[:1].isdigit() and lower.rstrip("stndrh").isdigit() and lower[-2:] in (
            "st", "nd", "rd", "th")):
        return "ordinal"
    if lower in FRACTIONS:
        return "fraction"
    if lower in VAGUE:
        return "vague"
    if lower in MULTIPLES:
        return "multiple"
    if lower in HYPHENS:
        return "hyphen"
    if any(c.isnumeric() for c in lower) and not (token.like_url or token.like_email):
        return "code"
    return None


if not Token.has_extension("number_role"):
    Token.set_extension("number_role", getter=_role)


# Patterns test native token attributes (set membership and a few regexes), which the Matcher evaluates in
# compiled code; a Python getter per token made matching cost a fifth of the parse.
_DIGITS = {"TEXT": {"REGEX": r"^(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3}|\d+)?(?:\.\d+)?$"}}
_WORDS = {
    "word": set(NUMBER_WORDS),
    "scale": set(SCALES) | {"m", "b"},
    "hyphen": HYPHENS,
}
_CODE = {"TEXT": {"REGEX": r"\d|[½¼¾⅓⅔⅕⅛⅜⅝⅞]"}, "LIKE_URL": False, "LIKE_EMAIL": False}
# Fractions written with a slash or as one character: "1/4", "3/8", "½", bond prices in 32nds ("rose 7/32");
# "24/7" and "9/11" are not amounts.
_SLASH_FRACTION = re.compile(r"^(\d{1,2})/(2|3|4|5|8|10|16|32|64)$")
_GLUED_SCALE = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(k|m|b|bn|mn|tn|K|M|B|Bn|BN)$")
_SUSPENDED = re.compile(r"^(\d[\d,]*(?:\.\d+)?)[-–]$")
_VULGAR_FRACTION = re.compile(r"^(\d*)([½¼¾⅓⅔⅕⅛⅜⅝⅞])$")


def _r(*roles: str, op: str | None = None) -> dict:
    words = sorted(set().union(*(_WORDS[role] for role in roles)))
    pattern: dict = {"LOWER": {"IN": words}}
    if op:
        pattern["OP"] = op
    return pattern


_A = {"LOWER": {"IN": ["a", "an"]}}
# "double the size", "nearly triple what it was": a multiple when what it multiplies follows; "doubled" and
# "a double" are a change and a noun.
MULTIPLIED = {"double": 2, "triple": 3, "quadruple": 4}
_COMPARED = {"the", "what", "that", "those", "its", "their", "his", "her", "our", "this"}
# "third" is an ordinal on its own and a fraction after "a", "one" or "two-"
_FRACTION = {"LOWER": {"IN": list(FRACTIONS)}}
_HALF_WAY = [_r("hyphen", op="?"), {"LOWER": "and"}, _r("hyphen", op="?"), {"LOWER": "a"}, _r("hyphen", op="?"),
             {"LOWER": "half"}]
_PATTERNS = {
    "number": [
        [_DIGITS, _r("scale", op="*")],
        [_DIGITS, {"TEXT": {"IN": sorted(HYPHENS)}}, {"LOWER": {"IN": _WORD_SCALES[1:5]}}],
        [_r("word"), _r("word", "scale", "hyphen", op="*")],
        [_A, {"LOWER": {"IN": _WORD_SCALES}}, _r("scale", op="*")],
    ],
    "fraction": [
        [{"LOWER": {"IN": ["a", "an", "one"]}}, _r("hyphen", op="?"), _FRACTION, _r("scale", op="*")],
        [_r("word"), _r("hyphen", op="?"), _FRACTION],
        [{"LOWER": "half"}],
        [{"LOWER": {"IN": ["half", "quarter"]}}, {"LOWER": "a", "OP": "?"}, _r("scale", op="+")],
        [_r("word"), _r("hyphen", op="?"), _FRACTION, _r("scale", op="+")],
        [_DIGITS, *_HALF_WAY],
        [_r("word"), *_HALF_WAY],
    ],
    "ordinal": [[{"LOWER": {"IN": sorted(ORDINAL_WORDS)}}], [{"LOWER": {"REGEX": r"^\d+(?:st|nd|rd|th)$"}}]],
    "vague": [[{"LOWER": {"IN": list(VAGUE)}}],
              [{"LOWER": {"IN": ["tens", "hundreds"]}}, {"LOWER": "of"}, {"LOWER": {"IN": list(VAGUE)}}]],
    "multiple": [[{"LOWER": {"IN": [*MULTIPLES, *FOLDS]}}],
                 [{"LOWER": {"IN": sorted(MULTIPLIED)}, "POS": {"NOT_IN": ["VERB", "AUX"]}},
                  {"LOWER": {"IN": sorted(_COMPARED)}}]],
    "code": [[_CODE]],
    "indefinite": [[_A, {"LOWER": {"IN": list(INDEFINITE_UNITS)}}]],
}


def build_matcher(vocab) -> Matcher:
    """The Matcher holding the number patterns, one label per form."""
    matcher = Matcher(vocab)
    for label, patterns in _PATTERNS.items():
        matcher.add(label, patterns)
    return matcher


def find_atoms(doc: Doc, matcher: Matcher) -> list[Mention]:
    """Single numbers in text order, each with its value; nothing joined yet."""
    spans = [Span(doc, start, end, label=label) for label, start, end in matcher(doc, as_spans=False)
             for label in [doc.vocab.strings[label]]]
    # the code pattern also catches plain figures and "11th"; those belong to the number and ordinal patterns
    spans = [span for span in spans if span.label_ != "code" or _role(span[0]) == "code"]
    atoms = []
    for span in filter_spans(spans):
        atoms.extend(_atoms_from(span))
    return _join_records(doc, _join_parts(doc, atoms))


def _join_parts(doc: Doc, atoms: list[Mention]) -> list[Mention]:
    """One number written in two tokens: "10 1/2", "7 ¾", and "80, 000" (thousands with a stray space)."""
    joined: list[Mention] = []
    for atom in atoms:
        last = joined[-1] if joined else None
        part = _part_kind(doc, last, atom) if last is not None else None
        if part is not None:
            last.value = last.value + atom.value if part == "fraction" else last.value * 1000 + atom.value
            last.end = last.number_end = atom.end
            continue
        joined.append(atom)
    return joined


def _part_kind(doc: Doc, whole: Mention, part: Mention) -> str | None:
    """"fraction" for "10 1/2", "thousands" for "80, 000", None when `part` is a number of its own."""
    if whole.form != "number" or part.form != "number" or whole.value is None or part.value is None:
        return None
    if whole.end - whole.start != 1 or not is_digits(doc[whole.start].text) or "." in doc[whole.start].text:
        return None
    if part.start == whole.end:
        return "fraction" if 0 < part.value < 1 and _role(doc[part.start]) == "code" else None
    text = doc[part.start].text
    # no figure starts with 0: a lone "000" after a comma is the rest of the one before
    glued = doc[whole.end:part.start].text == "," and len(text) == 3 and text.startswith("0")
    return "thousands" if glued and len(doc[whole.start]) <= 3 else None


# Words that make two glued figures a score or tally ("a 4-1 win", "won 3-2", "a 2-2 draw").
_SCORE_WORDS = {"win", "won", "victory", "defeat", "loss", "lost", "draw", "drew", "beat", "lead", "record",
                "score", "scoreline", "vote", "ruling", "decision", "thrashing", "triumph", "series"}


def _join_records(doc: Doc, atoms: list[Mention]) -> list[Mention]:
    """Figures glued by hyphens into one record, score, or code ("14-0-1", "a 4-1 win", "1111-2222-3333")."""
    joined: list[Mention] = []
    i = 0
    while i < len(atoms):
        j = i
        while j + 1 < len(atoms) and _hyphen_glued(doc, atoms[j], atoms[j + 1]):
            j += 1
        chain = atoms[i:j + 1]
        if len(chain) >= 3 or (len(chain) == 2 and _is_score(doc, chain)):
            joined.append(Mention(chain[0].start, chain[-1].end, chain[0].start, chain[-1].end, "record", None))
        else:
            joined.extend(chain)
        i = j + 1
    return joined


def _hyphen_glued(doc: Doc, first: Mention, second: Mention) -> bool:
    if first.form != "number" or second.form != "number" or second.start != first.end + 1:
        return False
    hyphen = doc[first.end]
    return (hyphen.text in HYPHENS and not doc[first.end - 1].whitespace_ and not hyphen.whitespace_
            and is_digits(doc[first.end - 1].text) and is_digits(doc[second.start].text))


def _is_score(doc: Doc, chain: list[Mention]) -> bool:
    """Two figures are a score when the first is not below the second (no range runs down) or when a score word
    follows them ("a 1-3 defeat") or comes just before ("won 1-3", "lost 2-3 to")."""
    if chain[0].value >= chain[1].value:
        return True
    near = [doc[i] for i in (chain[0].start - 1, chain[1].end) if 0 <= i < len(doc)]
    return any(token.lower_ in _SCORE_WORDS or token.lemma_ in _SCORE_WORDS for token in near)


def _atoms_from(span: Span) -> list[Mention]:
    label = span.label_
    if label == "number":
        return _numbers(span)
    if label == "fraction":
        return [_mention(span, "fraction", _fraction_value(span))]
    if label == "vague":
        return [_mention(span, "vague", _vague_value(span))]
    if label == "multiple":
        word = span[0]
        if word.lower_ in MULTIPLIED and _acts_as_verb(word):
            return []
        return [_mention(word.doc[word.i:word.i + 1], "multiple", {**MULTIPLES, **FOLDS, **MULTIPLIED}[word.lower_])]
    if label == "indefinite":
        mention = _mention(span, "indefinite", INDEFINITE_UNITS[span[1].lower_])
        mention.unit, mention.measure = span[1].lower_, measure_unit(span[1].text)  # "a year", "a metre"
        return [mention]
    if label == "ordinal":
        return [_mention(span, "ordinal", None)]
    return [_glued_quantity(span) or _mention(span, "code", None)]


def _acts_as_verb(token: Token) -> bool:
    """"would more than double its output": a tagger may call the verb a determiner; its clause says otherwise."""
    clause = token.dep_ in ("ROOT", "ccomp", "xcomp", "advcl", "relcl", "conj")
    return token.pos_ in ("VERB", "AUX") or clause or any(c.dep_ in ("aux", "nsubj", "dobj") for c in token.children)


def _glued_quantity(span: Span) -> Mention | None:
    """A figure glued to its currency or unit in one token: "USD115", "RM2.70", "2m/-", "30Mbps", "640bhp"."""
    doc, token = span.doc, span[0]
    fraction = _written_fraction(token.text)
    if fraction is not None:
        return Mention(token.i, token.i + 1, token.i, token.i + 1, "number", fraction)
    suspended = _SUSPENDED.match(token.text)
    if suspended:  # "a 7- or 8-inch screen": the first figure waits for the unit after the second
        return Mention(token.i, token.i + 1, token.i, token.i + 1, "number", float(suspended[1].replace(",", "")))
    scaled = _GLUED_SCALE.match(token.text)
    if scaled and token.i > 0 and doc[token.i - 1].lower_ in CURRENCY_BEFORE:  # "$2B", "€1.5M" after a sign
        value = digits_value(scaled[1]) * (scale_value(scaled[2], True) or 1.0)
        return Mention(token.i, token.i + 1, token.i, token.i + 1, "number", value)
    money = split_glued_money(token.text)
    if money is not None:
        marker, value = money
        end, value = _scaled(doc, token.i, len(doc), value, True)  # "EUR50" + "m"
        mention = Mention(token.i, end, token.i, end, "number", value, currency=True, money=marker)
        return mention
    measure = split_glued_measure(token.text)
    if measure is None:
        return None
    value, unit, name = measure
    return Mention(token.i, token.i + 1, token.i, token.i + 1, "number", value, unit=unit.lower(), measure=name)


def _written_fraction(text: str) -> float | None:
    slash, vulgar = _SLASH_FRACTION.match(text), _VULGAR_FRACTION.match(text)
    if slash and int(slash[1]) < int(slash[2]):
        return int(slash[1]) / int(slash[2])
    if vulgar:
        return float(vulgar[1] or 0) + unicodedata.numeric(vulgar[2])
    return None


def _vague_value(span: Span) -> float:
    # "tens of thousands", "hundreds of billions": the smallest amount the phrase allows
    first, last = span[0].lower_, span[-1].lower_
    if len(span) == 1:
        return VAGUE[last]
    return VAGUE[last] * (10 if first == "tens" else VAGUE[first])


def _mention(span: Span, form: str, value: float | None) -> Mention:
    return Mention(span.start, span.end, span.start, span.end, form, value)


def _numbers(span: Span) -> list[Mention]:
    """Digits or words with their scales; a run that is not one number ("five four") is split into several."""
    doc, mentions, i = span.doc, [], span.start
    currency = (span.start > 0 and doc[span.start - 1].lower_ in CURRENCY_BEFORE) or _currency_follows(span)
    while i < span.end:
        end, value = _longest_number(doc, i, span.end, currency)
        if value is None:
            i += 1
            continue
        mentions.append(Mention(i, end, i, end, "number", value))
        i = end
    return mentions


def _currency_follows(span: Span) -> bool:
    """"1.8M dollars": a one-letter scale is money's when a currency word comes right after it."""
    doc = span.doc
    return span[-1].lower_ in ("m", "b") and span.end < len(doc) and doc[span.end].lower_ in CURRENCY_AFTER


def _longest_number(doc: Doc, start: int, limit: int, currency: bool) -> tuple[int, float | None]:
    if doc[start].lower_ in ("a", "an"):
        end, value = _longest_number(doc, start + 1, limit, currency)
        return end, value
    if doc[start]._.number_role == "digits":
        return _scaled(doc, start, limit, digits_value(doc[start].text), currency)
    best_end, best = start, None
    for end in range(start + 1, limit + 1):
        words = [t.lower_ for t in doc[start:end] if t.lower_ not in HYPHENS]
        value = words_value(words) if doc[end - 1].lower_ not in HYPHENS else None
        if value is not None:
            best_end, best = end, value
    return best_end, best


def _scaled(doc: Doc, start: int, limit: int, value: float, currency: bool) -> tuple[int, float]:
    end = start + 1
    while end < limit:
        if _hyphenated_scale(doc, end):
            end += 1  # "US$1-billion"
        scale = scale_value(doc[end].text, currency)
        if scale is None:
            break
        value *= scale
        end += 1
    return end, value


def _hyphenated_scale(doc: Doc, index: int) -> bool:
    return (doc[index].text in HYPHENS and index + 1 < len(doc) and not doc[index - 1].whitespace_
            and not doc[index].whitespace_ and doc[index + 1].lower_ in _WORD_SCALES[1:5])


def _fraction_value(span: Span) -> float:
    words = [t.lower_ for t in span if t.lower_ not in HYPHENS]
    if words[0] in ("half", "quarter"):
        return 1 / FRACTIONS[words[0]] * _scale_product(words[1:])
    if "and" in words:
        whole = digits_value(words[0]) if is_digits(words[0]) else NUMBER_WORDS[words[0]]
        return whole + 0.5
    count = 1 if words[0] in ("a", "an") else NUMBER_WORDS.get(words[0], 1)
    fraction_index = next(i for i, w in enumerate(words) if w in FRACTIONS)
    return count / FRACTIONS[words[fraction_index]] * _scale_product(words[fraction_index + 1:])


def _scale_product(words: list[str]) -> float:
    product = 1.0
    for word in words:
        product *= SCALES.get(word, 1.0)
    return product


# An em dash sets off a clause ("November 3—nine days before"); only hyphens and en dashes join ranges.
_RANGE_JOINERS = {"to", "-", "–", "or", "and"}
_JOINABLE = ("number", "fraction")


def join_ranges(doc: Doc, atoms: list[Mention]) -> list[Mention]:
    """Join "one in four" into a proportion and "three to four", "between 10 and 20", "18-25" into ranges."""
    joined: list[Mention] = []
    i = 0
    while i < len(atoms):
        pair = atoms[i:i + 2]
        merged = _proportion(doc, *pair) or _range(doc, *pair) if len(pair) == 2 else None
        if merged:
            joined.append(merged)
            i += 2
        else:
            joined.append(atoms[i])
            i += 1
    return joined


def _between(doc: Doc, first: Mention, second: Mention) -> list[Token]:
    return list(doc[first.end:second.start])


def _proportion(doc: Doc, first: Mention, second: Mention) -> Mention | None:
    middle = [t.lower_ for t in _between(doc, first, second)]
    if middle != ["in"] or first.form != "number" or second.form != "number":
        return None
    if not (first.value and second.value and first.value < second.value <= 1e6) or _looks_like_year(doc, second):
        return None
    return Mention(first.start, second.end, first.start, second.end, "proportion", first.value / second.value)


def _range(doc: Doc, first: Mention, second: Mention) -> Mention | None:
    middle = _between(doc, first, second)
    words = [t.lower_ for t in middle]
    joiner = _joiner(doc, first, [w for w in words if w not in CURRENCY_BEFORE and w != "%"])
    if first.form not in _JOINABLE or second.form not in _JOINABLE or joiner not in _RANGE_JOINERS:
        return None
    if _looks_like_year(doc, first) or not _same_affixes(doc, first, second, words):
        return None
    if not _range_opening(doc, first, joiner) or (joiner in HYPHENS and not _glued(doc, first, second)):
        return None
    low, high = _scaled_low(doc, first, second), second.value
    # "three or four" is a range, "17% or 3.3 billion barrels" two figures for one thing
    if low is None or high is None or low >= high or (joiner == "or" and high > 10 * low):
        return None
    start = _opening_index(doc, first) if joiner == "and" else first.start
    mention = Mention(start, second.end, first.start, second.end, "range", None, low, high)
    mention.qualifier = "~" if joiner == "or" else None
    return mention


# "from €500,000 to over €30 million": the far end of a range from one figure may be hedged
_HEDGES_AFTER_TO = {"over", "more", "than", "about", "around", "nearly", "almost", "roughly", "just", "under", "less"}


def _joiner(doc: Doc, first: Mention, words: list[str]) -> str:
    opened = any(t.lower_ == "from" for t in doc[max(0, first.start - 4):first.start])
    if opened and words[:1] == ["to"]:
        words = ["to", *(w for w in words[1:] if w not in _HEDGES_AFTER_TO)]
    return " ".join(words)


def _same_affixes(doc: Doc, first: Mention, second: Mention, middle: list[str]) -> bool:
    """A percent sign or currency on the first end must be on the second too ("18% to 25%", "$5-$10")."""
    after_second = doc[second.end].lower_ if second.end < len(doc) else ""
    if "%" in middle and after_second != "%":
        return False
    return not (any(w in CURRENCY_BEFORE for w in middle) and not any(
        w in CURRENCY_BEFORE for w in middle[-1:]))


def _glued(doc: Doc, first: Mention, second: Mention) -> bool:
    """"18-25" is a range; "3 - nine" or "3-nine" is two numbers that happen to meet."""
    same_script = doc[first.start]._.number_role == doc[second.start]._.number_role
    return same_script and not doc[first.end - 1].whitespace_ and not doc[second.start - 1].whitespace_


def _range_opening(doc: Doc, first: Mention, joiner: str) -> bool:
    """"between 10 and 20" needs its "between"; "rose from 23% to 35%" moves between two levels, where
    "ranging from $5 to $10" and "fines from €500 to €5,000" are ranges."""
    if joiner == "and":
        return doc[_opening_index(doc, first)].lower_ == "between"
    opening = next((t for t in doc[max(0, first.start - 4):first.start] if t.lower_ == "from"), None)
    return joiner != "to" or opening is None or not _moves(opening)


def _moves(opening: Token) -> bool:
    """Whether the words "from" hangs from, up to its verb, say a value moved: "rose from", "an increase in
    fees from", "raising the limit for a family of four from"."""
    for token in opening.ancestors:
        if {token.lemma_.lower(), token.lower_} & (UP_WORDS | DOWN_WORDS | LEVEL_CHANGE_VERBS):
            return True
        if token.pos_ in ("VERB", "AUX"):
            return False
    return False


def _opening_index(doc: Doc, first: Mention) -> int:
    """Where "between" would stand before a range's first figure, passing its currency: "between $20,000"."""
    index = first.start - 1
    if index > 0 and doc[index].lower_ in CURRENCY_BEFORE:
        index -= 1
    return max(index, 0)


def _scaled_low(doc: Doc, first: Mention, second: Mention) -> float | None:
    """The low end read with the high end's scale when it has none of its own: "350-375 million"."""
    if first.value is None or second.value is None:
        return None
    if first.form == "number" and first.end - first.start == 1:
        scale = 1.0
        for token in doc[second.start + 1:second.end]:
            scale *= scale_value(token.text, True) or 1.0
        if first.value * scale < second.value:
            return first.value * scale
    return first.value


def _looks_like_year(doc: Doc, mention: Mention) -> bool:
    text = doc[mention.start].text
    return (mention.end - mention.start == 1 and len(text) == 4 and text.isdigit()
            and 1000 <= int(text) <= 2100)
