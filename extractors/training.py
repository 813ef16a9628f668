"""Train the claim classifier: labelled texts and reviewer verdicts → features → fitted, cross-validated model and card.

Offline only: the crawl never imports this module. The model it writes is read by extractors/classifier.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from extractors.classifier import MODEL_DIR, MODEL_FILE, ClaimClassifier, quantity_features
from extractors.numbers import Quantity, find_quantities

LOGGER = logging.getLogger(__name__)

CARD_FILE = "CARD.md"
TRAINING_DIR = MODEL_DIR / "training"
DEFAULT_LABELS = (TRAINING_DIR / "labels.jsonl", TRAINING_DIR / "sentences.jsonl")
POLNEAR_LABELS = TRAINING_DIR / "polnear.jsonl"  # claims labelled in PolNeAR train articles, read from polnear_dir()
REGULARISATION = 1.0
FOLDS = 5
# Thresholds tried on the out-of-fold scores; the one with the best F1 is kept, the lowest on a tie,
# because a real claim dropped is lost to the reviewer while junk kept only costs a glance.
THRESHOLDS = tuple(step / 100 for step in range(5, 96, 5))
QUOTE_FOLDS = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}


@dataclass(frozen=True)
class Example:
    """One reviewer verdict: the quantity at `text[start:end]` is (True) or is not (False) a claim."""

    text: str
    start: int
    end: int
    label: bool


@dataclass(frozen=True)
class LabelledText:
    """A text with its hand-labelled claims, in the gold JSON Lines format of shared/eval."""

    doc: str
    text: str
    claims: tuple[dict, ...]


@dataclass(frozen=True)
class Detection:
    """Detection scores of the out-of-fold predictions at one threshold."""

    threshold: float
    precision: float
    recall: float
    f1: float
    non_claims_dropped: float  # share of the non-claims scored below the threshold


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold detection, documents kept whole within a fold: at the chosen threshold, at 0.5, and keeping all."""

    precision: float
    recall: float
    f1: float
    folds: int
    threshold: float
    non_claims_dropped: float
    at_half: Detection
    keep_all: Detection


@dataclass(frozen=True)
class TrainingReport:
    """What a training run used and how well the model did on held-out documents."""

    examples: int
    positives: int
    negatives: int
    rule_excluded: int  # examples the rules already exclude: learnt from, left out of the threshold's choice
    labels_missed: int  # non-optional labels that find_quantities offered no candidate for
    data_sha256: str
    cross_validation: CrossValidation
    model_path: Path
    card_path: Path
    missed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    features: dict[str, float]
    label: bool
    group: str
    scored: bool = True  # False for a candidate the rules exclude: learnt from, but the threshold never sees it


def load_labelled(paths: Iterable[Path] = DEFAULT_LABELS, text_dir: Path | None = None) -> list[LabelledText]:
    """Read gold-format label files: a document line (holding `text`, or with DOC.txt in `text_dir`) and claims.

    Args:
        paths: JSON Lines files in the shared/eval gold format.
        text_dir: where DOC.txt lives for documents whose line has no `text`; defaults to CLAIMWATCH_CORPUS.
    Returns:
        One LabelledText per document, in file order.
    """
    text_dir = corpus_dir() if text_dir is None else Path(text_dir)
    texts: dict[str, str] = {}
    claims: dict[str, list[dict]] = {}
    for path in paths:
        for record in _read_jsonl(Path(path)):
            doc = record["doc"]
            claims.setdefault(doc, [])
            if "number" in record:
                claims[doc].append(record)
            else:
                texts[doc] = record["text"] if "text" in record else _read_text(text_dir, doc)
    return [
        LabelledText(doc, texts[doc] if doc in texts else _read_text(text_dir, doc), tuple(found))
        for doc, found in claims.items()
    ]


def load_shipped_labels(corpus: Path | None = None, polnear: Path | None = None) -> list[LabelledText]:
    """Every label file in models/training/, each read with the texts it was labelled on.

    Args:
        corpus: the corpus pages' texts for labels.jsonl; defaults to CLAIMWATCH_CORPUS.
        polnear: the PolNeAR train articles' texts for polnear.jsonl; defaults to CLAIMWATCH_POLNEAR.
    """
    return load_labelled(DEFAULT_LABELS, corpus) + load_labelled((POLNEAR_LABELS,), polnear or polnear_dir())


