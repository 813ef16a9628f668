"""Widen number mentions to what belongs to them: currency, percent sign, unit, and the qualifier before them."""

from __future__ import annotations

import logging

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from extractors.number_mentions import Mention
from extractors.number_units import add_measures, measure_unit
from extractors.number_words import (
    CURRENCY_ADJECTIVES,
    CURRENCY_AFTER,
    CURRENCY_BEFORE,
    CURRENCY_CODES,
    CURRENCY_SIGNS,
    MEASURE_UNITS,
    SCALED_CODES,
    SUBUNITS,
    scale_value,
)

LOGGER = logging.getLogger(__name__)

QUALIFIERS = {
    ">": ["more than", "over", "at least", "upwards of", "upward of", "in excess of", "above", "greater than",
          "no less than", "no fewer than", "not less than", "a minimum of", "well over", "just over", "well above",
          "north of", "beyond", "exceeding", "at minimum"],
    "<": ["less than", "fewer than", "under", "up to", "below", "at most", "no more than", "not more than",
          "a maximum of", "as many as", "as much as", "as high as", "just under", "well under", "well below",
          "within", "shy of", "short of", "a max of", "barely", "only up to", "no longer than", "no higher than",
          "no greater than", "no bigger than", "no larger than", "no older than", "not exceeding"],
    "~": ["about", "around", "nearly", "almost", "some", "roughly", "approximately", "an estimated", "estimated",
          "approx.", "close to", "circa", "an average of", "more or less", "just about", "almost exactly",
          "the equivalent of", "just shy of", "an approximate", "approximate", "roughly about",
          "something like", "an average", "closer to"],
    "=": ["exactly", "precisely", "a total of", "just", "only", "a mere"],
}
# Prepositions are qualifiers only when they modify the number ("over 50 matches"), not when they head a
# phrase that merely contains it ("over two spells", "about two women").
_PREPOSITIONS = {"over", "under", "above", "below", "about", "around", "beyond", "past"}
_AFTER = {("or", "more"): ">", ("or", "so"): "~", ("plus",): ">", ("+",): ">", ("or", "less"): "<",
          ("or", "fewer"): "<", ("-", "plus"): ">", ("odd",): "~", ("-", "odd"): "~"}
_PERCENT = [("per", "cent"), ("percentage", "points"), ("percentage", "point"), ("percent",), ("%",), ("pct",)]


def build_qualifier_matcher(vocab) -> PhraseMatcher:
    """A PhraseMatcher over lower-case text whose match ids are the change signs."""
    matcher = PhraseMatcher(vocab, attr="LOWER")
    for sign, phrases in QUALIFIERS.items():
        matcher.add(sign, [Doc(vocab, words=phrase.split()) for phrase in phrases])
    return matcher


def widen(doc: Doc, mention: Mention, qualifiers: dict[int, tuple[int, str]]) -> None:
    """Extend `mention` in place: currency, percent, currency word, unit, and qualifiers either side.

    `qualifiers` maps a token index to the (start, sign) of the qualifier phrase ending just before it.
    """
    _add_currency_before(doc, mention)
    _add_percent(doc, mention)
    _add_currency_after(doc, mention)
    mention.start, mention.end = min(mention.start, mention.number_start), max(mention.end, mention.number_end)
    _add_unit(doc, mention)
    _add_qualifier_before(doc, mention, qualifiers)
    _add_qualifier_after(doc, mention)


def qualifier_index(doc: Doc, matcher: PhraseMatcher) -> dict[int, tuple[int, str]]:
    """For each token that directly follows a qualifier phrase: the phrase's first token and its sign (longest)."""
    index: dict[int, tuple[int, str]] = {}
    for match_id, start, end in matcher(doc):
        if end not in index or start < index[end][0]:
            index[end] = (start, doc.vocab.strings[match_id])
    return index


def _add_currency_before(doc: Doc, mention: Mention) -> None:
    before = doc[mention.number_start - 1] if mention.number_start > 0 else None
    if before is None or mention.currency:
        return
    if before.lower_ in SCALED_CODES and before.text[:1].isupper():
        _add_scaled_code(mention, before.lower_, before.i)  # "MAUD 60"
        return
    if before.lower_ not in CURRENCY_BEFORE and not _coded_dollar(before.lower_):
        return
    # "R" and "r" are letters as often as rand: only glued to the figure ("R4bn") is it money; codes written
    # as words ("USD", "Rs", "Ksh") are capitalised, so "try 5" is not Turkish lira.
    if before.lower_ == "r" and (before.text != "R" or before.whitespace_):
        return
    if before.is_alpha and not before.text[:1].isupper() and before.lower_ not in ("usd", "rs", "rs."):
        return
    mention.number_start -= 1
    mention.currency = True
    mention.money = before.text
    country = doc[before.i - 1] if before.text == "$" and before.i > 0 else None
    # "US $5", "HK $10" written apart; a lone "a" or "A" before "$5" is the article
    if country is not None and country.lower_ != "a" and (country.lower_ + "$") in CURRENCY_BEFORE:
        mention.number_start -= 1
        mention.money = country.lower_ + "$"


