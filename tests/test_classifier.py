"""The claim classifier and its training: a tiny labelled set, JSON round trip, reviewer verdicts, the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import training
from extractors.classifier import ClaimClassifier, ModelFormatError
from extractors.numbers import find_quantities
from extractors.training import (
    THRESHOLDS,
    Example,
    LabelledText,
    load_labelled,
    load_shipped_labels,
    polnear_dir,
    train_classifier,
)

# Claims are labelled; every other candidate in these texts is a non-claim by omission.
TINY = [
    ("Police said 4,500 people were arrested near Interstate 95.", [("4,500", "4,500 people were arrested")]),
    ("Prices rose 12 percent in March, the agency said.", [("12 percent", "Prices rose 12 percent in March")]),
    ("The company cut 300 jobs under Section 230 rules.", [("300", "The company cut 300 jobs")]),
    ("The No. 2 seed drove down Route 66.", []),
    ("About 2,000 homes lost power on Highway 287, officials said.", [("2,000", "About 2,000 homes lost power")]),
    ("The firm paid $3.5 million in fines to Unit 731 veterans.", [("$3.5 million", "The firm paid $3.5 million")]),
    ("That is one reason the Station 12 crew left.", []),
    ("Unemployment fell to 4.2% in Zone 3, the ministry said.", [("4.2%", "Unemployment fell to 4.2% in Zone 3")]),
    ("Nearly 80 percent of voters backed Proposition 13.", [("80 percent", "Nearly 80 percent of voters backed")]),
    ("Interstate 80 and Route 9 were closed.", []),
]
# Reviewer verdicts on non-claims, so the tiny set has negatives however strict numbers.py's exclusions get.
NON_CLAIMS = [("Police said 4,500 people were arrested near Interstate 95.", "95"),
              ("The No. 2 seed drove down Route 66.", "66"), ("The No. 2 seed drove down Route 66.", "2"),
              ("About 2,000 homes lost power on Highway 287, officials said.", "287"),
              ("Nearly 80 percent of voters backed Proposition 13.", "13")]


def _labelled(rows: list[tuple[str, list[tuple[str, str]]]]) -> list[LabelledText]:
    return [
        LabelledText(f"tiny-{i}", text, tuple({"doc": f"tiny-{i}", "number": n, "context": c} for n, c in claims))
        for i, (text, claims) in enumerate(rows)
    ]


def _verdicts() -> list[Example]:
    return [Example(text, text.index(number), text.index(number) + len(number), False) for text, number in NON_CLAIMS]


@pytest.fixture(scope="module")
def tiny_report(nlp, tmp_path_factory):
    return train_classifier(nlp, _labelled(TINY), _verdicts(), out_dir=tmp_path_factory.mktemp("model"))


def _quantity(doc, number: str):
    return next(q for q in find_quantities(doc) if q.number == number)


def test_training_writes_model_and_card(tiny_report):
    assert tiny_report.positives == 7
    assert tiny_report.negatives >= len(NON_CLAIMS)
    card = tiny_report.card_path.read_text(encoding="utf-8")
    assert tiny_report.data_sha256 in card
    assert "precision" in card and "Retrain" in card


def test_model_json_round_trips(nlp, tiny_report, tmp_path):
    first = ClaimClassifier.load(tiny_report.model_path)
    first.save(tmp_path / "copy.json", training={})
    second = ClaimClassifier.load(tmp_path / "copy.json")
    doc = nlp("Officials said 640 people were evacuated along Route 41.")
    for quantity in find_quantities(doc):
        assert first.score(doc, quantity) == second.score(doc, quantity)


def test_training_stores_the_threshold_chosen_out_of_fold(tiny_report):
    cv = tiny_report.cross_validation
    assert cv.threshold in THRESHOLDS
    assert cv.f1 >= cv.at_half.f1 and cv.f1 >= cv.keep_all.f1
    assert cv.keep_all.recall == 1.0 and cv.keep_all.non_claims_dropped == 0.0
    assert ClaimClassifier.load(tiny_report.model_path).threshold == cv.threshold
    assert f"{cv.threshold:.2f} (chosen)" in tiny_report.card_path.read_text(encoding="utf-8")


def test_a_model_file_without_a_threshold_keeps_every_candidate(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "claimwatch-claim-classifier/1", "intercept": 0.0, "weights": {}}),
                    encoding="utf-8")
    assert ClaimClassifier.load(path).threshold == 0.0


def test_training_is_reproducible(nlp, tiny_report, tmp_path):
    again = train_classifier(nlp, _labelled(TINY), _verdicts(), out_dir=tmp_path)
    assert again.model_path.read_bytes() == tiny_report.model_path.read_bytes()


def test_claim_scores_above_road_number(nlp, tiny_report):
    classifier = ClaimClassifier.load(tiny_report.model_path)
    doc = nlp("Officials said 640 people were evacuated along Route 41.")
    assert classifier.score(doc, _quantity(doc, "640")) > classifier.score(doc, _quantity(doc, "41"))


def test_reviewer_verdicts_add_examples(nlp, tiny_report, tmp_path):
    text = "Analysts said 75 flights were cancelled at Gate 7."
    verdicts = [Example(text, text.index("75"), text.index("75") + 2, True), Example(text, 0, 8, False)]
    report = train_classifier(nlp, _labelled(TINY), extra=_verdicts() + verdicts, out_dir=tmp_path)
    # The second verdict covers no quantity, so only the first becomes an example.
    assert report.examples == tiny_report.examples + 1
    assert report.data_sha256 != tiny_report.data_sha256


def test_load_rejects_other_json(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"weights": {}}), encoding="utf-8")
    with pytest.raises(ModelFormatError, match="retrain"):
        ClaimClassifier.load(path)


def test_load_labelled_reads_inline_and_corpus_texts(tmp_path):
    (tmp_path / "article.txt").write_text("Some 40 people came.", encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    lines = [
        {"doc": "article", "speakers": []},
        {"doc": "article", "number": "40", "context": "Some 40 people came"},
        {"doc": "written-1", "text": "The 1990s were loud.", "speakers": []},
    ]
    labels.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    labelled = load_labelled([labels], text_dir=tmp_path)
    assert [(item.doc, item.text, len(item.claims)) for item in labelled] == [
        ("article", "Some 40 people came.", 1),
        ("written-1", "The 1990s were loud.", 0),
    ]


def test_load_labelled_reads_the_corpus_variable_when_called(tmp_path, monkeypatch):
    (tmp_path / "article.txt").write_text("Some 40 people came.", encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"doc": "article", "number": "40", "context": "Some 40 people came"}),
                      encoding="utf-8")
    monkeypatch.setenv("CLAIMWATCH_CORPUS", str(tmp_path))
    assert [item.text for item in load_labelled([labels])] == ["Some 40 people came."]



def test_shipped_labels_read_each_file_from_its_own_folder(tmp_path, monkeypatch):
    corpus, polnear = tmp_path / "corpus", tmp_path / "polnear"
    corpus.mkdir()
    polnear.mkdir()
    (corpus / "page.txt").write_text("Some 40 people came.", encoding="utf-8")
    (polnear / "article.txt").write_text("The poll of 1,000 voters was taken.", encoding="utf-8")
    pages, articles = tmp_path / "labels.jsonl", tmp_path / "polnear.jsonl"
    pages.write_text(json.dumps({"doc": "page", "number": "40", "context": "Some 40 people came"}), encoding="utf-8")
    articles.write_text(json.dumps({"doc": "article", "speakers": []}), encoding="utf-8")
    monkeypatch.setattr(training, "DEFAULT_LABELS", (pages,))
    monkeypatch.setattr(training, "POLNEAR_LABELS", articles)
    monkeypatch.setenv("CLAIMWATCH_POLNEAR", str(polnear))
    labelled = load_shipped_labels(corpus)
    assert [(item.doc, item.text) for item in labelled] == [
        ("page", "Some 40 people came."), ("article", "The poll of 1,000 voters was taken.")]


def test_polnear_dir_reads_its_variable_when_called(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMWATCH_POLNEAR", str(tmp_path))
    assert polnear_dir() == tmp_path


def test_shipped_label_files_share_no_document():
    # Each file's texts come from its own folder, so a document id in two files would be read from the wrong one.
    def docs(path: Path) -> set[str]:
        return {json.loads(line)["doc"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}

    pages = set().union(*(docs(path) for path in training.DEFAULT_LABELS))
    assert docs(training.POLNEAR_LABELS) and not pages & docs(training.POLNEAR_LABELS)

# Real candidates, in the order the shipped model ranks them: a claim, then a phone number, a year, an index's
# name and a date. Listed here out of that order, so a model scoring everything alike cannot pass.
SHIPPED_RANKING = [
    ("The ministry said 1,200 homes were destroyed by the floods.", "1,200"),
    ("For more information, call 555-123-4567.", "555-123-4567"),
    ("He was born in 1984.", "1984"),
    ("The S&P 500 rose on Tuesday.", "500"),
    ("The hearing is set for March 5.", "5"),
]


def test_shipped_model_orders_real_candidates(nlp):
    classifier = ClaimClassifier.load_default()
    assert classifier is not None, "models/claim_classifier.json is missing: run claimwatch train"
    shuffled = [SHIPPED_RANKING[i] for i in (3, 0, 4, 2, 1)]
    scores = {}
    for text, number in shuffled:
        doc = nlp(text)
        scores[number] = classifier.score(doc, _quantity(doc, number))
    ranked = sorted(scores, key=lambda number: -scores[number])
    assert ranked == [number for _, number in SHIPPED_RANKING], scores
    assert scores["1,200"] > 0.9 and scores["500"] < 0.1 and scores["5"] < 0.1, scores


def test_shipped_model_has_its_card():
    card = Path(__file__).resolve().parent.parent / "models" / "CARD.md"
    model = json.loads((card.parent / "claim_classifier.json").read_text(encoding="utf-8"))
    assert model["training"]["data_sha256"] in card.read_text(encoding="utf-8")
