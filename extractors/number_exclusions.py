"""Tell which number mentions are not claims: dates, years, times, ages, ordinals, names, codes, phones, pronouns."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from extractors.number_mentions import HYPHENS, Mention
from extractors.number_words import CURRENCY_AFTER, CURRENCY_BEFORE, MEASURE_UNITS, TIME_UNITS
from extractors.words import MONTHS, SPEAKER_SUBJECT_VERBS

LOGGER = logging.getLogger(__name__)

_CLOCK = {"am", "pm", "a.m.", "p.m.", "a.m", "p.m", "gmt", "bst", "utc", "et", "est", "edt", "pst", "pdt", "cet",
          "cest", "ist", "o'clock", "hrs", "h"}
_PHONE = re.compile(r"(?<![\w-])(?:\+\d{1,3}[\s.-]?|1[\s.-])?(?:\(\d{2,4}\)\s?|\d{2,4}[\s.-])\d{3,4}[\s.-]\d{3,4}"
                    r"(?![\w-])")
_CLOCK_TIME = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")
_DECADE = re.compile(r"^'?\d{2}s$|^\d{4}s$")
_RANK_WORDS = {"no", "no.", "#", "number", "nos", "nos."}
_PRONOUN_BEFORE = {"no", "the", "this", "that", "any", "each", "every", "which", "someone", "anyone", "such"}
_ARTICLE_NOUNS = {"day", "night", "morning", "afternoon", "evening", "time", "point", "stage", "way", "thing",
                  "side", "hand", "occasion", "moment", "reason", "example", "place", "instance", "case", "kind",
                  "sort", "type", "question", "problem", "issue", "factor", "option", "area"}
_DURATION_PREPOSITIONS = {"for", "in", "within", "than", "after", "over", "about", "just", "only"}
_STREET_WORDS = {"street", "st", "st.", "avenue", "ave", "ave.", "road", "rd", "rd.", "boulevard", "blvd", "lane",
                 "drive", "way", "place", "square", "suite", "floor", "highway"}
# Nouns that take a number as a label rather than a count: "article 5", "section 230", "phase 2".
_LABEL_NOUNS = {
    "article", "articles", "section", "sections", "chapter", "chapters", "clause", "paragraph", "page", "pages",
    "figure", "table", "room", "gate", "platform", "route", "highway", "interstate", "flight", "level", "phase",
    "stage", "step", "category", "grade", "episode", "season", "version", "model", "volume", "issue", "act",
    "amendment", "rule", "resolution", "line", "row", "seat", "ward", "district", "precinct", "unit", "block",
    "lot", "apartment", "suite", "building", "bus", "channel", "track", "exit", "title", "part", "local",
}
_FRAME_WORDS = {"first", "last", "past", "next", "final", "opening", "closing"}
# "five years later", "a month after": a jump in the story's timeline, not an amount
_TIME_SHIFTS = {"ago", "later", "earlier", "afterwards", "hence"}
_DEFINITE = {"the", "these", "those", "both", "all", "its", "their", "his", "her", "our", "my", "your"}


@dataclass(frozen=True)
class DocFacts:
    """What the whole text says about its numbers: where its phone numbers are, which numbers are addresses."""

    phones: list[tuple[int, int]]
    addresses: set[tuple[str, str]]  # ("300", "slater") once "300 Slater Street" has been seen

    @classmethod
    def of(cls, doc: Doc) -> DocFacts:
        """Collect the facts from `doc`."""
        phones = [match.span() for match in _PHONE.finditer(doc.text)]
        addresses = {(token.text, doc[token.i + 1].lower_) for token in doc
                     if token.like_num and token.i + 1 < len(doc) and _street_follows(doc, token.i + 1)}
        return cls(phones, addresses)


def exclusion(doc: Doc, mention: Mention, facts: DocFacts) -> str | None:
    """Why `mention` is not a quantitative claim, or None when it is one."""
    for check in (_code, _phone, _dialled, _list_marker, _ticker, _time, _address, _instrument, _year, _date, _age,
                  _predicate_age, _ordinal, _name, _format, _pronoun, _frequency, _compound, _rate):
        reason = check(doc, mention, facts)
        if reason:
            return reason
    return None


def inherited_exclusion(doc: Doc, previous: Mention, reason: str | None, mention: Mention) -> str | None:
    """"Articles 5 and 4", "July 9 and 10": a bare number listed right after an excluded one shares its reason."""
    if reason not in ("name", "date", "year", "code") or mention.unit or mention.currency or mention.percent:
        return None
    if [t.lower_ for t in doc[previous.end:mention.start]] == ["out", "of"] and reason == "name":
        return reason  # "a level 3 out of 5 risk": the scale of a label is part of it
    between = {t.lower_ for t in doc[previous.end:mention.start]}
    if not between or not between <= {"and", "or", ",", "&"}:
        return None
    # "in 2015, 25 people" and "Boeing 737 and 300 passengers": a figure with a noun of its own is not listed
    after = _after(doc, mention.number_end)
    if after is not None and after.pos_ in ("NOUN", "PROPN"):
        return None
    if reason == "year" and not _is_year_token(doc[mention.number_start]):
        return None
    if reason == "date" and not (mention.value is not None and mention.value <= 31):
        return None
    return reason


def _first(doc: Doc, mention: Mention) -> Token:
    return doc[mention.number_start]


def _before(doc: Doc, index: int, steps: int = 1) -> Token | None:
    return doc[index - steps] if index - steps >= 0 else None


def _after(doc: Doc, index: int) -> Token | None:
    return doc[index] if index < len(doc) else None


def _code(doc: Doc, mention: Mention, facts: DocFacts) -> str | None:
    if mention.form == "record":
        # a long group is a phone or account number, short ones a sports record or score
        groups = doc[mention.number_start:mention.number_end].text.replace("–", "-").split("-")
        if any(len(group) > 3 for group in groups):
            return _phone(doc, mention, facts) or "code"
        return "score"
    if mention.form != "code":
        return None
    text = doc[mention.number_start].text
    if _CLOCK_TIME.match(text):
        return "time"
    return "year" if _DECADE.match(text) else "code"


def _phone(doc: Doc, mention: Mention, facts: DocFacts) -> str | None:
    start, end = doc[mention.number_start].idx, doc[mention.number_end - 1].idx
    return "phone" if any(a <= start and end < b for a, b in facts.phones) else None


def _list_marker(doc: Doc, mention: Mention, _facts) -> str | None:
    """"1) explains ... 2) cautions", "3. The next step": numbering of a list, not an amount."""
    if mention.form != "number" or mention.number_end - mention.number_start != 1 or mention.currency:
        return None
    after = _after(doc, mention.number_end)
    if after is None or after.text not in (")", "."):
        return None
    sentence = doc[mention.number_start].sent
    opened = any(t.text == "(" for t in doc[sentence.start:mention.number_start])
    if after.text == ")" and not opened:
        return "list"
    starts_line = mention.number_start == sentence.start or "\n" in doc[mention.number_start - 1].text
    return "list" if after.text == "." and starts_line and not mention.percent else None


_EXCHANGES = {"nyse", "nasdaq", "tse", "tyo", "hkex", "sehk", "hkg", "lse", "asx", "jse", "sgx", "krx", "nse", "bse",
              "tsx", "otc", "amex", "sse", "szse", "twse", "idx", "klse", "set", "pse", "ngx", "nzx"}


def _ticker(doc: Doc, mention: Mention, _facts) -> str | None:
    """"(TSE: 7203)", "(HKG: 0700)": a stock code after an exchange's name."""
    colon, exchange = _before(doc, mention.number_start), _before(doc, mention.number_start, 2)
    if colon is None or exchange is None or colon.text != ":":
        return None
    return "ticker" if exchange.lower_ in _EXCHANGES and exchange.text.isupper() else None