def _coded_dollar(marker: str) -> bool:
    """"usd$", "aud$", "mxn$": an ISO code written before a dollar sign."""
    return marker.endswith("$") and marker[:-1] in CURRENCY_CODES and len(marker) == 4


def _add_scaled_code(mention: Mention, code: str, index: int) -> None:
    iso, scale = SCALED_CODES[code]
    mention.number_start, mention.number_end = min(mention.number_start, index), max(mention.number_end, index + 1)
    mention.currency, mention.money = True, iso
    if mention.value is not None:
        mention.value *= scale


def _add_percent(doc: Doc, mention: Mention) -> None:
    for words in _PERCENT:
        if _words_at(doc, mention.number_end, words):
            mention.number_end += len(words)
            mention.percent = True
            return


def _add_currency_after(doc: Doc, mention: Mention) -> None:
    end = mention.number_end
    if _words_at(doc, end, ("of",)) and mention.form == "vague":
        end += 1
    glued = end + 1 < len(doc) and doc[end].text == "-" and not doc[end].whitespace_
    # "a one-yen bid", "a 10-dollar bill"; "a 12-cent-a-share dividend" is a rate per share, left as it was
    if glued and doc[end + 1].lower_ in CURRENCY_AFTER and doc[end + 1].lower_ not in SUBUNITS:
        end += 1
    if mention.percent or end >= len(doc):
        return
    if doc[end].lower_ in SCALED_CODES and not mention.currency:
        _add_scaled_code(mention, doc[end].lower_, end)  # "30 MUSD"
        return
    if doc[end].text in CURRENCY_SIGNS and not mention.currency:
        mention.number_end, mention.currency, mention.money = end + 1, True, doc[end].text  # "15 €"
        return
    adjectives = _currency_adjectives(doc, end)
    word_at = end + len(adjectives)
    if word_at >= len(doc) or doc[word_at].lower_ not in CURRENCY_AFTER:
        return
    word = doc[word_at].lower_
    if word in SUBUNITS and mention.value is not None:
        mention.value *= SUBUNITS[word]
    mention.number_end = word_at + 1
    mention.currency = True
    _add_scale_after_code(doc, mention)
    # "125 million Australian dollars": the country names whose dollar; a sign before already said it
    named = next((CURRENCY_ADJECTIVES[a] for a in reversed(adjectives) if a in CURRENCY_ADJECTIVES), None)
    if named:
        mention.money = named
    elif mention.money is None or word not in ("dollar", "dollars", "cent", "cents"):
        mention.money = doc[word_at].text


def _add_scale_after_code(doc: Doc, mention: Mention) -> None:
    """"75 USD million": a scale written after the currency code still scales the figure."""
    code = doc[mention.number_end - 1]
    scales = [t for t in doc[mention.number_start:mention.number_end - 1] if scale_value(t.text, True)]
    if mention.number_end >= len(doc) or scales or not code.text.isupper() or mention.value is None:
        return
    scale = scale_value(doc[mention.number_end].text, True)
    if scale is not None and doc[mention.number_end].is_alpha:
        mention.value *= scale
        mention.number_end += 1


def _currency_adjectives(doc: Doc, index: int) -> list[str]:
    """The country words between a figure and its currency word: "US", "Hong Kong", "South African"."""
    words: list[str] = []
    while index < len(doc) and len(words) < 2 and doc[index].lower_ in CURRENCY_ADJECTIVES:
        words.append(doc[index].lower_)
        index += 1
    if words and (index >= len(doc) or doc[index].lower_ not in CURRENCY_AFTER):
        return []
    return words


def _add_unit(doc: Doc, mention: Mention) -> None:
    if mention.currency or mention.percent or mention.unit:
        return
    end = mention.end + (1 if _words_at(doc, mention.end, ("-",)) else 0)
    if mention.form == "vague" and _words_at(doc, end, ("of",)):
        end += 1  # "hundreds of miles"
    if end >= len(doc) or not _is_unit(doc, mention, end):
        return
    first = end
    mention.unit = doc[end].lower_
    end += 1
    while end < len(doc) and doc[end].lower_ in MEASURE_UNITS and len(doc[end]) > 2:
        end += 1
    if _words_at(doc, end, ("per",)) and end + 1 < len(doc) and doc[end + 1].lower_ in MEASURE_UNITS:
        end += 2
    mention.measure = measure_unit(doc[first:end].text) or measure_unit(doc[first].text)
    mention.end = end


def _is_unit(doc: Doc, mention: Mention, index: int) -> bool:
    word = doc[index].lower_
    if word not in MEASURE_UNITS:
        return False
    # one-letter and two-letter units ("m", "g", "ft") follow figures, not number words
    return len(word) > 2 or doc[mention.number_end - 1]._.number_role == "digits"


# Words a qualifier reaches across to its number: "up to a $250,000 fine", "up to an additional 15 per cent".
_ACROSS = {"a", "an", "additional", "further", "extra"}


