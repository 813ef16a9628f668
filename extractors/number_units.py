"""Name the unit of a quantity: the ISO 4217 code of its currency, percent, or a measure normalised by pint."""

from __future__ import annotations

import functools
import logging
import re

import pint

from extractors.number_words import CURRENCY_CODES, DOLLAR_COUNTRIES, SCALES

LOGGER = logging.getLogger(__name__)

DEFAULT_DOLLAR = "USD"
# pint knows bits but not the "bps" of broadband speeds, the brake horsepower of car makers, the "bpd" of oil
# output or the "kmph" of Indian road signs; its "fps" is feet per second, where news means frames ("60fps").
_EXTRA_DEFINITIONS = ["brake_horsepower = horsepower = bhp", "barrel_per_day = barrel / day = bpd",
                      "@alias kilometer_per_hour = kmph", "frame = [frame]",
                      "frame_per_second = frame / second = fps"]
_BITS_PER_SECOND = re.compile(r"^([kKMGT]?)bps$")
_POWER_SUFFIX = re.compile(r"(?<=[A-Za-z])([23])$")
# Words pint reads as units but English uses as ordinary words or letters after a figure.
_NOT_UNITS = {"a", "am", "pm", "at", "in", "min", "s", "h", "t", "p", "point", "points", "times", "pt", "pc"}
# Glued to a figure, a money marker: "USD115", "nzd$15", "$A5", "115USD", "100元", "2m/-".
_GLUED_CURRENCY = re.compile(r"^(?P<before>[A-Za-z]{0,3}\$[A-Za-z]?|[A-Za-z]{2,3})?(?P<digits>\d[\d,]*(?:\.\d+)?)"
                             r"(?P<scale>[a-z]{0,8})(?P<after>/-|[A-Za-z]{3}|元)?$")
_GLUED_MEASURE = re.compile(r"^(?P<sign>[-−]?)(?P<digits>\d[\d,]*(?:\.\d+)?)(?P<unit>[A-Za-zµ°²³/]+\d?)$")
# Glued to a figure, a capital C or F is a temperature ("-30C", "95F"), not pint's coulomb or farad.
_GLUED_TEMPERATURES = {"C": "degC", "F": "degF"}


@functools.lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    # "fps" is redefined on purpose (above)
    registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, on_redefinition="ignore")
    for definition in _EXTRA_DEFINITIONS:
        registry.define(definition)
    return registry


def currency_code(marker: str, dollar: str = DEFAULT_DOLLAR) -> str | None:
    """The ISO 4217 code for a money marker as written ("US$", "€", "Rs", "rand", "/-"); `dollar` for a bare "$"."""
    lower = marker.lower().rstrip(".")
    if lower in ("$", "dollar", "dollars", "cent", "cents"):
        return dollar
    if lower.endswith("$") and lower[:-1] in CURRENCY_CODES and len(lower) == 4:
        return CURRENCY_CODES[lower[:-1]]  # "aud$", "mxn$"
    return CURRENCY_CODES.get(lower)


def dollar_of(country: str | None) -> str:
    """The currency a bare "$" means on a site of this country (ISO 3166 alpha-2), US dollars elsewhere."""
    return DOLLAR_COUNTRIES.get((country or "").upper(), DEFAULT_DOLLAR)


def measure_unit(word: str) -> str | None:
    """pint's name for a unit as written ("km" → "kilometer", "MW" → "megawatt", "mph"), or None if it is none.

    Case matters, as it does in the units themselves: "MW" is a megawatt, "mW" a milliwatt.
    """
    if word.lower() in _NOT_UNITS or not re.search(r"[A-Za-zµ°]", word):
        return None
    word = _BITS_PER_SECOND.sub(lambda m: m.group(1).replace("K", "k") + "bit/s", word)
    word = _POWER_SUFFIX.sub(r"**\1", word.replace("²", "2").replace("³", "3"))
    # "metric tons", "nautical miles" are one unit to pint; a unit written in capitals ("MW") is read as is
    for candidate in (word, word.replace(" ", "_"), word.upper()):
        name = _parse(candidate)
        if name:
            return name
    return None


def _parse(word: str) -> str | None:
    try:
        units = _registry().parse_units(word)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError, AssertionError):
        return None
    name = format(units, "D")
    return name if name and name != "dimensionless" else None


def add_measures(value: float, unit: str, part: float, part_unit: str) -> float | None:
    """`value unit + part part_unit` in `part_unit` when that is the smaller unit of the same dimension, else None."""
    registry = _registry()
    try:
        whole, smaller = registry.Quantity(value, unit), registry.Quantity(1, part_unit)
        if whole.dimensionality != smaller.dimensionality or registry.Quantity(1, unit) <= smaller:
            return None
        return float(whole.to(part_unit).magnitude + part)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError):
        return None


def split_glued_money(text: str) -> tuple[str, float] | None:
    """A token that is a figure glued to a currency: ("USD", 115.0) for "USD115", or None.

    Returns the marker as written and the value with any glued scale ("2m/-" → 2e6).
    """
    match = _GLUED_CURRENCY.match(text)
    if not match or not (match["before"] or match["after"]):
        return None
    marker = match["before"] or match["after"]
    scale = match["scale"]
    multiplier = SCALES.get(scale, {"m": 1e6, "b": 1e9, "": 1.0}.get(scale))
    if multiplier is None or currency_code(marker) is None:
        return None
    return marker, float(match["digits"].replace(",", "")) * multiplier


def split_glued_measure(text: str) -> tuple[float, str, str] | None:
    """A token that is a figure glued to a unit: (30.0, "Mbps", "megabit / second") for "30Mbps", or None."""
    match = _GLUED_MEASURE.match(text)
    if not match or match["unit"].lower() in ("st", "nd", "rd", "th", "s"):
        return None
    name = measure_unit(_GLUED_TEMPERATURES.get(match["unit"], match["unit"]))
    if name is None:
        return None
    value = float(match["digits"].replace(",", ""))
    return -value if match["sign"] else value, match["unit"], name