def _time(doc: Doc, mention: Mention, _facts) -> str | None:
    after = _after(doc, mention.number_end)
    if after is not None and after.lower_ in _CLOCK and not mention.currency and not mention.percent:
        return "time"
    return None


_DETERMINERS = {"the", "this", "that", "its", "their", "his", "her", "our", "a", "an", "each", "every", "last"}
_YEAR_PREPOSITIONS = {"in", "since", "by", "until", "till", "from", "of", "during", "before", "after", "to", "for",
                      "through", "between", "and", "around", "circa", "early", "late", "mid"}


def _year(doc: Doc, mention: Mention, _facts) -> str | None:
    if mention.currency or mention.percent or mention.form not in ("number", "range"):
        return None
    one_token = mention.number_end - mention.number_start == 1
    before = _before(doc, mention.start)
    if one_token and _is_year_token(_first(doc, mention)) and before is not None and before.lower_ in _DETERMINERS:
        return "year"  # "the 1988 quarter", "its 2020 report"
    if mention.unit:
        return None
    if _is_year_token(_first(doc, mention)) and one_token and not _counts_things(doc, mention):
        return "year"
    before = _before(doc, mention.number_start)
    if before is not None and before.text in HYPHENS and not before.whitespace_:
        earlier = _before(doc, mention.number_start, 2)
        if earlier is not None and _is_year_token(earlier):
            return "year"
    return None


