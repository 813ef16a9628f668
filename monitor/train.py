"""Retraining command: reviewers' verdicts from the database plus extractors/training.py → a new classifier."""

from __future__ import annotations

import logging
from pathlib import Path

from db.articles import reviewed_claims
from db.database import open_database
from extractors.nlp import load_nlp
from extractors.training import Example, TrainingReport, load_shipped_labels, train_classifier

LOGGER = logging.getLogger(__name__)


def retrain(model: str, db_path: Path | None = None, corpus: Path | None = None) -> TrainingReport:
    """Train the claim classifier on the shipped labels and, when a database is given, its verdicts."""
    verdicts = verdict_examples(db_path) if db_path else []
    LOGGER.info("training with %d reviewer verdicts", len(verdicts))
    return train_classifier(load_nlp(model), load_shipped_labels(corpus), extra=verdicts)


def verdict_examples(db_path: Path) -> list[Example]:
    """Verified and corrected claims as positives, rejected ones as negatives."""
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database")
    return [Example(text, start, end, label) for text, start, end, label in reviewed_claims(
        open_database(db_path))]
