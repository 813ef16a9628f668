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
MULTIPLES = {"once": 1, "twice": 2, "thrice": 3}
# "sixfold", "tenfold": a multiple written as one word.
FOLDS = {word + "fold": value for word, value in {**UNITS, **TENS, "hundred": 100, "thousand": 1000}.items()
         if value >= 2}

# Money markers and the ISO 4217 code each stands for; a bare "$" is resolved by the article's country.
_CURRENCY_BEFORE_CODES = {
    "us$": "USD", "a$": "AUD", "au$": "AUD", "$a": "AUD", "c$": "CAD", "ca$": "CAD", "hk$": "HKD", "s$": "SGD",
    "nz$": "NZD", "nzd$": "NZD", "nt$": "TWD", "n$": "NAD", "j$": "JMD", "z$": "ZWL", "£": "GBP", "€": "EUR",
    "¥": "JPY", "₹": "INR", "₦": "NGN", "₱": "PHP", "₩": "KRW", "₪": "ILS", "₽": "RUB", "₺": "TRY", "r": "ZAR",
    "rs": "INR", "rs.": "INR", "usd": "USD", "eur": "EUR", "gbp": "GBP", "inr": "INR", "jpy": "JPY", "cny": "CNY",
    "rmb": "CNY", "zar": "ZAR", "aud": "AUD", "cad": "CAD", "chf": "CHF", "ksh": "KES", "kes": "KES", "sh": "KES",
    "ush": "UGX", "tsh": "TZS", "ngn": "NGN", "tk": "BDT", "rm": "MYR", "nzd": "NZD", "hkd": "HKD", "sgd": "SGD",
    "sek": "SEK", "nok": "NOK", "dkk": "DKK", "pkr": "PKR", "lkr": "LKR", "php": "PHP", "idr": "IDR", "myr": "MYR",
    "thb": "THB", "krw": "KRW", "rub": "RUB", "try": "TRY", "brl": "BRL", "r$": "BRL", "mxn": "MXN", "ghs": "GHS",
    "egp": "EGP", "ugx": "UGX", "tzs": "TZS", "zmw": "ZMW", "aed": "AED", "sar": "SAR", "qar": "QAR", "ils": "ILS",
    "mex$": "MXN", "₿": "XBT",
}
_CURRENCY_AFTER_CODES = {
    "euro": "EUR", "euros": "EUR", "pence": "GBP", "p": "GBP", "rupee": "INR", "rupees": "INR", "rand": "ZAR",
    "yen": "JPY", "yuan": "CNY", "renminbi": "CNY", "元": "CNY", "naira": "NGN", "shilling": "KES",
    "shillings": "KES", "/-": "KES", "ringgit": "MYR", "rupiah": "IDR", "baht": "THB", "kwacha": "ZMW",
    "cedi": "GHS", "cedis": "GHS", "lira": "TRY", "reais": "BRL", "real": "BRL", "kronor": "SEK", "krona": "SEK",
    "kroner": "NOK", "krone": "NOK", "sterling": "GBP", "ruble": "RUB", "rubles": "RUB", "rouble": "RUB",
    "roubles": "RUB", "won": "KRW", "riyal": "SAR", "riyals": "SAR", "dirham": "AED", "dirhams": "AED",
    "franc": "CHF", "francs": "CHF", "peso": "MXN", "pesos": "MXN", "pound": "GBP", "pounds": "GBP",
    "guilder": "NLG", "guilders": "NLG", "shekel": "ILS", "shekels": "ILS", "taka": "BDT",
    "usd": "USD", "eur": "EUR", "gbp": "GBP", "inr": "INR", "zar": "ZAR", "aud": "AUD", "cad": "CAD",
    "jpy": "JPY", "cny": "CNY", "chf": "CHF", "nzd": "NZD", "hkd": "HKD", "sgd": "SGD", "kes": "KES",
    "rmb": "CNY", "btc": "XBT", "bitcoin": "XBT", "bitcoins": "XBT",
}
# Words naming a country's currency when they follow a currency word: "Australian dollars", "Swiss francs".
CURRENCY_ADJECTIVES = {
    "us": "USD", "u.s.": "USD", "american": "USD", "australian": "AUD", "canadian": "CAD", "hong": "HKD",
    "kong": "HKD", "singapore": "SGD", "new": "NZD", "zealand": "NZD", "taiwan": "TWD", "swiss": "CHF",
    "french": "FRF", "south": "ZAR", "african": "ZAR", "indian": "INR", "pakistani": "PKR", "sri": "LKR",
    "lanka": "LKR", "lankan": "LKR", "nepali": "NPR",
    "mexican": "MXN", "japanese": "JPY", "chinese": "CNY", "british": "GBP", "egyptian": "EGP", "turkish": "TRY",
    "kenyan": "KES", "ugandan": "UGX", "tanzanian": "TZS", "nigerian": "NGN", "philippine": "PHP",
    "malaysian": "MYR", "brazilian": "BRL", "danish": "DKK", "swedish": "SEK", "norwegian": "NOK",
    "russian": "RUB", "jamaican": "JMD", "namibian": "NAD", "zimbabwean": "ZWL", "dutch": "NLG",
}
CURRENCY_CODES = {**_CURRENCY_AFTER_CODES, **_CURRENCY_BEFORE_CODES}
# ISO codes with an M (or k) for millions (thousands), as Nordic and business writing has it: "30 MUSD".
SCALED_CODES = {prefix + code.lower(): (code, scale) for code in set(CURRENCY_CODES.values())
                for prefix, scale in (("m", 1e6), ("k", 1e3))}
