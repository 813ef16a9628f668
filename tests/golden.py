"""Golden claim files: the claims `claimwatch extract` finds in each test page, kept as JSON beside the page.

`python -m tests.golden --refresh` (or `make golden`) rewrites them after an intended change to the output;
tests/test_golden.py fails, with a claim-by-claim diff, on any change that was not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from extractors.claims import EXTRACTOR_VERSION, ClaimFinder
from extractors.text import page_from
from monitor.fetch import fetch
from tests.conftest import MODEL

TESTS = Path(__file__).resolve().parent
PAGE_DIRS = (TESTS.parent / "monitor" / "sample" / "pages", TESTS / "data")
PAGE_SUFFIXES = (".html", ".txt")
SUFFIX = ".claims.json"
REFRESH = "python -m tests.golden --refresh (or make golden)"
# Shown for a changed claim; the rest of a record only matters through these.
_SHOWN = ("number", "value", "low", "high", "kind", "change", "unit", "subject", "speaker", "score", "sentence")


def golden_pages() -> list[Path]:
    """Every page the tests keep (sample feed pages and tests/data), in name order."""
    return sorted(path for folder in PAGE_DIRS for path in folder.iterdir() if path.suffix in PAGE_SUFFIXES)


def golden_path(page: Path) -> Path:
    """Where a page's golden claims live: `name.claims.json` beside `name.html`."""
    return page.with_suffix(SUFFIX)


def golden_record(page: Path, finder: ClaimFinder) -> dict:
    """What the golden file of `page` holds: the extractor version and every claim record, as `extract` gives them."""
    article = page_from(fetch(str(page)))
    extraction = finder.find(article.text, article.country)
    return {"page": page.name, "extractor_version": EXTRACTOR_VERSION,
            "claims": [claim.to_record() for claim in extraction.claims]}


def describe_changes(old: dict, new: dict) -> list[str]:
    """One line per difference: a claim gone (-), a claim new (+), a field changed (~), keyed by its offsets."""
    lines = []
    if old.get("extractor_version") != new["extractor_version"]:
        lines.append(f"~ extractor_version: {old.get('extractor_version')} → {new['extractor_version']}")
    before = {(c["start"], c["end"]): c for c in old.get("claims", [])}
    after = {(c["start"], c["end"]): c for c in new["claims"]}
    for key in sorted(before.keys() | after.keys()):
        if key not in after:
            lines.append(f"- {key[0]}-{key[1]} {before[key]['number']!r}: {before[key]['sentence'][:80]!r}")
        elif key not in before:
            lines.append(f"+ {key[0]}-{key[1]} {after[key]['number']!r}: {after[key]['sentence'][:80]!r}")
        else:
            changed = [name for name in after[key] if before[key].get(name) != after[key][name]]
            lines += [f"~ {key[0]}-{key[1]} {after[key]['number']!r} {name}: {before[key].get(name)!r} → "
                      f"{after[key][name]!r}" for name in sorted(changed, key=_field_order)]
    return lines


def refresh(model: str) -> list[Path]:
    """Rewrite every golden file from the current extractor; returns the files whose content changed."""
    finder = ClaimFinder(model)
    changed = []
    for page in golden_pages():
        path = golden_path(page)
        content = json.dumps(golden_record(page, finder), indent=1, ensure_ascii=False) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            changed.append(path)
    return changed


def _field_order(name: str) -> int:
    return _SHOWN.index(name) if name in _SHOWN else len(_SHOWN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="rewrite the golden files from the current output")
    parser.add_argument("--model", default=MODEL, help="spaCy model (default: the tests' MODEL)")
    args = parser.parse_args(argv)
    if not args.refresh:
        parser.print_help()
        return 2
    changed = refresh(args.model)
    for path in changed:
        print(f"rewrote {path.relative_to(TESTS.parent)}")
    print(f"{len(changed)} of {len(golden_pages())} golden files changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