def polnear_dir() -> Path:
    """Where the PolNeAR train articles are: `$CLAIMWATCH_POLNEAR`, else ../shared/eval/polnear-train.

    Like the corpus pages they are third-party texts, so only their labels are kept here.
    """
    return Path(os.environ.get("CLAIMWATCH_POLNEAR", MODEL_DIR.parent.parent / "shared" / "eval" / "polnear-train"))


def corpus_dir() -> Path:
    """Where the labelled articles' texts are: `$CLAIMWATCH_CORPUS`, else ../shared/corpus/html.

    The labelled articles are third-party pages we may not republish, so their texts stay outside the
    repository. Read when training asks, so setting the variable after import still counts.
    """
    return Path(os.environ.get("CLAIMWATCH_CORPUS", MODEL_DIR.parent.parent / "shared" / "corpus" / "html"))


def _read_jsonl(path: Path) -> Iterable[dict]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not JSON: {error}") from error


def _read_text(text_dir: Path, doc: str) -> str:
    path = text_dir / f"{doc}.txt"
    if not path.exists():
        raise FileNotFoundError(f"no text for labelled document {doc!r} at {path}; "
                                "set CLAIMWATCH_CORPUS or CLAIMWATCH_POLNEAR")
    return path.read_text(encoding="utf-8")


def _norm(text: str | None) -> str:
    """Fold case, quotes and spaces the way shared/eval/score.py does, so labels match as they are scored."""
    text = unicodedata.normalize("NFKC", text or "")
    for curly, plain in QUOTE_FOLDS.items():
        text = text.replace(curly, plain)
    return re.sub(r"\s+", " ", text).strip().lower()


def _value_matches(quantity: Quantity, claim: dict) -> bool:
    if claim.get("value") is not None and quantity.value is not None:
        return math.isclose(quantity.value, claim["value"], rel_tol=0.005)
    return (quantity.low, quantity.high) == (claim.get("low"), claim.get("high"))


def _match_claims(doc: Doc, quantities: Sequence[Quantity], claims: Iterable[dict]) -> dict[int, dict]:
    """Pair labels with candidates as score.py does: context in the sentence, number in the candidate."""
    keys = [_match_key(doc, quantity) for quantity in quantities]
    matched: dict[int, dict] = {}
    for claim in claims:
        best = None
        for index, quantity in enumerate(quantities):
            if index in matched or not _fits(keys[index], claim):
                continue
            best = index
            if _value_matches(quantity, claim):
                break
        if best is not None:
            matched[best] = claim
    return matched


def _match_key(doc: Doc, quantity: Quantity) -> tuple[str, str, str]:
    sentence = doc.char_span(quantity.start, quantity.end, alignment_mode="expand").sent.text
    return _norm(sentence), _norm(quantity.text) + " | " + _norm(quantity.number), _norm(quantity.number)


def _fits(key: tuple[str, str, str], claim: dict) -> bool:
    sentence, surface, own = key
    number = _norm(claim["number"])
    return _norm(claim["context"]) in sentence and (number in surface or bool(own and own in number))


def _labelled_rows(nlp: Language, labelled: Sequence[LabelledText]) -> tuple[list[_Row], list[str]]:
    rows: list[_Row] = []
    missed: list[str] = []
    for item, doc in zip(labelled, nlp.pipe(item.text for item in labelled), strict=True):
        quantities = find_quantities(doc)
        matched = _match_claims(doc, quantities, item.claims)
        rows += _document_rows(doc, item, quantities, matched)
        found = {id(claim) for claim in matched.values()}
        missed += [f"{item.doc}: {c['number']!r} in {c['context']!r}" for c in item.claims
                   if id(c) not in found and not c.get("optional")]
    return rows, missed


def _document_rows(
    doc: Doc, item: LabelledText, quantities: Sequence[Quantity], matched: dict[int, dict]
) -> list[_Row]:
    rows = []
    for index, quantity in enumerate(quantities):
        claim = matched.get(index)
        if claim is not None and not claim.get("optional"):
            rows.append(_Row(quantity_features(doc, quantity), True, item.doc, quantity.excluded is None))
        # A candidate fitting a label another candidate took is part of a split mention: neither claim nor not.
        elif claim is None and not any(_fits(_match_key(doc, quantity), other) for other in item.claims):
            rows.append(_Row(quantity_features(doc, quantity), False, item.doc, quantity.excluded is None))
    return rows


