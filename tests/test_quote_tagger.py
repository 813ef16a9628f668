"""The learned attribution tagger on the real spaCy model and the shipped CRF: tags, links, and joins the rules."""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractors.attribution import find_quotes
from extractors.quote_tagger import MODEL_PATH, QuoteTagger, load_tagger


@pytest.fixture(scope="module")
def tagger() -> QuoteTagger:
    loaded = load_tagger()
    assert loaded is not None, f"{MODEL_PATH} is missing"
    return loaded


def _roles(nlp: Language, tagger: QuoteTagger, text: str) -> dict[str, str]:
    doc = nlp(text)
    return {segment.role: doc[segment.start : segment.end].text for para in tagger.segments(doc) for segment in para}


def test_tags_source_cue_and_content_of_a_reported_statement(nlp, tagger) -> None:
    roles = _roles(nlp, tagger, "Senator Jane Smith said the bill would fail in the House next week.")
    assert roles == {"S": "Senator Jane Smith", "C": "said", "Q": "the bill would fail in the House next week"}


def test_tags_a_cue_after_a_quotation(nlp, tagger) -> None:
    roles = _roles(nlp, tagger, "“We are not going to give up on this fight,” the mayor told reporters.")
    assert roles["S"] == "the mayor"
    assert roles["C"].startswith("told")
    assert "give up on this fight" in roles["Q"]


def test_links_content_to_its_cue_and_source(nlp, tagger) -> None:
    doc = nlp("Critics of the plan, including Mark Jones, complained that it would raise taxes on the poor.")
    [cue] = tagger.cues(doc)
    assert doc[cue.cue].text == "complained"
    assert doc[cue.source].text in ("Critics", "Jones")
    assert "raise taxes on the poor" in doc.text[cue.content[0][0] : cue.content[-1][1]]


def test_adds_an_attribution_the_rules_have_no_cue_for(nlp) -> None:
    doc = nlp("Governor Maria Lopez lamented that the state budget had collapsed under the new tax cuts.")
    quotes = find_quotes(doc)
    # PolNeAR, which the tagger learned from, counts the complementiser as part of the content.
    assert [(q.speaker, q.text) for q in quotes] == [
        ("Maria Lopez", "that the state budget had collapsed under the new tax cuts")
    ]


def test_shipped_model_is_small_and_not_pickled() -> None:
    data = MODEL_PATH.read_bytes()
    assert len(data) < 50 * 1024 * 1024
    assert data[:4] == b"lCRF"  # CRFsuite's own file header, read by pycrfsuite without unpickling