def _counts_things(doc: Doc, mention: Mention) -> bool:
    """"about 2000 pages", "2000 people were": a year-shaped figure counting the plural noun it modifies."""
    token, after = doc[mention.number_start], _after(doc, mention.number_end)
    if after is None or after.tag_ != "NNS" or token.head.i != after.i or after.lower_ in TIME_UNITS:
        return False
    before = _before(doc, mention.start)
    return mention.qualifier is not None or before is None or before.lower_ not in _YEAR_PREPOSITIONS | _DETERMINERS


def _is_year_token(token: Token) -> bool:
    text = token.text
    return len(text) == 4 and text.isdigit() and 1000 <= int(text) <= 2100


def _date(doc: Doc, mention: Mention, _facts) -> str | None:
    before, after = _before(doc, mention.number_start), _after(doc, mention.number_end)
    if before is not None and before.text == "." and _before(doc, mention.number_start, 2) is not None:
        abbreviation = _before(doc, mention.number_start, 2)
        before = abbreviation if abbreviation.lower_ + "." in MONTHS else before  # "Sept. 30" split at the stop
    if any(t is not None and _is_month(t, mention) for t in (before, after)) and not mention.currency:
        return "date"
    if mention.unit in TIME_UNITS or mention.form == "indefinite":
        return _framing_period(doc, mention)
    return None


def _is_month(token: Token, mention: Mention | None = None) -> bool:
    # "may" is a month when written as one, or in lower case between a preposition and a day ("on may 19")
    if token.lower_ not in MONTHS:
        return False
    if token.lower_ != "may" or token.text == "May":
        return True
    day = mention is not None and mention.value is not None and mention.value == int(mention.value) <= 31
    doc = token.doc
    opener = doc[min(token.i, mention.number_start) - 1] if day and min(token.i, mention.number_start) > 0 else None
    return opener is not None and opener.pos_ == "ADP"


def _framing_period(doc: Doc, mention: Mention) -> str | None:
    """"the first five months of the year" and "two years ago" say when, not how much."""
    after = _after(doc, mention.end)
    if after is not None and after.lower_ in _TIME_SHIFTS:
        return "date"
    # "a month after," and "a month after officials announced it" place the story in time; "30 seconds after
    # the blast" and "seven years on the board" measure a gap
    following_after = _after(doc, mention.end + 1)
    ends = following_after is None or following_after.is_punct
    if after is not None and after.lower_ in ("after", "on") and (ends or after.dep_ == "mark"):
        return "date"
    before = _before(doc, mention.start)
    following = _after(doc, mention.end + 1)
    if before is not None and before.lower_ in _FRAME_WORDS and after is not None and after.lower_ == "of":
        return "date" if following is None or following.lower_ in ("the", "this", "that") else None
    return None


def _age(doc: Doc, mention: Mention, _facts) -> str | None:
    if mention.unit in ("year", "years") and _is_old(doc, mention.end):
        return "age"
    if mention.currency or mention.percent or mention.unit:
        return None
    if _aged(doc[mention.number_start]):
        return "age"
    if mention.form != "number":
        return None
    before, after = _before(doc, mention.number_start), _after(doc, mention.number_end)
    named = _before(doc, mention.number_start, 2)
    if before is not None and before.lower_ == "now" and before.is_sent_start and after is not None \
            and after.text == "," and (mention.value or 0) < 120:
        return "age"  # "Now 24, she has lost"
    if before is None or named is None or before.text not in (",", "("):
        return None
    closes = after is None or after.text in (",", ")", ".", ";") or after.lower_ in ("and", "of", "from")
    person = named.pos_ == "PROPN" or named.ent_type_ == "PERSON" or _described_person(doc, mention, named)
    return "age" if closes and person and (mention.value or 0) < 120 else None