CURRENCY_BEFORE = {"$", *_CURRENCY_BEFORE_CODES}
# Signs may also follow the figure, as much of Europe writes them: "15 €".
CURRENCY_SIGNS = {marker for marker in CURRENCY_BEFORE if not any(c.isalpha() for c in marker)}
# "pound(s)" is also a weight: it is money only after a currency sign or with "sterling"; see MEASURE_UNITS.
CURRENCY_AFTER = {"dollar", "dollars", "cent", "cents", *_CURRENCY_AFTER_CODES} - {"pound", "pounds", "p"}
# Countries whose own dollar a bare "$" means on their sites.
DOLLAR_COUNTRIES = {
    "AU": "AUD", "CA": "CAD", "NZ": "NZD", "HK": "HKD", "SG": "SGD", "TW": "TWD", "JM": "JMD", "NA": "NAD",
    "LR": "LRD", "BZ": "BZD", "BS": "BSD", "BB": "BBD", "TT": "TTD", "FJ": "FJD", "GY": "GYD", "BN": "BND",
    "SB": "SBD", "KY": "KYD", "BM": "BMD", "ZW": "ZWL",
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
    "iq", "mah", "hz", "ghz", "mhz", "fps", "kt", "mt", "bushel", "bushels", "carat", "carats",
}
# Units that a bare "a"/"an" can count ("over a year", "a meter tall"), with the value the article means.
INDEFINITE_UNITS = {
    "year": 1, "month": 1, "week": 1, "day": 1, "hour": 1, "minute": 1, "decade": 10, "century": 100,
    "meter": 1, "metre": 1, "mile": 1, "kilometre": 1, "kilometer": 1, "foot": 1,
}

# Words of change: an amount they govern is the size of a rise or fall ("rose 5%", "a cut of $2m").
UP_WORDS = {
    "rise", "increase", "grow", "climb", "jump", "surge", "soar", "gain", "add", "boost", "raise", "double",
    "triple", "expand", "hike", "lift", "spike", "swell", "growth", "uptick", "expansion", "addition",
    "rebound", "upswing", "improve", "improvement", "accelerate", "strengthen", "appreciate",
    "leap", "leapt", "skyrocket", "widen",
}
DOWN_WORDS = {
    "fall", "drop", "decline", "decrease", "reduce", "cut", "shrink", "slip", "sink", "tumble", "plunge", "dip",
    "slide", "lower", "slash", "lose", "halve", "ease", "shed", "trim", "dwindle", "reduction", "loss",
    "slump", "contraction", "downturn", "fell", "plummet", "crash", "retreat", "shortfall", "deficit", "weaken",
    "depreciate", "narrow", "sag",
}
# Verbs that move a value from one level to another without saying which way: "went from 10 to 20".
LEVEL_CHANGE_VERBS = {"go", "move", "change", "shift", "swing", "switch", "turn", "edge", "inch", "creep"}

# Thousands grouped by commas, or in the Indian way, by lakh and crore ("12,34,567").
_DIGITS = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3}|\d+)?(?:\.\d+)?$")


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
