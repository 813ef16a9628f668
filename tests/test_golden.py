"""Golden claim files: each test page's claims must match its `.claims.json` (refresh: tests/README.md)."""

from __future__ import annotations

import json

import pytest

from tests.golden import REFRESH, describe_changes, golden_pages, golden_path, golden_record


@pytest.mark.parametrize("page", golden_pages(), ids=lambda page: page.name)
def test_claims_match_the_golden_file(page, finder):
    path = golden_path(page)
    assert path.exists(), f"{path.name} is missing: run {REFRESH}"
    expected = json.loads(path.read_text(encoding="utf-8"))
    found = golden_record(page, finder)
    changes = describe_changes(expected, found)
    assert not changes, (f"{page.name}: claims differ from {path.name} (- gone, + new, ~ changed):\n"
                         + "\n".join(changes) + f"\nIf the change is intended, run {REFRESH} and commit the files.")
    assert found == expected, f"{page.name}: {path.name} differs in order or format; run {REFRESH}"


def test_every_golden_file_has_its_page():
    pages = {golden_path(page) for page in golden_pages()}
    strays = sorted(path.name for folder in {p.parent for p in pages} for path in folder.glob("*.claims.json")
                    if path not in pages)
    assert not strays, f"golden files without a page: {strays}"


def test_a_change_is_described_claim_by_claim():
    page = golden_pages()[0]
    old = json.loads(golden_path(page).read_text(encoding="utf-8"))
    new = json.loads(json.dumps(old))
    gone, changed = new["claims"].pop(0), new["claims"][0]
    changed["speaker"] = "Someone Else"
    lines = describe_changes(old, new)
    assert lines[0].startswith(f"- {gone['start']}-{gone['end']} {gone['number']!r}")
    assert lines[1] == (f"~ {changed['start']}-{changed['end']} {changed['number']!r} speaker: "
                        f"{old['claims'][1]['speaker']!r} → 'Someone Else'")
    assert describe_changes(old, old) == []
