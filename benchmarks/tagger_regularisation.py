"""Choose the attribution tagger's regularisation on PolNeAR train alone: fit on most of the train split, score
tokens on a held-out part of it, for each (c1, c2) given. PolNeAR dev stays out of the choice.

    .venv/bin/python benchmarks/tagger_regularisation.py --train ../shared/eval/polnear-train \
        --every 7 0.05,0.01 0.05,0.5 0.5,0.01

Every `--every`-th article (in name order) is held out. One JSON line per setting: minutes, model size, and
token precision, recall and F1 of source, cue and content on the held-out articles.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pycrfsuite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors import train_quote_tagger as trainer_module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--every", type=int, default=7, help="hold out every Nth article")
    parser.add_argument("--cache", type=Path, default=Path(".cache"))
    parser.add_argument("settings", nargs="+", help="c1,c2 pairs")
    args = parser.parse_args()
    articles = trainer_module.load_split(args.train)
    docs = trainer_module.parse_cached(articles, trainer_module.DEFAULT_MODEL, args.cache)
    fitted, held = [], []
    for number, (doc, article) in enumerate(zip(docs, articles, strict=True), start=1):
        tags = trainer_module.token_tags(doc, article.attributions)
        for tokens, features in trainer_module.document_features(doc):
            (held if number % args.every == 0 else fitted).append((features, [tags.get(t.i, "O") for t in tokens]))
    for setting in args.settings:
        c1, c2 = (float(value) for value in setting.split(","))
        print(json.dumps(fit_and_score(fitted, held, c1, c2)), flush=True)


def fit_and_score(fitted: list, held: list, c1: float, c2: float) -> dict:
    """Train one CRF with these strengths and score it on the held-out sequences."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for features, tags in fitted:
        trainer.append(features, tags)
    trainer.set_params(dict(trainer_module.TRAINER_PARAMS, c1=c1, c2=c2))
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tagger.crfsuite"
        trainer.train(str(path))
        return {"c1": c1, "c2": c2, "minutes": round((time.monotonic() - started) / 60, 1),
                "kb": path.stat().st_size // 1024, "scores": trainer_module.tag_scores(held, path)}


if __name__ == "__main__":
    main()
