"""Score candidate claims: a logistic regression over features of a quantity and its sentence, kept as JSON.

Runtime only: the model and its features. Fitting it on labelled data is extractors/training.py's job.
"""

from __future__ import annotations

import json
import logging
import math
import re
from bisect import bisect_right
from pathlib import Path

from spacy.tokens import Doc, Span

from extractors.numbers import Quantity
from extractors.text import paragraph_bounds
from extractors.words import REPORTING_LEMMAS

LOGGER = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
MODEL_FILE = "claim_classifier.json"
FORMAT = "claimwatch-claim-classifier/1"


class ModelFormatError(ValueError):
    """A model file is not a claim-classifier JSON file this version can read."""


class ClaimClassifier:
    """Probability that a quantity is a real quantitative claim worth review.

    `threshold` is the cut with the best cross-validated F1 when the model was trained, stored in its JSON
    (0 in a model file written before thresholds were chosen). The claims stage does not drop by it (see
    claims.ClaimAssembler); it says where, on the training data, junk starts in the ranked review queue.
    """

    def __init__(self, weights: dict[str, float], intercept: float, threshold: float = 0.0) -> None:
        self.weights = weights
        self.intercept = intercept
        self.threshold = threshold

    @classmethod
    def load(cls, path: Path) -> ClaimClassifier:
        """Read a model written by `save`; plain JSON, never unpickled."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ModelFormatError(f"{path} is not JSON ({error}); retrain with `claimwatch train`") from error
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelFormatError(f"{path} is not a {FORMAT} file; retrain with `claimwatch train`")
        weights = {str(name): float(weight) for name, weight in data["weights"].items()}
        return cls(weights, float(data["intercept"]), float(data.get("threshold", 0.0)))

    @classmethod
    def load_default(cls) -> ClaimClassifier | None:
        """The model shipped in models/, or None when none has been trained yet."""
        path = MODEL_DIR / MODEL_FILE
        if not path.exists():
            LOGGER.info("no claim classifier at %s; claims will not be scored", path)
            return None
        return cls.load(path)

    def score(self, doc: Doc, quantity: Quantity) -> float:
        """The probability, between 0 and 1."""
        return self.score_features(quantity_features(doc, quantity))

    def score_features(self, features: dict[str, float]) -> float:
        """The probability for an already computed feature dict."""
        z = self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))

    def save(self, path: Path, training: dict) -> None:
        """Write the weights and threshold as sorted JSON, so the same training data gives the same file."""
        data = {"format": FORMAT, "intercept": self.intercept, "threshold": self.threshold,
                "weights": self.weights, "training": training}
        Path(path).write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- features


def quantity_features(doc: Doc, quantity: Quantity) -> dict[str, float]:
    """The named features of one quantity: its shape, neighbours, syntax and sentence.

    Not the rules' exclusion: the model backs the rules up, so it learns junk from its shape and context.
    """
    span = doc.char_span(quantity.start, quantity.end, alignment_mode="expand")
    features = {
        f"kind={quantity.kind}": 1.0,
        f"change={quantity.change}": 1.0,
        "has_subject": float(quantity.subject is not None),
    }
    features.update(_shape_features(_document_text(doc), quantity))
    features.update(_neighbour_features(span))
    features.update(_syntax_features(span))
    features.update(_sentence_features(doc, span))
    return features


def _document_text(doc: Doc) -> str:
    # Doc.text joins every token on each call, and the features ask for it once per quantity.
    if "claimwatch.text" not in doc.user_data:
        doc.user_data["claimwatch.text"] = doc.text
    return doc.user_data["claimwatch.text"]


def _shape_features(text: str, quantity: Quantity) -> dict[str, float]:
    number = quantity.number.lower()
    before = text[quantity.start - 1 : quantity.start]
    after = text[quantity.end : quantity.end + 1]
    flags = {
        "shape=digits": bool(re.search(r"\d", number)),
        "shape=words": bool(re.fullmatch(r"[a-z \-]+", number)),
        "shape=currency": bool(re.search(r"[$£€¥₹]|\b(rm|r|rs|usd|eur)\d", number)),
        "shape=percent": bool(re.search(r"%|per ?cent", number)),
        "shape=decimal": bool(re.search(r"\d\.\d", number)),
        "shape=thousands_comma": bool(re.search(r"\d,\d{3}", number)),
        "shape=fraction": "/" in number,
        "shape=year_like": bool(re.fullmatch(r"(1[89]|20)\d\d", number)),
        "shape=qualified": quantity.text.lower() != number,
        "shape=hyphen_joined": before == "-" or after == "-",
        "shape=in_parentheses": before == "(",
    }
    features = {name: 1.0 for name, on in flags.items() if on}
    features[f"magnitude={_magnitude(quantity.value)}"] = 1.0
    return features


def _magnitude(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "none"
    if value == 0:
        return "zero"
    return str(max(-3, min(12, math.floor(math.log10(abs(value))))))


def _neighbour_features(span: Span) -> dict[str, float]:
    doc = span.doc
    features: dict[str, float] = {f"ent={span.root.ent_type_ or 'none'}": 1.0}
    for offset, index in (("-2", span.start - 2), ("-1", span.start - 1), ("+1", span.end), ("+2", span.end + 1)):
        if 0 <= index < len(doc) and not doc[index].is_space:
            token = doc[index]
            features[f"lemma{offset}={token.lemma_.lower()}"] = 1.0
            features[f"pos{offset}={token.pos_}"] = 1.0
        else:
            features[f"pos{offset}=none"] = 1.0
    if span.start > 0 and doc[span.start - 1].pos_ == "PROPN" and doc[span.start - 1].is_title:
        features["after_proper_name"] = 1.0
    return features


def _syntax_features(span: Span) -> dict[str, float]:
    root = span.root
    return {
        f"dep={root.dep_}": 1.0,
        f"head_lemma={root.head.lemma_.lower()}": 1.0,
        f"head_pos={root.head.pos_}": 1.0,
        f"head_dep={root.head.dep_}": 1.0,
    }


def _sentence_features(doc: Doc, span: Span) -> dict[str, float]:
    text = _document_text(doc)
    sentence = span.sent
    size = len(sentence)
    features = {
        f"sentence_length={'<8' if size < 8 else '<20' if size < 20 else '<40' if size < 40 else '40+'}": 1.0,
        f"document_quarter={min(3, 4 * span.start_char // max(1, len(text)))}": 1.0,
    }
    flags = {
        "reporting_cue": any(token.lemma_.lower() in REPORTING_LEMMAS for token in sentence),
        "in_quotation": _inside_quotation(doc, span.start_char),
        "sentence_start": span.start == sentence.start,
        "question": sentence.text.rstrip().endswith("?"),
        "no_verb": not any(token.pos_ in ("VERB", "AUX") for token in sentence),
        "headline_like": _in_unpunctuated_paragraph(doc, span.start_char),
        "first_sentence": sentence.start == 0,
    }
    features.update({name: 1.0 for name, on in flags.items() if on})
    return features


def _paragraph_at(doc: Doc, position: int) -> tuple[int, int]:
    # The paragraphs are found once per doc; the features ask for one per quantity.
    if "claimwatch.paragraphs" not in doc.user_data:
        doc.user_data["claimwatch.paragraphs"] = paragraph_bounds(_document_text(doc)) or [(0, 0)]
    paragraphs = doc.user_data["claimwatch.paragraphs"]
    index = bisect_right(paragraphs, (position, len(_document_text(doc)) + 1)) - 1
    return paragraphs[max(index, 0)]


def _inside_quotation(doc: Doc, position: int) -> bool:
    # Quotations do not cross paragraphs in news copy, so counting marks since the paragraph start is enough.
    before = _document_text(doc)[_paragraph_at(doc, position)[0] : position]
    return before.count('"') % 2 == 1 or before.count("\u201c") > before.count("\u201d")


def _in_unpunctuated_paragraph(doc: Doc, position: int) -> bool:
    # Headlines, live-blog entry titles and captions end without a full stop.
    start, end = _paragraph_at(doc, position)
    return not _document_text(doc)[start:end].rstrip().endswith((".", "!", "?", '"', "\u201d", "'", "\u2019", ":"))
