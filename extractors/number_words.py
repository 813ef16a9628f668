"""The vocabulary of quantities (number words, scales, fractions, currencies, units) and how to read values from it."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

LOGGER = logging.getLogger(__name__)

_UNIT_WORDS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]
_TENS_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
UNITS = {word: value for value, word in enumerate(_UNIT_WORDS)}
TENS = {word: 20 + 10 * i for i, word in enumerate(_TENS_WORDS)}
SCALES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "bn": 1e9, "bln": 1e9, "mn": 1e6, "tn": 1e12, "trn": 1e12, "k": 1e3, "lakh": 1e5, "crore": 1e7,
}
# Single letters are scales only next to a currency ("$5m", "R2b"); elsewhere "5m" is five metres.
MONEY_SCALES = {"m": 1e6, "b": 1e9}
DOZEN = {"dozen": 12}
NUMBER_WORDS = {**UNITS, **TENS, **DOZEN}
FRACTIONS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
    "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10,
}
ORDINAL_WORDS = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth",
    "hundredth", "thousandth", "millionth",
}
# Plural scales state an order of magnitude, not an amount ("thousands of people": more than 1,000).
VAGUE = {"dozens": 12, "hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9, "trillions": 1e12}
MULTIPLES = {"twice": 2, "thrice": 3}

CURRENCY_BEFORE = {
    "$", "us$", "a$", "c$", "hk$", "s$", "nz$", "£", "€", "¥", "₹", "₦", "₱", "₩", "₪", "₽", "₺", "r", "rs", "rs.",
    "usd", "eur", "gbp", "inr", "jpy", "cny", "rmb", "zar", "aud", "cad", "chf", "ksh", "kes", "ngn", "tk", "rm",
}
CURRENCY_AFTER = {
    "dollar", "dollars", "euro", "euros", "pence", "cent", "cents", "rupee", "rupees", "rand", "yen", "yuan",
    "renminbi", "naira", "shilling", "shillings", "peso", "pesos", "ruble", "rubles", "rouble", "roubles", "won",
    "riyal", "riyals", "dirham", "dirhams", "franc", "francs", "baht", "ringgit", "rupiah", "kwacha", "cedi", "cedis",
    "lira", "reais", "real", "kronor", "krona", "kroner", "krone", "sterling", "usd", "eur", "gbp", "inr", "zar",
}
SUBUNITS = {"cent": 0.01, "cents": 0.01, "pence": 0.01, "p": 0.01}

TIME_UNITS = {
    "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months",
    "year", "years", "decade", "decades", "century", "centuries", "night", "nights", "weekend", "weekends",
    "quarter", "quarters", "hr", "hrs", "min", "mins", "sec", "secs",
}
MEASURE_UNITS = TIME_UNITS | {
    "mm", "cm", "m", "km", "metre", "metres", "meter", "meters", "kilometre", "kilometres", "kilometer",
    "kilometers", "millimetre", "millimetres", "millimeter", "millimeters", "centimetre", "centimetres",
    "centimeter", "centimeters", "mile", "miles", "foot", "feet", "ft", "inch", "inches", "yard", "yards", "nautical",
    "mg", "g", "kg", "gram", "grams", "kilogram", "kilograms", "kilo", "kilos", "tonne", "tonnes", "ton", "tons",
    "lb", "lbs", "pound", "pounds", "ounce", "ounces", "oz", "hectare", "hectares", "acre", "acres", "sq",
    "square", "cubic", "metric", "micron", "microns", "litre", "litres", "liter", "liters", "gallon", "gallons",
    "barrel", "barrels", "bpd",
    "w", "kw", "mw", "gw", "tw", "kwh", "mwh", "gwh", "twh", "watt", "watts", "kilowatt", "kilowatts", "megawatt",
    "megawatts", "gigawatt", "gigawatts", "volt", "volts", "degree", "degrees", "°", "°c", "°f", "celsius",
    "fahrenheit", "mph", "kph", "km/h", "knot", "knots", "gb", "mb", "tb", "kb", "byte", "bytes", "calorie",
    "calories", "ppm", "db", "decibel", "decibels", "storey", "storeys", "story",
    "iq", "mah", "hz", "ghz", "mhz", "kt", "mt", "bushel", "bushels", "carat", "carats",
}
# Units that a bare "a"/"an" can count ("over a year", "a meter tall"), with the value the article means.
INDEFINITE_UNITS = {
    "year": 1, "month": 1, "week": 1, "day": 1, "hour": 1, "minute": 1, "decade": 10, "century": 100,
    "meter": 1, "metre": 1, "mile": 1, "kilometre": 1, "kilometer": 1, "foot": 1,
}

_DIGITS = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")


def is_digits(text: str) -> bool:
    """Whether `text` is a plain figure: "8,000", "3.5", ".5", "2024"; not "1,5" or "G7"."""
    return bool(text) and any(c.isdigit() for c in text) and bool(_DIGITS.match(text))


def digits_value(text: str) -> float:
    """The value of a plain figure (see `is_digits`)."""
    return float(text.replace(",", ""))


def words_value(words: Sequence[str]) -> float | None:
    """The value of number words in order ("twenty", "five", "million"), or None when they do not form one number."""
    total, current, last = 0.0, 0.0, None
    for word in words:
        kind = _word_kind(word)
        if kind is None or not _may_follow(last, kind):
            return None
        if kind in ("unit", "tens"):
            current += NUMBER_WORDS[word]
        elif kind == "multiplier":
            current = (current or 1) * (100 if word == "hundred" else 12)
        else:
            total += (current or 1) * SCALES[word]
            current = 0.0
        last = kind
    return total + current


def _word_kind(word: str) -> str | None:
    if word in UNITS:
        return "unit"
    if word in TENS:
        return "tens"
    if word in ("hundred", "dozen"):
        return "multiplier"
    return "scale" if word in SCALES and word.isalpha() and len(word) > 2 else None


def _may_follow(last: str | None, kind: str) -> bool:
    # "twenty five" and "five hundred" are one number; "five four" and "twenty thirty" are two.
    if last is None or last in ("scale", "multiplier"):
        return kind != "multiplier" or last is None
    if kind in ("scale", "multiplier"):
        return True
    return last == "tens" and kind == "unit"


def scale_value(word: str, with_currency: bool) -> float | None:
    """The multiplier of a scale word ("million", "bn", and "m" only next to a currency), or None."""
    word = word.lower()
    if word in SCALES:
        return SCALES[word]
    return MONEY_SCALES.get(word) if with_currency else None
