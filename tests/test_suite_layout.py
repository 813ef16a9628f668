"""The test suite's own rules: test modules share helpers through conftest.py, never by importing each other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    return names | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}


def test_no_test_module_imports_another():
    offenders = {path.name: sorted(name for name in _imported(path) if name.startswith("tests.test_"))
                 for path in sorted(TESTS.glob("test_*.py"))}
    assert not {name: found for name, found in offenders.items() if found}


def test_the_model_is_named_once():
    named = [path.name for path in sorted(TESTS.glob("*.py"))
             if re.search(r"^MODEL = ", path.read_text(encoding="utf-8"), re.MULTILINE)]
    assert named == ["conftest.py"]
