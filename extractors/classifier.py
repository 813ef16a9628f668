"""Score candidate claims: a scikit-learn model over features of a quantity and its sentence."""

from __future__ import annotations

import logging
from pathlib import Path

from spacy.tokens import Doc

from extractors.numbers import Quantity

LOGGER = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent.parent / "models"


class ClaimClassifier:
    """Probability that a quantity is a real quantitative claim worth review."""

    @classmethod
    def load_default(cls) -> ClaimClassifier | None:
        """The model shipped in models/, or None when none has been trained yet."""
        return None  # being written: see the classifier brief

    def score(self, doc: Doc, quantity: Quantity) -> float:
        """The probability, between 0 and 1."""
        raise NotImplementedError
