"""Quality yardstick: claims, speakers and units on the frozen check set, scored by the shared scorer.

Usage: python benchmarks/checkset.py [--labels models/checkset/labels.jsonl] [--shared ../shared]
                                     [--cmd "claimwatch extract {paths} --format jsonl"] [--misses]

Runs the extractor once over every check-set page (the model loads once), scores the records with
`shared/eval/score.py --pred`, then adds what that scorer leaves out: how many matched claims whose
label gives a unit carry it, and carry the right one. Prints one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CMD = f"{ROOT / '.venv/bin/claimwatch'} extract {{paths}} --format jsonl"


def _pages(labels: Path, corpus: Path) -> list[Path]:
    docs = sorted({json.loads(line)["doc"] for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()})
    return [corpus / f"{doc}.html" for doc in docs]


def _extract(template: str, pages: list[Path]) -> list[dict]:
    cmd = template.format(paths=" ".join(shlex.quote(str(p)) for p in pages))
    proc = subprocess.run(cmd, shell=True, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def _unit_scores(scorer, gold_claims: dict, preds: dict) -> dict:
    """Among labelled claims with a unit that the extractor found, the share carrying a unit and the right one."""
    given = carried = right = 0
    for doc, golds in gold_claims.items():
        cands = [p for p in preds.get(doc, []) if p.get("record", "claim") == "claim"]
        for gold in golds:
            if gold.get("optional") or not gold.get("unit"):
                continue
            ctx, num = scorer.norm(gold["context"]), scorer.norm(gold["number"])
            hit = next((p for p in cands if ctx in scorer.norm(p.get("sentence"))
                        and num in scorer.norm(p.get("text")) + " | " + scorer.norm(p.get("number"))), None)
            if hit is None:
                continue
            given += 1
            carried += bool(hit.get("unit"))
            right += (hit.get("unit") or "").casefold() == gold["unit"].casefold()
    return {"unit_cases": given,
            "unit_carried": round(carried / given, 3) if given else None,
            "unit_acc": round(right / given, 3) if given else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=Path, default=ROOT / "models/checkset/labels.jsonl")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cmd", default=DEFAULT_CMD)
    parser.add_argument("--misses", action="store_true", help="print the scorer's misses and extras too")
    args = parser.parse_args()
    sys.path.insert(0, str(args.shared / "eval"))
    import score as scorer  # the shared scorer, standard library only

    records = _extract(args.cmd, _pages(args.labels, args.shared / "corpus/html"))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        out.write("".join(json.dumps(r) + "\n" for r in records))
    gold_claims, meta = scorer.load_gold([str(args.labels)])
    preds: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        preds[record["doc"]].append(record)
    result = scorer.score(gold_claims, meta, preds)
    if args.misses:
        for line in result["misses"]:
            print("miss  ", line)
        for line in result["false_positives"]:
            print("extra ", line)
    summary = {k: v for k, v in result.items() if k not in ("misses", "false_positives")}
    summary.update(_unit_scores(scorer, gold_claims, preds))
    print(json.dumps({"set": "check", **summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