def _described_person(doc: Doc, mention: Mention, named: Token) -> bool:
    """"The victim, 24, was taken", "the former star, 42, was voted off": a whole number set off by commas
    after a singular noun, the clause going on with its verb, is that person's age."""
    after = _after(doc, mention.number_end)
    verb = _after(doc, mention.number_end + 1)
    whole = mention.value is not None and mention.value == int(mention.value)
    return (named.tag_ == "NN" and whole and after is not None and after.text == "," and verb is not None
            and verb.pos_ in ("VERB", "AUX") and doc[mention.number_start].dep_ == "appos")


def _aged(token: Token) -> bool:
    """"two daughters aged 11 and 7", "children ages 5 to 12": the figures after "aged" are ages."""
    while token.dep_ == "conj" and token.head.i < token.i:
        token = token.head
    previous = _before(token.doc, token.i)
    return previous is not None and previous.lower_ in ("aged", "ages")


def _is_old(doc: Doc, index: int) -> bool:
    words = [t.lower_ for t in doc[index:index + 2]]
    return words[:1] == ["old"] or words == ["-", "old"]


def _ordinal(doc: Doc, mention: Mention, _facts) -> str | None:
    if mention.form == "ordinal":
        return "ordinal"
    before = _before(doc, mention.number_start)
    if before is not None and before.text == ".":
        before = _before(doc, mention.number_start, 2)  # "No. 3" comes apart at the full stop
    if before is not None and before.lower_ in _RANK_WORDS:
        return "ordinal"
    if mention.form == "fraction" and ((before is not None and before._.number_role == "ordinal")
                                       or _is_ordinal_fraction(doc, mention)):
        return "ordinal"
    return None


def _is_ordinal_fraction(doc: Doc, mention: Mention) -> bool:
    """"a third case" counts cases in order; "a third of cases" is a fraction."""
    words = [t.lower_ for t in doc[mention.number_start:mention.number_end]]
    after = _after(doc, mention.number_end)
    if len(words) != 2 or words[0] not in ("a", "an") or after is None:
        return False
    return after.pos_ in ("NOUN", "PROPN", "ADJ") and after.lower_ not in MEASURE_UNITS


def _name(doc: Doc, mention: Mention, facts: DocFacts) -> str | None:
    if mention.form not in ("number", "range") or mention.currency or mention.percent:
        return None
    after = _after(doc, mention.number_end)
    if after is not None and after.lower_ == "times" and not mention.unit:
        return None  # "called Bob 3 times", "beat Federer five times": a count of occasions after a name
    if _follows_name(doc, mention.number_start):
        return "name"
    after = _after(doc, mention.number_end)
    if after is not None and after.text in HYPHENS and not after.whitespace_ and _glued_name(doc, mention.number_end):
        return "name"
    return None


def _follows_name(doc: Doc, index: int) -> bool:
    before = _before(doc, index)
    if before is not None and before.text in HYPHENS and not before.whitespace_:
        before = _before(doc, index, 2)
        if before is not None and before.is_alpha and len(before) <= 3 and before.text[0].isupper():
            return True  # "F-35", "Su-57"
    # "members of Local 90": capitalised inside a sentence, even a word tagged as an adjective is a name's head
    capitalised = before is not None and before.text[:1].isupper() and not before.is_sent_start
    if before is not None and before.lower_ in _LABEL_NOUNS and (before.pos_ in ("NOUN", "PROPN") or capitalised):
        return True
    # "iPhone 11", "S&P 500": a name may be capitalised inside and hold an ampersand
    if before is None or not before.text.replace("&", "").isalpha() or before.text.islower() or _is_month(before):
        return False
    if before.lower_ in CURRENCY_BEFORE or before.lower_ in _RANK_WORDS:
        return False
    # "Article 5 is", "Apollo 11": a capitalised noun glued to a number names something, even first in a
    # sentence; qualifiers that open a sentence ("Around 19", "Some 40") are not nouns.
    return (before.pos_ == "PROPN" and before.ent_type_ != "GPE") or before.pos_ == "NOUN"