def _extra_rows(nlp: Language, extra: Iterable[Example]) -> list[_Row]:
    by_text: dict[str, list[Example]] = {}
    for example in extra:
        by_text.setdefault(example.text, []).append(example)
    rows: list[_Row] = []
    for (text, examples), doc in zip(by_text.items(), nlp.pipe(by_text), strict=True):
        quantities = find_quantities(doc)
        group = "verdict:" + hashlib.sha256(text.encode()).hexdigest()[:12]
        for example in examples:
            quantity = _overlapping(quantities, example.start, example.end)
            if quantity is None:
                LOGGER.warning("no quantity at %d-%d of a reviewed text; verdict skipped", example.start, example.end)
                continue
            rows.append(_Row(quantity_features(doc, quantity), example.label, group))
    return rows


def _overlapping(quantities: Sequence[Quantity], start: int, end: int) -> Quantity | None:
    overlaps = [(min(end, q.end) - max(start, q.start), q) for q in quantities]
    best = max(overlaps, key=lambda pair: pair[0], default=(0, None))
    return best[1] if best[0] > 0 else None


def _data_sha256(labelled: Sequence[LabelledText], extra: Sequence[Example]) -> str:
    payload = [[item.doc, item.text, list(item.claims)] for item in labelled] + [asdict(e) for e in extra]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def train_classifier(
    nlp: Language,
    labelled: list[LabelledText],
    extra: Iterable[Example] = (),
    out_dir: Path = MODEL_DIR,
) -> TrainingReport:
    """Train on labelled texts plus reviewer verdicts, cross-validate, and write the model JSON and its card.

    Args:
        nlp: the spaCy pipeline the extractor uses (features depend on its parse).
        labelled: texts with gold-format claims (see `load_labelled`); unlabelled candidates are negatives.
        extra: reviewer verdicts; each becomes one example for the quantity at its offsets.
        out_dir: where claim_classifier.json and CARD.md are written.
    Returns:
        The counts, data hash, cross-validated scores and file paths.
    """
    extra = list(extra)
    rows, missed = _labelled_rows(nlp, labelled)
    rows += _extra_rows(nlp, extra)
    if len({row.label for row in rows}) < 2:
        raise ValueError("training needs both claims and non-claims; label more texts")
    validation = _cross_validate(rows)
    classifier = _fit(rows, validation.threshold)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = TrainingReport(
        examples=len(rows),
        positives=sum(row.label for row in rows),
        negatives=sum(not row.label for row in rows),
        rule_excluded=sum(not row.scored for row in rows),
        labels_missed=len(missed),
        data_sha256=_data_sha256(labelled, extra),
        cross_validation=validation,
        model_path=out_dir / MODEL_FILE,
        card_path=out_dir / CARD_FILE,
        missed=missed,
    )
    classifier.save(report.model_path, _training_summary(report, len(labelled), len(extra)))
    report.card_path.write_text(_card(report, classifier, len(labelled), len(extra)), encoding="utf-8")
    LOGGER.info("trained on %d examples: threshold %.2f, CV precision %.3f recall %.3f F1 %.3f", report.examples,
                validation.threshold, validation.precision, validation.recall, validation.f1)
    return report


def _fit(rows: Sequence[_Row], threshold: float = 0.0) -> ClaimClassifier:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform([row.features for row in rows])
    model = LogisticRegression(C=REGULARISATION, max_iter=5000, random_state=0)
    model.fit(matrix, [row.label for row in rows])
    # Rounded before use, so the model in memory scores exactly as the one read back from JSON.
    weights = {name: round(float(w), 6) for name, w in zip(vectorizer.feature_names_, model.coef_[0], strict=True)}
    return ClaimClassifier({name: w for name, w in weights.items() if w != 0.0}, round(float(model.intercept_[0]), 6),
                           threshold)


def _cross_validate(rows: Sequence[_Row]) -> CrossValidation:
    """Score every row with a model fitted on the other folds, then pick the threshold on those scores.

    Only candidates the rules keep are measured: the threshold is applied to them alone.
    """
    from sklearn.model_selection import GroupKFold

    groups = [row.group for row in rows]
    folds = min(FOLDS, len(set(groups)))
    scores: dict[int, float] = {}
    for train, test in GroupKFold(n_splits=folds).split(rows, groups=groups):
        classifier = _fit([rows[i] for i in train])
        scores.update({i: classifier.score_features(rows[i].features) for i in test})
    scored = [i for i in range(len(rows)) if rows[i].scored]
    labels = [rows[i].label for i in scored]
    ordered = [scores[i] for i in scored]
    best = max((_detection(ordered, labels, threshold) for threshold in THRESHOLDS),
               key=lambda found: (found.f1, -found.threshold))
    return CrossValidation(best.precision, best.recall, best.f1, folds, best.threshold, best.non_claims_dropped,
                           _detection(ordered, labels, 0.5), _detection(ordered, labels, 0.0))


