"""Language: which language an article's text is written in, trusting a page's declaration only when the text agrees."""

from __future__ import annotations

import functools
import logging
import threading

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LOGGER = logging.getLogger(__name__)

# Below this many characters, or this probability, the detector guesses; the declaration then stands.
MIN_CHARACTERS = 200
MIN_CONFIDENCE = 0.9


# functools.cache alone lets every thread that asks before the first load ends load its own copy
# (~70 MB each): 16 fetch threads doing so took a crawl past 1 GB. The lock makes it one load.
_LOADING = threading.Lock()


def _identifier() -> LanguageIdentifier:
    with _LOADING:
        return _loaded_identifier()


@functools.cache
def _loaded_identifier() -> LanguageIdentifier:
    # py3langid ships its model inside the package (numpy arrays, no pickle): nothing is downloaded.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """The likeliest ISO 639-1 language of `text` and its probability (0 to 1)."""
    language, confidence = _identifier().classify(text[:20_000])
    return language, confidence


def decide_language(declared: str | None, text: str) -> str | None:
    """The article's language: the text's when the detector is sure of it, else the page's declaration.

    A page that declares `de` but is written in English is English: templates are shared across a
    site's editions, the text is what the spaCy model will read.
    """
    declared = declared.lower().split("-")[0] if declared else None
    if len(text) < MIN_CHARACTERS:
        return declared
    detected, confidence = detect_language(text)
    if confidence < MIN_CONFIDENCE:
        return declared
    if declared and declared != detected:
        LOGGER.info("page declares %r but its text is %r (p=%.2f); taking the text's", declared, detected, confidence)
    return detected