def _format(doc: Doc, mention: Mention, _facts) -> str | None:
    """"a 4K TV", "an 8K screen", "a 5k run": one digit glued to a K before a singular noun names a
    format or a race; "10K views" counts."""
    if mention.currency or mention.percent:
        return None
    if _lettered_name(doc, mention):
        return "name"
    if mention.form != "number" or mention.number_end - mention.number_start != 2:
        return None
    figure, scale, after = doc[mention.number_start], doc[mention.number_end - 1], _after(doc, mention.number_end)
    glued = scale.lower_ == "k" and not figure.whitespace_ and len(figure.text) == 1
    return "name" if glued and (after is None or after.tag_ in ("NN", "NNP") or after.is_punct) else None


# Capital letters that are no unit or scale a news figure takes ("5C", "9V", "2L", "3X" and "5K" are)
_LETTERED = re.compile(r"^\d[DGMS]$")


def _lettered_name(doc: Doc, mention: Mention) -> bool:
    """"3D printers", "a 5G network", "worked at 3M": one digit written together with a capital letter that is
    no scale of it names a format, a product or a company (the unit table reads debye, gauss and molar there);
    "3M units" before a plural noun may count millions."""
    figure = doc[mention.number_start]
    if mention.number_end - mention.number_start != 1:
        return False
    if _LETTERED.match(figure.text):
        return True
    letter = _after(doc, mention.number_end)
    glued = letter is not None and not figure.whitespace_ and len(figure.text) == 1 and figure.is_digit
    if not glued or not _LETTERED.match(figure.text + letter.text):
        return False
    following = _after(doc, letter.i + 1)
    return following is None or following.tag_ not in ("NNS", "NNPS")


def _glued_name(doc: Doc, hyphen: int) -> bool:
    following = _after(doc, hyphen + 1)
    return following is not None and following.text[:1].isupper() and following.is_alpha


def _address(doc: Doc, mention: Mention, facts: DocFacts) -> str | None:
    after = _after(doc, mention.number_end)
    if after is None or mention.form != "number" or mention.currency or mention.percent or mention.unit:
        return None
    seen = (doc[mention.number_end - 1].text, after.lower_) in facts.addresses
    return "address" if seen or _street_follows(doc, after.i) else None


def _street_follows(doc: Doc, index: int) -> bool:
    """Whether proper nouns from `index` end in a street word: "Slater Street", "Kent St.", "Suite 350"."""
    for token in doc[index:index + 4]:
        if token.lower_ in _STREET_WORDS and token.text[0].isupper():
            return True
        if token.pos_ != "PROPN":
            return False
    return False


def _pronoun(doc: Doc, mention: Mention, _facts) -> str | None:
    if mention.form != "number" or mention.number_end - mention.number_start != 1 or mention.currency:
        return None
    token = doc[mention.number_start]
    if _is_anaphora(doc, mention, token):
        return "pronoun"
    if token.lower_ != "one" or mention.percent:
        return None
    before, after = _before(doc, mention.start), _after(doc, mention.number_end)
    if after is not None and (after.lower_ in ("of", "another") or after.text in HYPHENS):
        return "pronoun"
    if before is not None and before.lower_ in _PRONOUN_BEFORE:
        return "pronoun"
    if after is not None and after.lower_ in _ARTICLE_NOUNS:
        # "for one day", "just over one day": a day measured
        measured = after.lower_ in TIME_UNITS and (mention.qualifier is not None or (
            before is not None and before.lower_ in _DURATION_PREPOSITIONS))
        return None if measured else "pronoun"
    if mention.unit:
        return None
    return "pronoun" if _is_indefinite_one(token) else None


def _is_anaphora(doc: Doc, mention: Mention, token: Token) -> bool:
    """"the two were prepared": a number standing for things already counted, with no noun of its own."""
    before = _before(doc, mention.start)
    if mention.unit or mention.percent or before is None or before.lower_ not in _DEFINITE:
        return False
    return (token.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj") and token.head.i < token.i) or (
        token.dep_ in ("nsubj", "nsubjpass") and token.head.pos_ in ("VERB", "AUX"))