def _detection(scores: Sequence[float], labels: Sequence[bool], threshold: float) -> Detection:
    kept = [score >= threshold for score in scores]
    true_positives = sum(k and label for k, label in zip(kept, labels, strict=True))
    precision = true_positives / max(1, sum(kept))
    recall = true_positives / max(1, sum(labels))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    negatives = [k for k, label in zip(kept, labels, strict=True) if not label]
    dropped = sum(not k for k in negatives) / max(1, len(negatives))
    return Detection(threshold, round(precision, 3), round(recall, 3), round(f1, 3), round(dropped, 3))


def _training_summary(report: TrainingReport, documents: int, verdicts: int) -> dict:
    return {
        "data_sha256": report.data_sha256,
        "documents": documents,
        "verdicts": verdicts,
        "examples": report.examples,
        "positives": report.positives,
        "cross_validation": asdict(report.cross_validation),
        "regularisation_C": REGULARISATION,
    }


def _card(report: TrainingReport, classifier: ClaimClassifier, documents: int, verdicts: int) -> str:
    cv = report.cross_validation
    strongest = sorted(classifier.weights.items(), key=lambda item: -abs(item[1]))[:15]
    lines = [
        "# Claim classifier card",
        "",
        f"Written by `extractors.training.train_classifier` on {date.today().isoformat()}. Do not edit by hand.",
        "",
        f"Logistic regression (scikit-learn, L2, C={REGULARISATION}) over named binary features of each candidate "
        f"quantity from `extractors.numbers.find_quantities`; stored as JSON weights in `{MODEL_FILE}` and scored "
        "without scikit-learn or unpickling.",
        "",
        "## Data",
        f"- training data SHA-256: `{report.data_sha256}`",
        f"- {documents} labelled texts, {verdicts} reviewer verdicts",
        f"- {report.examples} examples: {report.positives} claims, {report.negatives} non-claims "
        f"(candidates matching an optional label are left out); {report.rule_excluded} of them are candidates "
        "the rules already exclude (dates, names, codes…), learnt from so the model also knows junk by its shape, "
        "but left out when the threshold is chosen",
        f"- {report.labels_missed} non-optional labels had no candidate from find_quantities (recall lost upstream)",
        "",
        "## Features",
        "kind and change; surface shape (digits, words, currency, percent, decimal, fraction, "
        "year-like, qualifier, hyphen-joined, magnitude); lemma and POS of two tokens either side; entity type; "
        "dependency relation, head lemma, head POS and head dependency; sentence length, reporting cue, inside a "
        "quotation, question, verbless, headline-like paragraph, first sentence, position in the document.",
        "",
        f"## Cross-validated detection ({cv.folds}-fold GroupKFold by document)",
        f"Each candidate is scored by a model fitted on the other folds; the threshold is the one of "
        f"{THRESHOLDS[0]:.2f}, {THRESHOLDS[1]:.2f} … {THRESHOLDS[-1]:.2f} with the best F1 on those scores "
        "(the lowest on a tie), stored in the model. Chosen on the same out-of-fold scores it is measured on, "
        "so its figures lean optimistic. The claims stage does not drop by it: with the labels of 2026-12-03, "
        "dropping below it cost recall on the check set (full-claim F1 0.700 to 0.696) and the dev gold "
        "(0.956 to 0.945); the score orders the review queue.",
        "",
        "| threshold | precision | recall | F1 | non-claims dropped |",
        "|---|---|---|---|---|",
        *[f"| {found.threshold:.2f} | {found.precision:.3f} | {found.recall:.3f} | {found.f1:.3f} | "
          f"{found.non_claims_dropped:.3f} |" for found in (cv.keep_all, cv.at_half)],
        f"| **{cv.threshold:.2f} (chosen)** | {cv.precision:.3f} | {cv.recall:.3f} | {cv.f1:.3f} | "
        f"{cv.non_claims_dropped:.3f} |",
        "",
        "## Strongest weights",
        *[f"- `{name}`: {weight:+.3f}" for name, weight in strongest],
        "",
        "## Retrain",
        "`claimwatch train --db PATH` (labels in `models/training/`, article texts from "
        "`$CLAIMWATCH_CORPUS` and `$CLAIMWATCH_POLNEAR`, reviewers' verdicts from the database), or call "
        "`train_classifier(nlp, load_shipped_labels(), extra=verdicts)`. "
        "The same data gives the same JSON.",
        "",
    ]
    return "\n".join(lines)