def _add_qualifier_before(doc: Doc, mention: Mention, qualifiers: dict[int, tuple[int, str]]) -> None:
    found = qualifiers.get(mention.start) or _qualifier_across(doc, mention, qualifiers)
    if found is None:
        _add_maximum(doc, mention)
        return
    start, sign = found
    if start == mention.start - 1 and doc[start].lower_ in _PREPOSITIONS and _heads_own_phrase(doc, mention):
        return
    mention.start, mention.qualifier = start, sign


def _qualifier_across(doc: Doc, mention: Mention, qualifiers: dict[int, tuple[int, str]]) -> tuple[int, str] | None:
    """A qualifier before the article of a noun phrase the figure opens; prepositions there head the phrase
    ("over a $50 fee")."""
    start = mention.start
    while start > 0 and doc[start - 1].lower_ in _ACROSS and start > mention.start - 2:
        start -= 1
    if start == mention.start or doc[start].lower_ not in ("a", "an"):
        return None
    found = qualifiers.get(start)
    if found is None or (found[0] == start - 1 and doc[found[0]].lower_ in _PREPOSITIONS):
        return None
    return found


def _heads_own_phrase(doc: Doc, mention: Mention) -> bool:
    """"over two spells": the preposition governs a noun the number counts; "over 70", "over half" it qualifies."""
    preposition = doc[mention.start - 1]
    root = doc[mention.number_start:mention.end].root
    return preposition.dep_ == "prep" and root.dep_ == "nummod"


def _add_maximum(doc: Doc, mention: Mention) -> None:
    """"a maximum sentence of five years": the cap is said by a noun before the number. A "minimum wage of $15"
    or "minimum contribution of $50" states the minimum itself, a plain value."""
    window = [t.lower_ for t in doc[max(0, mention.start - 4):mention.start]]
    if window and window[-1] == "of" and "maximum" in window:
        mention.qualifier = "<"
    elif window[-1:] == ["maximum"] and window[-2:-1] in (["a"], ["the"]):
        mention.qualifier = "<"  # "the maximum 10 per cent", "a maximum 20 years"


def _add_qualifier_after(doc: Doc, mention: Mention) -> None:
    for words, sign in _AFTER.items():
        if _words_at(doc, mention.end, words):
            mention.end += len(words)
            mention.qualifier = mention.qualifier or sign
            return


def join_compounds(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """One amount written in two units: "3 dollars 50 cents", "thirteen dollars and forty-five cents",
    "15 dollars 50", "1 minute and 45 seconds" (105 seconds), "5 feet 10 inches"."""
    joined: list[Mention] = []
    for mention in mentions:
        last = joined[-1] if joined else None
        if last is not None and _joinable(doc, last, mention) and (
                _join_money(doc, last, mention) or _join_measures(last, mention)):
            last.end = last.number_end = mention.end
            continue
        joined.append(mention)
    return joined


def _joinable(doc: Doc, whole: Mention, part: Mention) -> bool:
    return [t.lower_ for t in doc[whole.end:part.start]] in ([], ["and"]) and part.qualifier is None


def _join_money(doc: Doc, whole: Mention, part: Mention) -> bool:
    """Cents after dollars, written as cents or as a bare figure below 100 that counts nothing of its own."""
    if not whole.currency or whole.value is None or part.value is None or doc[whole.number_end - 1].lower_ in SUBUNITS:
        return False
    if part.currency and doc[part.number_end - 1].lower_ in SUBUNITS and part.value < 1:
        whole.value += part.value
        return True
    if part.number_start < whole.number_end:
        # "17 USD 25": the code between the units and the cents was read as the cents' own currency too;
        # signs ("10 $ 30 $") and lower-case letters ("rmb 10 usd 20") mark amounts of their own
        code = doc[whole.number_end - 1]
        cents = part.value < 100 and part.value == int(part.value) and whole.value == int(whole.value) \
            and code.is_alpha and code.text.isupper() and doc[whole.number_start].like_num
        if cents:
            whole.value += part.value / 100
        return cents
    after = doc[part.end] if part.end < len(doc) else None
    # a bare figure is cents only after whole units ("3 dollars 50", "15 dollars and 50"); "$4.25 and 32" are
    # two figures, and "$30 a dozen" a price per dozen
    whole_units = whole.value == int(whole.value) and doc[part.start].lower_ not in ("a", "an")
    bare = part.form == "number" and not (part.currency or part.percent or part.unit) and part.value < 100 \
        and whole_units
    if bare and part.value == int(part.value) and (after is None or after.pos_ not in ("NOUN", "PROPN", "NUM")):
        whole.value += part.value / 100
        return True
    return False


def _join_measures(whole: Mention, part: Mention) -> bool:
    """Add `part` to `whole` when both are measures of one dimension and `part` is in the smaller unit."""
    if not (whole.measure and part.measure) or whole.value is None or part.value is None or whole.form == "range":
        return False
    total = add_measures(whole.value, whole.measure, part.value, part.measure)
    if total is None:
        return False
    whole.value, whole.measure, whole.unit = total, part.measure, part.unit
    return True


def _words_at(doc: Doc, index: int, words: tuple[str, ...]) -> bool:
    if index + len(words) > len(doc):
        return False
    return all(doc[index + k].lower_ == word for k, word in enumerate(words))
