"""The claim stages as spaCy components, on the real model: their order, their Doc extensions, the country."""

from __future__ import annotations

import math

import pytest
import spacy

from extractors.claims import CLAIMS, QUANTITIES, QUOTES, Extraction
from extractors.classifier import ClaimClassifier

SENTENCE = "Police said 1,200 people were arrested in Sydney, at a cost of $3 million."


def test_the_stages_run_after_the_parse_in_order(finder):
    names = finder.nlp.pipe_names
    assert names[-3:] == [QUANTITIES, QUOTES, CLAIMS]
    assert names.index("parser") < names.index(QUANTITIES) and names.index("ner") < names.index(QUANTITIES)


def test_a_doc_carries_quantities_quotes_and_claims(finder):
    doc = finder.nlp(SENTENCE)
    assert [q.number for q in doc._.quantities] == ["1,200", "$3 million"]
    assert [(quote.speaker, quote.cue) for quote in doc._.quotes] == [("Police", "said")]
    claims = doc._.claims
    assert [(c.quantity.number, c.speaker, c.sentence_start) for c in claims] == [
        ("1,200", "Police", 0), ("$3 million", "Police", 0)]
    assert all(0.0 < claim.score < 1.0 for claim in claims)
    assert Extraction.of(doc) == finder.find(SENTENCE)


def test_the_country_set_before_the_pipeline_says_whose_dollar(finder):
    doc = finder.nlp.make_doc(SENTENCE)
    doc._.country = "AU"
    assert [q.unit for q in finder.nlp(doc)._.quantities] == [None, "AUD"]
    assert [q.unit for q in finder.nlp(SENTENCE)._.quantities] == [None, "USD"]
    found = finder.find_many([SENTENCE, SENTENCE], countries=["NZ", None])
    assert [extraction.quantities[1].unit for extraction in found] == ["NZD", "USD"]


def test_a_default_country_is_the_quantities_stage_setting(finder):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(QUANTITIES, config={"default_country": "CA"})
    assert [q.unit for q in nlp("It cost $40.")._.quantities] == ["CAD"]


def test_the_claims_stage_needs_the_stages_before_it():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(CLAIMS)
    with pytest.raises(ValueError, match=QUANTITIES):
        nlp("It cost $40.")


def test_the_claims_stage_scores_with_the_classifier_its_config_names(tmp_path):
    path = tmp_path / "model.json"
    ClaimClassifier({"kind=count": 2.0}, -1.0).save(path, training={})
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    for stage in (QUANTITIES, QUOTES):
        nlp.add_pipe(stage)
    nlp.add_pipe(CLAIMS, config={"classifier_path": str(path)})
    scores = {claim.quantity.number: claim.score for claim in nlp("They counted 40 birds and 12% more bats.")._.claims}
    assert scores == {"40": pytest.approx(1 / (1 + math.exp(-1))), "12%": pytest.approx(1 / (1 + math.exp(1)))}