def _is_indefinite_one(token: Token) -> bool:
    """"one witness said", "one person who attended", "one electrocuted": "one" as an article or pronoun."""
    noun = token.head
    if token.dep_ == "nummod" and noun.dep_ == "npadvmod" and noun.i < noun.head.i and noun.tag_ == "NN":
        return True  # "One holiday season, he": a time the story opens on, like "one day"
    if token.dep_ != "nummod" or noun.pos_ not in ("NOUN", "PROPN") or noun.i < token.i:
        return token.dep_ not in ("quantmod", "compound") and (
            noun.pos_ not in ("NOUN", "PROPN", "NUM") or noun.i < token.i)
    if any(child.dep_ == "relcl" for child in noun.children):
        return True
    return noun.dep_ == "nsubj" and noun.head.lemma_ in SPEAKER_SUBJECT_VERBS


# "once again", "at once", "think twice", "once more": set phrases, not counts of occasions.
_IDIOM_BEFORE = {"at", "for", "all", "think", "thinks", "thought", "thinking"}
_IDIOM_AFTER = {"again", "upon", "over"}


def _frequency(doc: Doc, mention: Mention, _facts) -> str | None:
    """"met twice", "visited once", "once this year", "twice more" and "twice as many" count; "twice a week"
    (how often), "once the deal closes", "once a star" (formerly), "once again" and "think twice" do not."""
    if mention.form != "multiple" or doc[mention.number_start].lower_.endswith("fold"):
        return None
    token = doc[mention.number_start]
    before, after = _before(doc, mention.start), _after(doc, mention.number_end)
    following = after.lower_ if after is not None else ""
    idiom_after = following in _IDIOM_AFTER or (token.lower_, following) == ("once", "more")
    if (before is not None and before.lower_ in _IDIOM_BEFORE) or idiom_after:
        return "frequency"
    if mention.unit in TIME_UNITS or _how_often(doc, mention.number_end):
        return "frequency"  # "twice a week", "twice weekly" say how often, as the seed gold has it
    if token.lower_ != "once" or _in_period(doc, mention.number_end):
        return None  # "once this year": how many times in one stated period is a count, a claim
    # "once" before its verb means "formerly" or opens a clause ("once it closes"); after it, it counts
    previous = _before(doc, mention.number_start)
    formerly = (token.head.i > token.i and token.head.pos_ in ("VERB", "AUX", "ADJ", "NOUN")) or (
        previous is not None and previous.lemma_ in ("be", "have"))  # "was once the largest"
    return "frequency" if token.dep_ == "mark" or formerly or token.head.i == token.i else None


def _in_period(doc: Doc, index: int) -> bool:
    """Whether one stated period of time follows: "this month", "that year", "last week"."""
    words = doc[index:index + 2]
    return len(words) == 2 and words[0].lower_ in ("this", "that", "last") and words[1].lower_ in TIME_UNITS


_REGULARLY = {"a", "an", "per", "every", "each"}
_PERIODIC = {"hourly", "daily", "nightly", "weekly", "fortnightly", "monthly", "quarterly", "yearly", "annually"}


def _how_often(doc: Doc, index: int) -> bool:
    """Whether a recurring period follows: "a week", "per day", "every year", "weekly"."""
    words = doc[index:index + 2]
    if len(words) and words[0].lower_ in _PERIODIC:
        return True
    return len(words) == 2 and words[0].lower_ in _REGULARLY and words[1].lower_ in TIME_UNITS


# Words that make a number into a designation: "a .45-caliber handgun", "a 12-gauge shotgun".
_DESIGNATIONS = {"caliber", "calibre", "gauge", "bore"}
# Agent-noun endings that look like one: "-er" words that are units or positions keep their number.
_NOT_AGENT_NOUNS = {"quarter", "under", "over", "hour", "year", "liter", "litre", "meter", "metre", "power", "after",
                    "later", "member", "player", "worker", "officer", "customer", "user", "voter"}


# Nouns of a kind of arrangement: "a two-state solution", "the one-child policy", "a two-tier system" name
# the arrangement, and a "two-year contract" or a "three-point gap" still measure something.
_ARRANGEMENTS = {"solution", "policy", "system", "approach", "strategy", "framework", "formula", "doctrine",
                 "principle", "race"}


