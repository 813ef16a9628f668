"""Text-extraction yardstick: the body text `extract_page` gives for real pages against their true body.

Usage: python benchmarks/text_quality.py [--corpus ../shared/corpus/html] [--worst 10] [--show 4]

Every `<doc>.html` in the corpus that has a hand-checked body `<doc>.txt` is extracted and compared:
- tokens: precision and recall of the page's words (lower-cased, counted with repeats), micro-averaged;
- paragraphs: precision is the share of extracted paragraphs whose words run, in order, inside one true
  paragraph (furniture and paragraphs glued together fail it); recall is the share of true
  paragraphs found whole inside one extracted paragraph (a paragraph split or cut short fails it).

Scores are printed for all pages and for two groups: `held_out` (the dev-gold pages and the pages
drawn for the frozen check set, never to be tuned on) and `tuning` (the rest). The worst offenders
and the furniture they let in are listed from the tuning group only. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors.text import NotAnArticle, extract_page  # noqa: E402

CHECKSET = ROOT / "models/checkset/labels.jsonl"
# Drawn for the check set with the labelled pages but not labelled yet (models/checkset/README.md):
# they are held out all the same.
CHECKSET_UNLABELLED = {"aeb-nytimes-republicans-following-trump", "aeb-slashgear-audi-etron-sportback",
                       "fundus-metro-kings-speech", "fundus-techcrunch-strava-ai-cheats"}
_WORD = re.compile(r"\w+")


@dataclass
class PageScore:
    """One page's counts: shared, extracted and true tokens; sound and all extracted paragraphs; found and true ones."""

    doc: str
    tokens: tuple[int, int, int]
    paragraphs: tuple[int, int, int, int]
    extra: list[str]

    @property
    def token_f1(self) -> float:
        shared, ours, theirs = self.tokens
        return _f1(shared / ours if ours else 0.0, shared / theirs if theirs else 0.0)


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _paragraphs(text: str) -> list[str]:
    return [words for line in text.split("\n") if (words := _words(line))]


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _inside(paragraph: str, others: list[str]) -> bool:
    padded = f" {paragraph} "
    return any(padded in f" {other} " for other in others)


def score_page(doc: str, predicted: str, truth: str) -> PageScore:
    """Compare one page's extracted text with its true body."""
    ours, theirs = Counter(_words(predicted).split()), Counter(_words(truth).split())
    shared = sum((ours & theirs).values())
    predicted_paragraphs, true_paragraphs = _paragraphs(predicted), _paragraphs(truth)
    extra = [p for p in predicted_paragraphs if not _inside(p, true_paragraphs)]
    found = sum(_inside(t, predicted_paragraphs) for t in true_paragraphs)
    return PageScore(doc, (shared, sum(ours.values()), sum(theirs.values())),
                     (len(predicted_paragraphs) - len(extra), len(predicted_paragraphs), found, len(true_paragraphs)),
                     extra)


def summary(pages: list[PageScore]) -> dict:
    """Micro-averaged token and paragraph precision, recall and F1 over `pages`."""
    shared, ours, theirs = (sum(p.tokens[i] for p in pages) for i in range(3))
    sound, extracted, found, true = (sum(p.paragraphs[i] for p in pages) for i in range(4))
    token_p, token_r = shared / max(ours, 1), shared / max(theirs, 1)
    para_p, para_r = sound / max(extracted, 1), found / max(true, 1)
    return {"pages": len(pages),
            "token_p": round(token_p, 4), "token_r": round(token_r, 4), "token_f1": round(_f1(token_p, token_r), 4),
            "para_p": round(para_p, 4), "para_r": round(para_r, 4), "para_f1": round(_f1(para_p, para_r), 4)}


def held_out_docs(shared: Path) -> set[str]:
    """The dev-gold pages and the check-set pages: measured here, never tuned on."""
    docs = set(CHECKSET_UNLABELLED)
    for path in [*sorted((shared / "eval/gold").glob("dev-*.jsonl")), CHECKSET]:
        docs.update(json.loads(line)["doc"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return docs


def extract(html_path: Path) -> str:
    """The extracted body of one page, empty when the page is refused."""
    try:
        return extract_page(html_path.read_text(encoding="utf-8", errors="replace")).text
    except NotAnArticle:
        return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--corpus", type=Path, help="folder of <doc>.html and <doc>.txt (default: SHARED/corpus/html)")
    parser.add_argument("--worst", type=int, default=10, help="tuning pages to list, lowest token F1 first")
    parser.add_argument("--show", type=int, default=4, help="extracted paragraphs not in the truth to show a page")
    args = parser.parse_args()
    corpus = args.corpus or args.shared / "corpus/html"
    held_out = held_out_docs(args.shared)
    pages = []
    for truth_path in sorted(corpus.glob("*.txt")):
        html_path = truth_path.with_suffix(".html")
        if html_path.exists():
            truth = truth_path.read_text(encoding="utf-8")
            pages.append(score_page(truth_path.stem, extract(html_path), truth))
    if not pages:
        print(f"no <doc>.html with a <doc>.txt in {corpus}", file=sys.stderr)
        return 2
    tuning = [p for p in pages if p.doc not in held_out]
    result = {"all": summary(pages), "held_out": summary([p for p in pages if p.doc in held_out]),
              "tuning": summary(tuning)}
    for group, scores in result.items():
        print(f"{group:9} {scores}")
    print("\nworst tuning pages (token F1; paragraphs sound/extracted, found/true):")
    for page in sorted(tuning, key=lambda p: p.token_f1)[: args.worst]:
        sound, extracted, found, true = page.paragraphs
        print(f"  {page.token_f1:.3f}  {sound}/{extracted}  {found}/{true}  {page.doc}")
        for paragraph in page.extra[: args.show]:
            print(f"      + {paragraph[:110]}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