def _compound(doc: Doc, mention: Mention, _facts) -> str | None:
    """"the half-year mark", "half-time", "a 3-pointer", "a two-seater", "a .45-caliber": a word built on a
    number, not an amount."""
    after = _after(doc, mention.number_end)
    if after is None or after.text not in HYPHENS or after.whitespace_:
        return None
    if mention.form == "fraction":
        word = _after(doc, mention.number_end + 1)
        # "cut by a quarter-point": a fraction of a point is an amount
        return None if word is not None and word.lower_ in ("point", "points") else "compound"
    word = _after(doc, mention.number_end + 1)
    if mention.form != "number" or word is None or not word.is_alpha or mention.unit:
        return None
    lower = word.lower_
    agent = lower.endswith("er") and len(lower) > 4 and lower not in _NOT_AGENT_NOUNS and lower not in MEASURE_UNITS
    named = _after(doc, mention.number_end + 2)
    arrangement = named is not None and named.lemma_.lower() in _ARRANGEMENTS and lower not in MEASURE_UNITS
    return "compound" if agent or arrangement or lower in _DESIGNATIONS else None


_DIAL_VERBS = {"call", "dial", "text", "ring", "phone"}


def _dialled(doc: Doc, mention: Mention, _facts) -> str | None:
    """"called 911", "dial 999", "text 62000": a number rung is a phone number, not an amount."""
    if mention.form != "number" or mention.number_end - mention.number_start != 1 or mention.currency:
        return None
    token = doc[mention.number_start]
    verb = token.head
    called = token.dep_ in ("dobj", "npadvmod") and verb.lemma_ in _DIAL_VERBS and verb.i < token.i
    return "phone" if called and token.text.isdigit() and not mention.percent and not mention.unit else None


# Tenors that name a security or a contract: "the 10-year note", "two-year bonds", "three-month aluminum".
_INSTRUMENTS = {"bond", "bonds", "note", "notes", "yield", "yields", "treasury", "treasuries", "bill", "bills",
                "gilt", "gilts", "bund", "bunds", "futures", "contract", "contracts", "paper", "swap", "swaps",
                "aluminum", "aluminium", "copper", "nickel", "zinc", "libor", "euribor"}


def _instrument(doc: Doc, mention: Mention, _facts) -> str | None:
    after = _after(doc, mention.end)
    tenor = mention.unit in ("year", "month", "week", "day") and mention.form == "number"
    glued = mention.end - mention.number_end == 2 and doc[mention.number_end].text in HYPHENS
    # "signed a two-year contract" is a contract's length; "the three-month contract" is a traded security
    length = after is not None and after.lower_ == "contract" and mention.start > 0 \
        and doc[mention.start - 1].lower_ in ("a", "an")
    return "name" if tenor and glued and after is not None and after.lower_ in _INSTRUMENTS and not length else None


# Plural subjects are left out: "we are 12" may count the speakers.
_PERSONS = {"i", "you", "he", "she", "who"}


def _predicate_age(doc: Doc, mention: Mention, _facts) -> str | None:
    """"the striker, who is 23.", "You're 22.": a bare number a person is, closing the clause, is an age."""
    if mention.form != "number" or mention.currency or mention.percent or mention.unit or mention.qualifier:
        return None
    token, after = doc[mention.number_start], _after(doc, mention.number_end)
    if token.dep_ not in ("attr", "acomp") or token.head.lemma_ != "be" or not (mention.value or 0) < 120:
        return None
    if after is not None and not after.is_punct:
        return None
    subjects = [c for c in token.head.children if c.dep_ == "nsubj"]
    person = any(c.lower_ in _PERSONS or c.ent_type_ == "PERSON" for c in subjects)
    return "age" if person else None


def _rate(doc: Doc, mention: Mention, _facts) -> str | None:
    """"64 cents a dozen", "$3 a hundred": the count a price is quoted for, not an amount of its own."""
    if mention.form != "number" or doc[mention.number_start].lower_ not in ("a", "an") or mention.qualifier:
        return None
    before = _before(doc, mention.start)
    if before is None:
        return None
    if before.lower_ in CURRENCY_AFTER:
        return "rate"
    sign = _before(doc, mention.start, 2)
    return "rate" if before.like_num and sign is not None and sign.lower_ in CURRENCY_BEFORE else None
